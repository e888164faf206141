//! `/tra-cuu`: anyone with a dossier code sees its progress without personal data; with the
//! phone or ID number given at submission (a second factor) also the applicant's details.

use super::dossiers::{EventLine, event_lines};
use crate::domain::citizen::Phone;
use crate::domain::dossier::{Status, looks_like_dossier_code};
use crate::error::AppError;
use crate::models::session;
use crate::queries::my_dossiers::{self, DossierView};
use crate::web::auth::Viewer;
use crate::web::csrf::CsrfForm;
use crate::web::render::{PageCtx, local_time, page, page_with_status};
use crate::web::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Duration;
use serde::Deserialize;

/// Wrong second factors from one address within 15 minutes before it must wait.
const MAX_TRACKING_FAILURES: i64 = 10;

/// `templates/public/tracking.html`.
#[derive(Template)]
#[template(path = "public/tracking.html")]
pub struct TrackingPage {
    ctx: PageCtx,
    code: String,
    error: Option<String>,
    found: Option<Found>,
    verify_error: Option<String>,
}

/// What is shown of a dossier.
pub struct Found {
    v: DossierView,
    status: &'static str,
    submitted: String,
    received: Option<String>,
    due: Option<String>,
    finished: Option<String>,
    events: Vec<EventLine>,
    verified: bool,
    /// Result files (name, signed link), shown after the second factor.
    results: Vec<(String, String)>,
}

fn found(v: DossierView, verified: bool) -> Found {
    Found {
        status: Status::from_code(v.dossier.status).map_or("", Status::label),
        submitted: local_time(&v.dossier.submitted_at),
        received: v.dossier.received_at.as_ref().map(local_time),
        due: v.dossier.due_at.as_ref().map(local_time),
        finished: v.dossier.finished_at.as_ref().map(local_time),
        events: event_lines(&v),
        v,
        verified,
        results: Vec::new(),
    }
}

/// `?ma=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TrackQuery {
    ma: String,
}

async fn lookup(state: &AppState, code: &str) -> Result<Result<DossierView, String>, AppError> {
    let code = code.trim().to_uppercase();
    if !looks_like_dossier_code(&code) {
        return Ok(Err("Mã hồ sơ không đúng định dạng (ví dụ: 000.00.01.H56-261125-00017).".to_owned()));
    }
    let v = state.db.run(move |conn| Ok(my_dossiers::dossier(conn, &code)?)).await?;
    Ok(v.ok_or_else(|| "Không tìm thấy hồ sơ có mã này. Vui lòng kiểm tra lại mã trên biên nhận.".to_owned()))
}

/// `GET /tra-cuu[?ma=]`.
pub async fn show(
    req: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    q: web::Query<TrackQuery>,
) -> Result<HttpResponse, AppError> {
    let ctx = PageCtx::new(&req, &state.config.province_name, Some(&viewer));
    let code = q.ma.trim().to_owned();
    if code.is_empty() {
        return page(&TrackingPage { ctx, code, error: None, found: None, verify_error: None });
    }
    match lookup(&state, &code).await? {
        Ok(v) => page(&TrackingPage { ctx, code, error: None, found: Some(found(v, false)), verify_error: None }),
        Err(message) => page_with_status(
            StatusCode::NOT_FOUND,
            &TrackingPage { ctx, code, error: Some(message), found: None, verify_error: None },
        ),
    }
}

/// The second-factor form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VerifyInput {
    ma: String,
    xac_minh: String,
}

fn matches_applicant(v: &DossierView, input: &str) -> bool {
    let digits: String = input.chars().filter(char::is_ascii_digit).collect();
    let phone = Phone::parse(input).map(|p| p.as_str().to_owned()).unwrap_or_default();
    (!digits.is_empty() && digits == v.dossier.applicant_id_number)
        || (!phone.is_empty() && phone == v.dossier.applicant_phone)
}

/// `POST /tra-cuu`: the code and the phone or ID number given at submission.
pub async fn verify(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: CsrfForm<VerifyInput>,
) -> Result<HttpResponse, AppError> {
    let CsrfForm { form, viewer } = form;
    let ctx = PageCtx::new(&req, &state.config.province_name, Some(&viewer));
    let code = form.ma.trim().to_owned();
    let v = match lookup(&state, &code).await? {
        Ok(v) => v,
        Err(message) => {
            return page_with_status(
                StatusCode::NOT_FOUND,
                &TrackingPage { ctx, code, error: Some(message), found: None, verify_error: None },
            );
        }
    };
    let key = format!("track:{}", req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default());
    let since = state.clock.now_naive() - Duration::minutes(15);
    let k = key.clone();
    let failures = state.db.run(move |conn| Ok(session::failures_since(conn, &k, since)?)).await?;
    let refused = |message: &str, found_v| {
        page_with_status(
            StatusCode::BAD_REQUEST,
            &TrackingPage {
                ctx: ctx.clone(),
                code: code.clone(),
                error: None,
                found: Some(found(found_v, false)),
                verify_error: Some(message.to_owned()),
            },
        )
    };
    if failures >= MAX_TRACKING_FAILURES {
        return refused("Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.", v);
    }
    if !matches_applicant(&v, &form.xac_minh) {
        let now = state.clock.now_naive();
        state.db.write(move |conn| Ok(session::record_failure(conn, &key, now).map(|_| ())?)).await?;
        return refused("Số điện thoại hoặc số định danh không khớp với thông tin khi nộp hồ sơ.", v);
    }
    let mut shown = found(v, true);
    if matches!(Status::from_code(shown.v.dossier.status), Some(Status::Resolved | Status::Returned)) {
        shown.results = shown
            .v
            .attachments
            .iter()
            .filter(|a| a.purpose == "result")
            .map(|a| (a.file_name.clone(), super::follow_up::signed_result_link(&state, &shown.v.dossier.code, &a.id)))
            .collect();
    }
    page(&TrackingPage { ctx, code, error: None, found: Some(shown), verify_error: None })
}

//! What a citizen does after submitting: answer a supplement request with files, and download
//! the result, from "Hồ sơ của tôi" or from tracking with the second factor (a signed link).
//! Downloading an electronic result returns it (state 9 → 10).

use super::dossiers::own_dossier;
use crate::domain::dossier::Status;
use crate::error::AppError;
use crate::models::dossier::{Attachment, Dossier};
use crate::services::workflow::{self, Actor, Env};
use crate::web::auth::{Citizen, Viewer};
use crate::web::form_state::FormState;
use crate::web::render::{PageCtx, page, page_with_status, see_other};
use crate::web::state::AppState;
use crate::web::upload;
use actix_multipart::Multipart;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use std::collections::BTreeMap;

/// How long a result link shown after the second factor stays valid.
pub const RESULT_LINK_MINUTES: i64 = 30;

/// `templates/public/dossiers/supplement.html`.
#[derive(Template)]
#[template(path = "public/dossiers/supplement.html")]
pub struct SupplementPage {
    ctx: PageCtx,
    code: String,
    procedure: String,
    missing: String,
    version: i32,
    papers: Vec<(i32, String)>,
    f: FormState,
}

async fn supplement_page(
    req: &HttpRequest,
    state: &AppState,
    citizen: &Citizen,
    code: String,
    f: FormState,
) -> Result<SupplementPage, AppError> {
    let v = own_dossier(state, code, &citizen.0.user.id).await?;
    if v.dossier.status != Status::SupplementRequested.code() {
        return Err(AppError::bad_request(
            "wrong_state",
            "Hồ sơ này hiện không có yêu cầu bổ sung. Vui lòng xem trạng thái trong «Hồ sơ của tôi».",
        ));
    }
    let mut papers = v.paper_names.clone();
    papers.push((0, "Giấy tờ khác".to_owned()));
    Ok(SupplementPage {
        ctx: PageCtx::new(req, &state.config.province_name, Some(&Viewer::of(&citizen.0))),
        missing: v.dossier.status_note.clone().unwrap_or_default(),
        version: v.dossier.version,
        code: v.dossier.code,
        procedure: v.procedure_name,
        papers,
        f,
    })
}

/// `GET /tai-khoan/ho-so/{code}/bo-sung`.
pub async fn supplement_form(
    req: HttpRequest,
    citizen: Citizen,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    page(&supplement_page(&req, &state, &citizen, code.into_inner(), FormState::empty()).await?)
}

/// `POST /tai-khoan/ho-so/{code}/bo-sung` (multipart: `version`, `note`, files `paper_<n>`).
pub async fn supplement(
    req: HttpRequest,
    citizen: Citizen,
    state: web::Data<AppState>,
    code: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let code = code.into_inner();
    let viewer = Viewer::of(&citizen.0);
    let declared = req.headers().get("content-length").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    let form =
        upload::read(payload, &viewer, state.config.max_file_bytes, state.config.max_dossier_bytes, declared).await?;
    let values = form.posted.values;
    let note = values.get("note").cloned().unwrap_or_default();
    let version = values.get("version").and_then(|v| v.parse().ok()).unwrap_or(-1);
    let result = if form.errors.is_empty() {
        let env = Env { db: &state.db, clock: &state.clock, store: &state.files, base_url: &state.config.base_url };
        workflow::supplement(env, &citizen.0.user.id, &code, version, &note, form.posted.files).await
    } else {
        Err(AppError::Invalid(form.errors))
    };
    match result {
        Ok(d) => Ok(see_other(&format!("/tai-khoan/ho-so/{}?bo_sung=1", d.code))),
        Err(AppError::Invalid(errors)) => {
            let f = FormState::new(BTreeMap::from([("note".to_owned(), note)]), errors);
            page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &supplement_page(&req, &state, &citizen, code, f).await?)
        }
        Err(e) => Err(e),
    }
}

async fn send_result(state: &AppState, d: Dossier, a: Attachment, actor: Actor) -> Result<HttpResponse, AppError> {
    let files = state.files.clone();
    let sha = a.sha256.clone();
    let bytes = web::block(move || files.get(&sha))
        .await?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("file {}: {e}", a.id)))?;
    let clock = state.clock.clone();
    state.db.write(move |conn| workflow::mark_result_downloaded(conn, &clock, &d, &actor)).await?;
    Ok(HttpResponse::Ok()
        .content_type(a.content_type.clone())
        .insert_header(header::ContentDisposition::attachment(a.file_name.clone()))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}

/// A result file of a dossier whose result was approved (state 9 or 10).
async fn result_file(state: &AppState, code: String, id: String) -> Result<(Dossier, Attachment), AppError> {
    state
        .db
        .run(move |conn| {
            let Some(d) = Dossier::find_by_code(conn, &code)? else { return Ok(None) };
            let ready = matches!(Status::from_code(d.status), Some(Status::Resolved | Status::Returned));
            let a = Attachment::find(conn, &id)?
                .filter(|a| ready && a.purpose == "result" && a.dossier_id.as_deref() == Some(d.id.as_str()));
            Ok(a.map(|a| (d, a)))
        })
        .await?
        .ok_or(AppError::NotFound("kết quả"))
}

/// `GET /tai-khoan/ho-so/{code}/ket-qua/{id}`: the applicant downloads a result file.
pub async fn download(
    citizen: Citizen,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (code, id) = path.into_inner();
    let (d, a) = result_file(&state, code, id).await?;
    if d.applicant_user_id.as_deref() != Some(citizen.0.user.id.as_str()) {
        return Err(AppError::NotFound("kết quả"));
    }
    send_result(&state, d, a, Actor::citizen(&citizen.0.user.id)).await
}

/// A signed link to a result file, for the tracking page after the second factor.
pub fn signed_result_link(state: &AppState, code: &str, attachment_id: &str) -> String {
    let expires = (state.clock.now() + chrono::Duration::minutes(RESULT_LINK_MINUTES)).timestamp();
    let sig = state.signer.sign("result_download", attachment_id, expires, code);
    format!("/tra-cuu/ket-qua/{attachment_id}?ma={}&h={expires}&c={sig}", crate::web::render::encode_component(code))
}

/// The query of a signed result link.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignedQuery {
    ma: String,
    h: i64,
    c: String,
}

/// `GET /tra-cuu/ket-qua/{id}?ma=&h=&c=`: a result file through a signed, expiring link.
pub async fn download_signed(
    state: web::Data<AppState>,
    id: web::Path<String>,
    q: web::Query<SignedQuery>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    if !state.signer.verify("result_download", &id, q.h, &q.ma, &q.c, state.clock.now().timestamp()) {
        return Err(AppError::bad_request(
            "link_expired",
            "Đường dẫn tải kết quả không hợp lệ hoặc đã hết hạn. Vui lòng tra cứu lại hồ sơ và xác minh để nhận đường dẫn mới.",
        ));
    }
    let (d, a) = result_file(&state, q.ma.clone(), id).await?;
    let actor = Actor {
        kind: "citizen",
        id: d.applicant_user_id.clone(),
        role: crate::domain::dossier::Role::Citizen,
        agency_id: None,
    };
    send_result(&state, d, a, actor).await
}

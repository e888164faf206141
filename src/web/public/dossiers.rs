//! "Hồ sơ của tôi": drafts and dossiers of the signed-in citizen, one dossier (the printable
//! receipt), withdrawal, and the files they uploaded.

use crate::domain::dossier::{Action, Role, Status, action_label, transition};
use crate::domain::form::FormValues;
use crate::error::AppError;
use crate::models::dossier::Attachment;
use crate::queries::my_dossiers::{self, DossierView};
use crate::services::intake;
use crate::services::workflow::position_of;
use crate::web::auth::{Citizen, Viewer};
use crate::web::csrf::CsrfForm;
use crate::web::form_state::FormState;
use crate::web::render::{PageCtx, local_date, local_time, page, page_with_status, see_other};
use crate::web::state::AppState;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use std::collections::BTreeMap;

fn viewer_of(c: &Citizen) -> Viewer {
    Viewer::of(&c.0)
}

/// A line of the list.
pub struct Line {
    code: String,
    procedure: String,
    status: &'static str,
    status_code: i32,
    submitted: String,
    due: String,
}

/// A draft line.
pub struct DraftItem {
    id: String,
    procedure_code: String,
    procedure: String,
    updated: String,
}

/// `templates/public/dossiers/list.html`.
#[derive(Template)]
#[template(path = "public/dossiers/list.html")]
pub struct ListPage {
    ctx: PageCtx,
    drafts: Vec<DraftItem>,
    dossiers: Vec<Line>,
}

/// `GET /tai-khoan/ho-so`.
pub async fn list(req: HttpRequest, citizen: Citizen, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let user_id = citizen.0.user.id.clone();
    let (drafts, dossiers) = state.db.run(move |conn| Ok(my_dossiers::overview(conn, &user_id)?)).await?;
    page(&ListPage {
        ctx: PageCtx::new(&req, &state.config.province_name, Some(&viewer_of(&citizen))),
        drafts: drafts
            .into_iter()
            .map(|d| DraftItem {
                id: d.draft.id,
                procedure_code: d.procedure_code,
                procedure: d.procedure_name,
                updated: local_time(&d.draft.updated_at),
            })
            .collect(),
        dossiers: dossiers
            .into_iter()
            .map(|l| Line {
                status: Status::from_code(l.dossier.status).map_or("", Status::label),
                status_code: l.dossier.status,
                submitted: local_time(&l.dossier.submitted_at),
                due: l.dossier.due_at.as_ref().map(local_date).unwrap_or_else(|| "Chưa có (chờ tiếp nhận)".to_owned()),
                code: l.dossier.code,
                procedure: l.procedure_name,
            })
            .collect(),
    })
}

/// A history line.
pub struct EventLine {
    /// Local time.
    pub at: String,
    /// What was done.
    pub action: &'static str,
    /// The state it led to.
    pub status: &'static str,
    /// Reason or note.
    pub note: Option<String>,
}

/// The papers received and their files.
pub struct PaperFiles {
    name: String,
    files: Vec<Attachment>,
}

/// `templates/public/dossiers/show.html`.
#[derive(Template)]
#[template(path = "public/dossiers/show.html")]
pub struct ShowPage {
    ctx: PageCtx,
    v: DossierView,
    status: &'static str,
    submitted: String,
    received: Option<String>,
    due: Option<String>,
    values: Vec<(String, String)>,
    papers: Vec<PaperFiles>,
    events: Vec<EventLine>,
    can_withdraw: bool,
    fresh: bool,
    supplied: bool,
    /// What the officer asked to supplement, while the request is open.
    missing: Option<String>,
    /// The result files, once approved.
    results: Vec<Attachment>,
    /// Fees and their payment.
    payments: crate::web::payment_panel::PaymentPanel,
    /// Prefix of e-receipt links.
    receipt_base: String,
    /// Staff view of the fees panel (no).
    staff: bool,
    /// "Thanh toán" is offered: fees wait and a gateway is configured.
    can_pay: bool,
}

/// `?moi=1` right after submission.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShowQuery {
    moi: String,
    bo_sung: String,
}

pub(crate) async fn own_dossier(state: &AppState, code: String, user_id: &str) -> Result<DossierView, AppError> {
    let user_id = user_id.to_owned();
    state
        .db
        .run(move |conn| {
            Ok(my_dossiers::dossier(conn, &code)?
                .filter(|v| v.dossier.applicant_user_id.as_deref() == Some(user_id.as_str())))
        })
        .await?
        .ok_or(AppError::NotFound("hồ sơ"))
}

/// History lines for a page.
pub fn event_lines(v: &DossierView) -> Vec<EventLine> {
    v.events
        .iter()
        .map(|e| EventLine {
            at: local_time(&e.at),
            action: action_label(&e.action),
            status: Status::from_code(e.to_status).map_or("", Status::label),
            // Internal steps (assignment, transfers, proposals, the leader's notes) stay inside.
            note: e.note.clone().filter(|_| {
                matches!(
                    e.action.as_str(),
                    "refuse" | "request_supplement" | "supplement" | "stop" | "withdraw" | "extend"
                )
            }),
        })
        .collect()
}

/// `GET /tai-khoan/ho-so/{code}`: the dossier and its receipt, printable.
pub async fn show(
    req: HttpRequest,
    citizen: Citizen,
    state: web::Data<AppState>,
    code: web::Path<String>,
    q: web::Query<ShowQuery>,
) -> Result<HttpResponse, AppError> {
    let v = own_dossier(&state, code.into_inner(), &citizen.0.user.id).await?;
    let status = Status::from_code(v.dossier.status).unwrap_or(Status::Submitted);
    let dossier_id = v.dossier.id.clone();
    let payments = state.db.run(move |conn| crate::web::payment_panel::PaymentPanel::load(conn, &dossier_id)).await?;
    let can_pay = status == Status::AwaitingPayment && payments.has_open() && state.config.paygov_url.is_some();
    let receipt_base = format!("/tai-khoan/ho-so/{}/bien-lai", v.dossier.code);
    let values = serde_json::from_str::<FormValues>(&v.dossier.form_values).map(|f| f.display()).unwrap_or_default();
    let papers = v
        .paper_names
        .iter()
        .filter_map(|(pos, name)| {
            let files: Vec<Attachment> =
                v.attachments.iter().filter(|a| a.paper_position == *pos && a.purpose != "result").cloned().collect();
            (!files.is_empty()).then(|| PaperFiles { name: name.clone(), files })
        })
        .collect();
    let gateway_origin = state.config.paygov_url.as_deref().filter(|_| can_pay).and_then(origin_of);
    let mut res = page(&ShowPage {
        ctx: PageCtx::new(&req, &state.config.province_name, Some(&viewer_of(&citizen))),
        status: status.label(),
        submitted: local_time(&v.dossier.submitted_at),
        received: v.dossier.received_at.as_ref().map(local_time),
        due: v.dossier.due_at.as_ref().map(local_time),
        values,
        papers,
        events: event_lines(&v),
        can_withdraw: position_of(&v.dossier)
            .is_ok_and(|p| transition(p, Action::Withdraw, Role::Citizen, None).is_ok()),
        payments,
        receipt_base,
        staff: false,
        can_pay,
        fresh: q.moi == "1",
        supplied: q.bo_sung == "1",
        missing: (status == Status::SupplementRequested).then(|| v.dossier.status_note.clone().unwrap_or_default()),
        results: if matches!(status, Status::Resolved | Status::Returned) {
            v.attachments.iter().filter(|a| a.purpose == "result").cloned().collect()
        } else {
            Vec::new()
        },
        v,
    })?;
    if let Some(origin) = gateway_origin {
        // "Thanh toán trực tuyến" posts here and is redirected to the gateway: the form-action
        // of this page must allow the gateway's origin (the default CSP is 'self' only).
        let csp = crate::web::middleware::csp(&format!(" {origin}"));
        if let Ok(v) = header::HeaderValue::from_str(&csp) {
            res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    Ok(res)
}

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next().filter(|h| !h.is_empty())?;
    Some(format!("{scheme}://{host}"))
}

/// `templates/public/dossiers/withdraw.html`.
#[derive(Template)]
#[template(path = "public/dossiers/withdraw.html")]
pub struct WithdrawPage {
    ctx: PageCtx,
    code: String,
    procedure: String,
    f: FormState,
}

/// `GET /tai-khoan/ho-so/{code}/rut`.
pub async fn withdraw_form(
    req: HttpRequest,
    citizen: Citizen,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let v = own_dossier(&state, code.into_inner(), &citizen.0.user.id).await?;
    page(&WithdrawPage {
        ctx: PageCtx::new(&req, &state.config.province_name, Some(&viewer_of(&citizen))),
        code: v.dossier.code,
        procedure: v.procedure_name,
        f: FormState::empty(),
    })
}

/// The withdrawal form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WithdrawInput {
    reason: String,
}

/// `POST /tai-khoan/ho-so/{code}/rut`.
pub async fn withdraw(
    req: HttpRequest,
    citizen: Citizen,
    state: web::Data<AppState>,
    code: web::Path<String>,
    form: CsrfForm<WithdrawInput>,
) -> Result<HttpResponse, AppError> {
    let code = code.into_inner();
    match intake::withdraw(&state.db, &state.clock, &code, &citizen.0.user.id, &form.form.reason).await {
        Ok(d) => Ok(see_other(&format!("/tai-khoan/ho-so/{}", d.code))),
        Err(AppError::Invalid(errors)) => {
            let v = own_dossier(&state, code, &citizen.0.user.id).await?;
            page_with_status(
                StatusCode::BAD_REQUEST,
                &WithdrawPage {
                    ctx: PageCtx::new(&req, &state.config.province_name, Some(&viewer_of(&citizen))),
                    code: v.dossier.code,
                    procedure: v.procedure_name,
                    f: FormState::new(BTreeMap::from([("reason".to_owned(), form.form.reason.clone())]), errors),
                },
            )
        }
        Err(e) => Err(e),
    }
}

/// `POST /tai-khoan/ban-nhap/{id}/xoa`.
pub async fn delete_draft(
    citizen: Citizen,
    state: web::Data<AppState>,
    id: web::Path<String>,
    _form: CsrfForm<BTreeMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    intake::delete_draft(&state.db, &id.into_inner(), &citizen.0.user.id).await?;
    Ok(see_other("/tai-khoan/ho-so"))
}

/// `GET /tai-khoan/tep/{id}`: a file the citizen uploaded, to them only, always as a download.
pub async fn attachment(
    citizen: Citizen,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (id, user_id) = (id.into_inner(), citizen.0.user.id.clone());
    let a = state
        .db
        .run(move |conn| {
            Ok(Attachment::find(conn, &id)?.filter(|a| a.owner_user_id.as_deref() == Some(user_id.as_str())))
        })
        .await?
        .ok_or(AppError::NotFound("tệp"))?;
    crate::web::render::download(&state, a).await
}

//! The citizen pays a dossier's fees online: "Thanh toán" sends INIT and redirects to the
//! gateway; the gateway sends the browser back to `/thanh-toan/ket-qua`, which only displays
//! (the state comes from the server-side CONFIRM or a QUERY); the e-receipt is downloaded from
//! "Hồ sơ của tôi".

use crate::domain::payment::TxStatus;
use crate::error::AppError;
use crate::models::dossier::Dossier;
use crate::models::payment::PaymentTransaction;
use crate::services::payments::{self, Payments};
use crate::web::auth::{Citizen, Viewer};
use crate::web::csrf::CsrfForm;
use crate::web::render::{PageCtx, page, see_other};
use crate::web::state::AppState;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::TimeDelta;
use serde::Deserialize;
use std::collections::BTreeMap;

/// After how long on the return page a still-pending attempt is asked about (QUERY), and how
/// often at most.
const QUERY_AFTER: TimeDelta = TimeDelta::seconds(30);

/// `POST /tai-khoan/ho-so/{code}/thanh-toan`: INIT, then 303 to the gateway's page.
pub async fn start(
    req: HttpRequest,
    citizen: Citizen,
    state: web::Data<AppState>,
    code: web::Path<String>,
    _form: CsrfForm<BTreeMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let ip = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "127.0.0.1".to_owned());
    let (db, clock, user_id) = (state.db.clone(), state.clock.clone(), citizen.0.user.id.clone());
    let settings = Payments::from_config(&state.config);
    let code = code.into_inner();
    let url = web::block(move || payments::start(&db, &clock, &settings, &user_id, &code, &ip)).await??;
    Ok(see_other(&url))
}

/// The query of the return page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReturnQuery {
    ma: String,
}

/// `templates/public/payments/returned.html`.
#[derive(Template)]
#[template(path = "public/payments/returned.html")]
pub struct ReturnedPage {
    ctx: PageCtx,
    code: String,
    reference: String,
    status: &'static str,
    pending: bool,
    paid: bool,
}

/// `GET /thanh-toan/ket-qua?ma=<MaThamChieu>`: where the gateway sends the citizen back. Shows
/// the state as recorded here; while it is pending for a while, asks the gateway (QUERY).
pub async fn returned(
    req: HttpRequest,
    citizen: Citizen,
    state: web::Data<AppState>,
    q: web::Query<ReturnQuery>,
) -> Result<HttpResponse, AppError> {
    let reference = q.into_inner().ma;
    let user_id = citizen.0.user.id.clone();
    let lookup = {
        let (reference, user_id) = (reference.clone(), user_id.clone());
        move |conn: &mut crate::db::DbConn| -> Result<(PaymentTransaction, Dossier), AppError> {
            let t = PaymentTransaction::find_by_reference(conn, &reference)?.ok_or(AppError::NotFound("giao dịch"))?;
            let d = Dossier::find(conn, &t.dossier_id)?
                .filter(|d| d.applicant_user_id.as_deref() == Some(user_id.as_str()))
                .ok_or(AppError::NotFound("giao dịch"))?;
            Ok((t, d))
        }
    };
    let (mut t, d) = state.db.run(lookup.clone()).await?;
    let now = state.clock.now_naive();
    let stale = t.checked_at.is_none_or(|c| now - c > QUERY_AFTER);
    if t.state() == TxStatus::Pending && now - t.initiated_at > QUERY_AFTER && stale {
        let (db, clock, reference) = (state.db.clone(), state.clock.clone(), t.reference.clone());
        let settings = Payments::from_config(&state.config);
        // A failed QUERY leaves the page as it is: the callback or the reconciliation settles it.
        let _ = web::block(move || payments::check(&db, &clock, &settings, &reference)).await;
        t = state.db.run(lookup).await?.0;
    }
    let status = t.state();
    let mut res = page(&ReturnedPage {
        ctx: PageCtx::new(&req, &state.config.province_name, Some(&Viewer::of(&citizen.0))),
        code: d.code,
        reference: t.reference,
        status: status.label(),
        pending: status == TxStatus::Pending,
        paid: status == TxStatus::Paid,
    })?;
    if status == TxStatus::Pending {
        // Without JavaScript: the page reloads itself while the payment is being confirmed.
        res.headers_mut().insert(header::REFRESH, header::HeaderValue::from_static("10"));
    }
    Ok(res)
}

/// `GET /tai-khoan/ho-so/{code}/bien-lai/{id}`: the e-receipt of a paid attempt of the
/// citizen's own dossier.
pub async fn receipt(
    citizen: Citizen,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (code, id) = path.into_inner();
    let user_id = citizen.0.user.id.clone();
    let t = state
        .db
        .run(move |conn| {
            let Some(d) = Dossier::find_by_code(conn, &code)?
                .filter(|d| d.applicant_user_id.as_deref() == Some(user_id.as_str()))
            else {
                return Ok(None);
            };
            Ok(PaymentTransaction::of_dossier(conn, &d.id)?.into_iter().find(|t| t.id == id))
        })
        .await?
        .ok_or(AppError::NotFound("biên lai"))?;
    send_receipt(&state, &t).await
}

/// The stored e-receipt of an attempt, as a PDF download.
pub async fn send_receipt(state: &AppState, t: &PaymentTransaction) -> Result<HttpResponse, AppError> {
    let sha = t.receipt_sha256.clone().ok_or(AppError::NotFound("biên lai"))?;
    let files = state.files.clone();
    let bytes = web::block(move || files.get(&sha))
        .await?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("receipt file: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(header::ContentDisposition::attachment(format!("bien-lai-{}.pdf", t.reference)))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}

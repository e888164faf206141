//! `/quan-tri/dong-bo`: the outbox for administrators — pending, sent and dead rows per kind,
//! the oldest pending age, each dead row with its last answer, and "gửi lại".

use super::ctx;
use crate::error::AppError;
use crate::services::admin::operations::{self as service, DeadRow, KindRow, Resend};
use crate::web::auth::Admin;
use crate::web::csrf::CsrfForm;
use crate::web::render::{PageCtx, local_time, page, see_other};
use crate::web::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

/// `templates/admin/operations.html`.
#[derive(Template)]
#[template(path = "admin/operations.html")]
pub struct OperationsPage {
    ctx: PageCtx,
    kinds: Vec<KindRow>,
    dead: Vec<(DeadRow, String)>,
    notice: String,
}

/// The notice after a resend.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Notice {
    #[serde(rename = "da-gui")]
    da_gui: String,
}

/// `GET /quan-tri/dong-bo`.
pub async fn show(
    req: HttpRequest,
    admin: Admin,
    state: web::Data<AppState>,
    q: web::Query<Notice>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now_naive();
    let o = state.db.run(move |conn| Ok(service::overview(conn, now)?)).await?;
    let notice = match q.da_gui.parse::<usize>() {
        Ok(n) if n > 0 => format!("Đã đưa {n} mục trở lại hàng đợi; chúng sẽ được gửi trong ít phút."),
        _ => String::new(),
    };
    page(&OperationsPage {
        ctx: ctx(&req, &state, &admin),
        kinds: o.kinds,
        dead: o.dead.into_iter().map(|d| (d.clone(), local_time(&d.created_at))).collect(),
        notice,
    })
}

/// The form of "gửi lại": one row's id, or `tat-ca`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResendForm {
    muc: String,
}

/// `POST /quan-tri/dong-bo/gui-lai`.
pub async fn resend(
    admin: Admin,
    state: web::Data<AppState>,
    form: CsrfForm<ResendForm>,
) -> Result<HttpResponse, AppError> {
    let which = match form.form.muc.trim() {
        "tat-ca" => Resend::All,
        "" => return Err(AppError::bad_request("no_row", "Vui lòng chọn mục cần gửi lại.")),
        id => Resend::One(id.to_owned()),
    };
    let n = service::resend(&state.db, &state.clock, &admin.0.staff.id, which).await?;
    Ok(see_other(&format!("/quan-tri/dong-bo?da-gui={n}")))
}

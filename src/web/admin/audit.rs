//! `/quan-tri/nhat-ky`: the administrative audit log, newest first, with before and after.

use super::{ListQuery, Pager, ctx, options_with_blank, pager};
use crate::error::AppError;
use crate::services::admin::audit::{self as service, ENTITIES, Line};
use crate::web::auth::Admin;
use crate::web::render::{PageCtx, page};
use crate::web::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

/// `templates/admin/audit.html`.
#[derive(Template)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    ctx: PageCtx,
    entity: String,
    entities: Vec<(String, String)>,
    lines: Vec<Line>,
    total: i64,
    pager: Pager,
}

/// `GET /quan-tri/nhat-ky?loai=&trang=`.
pub async fn list(
    req: HttpRequest,
    admin: Admin,
    state: web::Data<AppState>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let entity = ENTITIES.iter().find(|(k, _)| *k == q.loai.trim()).map(|(k, _)| *k);
    let page_no = q.page();
    let found = state.db.run(move |conn| service::page(conn, entity, page_no)).await?;
    page(&AuditPage {
        ctx: ctx(&req, &state, &admin),
        pager: pager("/quan-tri/nhat-ky", &[("loai", entity.unwrap_or_default())], found.page, found.pages()),
        entity: entity.unwrap_or_default().to_owned(),
        entities: options_with_blank("Tất cả", ENTITIES.iter().map(|(k, l)| ((*k).to_owned(), (*l).to_owned()))),
        total: found.total,
        lines: found.items,
    })
}

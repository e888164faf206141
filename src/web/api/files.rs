//! `GET /api/v1/files/{id}?ma=&h=&c=`: a dossier's file through the signed, expiring link given
//! to the national portal ([`crate::services::portal_sync::file_link`]). The link names one file
//! of one dossier; nothing else is reachable with it. Always a download, never inline.

use crate::error::AppError;
use crate::models::dossier::{Attachment, Dossier};
use crate::services::portal_sync::FILE_LINK_PURPOSE;
use crate::web::state::AppState;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

/// The query of a signed file link.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Signed {
    ma: String,
    h: i64,
    c: String,
}

/// The file, if the link is genuine and unexpired.
pub async fn download(
    state: web::Data<AppState>,
    id: web::Path<String>,
    q: web::Query<Signed>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    if !state.signer.verify(FILE_LINK_PURPOSE, &id, q.h, &q.ma, &q.c, state.clock.now().timestamp()) {
        return Err(AppError::bad_request("link_invalid", "Đường dẫn tải tệp không hợp lệ hoặc đã hết hạn."));
    }
    let code = q.ma.clone();
    let a = state
        .db
        .run(move |conn| {
            let Some(d) = Dossier::find_by_code(conn, &code)? else { return Ok(None) };
            Ok(Attachment::find(conn, &id)?.filter(|a| a.dossier_id.as_deref() == Some(d.id.as_str())))
        })
        .await?
        .ok_or(AppError::NotFound("tệp"))?;
    crate::web::render::download(&state, a).await
}

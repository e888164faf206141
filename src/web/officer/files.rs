//! The files of a dossier for staff: always downloadable (`/can-bo/ho-so/{code}/tep/{id}`);
//! shown inline (`…/xem`) only for images and PDF, in a sandbox, never any other type.

use crate::error::AppError;
use crate::models::dossier::Attachment;
use crate::services::workflow;
use crate::web::auth::{Officer, SessionStaff};
use crate::web::state::AppState;
use actix_web::http::header;
use actix_web::{HttpResponse, web};

/// Whether a stored file may be shown inline (images and PDF only).
pub fn previewable(content_type: &str) -> bool {
    matches!(content_type, "application/pdf" | "image/jpeg" | "image/png")
}

/// A file of a dossier the officer may see, with its bytes.
async fn dossier_file(
    state: &AppState,
    staff: &SessionStaff,
    code: String,
    id: String,
) -> Result<(Attachment, Vec<u8>), AppError> {
    let officer = workflow::Officer::new(&staff.staff, &staff.roles);
    let a = state
        .db
        .run(move |conn| {
            let d = workflow::find_visible(conn, &officer, &code)?;
            Ok(Attachment::find(conn, &id)?.filter(|a| a.dossier_id.as_deref() == Some(d.id.as_str())))
        })
        .await?
        .ok_or(AppError::NotFound("tệp"))?;
    let (files, sha) = (state.files.clone(), a.sha256.clone());
    let bytes = web::block(move || files.get(&sha))
        .await?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("file {}: {e}", a.id)))?;
    Ok((a, bytes))
}

/// `GET /can-bo/ho-so/{code}/tep/{id}`: always a download.
pub async fn download(
    officer: Officer,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (code, id) = path.into_inner();
    let (a, bytes) = dossier_file(&state, &officer.0, code, id).await?;
    Ok(HttpResponse::Ok()
        .content_type(a.content_type.clone())
        .insert_header(header::ContentDisposition::attachment(a.file_name.clone()))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}

/// `GET /can-bo/ho-so/{code}/tep/{id}/xem`: images and PDF shown inline in a sandbox; any other
/// type is never shown inline.
pub async fn preview(
    officer: Officer,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (code, id) = path.into_inner();
    let (a, bytes) = dossier_file(&state, &officer.0, code, id).await?;
    if !previewable(&a.content_type) {
        return Err(AppError::NotFound("bản xem trước của tệp"));
    }
    let inline = header::ContentDisposition {
        disposition: header::DispositionType::Inline,
        parameters: vec![header::DispositionParam::Filename(a.file_name.clone())],
    };
    Ok(HttpResponse::Ok()
        .content_type(a.content_type.clone())
        .insert_header(inline)
        .insert_header((header::CONTENT_SECURITY_POLICY, "sandbox"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}

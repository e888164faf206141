//! Reading a multipart form (an e-form with its files) under limits enforced while streaming:
//! the CSRF token must come first, a file stops being kept as soon as it passes the per-file
//! limit, the whole body is capped, and file types are judged by their bytes.

use super::auth::Viewer;
use crate::error::AppError;
use crate::files::FileKind;
use crate::services::intake::{IncomingFile, Posted};
use actix_multipart::Multipart;
use futures_util::StreamExt;
use subtle::ConstantTimeEq;

/// Largest text input kept (the e-form rules refuse long text with their own message).
const MAX_TEXT_BYTES: usize = 300 * 1024;

/// A posted e-form: what was sent, which button, and what was refused on the way in.
pub struct Upload {
    /// Inputs and files.
    pub posted: Posted,
    /// `save`, `submit` or `refresh`.
    pub action: String,
    /// Files refused, as `(paper_<n>, message)`.
    pub errors: Vec<(String, String)>,
}

fn token_ok(viewer: &Viewer, got: &str) -> bool {
    let eq = |a: &str| !a.is_empty() && a.len() == got.len() && bool::from(a.as_bytes().ct_eq(got.as_bytes()));
    eq(&viewer.csrf) || viewer.stale.as_ref().is_some_and(|s| eq(&s.csrf))
}

fn too_large(max_total: u64) -> AppError {
    AppError::bad_request(
        "too_large",
        format!(
            "Dữ liệu gửi lên vượt quá {} MB cho một hồ sơ. Vui lòng quay lại, giảm dung lượng hoặc số tệp (thông tin đã lưu trước đó vẫn được giữ).",
            max_total / (1024 * 1024)
        ),
    )
}

/// Beyond this the connection is cut rather than drained.
const DRAIN_LIMIT: u64 = 2 * 1024 * 1024 * 1024;

/// Reads and discards the rest of a body that is too large, so the browser (which is still
/// sending) receives the error page instead of a reset connection.
async fn drain(mut payload: Multipart, mut seen: u64) {
    while let Some(Ok(mut field)) = payload.next().await {
        while let Some(Ok(chunk)) = field.next().await {
            seen += chunk.len() as u64;
            if seen > DRAIN_LIMIT {
                return;
            }
        }
    }
}

/// Reads the form. A body whose declared length (Content-Length) or actual size passes the
/// dossier limit is not kept: it is drained and refused with a message.
pub async fn read(
    mut payload: Multipart,
    viewer: &Viewer,
    max_file: u64,
    max_total: u64,
    declared_len: Option<u64>,
) -> Result<Upload, AppError> {
    let hard_cap = max_total + 4 * 1024 * 1024;
    if declared_len.is_some_and(|n| n > hard_cap) {
        drain(payload, 0).await;
        return Err(too_large(max_total));
    }
    let mut upload = Upload { posted: Posted::default(), action: String::new(), errors: Vec::new() };
    let mut seen_token = false;
    let mut total: u64 = 0;
    let mut kept: u64 = 0;
    let mb = |n: u64| n / (1024 * 1024);
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|_| {
            AppError::bad_request(
                "multipart",
                "Dữ liệu biểu mẫu bị gián đoạn hoặc không đúng định dạng. Vui lòng gửi lại.",
            )
        })?;
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.content_disposition().and_then(|cd| cd.get_filename()).map(str::to_owned);
        if !seen_token && name != "csrf_token" {
            return Err(AppError::Csrf);
        }
        let mut bytes = Vec::new();
        let mut over = false;
        let limit = if file_name.is_some() { max_file } else { MAX_TEXT_BYTES as u64 };
        while let Some(chunk) = field.next().await {
            let chunk =
                chunk.map_err(|_| AppError::bad_request("multipart", "Tải tệp bị gián đoạn. Vui lòng gửi lại."))?;
            total += chunk.len() as u64;
            if total > hard_cap {
                drop(field);
                drain(payload, total).await;
                return Err(too_large(max_total));
            }
            if !over && (bytes.len() + chunk.len()) as u64 <= limit {
                bytes.extend_from_slice(&chunk);
            } else {
                over = true;
                bytes.clear();
            }
        }
        match (name.as_str(), file_name) {
            ("csrf_token", None) => {
                if !token_ok(viewer, &String::from_utf8_lossy(&bytes)) {
                    return Err(AppError::Csrf);
                }
                seen_token = true;
            }
            (field_name, Some(file_name)) => {
                let Some(position) = field_name.strip_prefix("paper_").and_then(|p| p.parse::<i32>().ok()) else {
                    continue;
                };
                if file_name.is_empty() && bytes.is_empty() && !over {
                    continue; // no file chosen
                }
                let shown = crate::services::intake::safe_file_name(&file_name, FileKind::Pdf);
                let shown = shown.trim_end_matches(".pdf");
                let error = if over {
                    Some(format!("Tệp «{shown}» vượt quá {} MB.", mb(max_file)))
                } else if bytes.is_empty() {
                    Some(format!("Tệp «{shown}» rỗng (0 byte)."))
                } else if FileKind::sniff(&bytes).is_none() {
                    Some(format!(
                        "Tệp «{shown}» không phải PDF, JPEG, PNG hoặc DOCX (kiểm tra theo nội dung tệp, không theo tên)."
                    ))
                } else if kept + bytes.len() as u64 > max_total {
                    Some(format!(
                        "Tổng dung lượng tệp của hồ sơ vượt quá {} MB; tệp «{shown}» chưa được lưu.",
                        mb(max_total)
                    ))
                } else {
                    None
                };
                match error {
                    Some(message) => upload.errors.push((field_name.to_owned(), message)),
                    None => {
                        kept += bytes.len() as u64;
                        upload.posted.files.push(IncomingFile { paper_position: position, file_name, bytes });
                    }
                }
            }
            (field_name, None) => {
                if over {
                    upload.errors.push((field_name.to_owned(), "Nội dung nhập quá dài.".to_owned()));
                    continue;
                }
                let value = String::from_utf8_lossy(&bytes).into_owned();
                match field_name {
                    "action" => upload.action = value,
                    "submit_key" => upload.posted.submit_key = value,
                    "remove" => upload.posted.remove.push(value),
                    _ => {
                        upload.posted.values.insert(field_name.to_owned(), value);
                    }
                }
            }
        }
    }
    if !seen_token {
        return Err(AppError::Csrf);
    }
    Ok(upload)
}

//! JSON endpoints for other systems. Errors are JSON: `{"error": {"code", "message", "request_id"}}`.

pub mod files;
pub mod health;
pub mod payments;
pub mod procedures;

use crate::error::AppError;
use actix_web::{HttpRequest, HttpResponse};

/// Query strings that cannot be decoded.
pub fn query_error(err: actix_web::error::QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    AppError::bad_request("invalid_query", format!("Tham số truy vấn không hợp lệ: {err}")).into()
}

/// Path segments that cannot be decoded.
pub fn path_error(err: actix_web::error::PathError, _: &HttpRequest) -> actix_web::Error {
    AppError::bad_request("invalid_path", format!("Đường dẫn không hợp lệ: {err}")).into()
}

/// Unknown API paths.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound("địa chỉ API này"))
}

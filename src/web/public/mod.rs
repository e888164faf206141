//! Pages for citizens and businesses.

pub mod catalogue;
pub mod home;

use crate::error::AppError;

/// Any unknown path: the Vietnamese 404 page.
pub async fn not_found() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound("trang bạn yêu cầu"))
}

//! Pages for citizens and businesses.

pub mod account;
pub mod catalogue;
pub mod dossiers;
pub mod follow_up;
pub mod home;
pub mod intake;
pub mod payments;
pub mod tracking;

use crate::error::AppError;

/// Any unknown path: the Vietnamese 404 page.
pub async fn not_found() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound("trang bạn yêu cầu"))
}

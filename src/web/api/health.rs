//! `GET /healthz`: the database answers.

use crate::error::AppError;
use crate::web::state::AppState;
use actix_web::{HttpResponse, web};
use diesel::connection::SimpleConnection;

/// 200 `{"status":"ok"}` when the database answers a query, 503 otherwise.
pub async fn healthz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    state.db.run(|conn| conn.batch_execute("SELECT 1").map_err(|e| AppError::Unavailable(e.into()))).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(serde_json::json!({"status": "ok", "database": "ok"})))
}

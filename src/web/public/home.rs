//! The home page: search, the most used procedures, and the fields of the catalogue.

use crate::error::AppError;
use crate::models::procedure::Procedure;
use crate::services::catalogue::Facets;
use crate::web::auth::Viewer;
use crate::web::render::{PageCtx, page};
use crate::web::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use std::sync::Arc;

/// `templates/public/home.html`.
#[derive(Template)]
#[template(path = "public/home.html")]
pub struct HomePage {
    ctx: PageCtx,
    popular: Arc<Vec<Procedure>>,
    facets: Arc<Facets>,
}

/// `GET /`.
pub async fn show(req: HttpRequest, viewer: Viewer, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let popular = state.catalogue.popular(&state.db).await?;
    let facets = state.catalogue.facets(&state.db).await?;
    page(&HomePage { ctx: PageCtx::new(&req, &state.config.province_name, Some(&viewer)), popular, facets })
}

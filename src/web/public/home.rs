//! The home page: search, the most used procedures, and the fields of the catalogue.

use crate::error::AppError;
use crate::models::procedure::Field;
use crate::services::catalogue;
use crate::web::render::{PageCtx, page};
use crate::web::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

/// A popular procedure on the home page.
pub struct PopularItem {
    code: String,
    name: String,
}

/// `templates/public/home.html`.
#[derive(Template)]
#[template(path = "public/home.html")]
pub struct HomePage {
    ctx: PageCtx,
    popular: Vec<PopularItem>,
    fields: Vec<Field>,
}

/// `GET /`.
pub async fn show(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let (popular, fields) = state
        .db
        .run(|conn| {
            let popular = catalogue::most_used(conn, 8)?;
            Ok((popular, catalogue::facets(conn)?.fields))
        })
        .await?;
    page(&HomePage {
        ctx: PageCtx::new(&req, &state.config.province_name),
        popular: popular
            .into_iter()
            .map(|p| PopularItem {
                code: p.code,
                name: p.name,
            })
            .collect(),
        fields,
    })
}

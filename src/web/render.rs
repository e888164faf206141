//! Rendering pages: the context every page's layout reads, and turning a template into a
//! response.

use crate::error::AppError;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

/// What the layout (`templates/layouts/base.html`) reads on every page.
#[derive(Clone, Debug)]
pub struct PageCtx {
    /// The province, shown in the header and title.
    pub province: String,
    /// The path of this page, to mark the current navigation item.
    pub path: String,
    /// Cache-busting version of the static files.
    pub asset_version: &'static str,
}

impl PageCtx {
    /// The context for a request.
    pub fn new(req: &HttpRequest, province: &str) -> Self {
        PageCtx { province: province.to_owned(), path: req.path().to_owned(), asset_version: super::assets::version() }
    }
}

/// Marks a response whose body is already a finished page, so the error middleware leaves it.
#[derive(Clone, Copy, Debug)]
pub struct Rendered;

/// Renders a page with a status.
pub fn page_with_status(status: StatusCode, page: &impl Template) -> Result<HttpResponse, AppError> {
    let body = page.render().map_err(|e| AppError::Internal(anyhow::anyhow!("template: {e}")))?;
    let mut res = HttpResponse::build(status).content_type("text/html; charset=utf-8").body(body);
    res.extensions_mut().insert(Rendered);
    Ok(res)
}

/// Renders a page with 200 OK.
pub fn page(page: &impl Template) -> Result<HttpResponse, AppError> {
    page_with_status(StatusCode::OK, page)
}

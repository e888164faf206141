//! Static files, embedded in the binary so the server runs from any directory; served with a
//! long cache lifetime since their URLs carry a version.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use std::sync::OnceLock;

const SITE_CSS: &str = include_str!("../../static/css/site.css");
const EMBLEM_SVG: &str = include_str!("../../static/img/emblem.svg");

/// A short hash of the embedded files, appended to their URLs.
pub fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| crate::files::sha256_hex(format!("{SITE_CSS}{EMBLEM_SVG}").as_bytes())[..10].to_owned())
}

/// `GET /static/{file}`.
pub async fn serve(path: web::Path<String>) -> HttpResponse {
    let (body, content_type) = match path.as_str() {
        "css/site.css" => (SITE_CSS, "text/css; charset=utf-8"),
        "img/emblem.svg" => (EMBLEM_SVG, "image/svg+xml"),
        _ => return HttpResponse::NotFound().finish(),
    };
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(body)
}

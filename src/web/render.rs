//! Rendering pages: the context every page's layout reads, and turning a template into a
//! response.

use super::auth::Viewer;
use crate::error::AppError;
use crate::models::staff::roles;
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
    /// The signed-in user's name, for the header.
    pub user_name: Option<String>,
    /// The CSRF token for forms on the page (the sign-out button too).
    pub csrf: String,
    /// The signed-in staff member, for the staff navigation.
    pub staff: Option<StaffNav>,
}

/// What the staff navigation shows.
#[derive(Clone, Debug)]
pub struct StaffNav {
    /// Full name.
    pub name: String,
    /// Agency short name.
    pub agency: String,
    /// Works on dossiers.
    pub officer: bool,
    /// Records walk-in dossiers.
    pub one_stop: bool,
    /// Sees the leader pages.
    pub leader: bool,
    /// Sees the administration pages.
    pub admin: bool,
    /// Reconciles online payments.
    pub finance: bool,
}

impl PageCtx {
    /// The context for a request by `viewer` (`None` on error pages: shown as signed out).
    pub fn new(req: &HttpRequest, province: &str, viewer: Option<&Viewer>) -> Self {
        PageCtx {
            province: province.to_owned(),
            path: req.path().to_owned(),
            asset_version: super::assets::version(),
            user_name: viewer.and_then(|v| v.user.as_ref()).map(|u| u.user.full_name.clone()),
            csrf: viewer.map(|v| v.csrf.clone()).unwrap_or_default(),
            staff: viewer.and_then(|v| v.staff.as_ref()).map(|s| StaffNav {
                name: s.staff.full_name.clone(),
                agency: s.agency.short_name.clone(),
                officer: s.is_officer(),
                one_stop: s.has(roles::ONE_STOP),
                leader: s.has(roles::LEADER),
                admin: s.has(roles::ADMIN),
                finance: s.has(roles::FINANCE),
            }),
        }
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

/// Percent-encodes a URL component (query values, `next` targets).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A 303 to `location` (Post/Redirect/Get).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((actix_web::http::header::LOCATION, location.to_owned())).finish()
}

/// Only local paths are followed after sign-in: `/…` but not `//host` or `/\host`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") && !n.contains(['\r', '\n']) => {
            n.to_owned()
        }
        _ => "/tai-khoan/ho-so".to_owned(),
    }
}

/// A stored UTC time as citizens read it: `dd/mm/yyyy HH:mm`, Asia/Ho_Chi_Minh.
pub fn local_time(at: &chrono::NaiveDateTime) -> String {
    at.and_utc().with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).format("%d/%m/%Y %H:%M").to_string()
}

/// A stored UTC time's local date: `dd/mm/yyyy`.
pub fn local_date(at: &chrono::NaiveDateTime) -> String {
    at.and_utc().with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).format("%d/%m/%Y").to_string()
}

/// A stored file as a download (never inline), not cached: the bytes read from the store off
/// the async threads. The caller has already decided that the viewer may have it.
pub async fn download(
    state: &super::state::AppState,
    a: crate::models::dossier::Attachment,
) -> Result<HttpResponse, AppError> {
    use actix_web::http::header;
    let (files, sha) = (state.files.clone(), a.sha256.clone());
    let bytes = actix_web::web::block(move || files.get(&sha))
        .await?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("file {}: {e}", a.id)))?;
    Ok(HttpResponse::Ok()
        .content_type(a.content_type.clone())
        .insert_header(header::ContentDisposition::attachment(a.file_name.clone()))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}

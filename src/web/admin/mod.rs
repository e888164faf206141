//! Administration pages (`/quan-tri`): agencies, staff and roles, the procedure catalogue,
//! holidays, the audit log; and the page where an invited staff member sets a password.
//! Every handler takes the [`Admin`] extractor (the activation page excepted) and every form
//! carries the CSRF token.

pub mod agencies;
pub mod audit;
pub mod holidays;
pub mod invitation;
pub mod operations;
pub mod procedures;
pub mod staff;

use crate::error::AppError;
use crate::web::auth::{Admin, Viewer};
use crate::web::render::{PageCtx, encode_component, page, page_with_status};
use crate::web::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

/// The layout context of an administrator's page.
pub fn ctx(req: &HttpRequest, state: &AppState, admin: &Admin) -> PageCtx {
    PageCtx::new(req, &state.config.province_name, Some(&Viewer::of_staff(&admin.0)))
}

/// Re-renders a form whose input was refused: the page with its error summary, 422.
pub fn invalid(page: &impl Template) -> Result<HttpResponse, AppError> {
    page_with_status(StatusCode::UNPROCESSABLE_ENTITY, page)
}

/// The query string of the lists: search text, filters, page, and the notice after a save.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    /// Search text.
    pub q: String,
    /// A kind filter (agencies: kind; audit: entity).
    pub loai: String,
    /// An agency filter (staff).
    #[serde(rename = "co-quan")]
    pub co_quan: String,
    /// Page, from 1.
    pub trang: String,
    /// Set after a save.
    #[serde(rename = "da-luu")]
    pub da_luu: String,
}

impl ListQuery {
    /// The page asked for (1 when absent or not a number).
    pub fn page(&self) -> i64 {
        self.trang.trim().parse::<i64>().ok().filter(|p| (1..=100_000).contains(p)).unwrap_or(1)
    }
}

/// One link of a pager.
#[derive(Clone, Debug)]
pub struct PageLink {
    /// Page number.
    pub number: i64,
    /// Its address.
    pub href: String,
    /// Whether it is the page shown.
    pub current: bool,
}

/// The pager of a list (`templates/admin/_pager.html`).
#[derive(Clone, Debug, Default)]
pub struct Pager {
    /// Links to nearby pages.
    pub links: Vec<PageLink>,
    /// The previous page.
    pub prev: Option<String>,
    /// The next page.
    pub next: Option<String>,
}

/// A pager for `pages` pages at `path`, keeping the `(name, value)` filters.
pub fn pager(path: &str, filters: &[(&str, &str)], page: i64, pages: i64) -> Pager {
    let href = |n: i64| {
        let mut q: Vec<String> = filters
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", encode_component(v)))
            .collect();
        if n > 1 {
            q.push(format!("trang={n}"));
        }
        if q.is_empty() { path.to_owned() } else { format!("{path}?{}", q.join("&")) }
    };
    if pages <= 1 {
        return Pager::default();
    }
    let (from, to) = ((page - 3).max(1), (page + 3).min(pages));
    Pager {
        links: (from..=to).map(|n| PageLink { number: n, href: href(n), current: n == page }).collect(),
        prev: (page > 1).then(|| href(page - 1)),
        next: (page < pages).then(|| href(page + 1)),
    }
}

/// `templates/admin/index.html`.
#[derive(Template)]
#[template(path = "admin/index.html")]
pub struct IndexPage {
    ctx: PageCtx,
}

/// `GET /quan-tri`.
pub async fn index(req: HttpRequest, admin: Admin, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    page(&IndexPage { ctx: ctx(&req, &state, &admin) })
}

/// `(value, label)` options of a select, the first one empty.
pub fn options_with_blank(blank: &str, items: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    std::iter::once((String::new(), blank.to_owned())).chain(items).collect()
}

//! The catalogue pages: search and filters, one procedure, and its form downloads.

use crate::domain::catalogue::{Level, OnlineLevel, TimeLimit, TimeLimitUnit};
use crate::domain::search::{MAX_QUERY_CHARS, Query, QueryError};
use crate::error::AppError;
use crate::queries::catalogue_search::{CatalogueFilter, ProcedureSummary};
use crate::services::catalogue::{self, Facets, PER_PAGE, ProcedureDetail};
use crate::web::auth::Viewer;
use crate::web::render::{PageCtx, page, page_with_status};
use crate::web::state::AppState;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The query string of `/thu-tuc` (and of the JSON list).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct ListParams {
    /// Search text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// Field code.
    #[serde(rename = "linh-vuc", skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Agency identifier.
    #[serde(rename = "co-quan", skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    /// `tinh` or `xa`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap: Option<String>,
    /// Online level 1–4.
    #[serde(rename = "muc-do", skip_serializing_if = "Option::is_none")]
    pub online_level: Option<String>,
    /// Page number, from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trang: Option<String>,
}

fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A parsed query string: the filter, the page, and what was wrong with it.
pub struct Parsed {
    /// The filter to run.
    pub filter: CatalogueFilter,
    /// The page, from 1.
    pub page: usize,
    /// Vietnamese messages for each invalid parameter (the parameter is then ignored).
    pub errors: Vec<String>,
}

/// Parses the list parameters; agency codes are resolved against the cached facets.
pub fn parse(facets: &Facets, params: &ListParams) -> Parsed {
    let mut filter = CatalogueFilter::default();
    let mut errors = Vec::new();
    if let Some(q) = non_empty(&params.q) {
        match Query::parse(q) {
            Ok(query) => filter.query = query,
            Err(QueryError::TooLong) => {
                errors.push(format!("Từ khóa tìm kiếm quá dài: vui lòng nhập tối đa {MAX_QUERY_CHARS} ký tự."))
            }
        }
    }
    filter.field = non_empty(&params.field).map(str::to_owned);
    match non_empty(&params.cap).map(|c| (c, Level::parse(c))) {
        None => {}
        Some((_, Some(level))) => filter.level = Some(level),
        Some(_) => errors.push("Cấp thực hiện không hợp lệ: chọn cấp tỉnh hoặc cấp xã.".to_owned()),
    }
    match non_empty(&params.online_level).map(|m| m.parse::<i64>().ok().and_then(OnlineLevel::new)) {
        None => {}
        Some(Some(level)) => filter.online_level = Some(i32::from(level.number())),
        Some(None) => errors.push("Mức độ dịch vụ công trực tuyến không hợp lệ: chọn từ 1 đến 4.".to_owned()),
    }
    if let Some(code) = non_empty(&params.agency)
        && catalogue::apply_agency(facets, &mut filter, code).is_none()
    {
        errors.push("Không tìm thấy cơ quan đã chọn.".to_owned());
    }
    let page = match non_empty(&params.trang).map(|t| t.parse::<usize>()) {
        None => 1,
        Some(Ok(n)) if (1..=10_000).contains(&n) => n,
        Some(_) => {
            errors.push("Số trang không hợp lệ; đang hiển thị trang 1.".to_owned());
            1
        }
    };
    Parsed { filter, page, errors }
}

/// A result line, ready to show.
pub struct ResultItem {
    code: String,
    name: String,
    field_name: String,
    level: &'static str,
    implementing_agency: String,
    online_level: u8,
    online_label: &'static str,
    time_limit: String,
}

impl From<ProcedureSummary> for ResultItem {
    fn from(s: ProcedureSummary) -> Self {
        let online = OnlineLevel::new(s.online_level.into()).unwrap_or(OnlineLevel::ALL[0]);
        let time_limit = TimeLimitUnit::parse(&s.time_limit_unit)
            .map(|unit| TimeLimit { value: u32::try_from(s.time_limit_value).unwrap_or(0), unit }.to_string())
            .unwrap_or_default();
        ResultItem {
            code: s.code,
            name: s.name,
            field_name: s.field_name,
            level: Level::parse(&s.level).map_or("", Level::label),
            implementing_agency: s.implementing_agency,
            online_level: online.number(),
            online_label: online.label(),
            time_limit,
        }
    }
}

/// A link in the pager.
pub struct PageLink {
    number: usize,
    href: String,
    current: bool,
}

/// `templates/public/catalogue/list.html`.
#[derive(Template)]
#[template(path = "public/catalogue/list.html")]
pub struct ListPage {
    ctx: PageCtx,
    params: ListParams,
    facets: Arc<Facets>,
    levels: &'static [Level],
    online_levels: [OnlineLevel; 4],
    errors: Vec<String>,
    items: Vec<ResultItem>,
    total: usize,
    page: usize,
    pages: usize,
    links: Vec<PageLink>,
    prev: Option<String>,
    next: Option<String>,
    searched: bool,
}

impl ListPage {
    /// Whether any filter (not the text) is set, so the filter box starts open.
    fn filtered(&self) -> bool {
        [&self.params.field, &self.params.agency, &self.params.cap, &self.params.online_level]
            .iter()
            .any(|v| v.as_deref().is_some_and(|v| !v.trim().is_empty()))
    }

    fn selected(&self, which: &str, value: &str) -> bool {
        let current = match which {
            "field" => &self.params.field,
            "agency" => &self.params.agency,
            "cap" => &self.params.cap,
            _ => &self.params.online_level,
        };
        current.as_deref() == Some(value)
    }
}

fn page_href(params: &ListParams, page: usize) -> String {
    let p = ListParams { trang: (page > 1).then(|| page.to_string()), ..params.clone() };
    match serde_urlencoded::to_string(&p) {
        Ok(qs) if !qs.is_empty() => format!("/thu-tuc?{qs}"),
        _ => "/thu-tuc".to_owned(),
    }
}

/// `GET /thu-tuc`.
pub async fn list(
    req: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, AppError> {
    let mut params = params.into_inner();
    let facets = state.catalogue.facets(&state.db).await?;
    let parsed = parse(&facets, &params);
    let result = catalogue::search(&state.db, &state.catalogue, parsed.filter.clone(), parsed.page).await?;
    let status = if parsed.errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    if params.q.as_deref().is_some_and(|q| q.chars().count() > MAX_QUERY_CHARS) {
        params.q = params.q.map(|q| q.chars().take(MAX_QUERY_CHARS).collect());
    }
    let pages = result.total.div_ceil(PER_PAGE).max(1);
    let window = parsed.page.saturating_sub(3).max(1)..=(parsed.page + 3).min(pages);
    let links =
        window.map(|n| PageLink { number: n, href: page_href(&params, n), current: n == parsed.page }).collect();
    page_with_status(
        status,
        &ListPage {
            ctx: PageCtx::new(&req, &state.config.province_name, Some(&viewer)),
            searched: parsed.filter.query.is_some(),
            prev: (parsed.page > 1).then(|| page_href(&params, parsed.page - 1)),
            next: (parsed.page < pages).then(|| page_href(&params, parsed.page + 1)),
            params,
            facets,
            levels: Level::ALL,
            online_levels: OnlineLevel::ALL,
            errors: parsed.errors,
            items: result.items.into_iter().map(ResultItem::from).collect(),
            total: result.total,
            page: parsed.page,
            pages,
            links,
        },
    )
}

/// `templates/public/catalogue/detail.html`.
#[derive(Template)]
#[template(path = "public/catalogue/detail.html")]
pub struct DetailPage {
    ctx: PageCtx,
    d: Arc<ProcedureDetail>,
}

impl DetailPage {
    fn size_label(bytes: &i64) -> String {
        let bytes = *bytes;
        if bytes >= 1024 * 1024 {
            format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
        } else {
            format!("{} KB", (bytes + 1023) / 1024)
        }
    }

    fn file_type(content_type: &str) -> &'static str {
        if content_type == "application/pdf" { "PDF" } else { "DOCX" }
    }
}

/// `GET /thu-tuc/{code}`.
pub async fn show(
    req: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let code = code.into_inner();
    let d = state.catalogue.detail(&state.db, &code).await?;
    page(&DetailPage { ctx: PageCtx::new(&req, &state.config.province_name, Some(&viewer)), d })
}

/// `GET /thu-tuc/{code}/bieu-mau/{file}`: always an attachment, never rendered inline.
pub async fn download_form(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (code, file) = path.into_inner();
    let form = state.db.run(move |conn| catalogue::find_form(conn, &code, &file)).await?;
    let files = state.files.clone();
    let (form, bytes) = web::block(move || catalogue::read_form(&files, &form).map(|b| (form, b))).await??;
    Ok(HttpResponse::Ok()
        .content_type(form.content_type.clone())
        .insert_header(header::ContentDisposition::attachment(form.file_name.clone()))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(bytes))
}

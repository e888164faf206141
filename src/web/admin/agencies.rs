//! `/quan-tri/co-quan`: the agencies, creating and editing one.

use super::{ListQuery, Pager, ctx, invalid, options_with_blank, pager};
use crate::domain::catalogue::AgencyKind;
use crate::error::AppError;
use crate::models::agency::Agency;
use crate::services::admin::agencies::{self, AgencyInput};
use crate::web::auth::Admin;
use crate::web::csrf::CsrfForm;
use crate::web::form_state::FormState;
use crate::web::render::{PageCtx, encode_component, page, see_other};
use crate::web::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

/// `templates/admin/agencies/list.html`.
#[derive(Template)]
#[template(path = "admin/agencies/list.html")]
pub struct ListPage {
    ctx: PageCtx,
    q: String,
    kind: String,
    kinds: Vec<(String, String)>,
    agencies: Vec<Agency>,
    total: i64,
    pager: Pager,
}

impl ListPage {
    fn kind_label(kind: &str) -> &'static str {
        AgencyKind::parse(kind).map_or("", AgencyKind::label)
    }
}

fn kinds() -> Vec<(String, String)> {
    AgencyKind::ALL.iter().map(|k| (k.code().to_owned(), k.label().to_owned())).collect()
}

/// `GET /quan-tri/co-quan?q=&loai=&trang=`.
pub async fn list(
    req: HttpRequest,
    admin: Admin,
    state: web::Data<AppState>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.into_inner();
    let kind = AgencyKind::parse(q.loai.trim());
    let (text, page_no) = (q.q.clone(), q.page());
    let found = state.db.run(move |conn| agencies::list(conn, &text, kind, page_no)).await?;
    let kind_code = kind.map_or("", AgencyKind::code);
    page(&ListPage {
        ctx: ctx(&req, &state, &admin),
        pager: pager("/quan-tri/co-quan", &[("q", q.q.trim()), ("loai", kind_code)], found.page, found.pages()),
        q: q.q,
        kind: kind_code.to_owned(),
        kinds: options_with_blank("Tất cả", kinds()),
        total: found.total,
        agencies: found.items,
    })
}

/// `templates/admin/agencies/form.html`.
#[derive(Template)]
#[template(path = "admin/agencies/form.html")]
pub struct FormPage {
    ctx: PageCtx,
    f: FormState,
    /// The agency edited (none: a new one).
    code: Option<String>,
    kinds: Vec<(String, String)>,
    parents: Vec<(String, String)>,
    saved: bool,
}

async fn form_page(
    req: &HttpRequest,
    state: &AppState,
    admin: &Admin,
    code: Option<String>,
    f: FormState,
    saved: bool,
) -> Result<FormPage, AppError> {
    let parents = state.db.run(agencies::parent_choices).await?;
    Ok(FormPage {
        ctx: ctx(req, state, admin),
        f,
        code,
        kinds: options_with_blank("— Chọn loại —", kinds()),
        parents: options_with_blank("— Không có —", parents.into_iter().map(|a| (a.id, a.name))),
        saved,
    })
}

/// `GET /quan-tri/co-quan/moi`.
pub async fn new_form(req: HttpRequest, admin: Admin, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let f = FormState::empty().with("kind", AgencyKind::Department.code());
    page(&form_page(&req, &state, &admin, None, f, false).await?)
}

/// `POST /quan-tri/co-quan/moi`.
pub async fn create(
    req: HttpRequest,
    admin: Admin,
    state: web::Data<AppState>,
    form: CsrfForm<AgencyInput>,
) -> Result<HttpResponse, AppError> {
    let input = form.form;
    let values = input.values();
    match agencies::create(&state.db, &state.clock, &state.catalogue, &admin.0.staff.id, input).await {
        Ok(a) => Ok(see_other(&format!("/quan-tri/co-quan/{}?da-luu=1", encode_component(&a.code)))),
        Err(AppError::Invalid(errors)) => {
            invalid(&form_page(&req, &state, &admin, None, FormState::new(values, errors), false).await?)
        }
        Err(e) => Err(e),
    }
}

/// `GET /quan-tri/co-quan/{code}`.
pub async fn edit_form(
    req: HttpRequest,
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let code = path.into_inner();
    let c = code.clone();
    let (agency, account) = state.db.run(move |conn| agencies::find_with_account(conn, &c)).await?;
    let f = FormState::new(AgencyInput::of(&agency, &account).values(), Vec::new());
    page(&form_page(&req, &state, &admin, Some(agency.code), f, q.da_luu == "1").await?)
}

/// `POST /quan-tri/co-quan/{code}`.
pub async fn update(
    req: HttpRequest,
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: CsrfForm<AgencyInput>,
) -> Result<HttpResponse, AppError> {
    let code = path.into_inner();
    let input = form.form;
    let values = input.values();
    match agencies::update(&state.db, &state.clock, &state.catalogue, &admin.0.staff.id, &code, input).await {
        Ok(a) => Ok(see_other(&format!("/quan-tri/co-quan/{}?da-luu=1", encode_component(&a.code)))),
        Err(AppError::Invalid(errors)) => {
            invalid(&form_page(&req, &state, &admin, Some(code), FormState::new(values, errors), false).await?)
        }
        Err(e) => Err(e),
    }
}

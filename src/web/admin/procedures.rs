//! `/quan-tri/thu-tuc`: the catalogue; creating and editing a procedure with its time limit,
//! fees, papers, e-form and workflow steps.

use super::{ListQuery, Pager, ctx, invalid, options_with_blank, pager};
use crate::domain::catalogue::{Channel, FeeKind, Level, OnlineLevel, TimeLimitUnit};
use crate::error::AppError;
use crate::models::staff::roles;
use crate::services::admin::Pairs;
use crate::services::admin::procedures::{
    self as service, Choices, FEE_TIMINGS, ProcedureInput, ProcedureLine, STEP_ROLES,
};
use crate::web::auth::Admin;
use crate::web::csrf::CsrfForm;
use crate::web::form_state::FormState;
use crate::web::render::{PageCtx, encode_component, page, see_other};
use crate::web::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

/// Blank rows offered under each table of the form.
const BLANK_ROWS: usize = 2;

/// `templates/admin/procedures/list.html`.
#[derive(Template)]
#[template(path = "admin/procedures/list.html")]
pub struct ListPage {
    ctx: PageCtx,
    q: String,
    procedures: Vec<ProcedureLine>,
    total: i64,
    pager: Pager,
}

/// `GET /quan-tri/thu-tuc?q=&trang=`.
pub async fn list(
    req: HttpRequest,
    admin: Admin,
    state: web::Data<AppState>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.into_inner();
    let (text, page_no) = (q.q.clone(), q.page());
    let found = state.db.run(move |conn| service::list(conn, &text, page_no)).await?;
    page(&ListPage {
        ctx: ctx(&req, &state, &admin),
        pager: pager("/quan-tri/thu-tuc", &[("q", q.q.trim())], found.page, found.pages()),
        q: q.q,
        total: found.total,
        procedures: found.items,
    })
}

/// A checkbox of the form.
pub struct Tick {
    code: &'static str,
    label: &'static str,
    checked: bool,
}

/// `templates/admin/procedures/form.html`.
#[derive(Template)]
#[template(path = "admin/procedures/form.html")]
pub struct FormPage {
    ctx: PageCtx,
    f: FormState,
    input: ProcedureInput,
    /// The procedure edited (none: a new one).
    code: Option<String>,
    fields: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    agencies: Vec<(String, String)>,
    online_levels: Vec<(String, String)>,
    units: Vec<(String, String)>,
    channels: Vec<Tick>,
    fee_kinds: Vec<(String, String)>,
    fee_timings: Vec<(String, String)>,
    step_roles: Vec<(String, String)>,
    step_agencies: Vec<(String, String)>,
    saved: bool,
}

async fn form_page(
    req: &HttpRequest,
    state: &AppState,
    admin: &Admin,
    code: Option<String>,
    input: ProcedureInput,
    errors: Vec<(String, String)>,
    saved: bool,
) -> Result<FormPage, AppError> {
    let choices: Choices = state.db.run(service::choices).await?;
    let agency_pairs = || choices.agencies.iter().map(|a| (a.id.clone(), a.name.clone()));
    let input = input.with_blank_rows(BLANK_ROWS);
    Ok(FormPage {
        ctx: ctx(req, state, admin),
        f: FormState::new(input.scalars.clone(), errors),
        code,
        fields: options_with_blank(
            "— Chọn lĩnh vực —",
            choices.fields.iter().map(|f| (f.code.clone(), f.name.clone())),
        ),
        levels: options_with_blank(
            "— Chọn cấp —",
            Level::ALL.iter().map(|l| (l.code().to_owned(), l.label().to_owned())),
        ),
        agencies: options_with_blank("— Không (thủ tục cấp xã) —", agency_pairs()),
        online_levels: OnlineLevel::ALL
            .iter()
            .map(|l| (l.number().to_string(), format!("Mức {}: {}", l.number(), l.label())))
            .collect(),
        units: TimeLimitUnit::ALL.iter().map(|u| (u.code().to_owned(), u.label().to_owned())).collect(),
        channels: Channel::ALL
            .iter()
            .map(|c| Tick { code: c.code(), label: c.label(), checked: input.channels.iter().any(|x| x == c.code()) })
            .collect(),
        fee_kinds: options_with_blank(
            "— Chọn —",
            FeeKind::ALL.iter().map(|k| (k.code().to_owned(), k.label().to_owned())),
        ),
        fee_timings: FEE_TIMINGS.iter().map(|(c, l)| ((*c).to_owned(), (*l).to_owned())).collect(),
        step_roles: options_with_blank(
            "— Chọn vai trò —",
            STEP_ROLES.iter().map(|r| ((*r).to_owned(), roles::label(r).to_owned())),
        ),
        step_agencies: options_with_blank("Cơ quan tiếp nhận hồ sơ", agency_pairs()),
        input,
        saved,
    })
}

fn edit_path(code: &str) -> String {
    format!("/quan-tri/thu-tuc/{}", encode_component(code))
}

/// `GET /quan-tri/thu-tuc/moi`.
pub async fn new_form(req: HttpRequest, admin: Admin, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    page(&form_page(&req, &state, &admin, None, ProcedureInput::blank(), Vec::new(), false).await?)
}

/// `POST /quan-tri/thu-tuc/moi` (or "add rows": the form again with more blank rows).
pub async fn create(
    req: HttpRequest,
    admin: Admin,
    state: web::Data<AppState>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let pairs = Pairs(form.form);
    let input = ProcedureInput::from_pairs(&pairs);
    if pairs.has("add_rows") {
        return page(&form_page(&req, &state, &admin, None, input, Vec::new(), false).await?);
    }
    match service::create(&state.db, &state.clock, &state.catalogue, &admin.0.staff.id, input.clone()).await {
        Ok(p) => Ok(see_other(&format!("{}?da-luu=1", edit_path(&p.code)))),
        Err(AppError::Invalid(errors)) => invalid(&form_page(&req, &state, &admin, None, input, errors, false).await?),
        Err(e) => Err(e),
    }
}

/// `GET /quan-tri/thu-tuc/{code}`.
pub async fn edit_form(
    req: HttpRequest,
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let code = path.into_inner();
    let (p, input) = state.db.run(move |conn| service::load(conn, &code)).await?;
    page(&form_page(&req, &state, &admin, Some(p.code), input, Vec::new(), q.da_luu == "1").await?)
}

/// `POST /quan-tri/thu-tuc/{code}`.
pub async fn update(
    req: HttpRequest,
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let code = path.into_inner();
    let pairs = Pairs(form.form);
    let mut input = ProcedureInput::from_pairs(&pairs);
    input.scalars.insert("code".into(), code.clone());
    if pairs.has("add_rows") {
        let c = code.clone();
        state.db.run(move |conn| service::load(conn, &c)).await?;
        return page(&form_page(&req, &state, &admin, Some(code), input, Vec::new(), false).await?);
    }
    match service::update(&state.db, &state.clock, &state.catalogue, &admin.0.staff.id, &code, input.clone()).await {
        Ok(p) => Ok(see_other(&format!("{}?da-luu=1", edit_path(&p.code)))),
        Err(AppError::Invalid(errors)) => {
            invalid(&form_page(&req, &state, &admin, Some(code), input, errors, false).await?)
        }
        Err(e) => Err(e),
    }
}

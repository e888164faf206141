//! `/quan-tri/can-bo`: staff accounts and their roles; creating one e-mails an invitation.

use super::{ListQuery, Pager, ctx, invalid, pager};
use crate::domain::catalogue::AgencyKind;
use crate::error::AppError;
use crate::models::agency::Agency;
use crate::models::staff::{Staff, roles};
use crate::services::admin::Pairs;
use crate::services::admin::staff::{self as service, LinkBase, StaffInput, StaffLine};
use crate::web::auth::Admin;
use crate::web::csrf::CsrfForm;
use crate::web::form_state::FormState;
use crate::web::render::{PageCtx, encode_component, page, see_other};
use crate::web::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

/// `templates/admin/staff/list.html`.
#[derive(Template)]
#[template(path = "admin/staff/list.html")]
pub struct ListPage {
    ctx: PageCtx,
    q: String,
    agency: String,
    staff: Vec<StaffLine>,
    total: i64,
    pager: Pager,
}

/// `GET /quan-tri/can-bo?q=&co-quan=&trang=`.
pub async fn list(
    req: HttpRequest,
    admin: Admin,
    state: web::Data<AppState>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.into_inner();
    let (text, agency, page_no) = (q.q.clone(), q.co_quan.clone(), q.page());
    let found = state.db.run(move |conn| service::list(conn, &text, &agency, page_no)).await?;
    page(&ListPage {
        ctx: ctx(&req, &state, &admin),
        pager: pager(
            "/quan-tri/can-bo",
            &[("q", q.q.trim()), ("co-quan", q.co_quan.trim())],
            found.page,
            found.pages(),
        ),
        q: q.q,
        agency: q.co_quan,
        total: found.total,
        staff: found.items,
    })
}

/// A group of the agency select.
pub struct AgencyGroup {
    label: &'static str,
    agencies: Vec<(String, String)>,
}

/// A role checkbox.
pub struct RoleBox {
    code: &'static str,
    label: &'static str,
    checked: bool,
}

/// `templates/admin/staff/form.html`.
#[derive(Template)]
#[template(path = "admin/staff/form.html")]
pub struct FormPage {
    ctx: PageCtx,
    f: FormState,
    /// The staff member edited (none: a new one).
    existing: Option<Staff>,
    groups: Vec<AgencyGroup>,
    roles: Vec<RoleBox>,
    active: bool,
    notice: Option<&'static str>,
}

fn groups(all: Vec<Agency>) -> Vec<AgencyGroup> {
    AgencyKind::ALL
        .iter()
        .map(|k| AgencyGroup {
            label: k.label(),
            agencies: all.iter().filter(|a| a.kind == k.code()).map(|a| (a.id.clone(), a.name.clone())).collect(),
        })
        .filter(|g| !g.agencies.is_empty())
        .collect()
}

async fn form_page(
    req: &HttpRequest,
    state: &AppState,
    admin: &Admin,
    existing: Option<Staff>,
    input: &StaffInput,
    errors: Vec<(String, String)>,
    notice: Option<&'static str>,
) -> Result<FormPage, AppError> {
    let agencies = state.db.run(service::agency_choices).await?;
    Ok(FormPage {
        ctx: ctx(req, state, admin),
        f: FormState::new(input.values(), errors),
        existing,
        groups: groups(agencies),
        roles: roles::ALL
            .iter()
            .map(|r| RoleBox { code: r, label: roles::label(r), checked: input.roles.iter().any(|x| x == r) })
            .collect(),
        active: input.active,
        notice,
    })
}

fn link_base(state: &AppState) -> LinkBase<'_> {
    LinkBase { signer: &state.signer, base_url: &state.config.base_url }
}

fn edit_path(username: &str) -> String {
    format!("/quan-tri/can-bo/{}", encode_component(username))
}

/// `GET /quan-tri/can-bo/moi`.
pub async fn new_form(req: HttpRequest, admin: Admin, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let input = StaffInput { active: true, ..Default::default() };
    page(&form_page(&req, &state, &admin, None, &input, Vec::new(), None).await?)
}

/// `POST /quan-tri/can-bo/moi`.
pub async fn create(
    req: HttpRequest,
    admin: Admin,
    state: web::Data<AppState>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let input = StaffInput::from_pairs(&Pairs(form.form));
    match service::create(&state.db, &state.clock, link_base(&state), &admin.0.staff.id, input.clone()).await {
        Ok(s) => Ok(see_other(&format!("{}?da-luu=moi", edit_path(&s.username)))),
        Err(AppError::Invalid(errors)) => invalid(&form_page(&req, &state, &admin, None, &input, errors, None).await?),
        Err(e) => Err(e),
    }
}

/// `GET /quan-tri/can-bo/{username}`.
pub async fn edit_form(
    req: HttpRequest,
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let username = path.into_inner();
    let (staff, held) = state.db.run(move |conn| service::find(conn, &username)).await?;
    let notice = match q.da_luu.as_str() {
        "moi" => Some("Đã tạo tài khoản và gửi thư mời đặt mật khẩu đến địa chỉ thư điện tử công vụ của cán bộ."),
        "loi-moi" => Some("Đã gửi lại thư mời đặt mật khẩu."),
        "1" => Some("Đã lưu thông tin cán bộ."),
        _ => None,
    };
    let input = StaffInput::of(&staff, &held);
    page(&form_page(&req, &state, &admin, Some(staff), &input, Vec::new(), notice).await?)
}

/// `POST /quan-tri/can-bo/{username}`.
pub async fn update(
    req: HttpRequest,
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let username = path.into_inner();
    let input = StaffInput::from_pairs(&Pairs(form.form));
    match service::update(&state.db, &state.clock, &admin.0.staff.id, &username, input.clone()).await {
        Ok(s) => Ok(see_other(&format!("{}?da-luu=1", edit_path(&s.username)))),
        Err(AppError::Invalid(errors)) => {
            let (staff, _) = state.db.run(move |conn| service::find(conn, &username)).await?;
            let input = StaffInput { username: staff.username.clone(), ..input };
            invalid(&form_page(&req, &state, &admin, Some(staff), &input, errors, None).await?)
        }
        Err(e) => Err(e),
    }
}

/// `POST /quan-tri/can-bo/{username}/gui-loi-moi`.
pub async fn resend(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    _form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let username = path.into_inner();
    let s =
        service::resend_invitation(&state.db, &state.clock, link_base(&state), &admin.0.staff.id, &username).await?;
    Ok(see_other(&format!("{}?da-luu=loi-moi", edit_path(&s.username))))
}

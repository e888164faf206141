//! Account pages: register, confirm e-mail, sign in and out, reset a password, edit contact data.

use crate::error::AppError;
use crate::services::accounts::{self, ProfileInput, RegisterInput};
use crate::web::auth::{Citizen, SESSION_COOKIE, Viewer, sign_out, signed_in};
use crate::web::csrf::CsrfForm;
use crate::web::form_state::FormState;
use crate::web::render::{PageCtx, page, page_with_status, safe_next, see_other};
use crate::web::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use std::collections::BTreeMap;

fn ctx(req: &HttpRequest, state: &AppState, viewer: &Viewer) -> PageCtx {
    PageCtx::new(req, &state.config.province_name, Some(viewer))
}

/// Re-renders a form page on `Invalid`, passes other errors on.
fn form_or_error<T: Template>(
    result: AppError,
    render: impl FnOnce(Vec<(String, String)>) -> T,
) -> Result<HttpResponse, AppError> {
    match result {
        AppError::Invalid(errors) => page_with_status(StatusCode::BAD_REQUEST, &render(errors)),
        other => Err(other),
    }
}

/// `templates/public/account/register.html`.
#[derive(Template)]
#[template(path = "public/account/register.html")]
pub struct RegisterPage {
    ctx: PageCtx,
    f: FormState,
}

fn register_values(input: &RegisterInput) -> BTreeMap<String, String> {
    [
        ("kind", &input.kind),
        ("full_name", &input.full_name),
        ("citizen_id", &input.citizen_id),
        ("business_name", &input.business_name),
        ("tax_code", &input.tax_code),
        ("phone", &input.phone),
        ("email", &input.email),
        ("agree", &input.agree),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.clone()))
    .collect()
}

/// `GET /dang-ky`.
pub async fn register_form(
    req: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    page(&RegisterPage { ctx: ctx(&req, &state, &viewer), f: FormState::empty().with("kind", "citizen") })
}

/// `POST /dang-ky`.
pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: CsrfForm<RegisterInput>,
) -> Result<HttpResponse, AppError> {
    let CsrfForm { form, viewer } = form;
    let values = register_values(&form);
    match accounts::register(&state.db, &state.clock, &state.signer, &state.config.base_url, form).await {
        Ok(_) => Ok(see_other("/dang-ky/kiem-tra-email")),
        Err(e) => form_or_error(e, |errors| RegisterPage {
            ctx: ctx(&req, &state, &viewer),
            f: FormState::new(values, errors),
        }),
    }
}

/// A short message page.
#[derive(Template)]
#[template(path = "public/account/notice.html")]
pub struct NoticePage {
    ctx: PageCtx,
    title: &'static str,
    lines: Vec<String>,
    link: Option<(&'static str, &'static str)>,
}

/// `GET /dang-ky/kiem-tra-email`.
pub async fn check_email(
    req: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    page(&NoticePage {
        ctx: ctx(&req, &state, &viewer),
        title: "Kiểm tra hộp thư để xác nhận tài khoản",
        lines: vec![
            "Chúng tôi đã gửi một thư có liên kết xác nhận tới địa chỉ thư điện tử bạn đã đăng ký. Liên kết có hiệu lực trong 24 giờ.".into(),
            "Nếu không thấy thư, hãy kiểm tra mục thư rác (spam). Bạn có thể đăng nhập ngay; cần xác nhận thư điện tử trước khi nộp hồ sơ.".into(),
        ],
        link: Some(("/dang-nhap", "Đăng nhập")),
    })
}

/// The query of a signed link.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LinkQuery {
    u: String,
    h: i64,
    c: String,
}

/// `GET /xac-nhan-email?u=&h=&c=`.
pub async fn verify_email(
    req: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    q: web::Query<LinkQuery>,
) -> Result<HttpResponse, AppError> {
    accounts::verify_email(&state.db, &state.clock, &state.signer, &q.u, q.h, &q.c).await?;
    page(&NoticePage {
        ctx: ctx(&req, &state, &viewer),
        title: "Đã xác nhận địa chỉ thư điện tử",
        lines: vec!["Cảm ơn bạn. Tài khoản đã sẵn sàng để nộp hồ sơ trực tuyến.".into()],
        link: Some(if viewer.user.is_some() {
            ("/thu-tuc", "Tìm thủ tục để nộp hồ sơ")
        } else {
            ("/dang-nhap", "Đăng nhập")
        }),
    })
}

/// `POST /xac-nhan-email/gui-lai`.
pub async fn resend_verification(
    citizen: Citizen,
    state: web::Data<AppState>,
    form: CsrfForm<BTreeMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let _ = form;
    accounts::resend_verification(&state.db, &state.clock, &state.signer, &state.config.base_url, &citizen.0.user)
        .await?;
    Ok(see_other("/dang-ky/kiem-tra-email"))
}

/// `templates/public/account/login.html`.
#[derive(Template)]
#[template(path = "public/account/login.html")]
pub struct LoginPage {
    ctx: PageCtx,
    f: FormState,
    next: String,
}

/// The sign-in form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginInput {
    email: String,
    password: String,
    tiep: String,
}

/// The `?tiep=` of the sign-in page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NextQuery {
    tiep: String,
}

/// `GET /dang-nhap`.
pub async fn login_form(
    req: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    q: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let next = safe_next(Some(&q.tiep));
    if viewer.user.is_some() {
        return Ok(see_other(&next));
    }
    page(&LoginPage { ctx: ctx(&req, &state, &viewer), f: FormState::empty(), next })
}

fn client_ip(req: &HttpRequest) -> String {
    req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".to_owned())
}

/// `POST /dang-nhap`.
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: CsrfForm<LoginInput>,
) -> Result<HttpResponse, AppError> {
    let CsrfForm { form, viewer } = form;
    let next = safe_next(Some(&form.tiep));
    let old = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
    match accounts::login(
        &state.db,
        &state.clock,
        accounts::Audience::Citizen,
        &form.email,
        &form.password,
        &client_ip(&req),
        old,
    )
    .await
    {
        Ok(session) => {
            tracing::info!(user.id = %session.account.id(), "signed in");
            signed_in(&next, &session.token, state.config.secure_cookies)
        }
        Err(e) => form_or_error(e, |errors| LoginPage {
            ctx: ctx(&req, &state, &viewer),
            f: FormState::new(BTreeMap::from([("email".to_owned(), form.email.clone())]), errors),
            next,
        }),
    }
}

/// `POST /dang-xuat`.
pub async fn logout(
    state: web::Data<AppState>,
    form: CsrfForm<BTreeMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    sign_out(&state, &form.viewer, "/").await
}

/// `templates/public/account/forgot.html`.
#[derive(Template)]
#[template(path = "public/account/forgot.html")]
pub struct ForgotPage {
    ctx: PageCtx,
    f: FormState,
}

/// `GET /quen-mat-khau`.
pub async fn forgot_form(
    req: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    page(&ForgotPage { ctx: ctx(&req, &state, &viewer), f: FormState::empty() })
}

/// The forgot-password form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ForgotInput {
    email: String,
}

/// `POST /quen-mat-khau`: the same answer whether or not the address has an account.
pub async fn forgot(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: CsrfForm<ForgotInput>,
) -> Result<HttpResponse, AppError> {
    let CsrfForm { form, viewer } = form;
    if let Err(m) = crate::domain::citizen::Email::parse(&form.email) {
        let f = FormState::new(
            BTreeMap::from([("email".to_owned(), form.email.clone())]),
            vec![("email".into(), m.into())],
        );
        return page_with_status(StatusCode::BAD_REQUEST, &ForgotPage { ctx: ctx(&req, &state, &viewer), f });
    }
    accounts::request_reset(&state.db, &state.clock, &state.signer, &state.config.base_url, &form.email).await?;
    page(&NoticePage {
        ctx: ctx(&req, &state, &viewer),
        title: "Kiểm tra hộp thư",
        lines: vec!["Nếu địa chỉ này đã đăng ký tài khoản, chúng tôi đã gửi thư hướng dẫn đặt lại mật khẩu. Liên kết có hiệu lực trong 60 phút.".into()],
        link: Some(("/dang-nhap", "Quay lại đăng nhập")),
    })
}

/// `templates/public/account/reset.html`.
#[derive(Template)]
#[template(path = "public/account/reset.html")]
pub struct ResetPage {
    ctx: PageCtx,
    f: FormState,
    u: String,
    h: i64,
    c: String,
}

/// `GET /quen-mat-khau/dat-lai?u=&h=&c=`.
pub async fn reset_form(
    req: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    q: web::Query<LinkQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.into_inner();
    let (clock, signer, u, c) = (state.clock.clone(), state.signer.clone(), q.u.clone(), q.c.clone());
    state.db.run(move |conn| accounts::check_reset_link(conn, &clock, &signer, &u, q.h, &c)).await?;
    page(&ResetPage { ctx: ctx(&req, &state, &viewer), f: FormState::empty(), u: q.u, h: q.h, c: q.c })
}

/// The new-password form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetInput {
    u: String,
    h: i64,
    c: String,
    password: String,
    password_confirm: String,
}

/// `POST /quen-mat-khau/dat-lai`.
pub async fn reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: CsrfForm<ResetInput>,
) -> Result<HttpResponse, AppError> {
    let CsrfForm { form, viewer } = form;
    let link = (form.u.clone(), form.h, form.c.clone());
    match accounts::reset_password(&state.db, &state.clock, &state.signer, link, &form.password, &form.password_confirm).await {
        Ok(_) => page(&NoticePage {
            ctx: ctx(&req, &state, &viewer),
            title: "Đã đặt mật khẩu mới",
            lines: vec!["Mật khẩu đã được thay đổi và mọi phiên đăng nhập cũ đã kết thúc. Vui lòng đăng nhập bằng mật khẩu mới.".into()],
            link: Some(("/dang-nhap", "Đăng nhập")),
        }),
        Err(e) => form_or_error(e, |errors| ResetPage {
            ctx: ctx(&req, &state, &viewer),
            f: FormState::new(BTreeMap::new(), errors),
            u: form.u.clone(),
            h: form.h,
            c: form.c.clone(),
        }),
    }
}

/// `templates/public/account/profile.html`.
#[derive(Template)]
#[template(path = "public/account/profile.html")]
pub struct ProfilePage {
    ctx: PageCtx,
    f: FormState,
    user: crate::models::user::User,
    masked_id: String,
    saved: bool,
}

/// `?da-luu=1` after saving.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SavedQuery {
    #[serde(rename = "da-luu")]
    saved: String,
}

/// `GET /tai-khoan`.
pub async fn profile(
    req: HttpRequest,
    citizen: Citizen,
    state: web::Data<AppState>,
    q: web::Query<SavedQuery>,
) -> Result<HttpResponse, AppError> {
    let viewer = Viewer::of(&citizen.0);
    let user = citizen.0.user;
    let f = FormState::empty().with("phone", &user.phone).with("address", user.address.as_deref().unwrap_or_default());
    page(&ProfilePage {
        ctx: ctx(&req, &state, &viewer),
        f,
        masked_id: mask_id(&user.citizen_id),
        user,
        saved: q.saved == "1",
    })
}

fn mask_id(id: &str) -> String {
    match id.get(9..) {
        Some(tail) => format!("*********{tail}"),
        None => "************".to_owned(),
    }
}

/// `POST /tai-khoan`.
pub async fn update_profile(
    req: HttpRequest,
    citizen: Citizen,
    state: web::Data<AppState>,
    form: CsrfForm<ProfileInput>,
) -> Result<HttpResponse, AppError> {
    let CsrfForm { form, viewer } = form;
    match accounts::update_profile(&state.db, &state.clock, &citizen.0.user.id, &form).await {
        Ok(()) => Ok(see_other("/tai-khoan?da-luu=1")),
        Err(e) => {
            let values = BTreeMap::from([
                ("phone".to_owned(), form.phone.clone()),
                ("address".to_owned(), form.address.clone()),
            ]);
            let user = citizen.0.user;
            form_or_error(e, |errors| ProfilePage {
                ctx: ctx(&req, &state, &viewer),
                f: FormState::new(values, errors),
                masked_id: mask_id(&user.citizen_id),
                user,
                saved: false,
            })
        }
    }
}

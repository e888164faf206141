//! Staff sign-in and sign-out (`/can-bo/dang-nhap`, `/can-bo/dang-xuat`).

use crate::error::AppError;
use crate::services::accounts::{self, Audience};
use crate::web::auth::{SESSION_COOKIE, Viewer, sign_out, signed_in};
use crate::web::csrf::CsrfForm;
use crate::web::form_state::FormState;
use crate::web::render::{PageCtx, page, page_with_status, safe_next, see_other};
use crate::web::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use std::collections::BTreeMap;

/// `templates/officer/login.html`.
#[derive(Template)]
#[template(path = "officer/login.html")]
pub struct LoginPage {
    ctx: PageCtx,
    f: FormState,
    next: String,
}

/// The staff sign-in form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginInput {
    login: String,
    password: String,
    tiep: String,
}

/// The `?tiep=` of the sign-in page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NextQuery {
    tiep: String,
}

fn next_or_queue(raw: &str) -> String {
    match safe_next(Some(raw)) {
        n if n == raw && !raw.is_empty() => n,
        _ => "/can-bo".to_owned(),
    }
}

/// `GET /can-bo/dang-nhap`.
pub async fn login_form(
    req: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    q: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let next = next_or_queue(&q.tiep);
    if viewer.staff.is_some() {
        return Ok(see_other(&next));
    }
    page(&LoginPage {
        ctx: PageCtx::new(&req, &state.config.province_name, Some(&viewer)),
        f: FormState::empty(),
        next,
    })
}

/// `POST /can-bo/dang-nhap`.
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: CsrfForm<LoginInput>,
) -> Result<HttpResponse, AppError> {
    let CsrfForm { form, viewer } = form;
    let next = next_or_queue(&form.tiep);
    let old = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
    let ip = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".to_owned());
    match accounts::login(&state.db, &state.clock, Audience::Staff, &form.login, &form.password, &ip, old).await {
        Ok(session) => {
            tracing::info!(staff.id = %session.account.id(), "staff signed in");
            // A finance officer with no dossier role starts on the reconciliation page.
            let id = session.account.id().to_owned();
            let roles = state.db.run(move |conn| Ok(crate::models::staff::Staff::roles(conn, &id)?)).await?;
            let finance_only = roles.iter().all(|r| r == crate::models::staff::roles::FINANCE) && !roles.is_empty();
            let next = if finance_only && next == "/can-bo" { "/can-bo/doi-soat".to_owned() } else { next };
            signed_in(&next, &session.token, state.config.secure_cookies)
        }
        Err(AppError::Invalid(errors)) => page_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &LoginPage {
                ctx: PageCtx::new(&req, &state.config.province_name, Some(&viewer)),
                f: FormState::new(BTreeMap::from([("login".to_owned(), form.login.clone())]), errors),
                next,
            },
        ),
        Err(e) => Err(e),
    }
}

/// `POST /can-bo/dang-xuat`.
pub async fn logout(
    state: web::Data<AppState>,
    form: CsrfForm<BTreeMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    sign_out(&state, &form.viewer, "/can-bo/dang-nhap").await
}

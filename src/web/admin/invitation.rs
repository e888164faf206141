//! `/can-bo/kich-hoat`: an invited staff member sets their password from the e-mailed link.

use crate::error::AppError;
use crate::services::invitation::{self, InvitationLink};
use crate::web::auth::Viewer;
use crate::web::csrf::CsrfForm;
use crate::web::form_state::FormState;
use crate::web::render::{PageCtx, page, see_other};
use crate::web::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use std::collections::BTreeMap;

/// `templates/admin/activate.html`.
#[derive(Template)]
#[template(path = "admin/activate.html")]
pub struct ActivatePage {
    ctx: PageCtx,
    f: FormState,
    link: InvitationLink,
    name: String,
    username: String,
}

/// `GET /can-bo/kich-hoat?s=&h=&c=`.
pub async fn form(
    req: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    q: web::Query<InvitationLink>,
) -> Result<HttpResponse, AppError> {
    let link = q.into_inner();
    let (clock, signer, l) = (state.clock.clone(), state.signer.clone(), link.clone());
    let staff = state.db.run(move |conn| invitation::check_link(conn, &clock, &signer, &l)).await?;
    page(&ActivatePage {
        ctx: PageCtx::new(&req, &state.config.province_name, Some(&viewer)),
        f: FormState::empty(),
        link,
        name: staff.full_name,
        username: staff.username,
    })
}

/// The new-password form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActivateInput {
    s: String,
    h: String,
    c: String,
    password: String,
    password_confirm: String,
}

/// `POST /can-bo/kich-hoat`: sets the password, then the staff sign-in page.
pub async fn activate(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: CsrfForm<ActivateInput>,
) -> Result<HttpResponse, AppError> {
    let CsrfForm { form, viewer } = form;
    let link = InvitationLink { s: form.s, h: form.h, c: form.c };
    match invitation::accept(
        &state.db,
        &state.clock,
        &state.signer,
        link.clone(),
        &form.password,
        &form.password_confirm,
    )
    .await
    {
        Ok(staff) => {
            tracing::info!(staff.id = %staff.id, "staff password set from invitation");
            Ok(see_other("/can-bo/dang-nhap"))
        }
        Err(AppError::Invalid(errors)) => {
            let (clock, signer, l) = (state.clock.clone(), state.signer.clone(), link.clone());
            let staff = state.db.run(move |conn| invitation::check_link(conn, &clock, &signer, &l)).await?;
            super::invalid(&ActivatePage {
                ctx: PageCtx::new(&req, &state.config.province_name, Some(&viewer)),
                f: FormState::new(BTreeMap::new(), errors),
                link,
                name: staff.full_name,
                username: staff.username,
            })
        }
        Err(e) => Err(e),
    }
}

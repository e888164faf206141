//! Counter intake (`/can-bo/tiep-nhan`): the one-stop officer records a walk-in dossier in two
//! steps without JavaScript — choose the procedure (`?thu_tuc=<code>`), then the applicant, the
//! papers received with their scans, and a note — and it is received at once (state 2).

use crate::error::AppError;
use crate::models::procedure::{Procedure, ProcedurePaper};
use crate::models::staff::roles;
use crate::queries::officer::counter_procedures;
use crate::services::workflow::{self, CounterInput, Env};
use crate::web::auth::{Officer, SessionStaff, Viewer};
use crate::web::form_state::FormState;
use crate::web::render::{PageCtx, page_with_status, see_other};
use crate::web::state::AppState;
use crate::web::upload;
use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A paper of the chosen procedure.
pub struct PaperRow {
    position: i32,
    name: String,
    copies: String,
    mandatory: bool,
}

/// `templates/officer/counter.html`.
#[derive(Template)]
#[template(path = "officer/counter.html")]
pub struct CounterPage {
    ctx: PageCtx,
    procedures: Vec<(String, String, bool)>,
    chosen: Option<(String, String)>,
    papers: Vec<PaperRow>,
    f: FormState,
    max_file_mb: u64,
}

/// `?thu_tuc=<procedure code>`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CounterQuery {
    thu_tuc: String,
}

/// "1 bản chính, 2 bản sao" without the zero parts.
fn copies_text(originals: i32, copies: i32) -> String {
    let mut parts = Vec::new();
    if originals > 0 {
        parts.push(format!("{originals} bản chính"));
    }
    if copies > 0 {
        parts.push(format!("{copies} bản sao"));
    }
    parts.join(", ")
}

fn desk_only(officer: Officer) -> Result<SessionStaff, AppError> {
    if officer.0.has(roles::ONE_STOP) { Ok(officer.0) } else { Err(AppError::Forbidden) }
}

async fn render(
    req: &HttpRequest,
    state: &AppState,
    staff: &SessionStaff,
    code: String,
    f: FormState,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let agency = staff.agency.clone();
    let (procedures, chosen): (Vec<Procedure>, Option<(Procedure, Vec<ProcedurePaper>)>) = state
        .db
        .run(move |conn| {
            let list = counter_procedures(conn, &agency)?;
            let chosen = match Procedure::find_by_code(conn, code.trim())? {
                Some(p) => {
                    let papers = Procedure::papers(conn, &p.id)?;
                    Some((p, papers))
                }
                None => None,
            };
            Ok((list, chosen))
        })
        .await?;
    let chosen_code = chosen.as_ref().map(|(p, _)| p.code.clone()).unwrap_or_default();
    let page = CounterPage {
        ctx: PageCtx::new(req, &state.config.province_name, Some(&Viewer::of_staff(staff))),
        procedures: procedures.into_iter().map(|p| (p.code.clone(), p.name, p.code == chosen_code)).collect(),
        papers: chosen
            .as_ref()
            .map(|(_, papers)| {
                papers
                    .iter()
                    .map(|p| PaperRow {
                        position: p.position,
                        name: p.name.clone(),
                        copies: copies_text(p.originals, p.copies),
                        mandatory: p.mandatory,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        chosen: chosen.map(|(p, _)| (p.code, p.name)),
        f,
        max_file_mb: state.config.max_file_bytes / (1024 * 1024),
    };
    page_with_status(status, &page)
}

/// `GET /can-bo/tiep-nhan`: choose the procedure, then the form.
pub async fn form(
    req: HttpRequest,
    officer: Officer,
    state: web::Data<AppState>,
    query: web::Query<CounterQuery>,
) -> Result<HttpResponse, AppError> {
    let staff = desk_only(officer)?;
    render(&req, &state, &staff, query.into_inner().thu_tuc, FormState::empty(), StatusCode::OK).await
}

/// The papers ticked: `giay_to_<position>=1`.
fn ticked(values: &BTreeMap<String, String>) -> Vec<i32> {
    values
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .filter_map(|(k, _)| k.strip_prefix("giay_to_").and_then(|p| p.parse().ok()))
        .collect()
}

/// `POST /can-bo/tiep-nhan` (multipart): records the dossier, then shows it with the receipt.
pub async fn submit(
    req: HttpRequest,
    officer: Officer,
    state: web::Data<AppState>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let staff = desk_only(officer)?;
    let declared = req.headers().get("content-length").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    let viewer = Viewer::of_staff(&staff);
    let form =
        upload::read(payload, &viewer, state.config.max_file_bytes, state.config.max_dossier_bytes, declared).await?;
    let values = form.posted.values;
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    let errors = if form.errors.is_empty() {
        let input = CounterInput {
            procedure_code: get("procedure_code"),
            name: get("name"),
            id_number: get("id_number"),
            phone: get("phone"),
            email: get("email"),
            address: get("address"),
            papers: ticked(&values),
            note: get("note"),
            files: form.posted.files,
        };
        let env = Env { db: &state.db, clock: &state.clock, store: &state.files, base_url: &state.config.base_url };
        match workflow::counter_intake(env, &workflow::Officer::new(&staff.staff, &staff.roles), input).await {
            Ok(d) => return Ok(see_other(&format!("/can-bo/ho-so/{}?moi=1", d.code))),
            Err(AppError::Invalid(errors)) => errors,
            Err(e) => return Err(e),
        }
    } else {
        form.errors
    };
    let code = get("procedure_code");
    render(&req, &state, &staff, code, FormState::new(values, errors), StatusCode::UNPROCESSABLE_ENTITY).await
}

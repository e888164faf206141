//! Pages for leaders (`/lanh-dao`): what waits for their approval and how their agencies stand
//! today. The indicator dashboards come with the dashboards issue.

use crate::clock::to_local;
use crate::error::AppError;
use crate::queries::leader::{self, AgencyLoad, Pending, Scope};
use crate::web::auth::{Leader, Viewer};
use crate::web::render::{PageCtx, page};
use crate::web::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

/// The most dossiers listed as waiting for approval.
const MAX_PENDING: i64 = 100;

/// A line of the approval list.
pub struct PendingLine {
    code: String,
    procedure: String,
    agency: String,
    applicant: String,
    due: String,
    overdue: bool,
}

/// `templates/leader/home.html`.
#[derive(Template)]
#[template(path = "leader/home.html")]
pub struct HomePage {
    ctx: PageCtx,
    scope_name: String,
    provincial: bool,
    pending: Vec<PendingLine>,
    load: Vec<AgencyLoad>,
}

/// `GET /lanh-dao`.
pub async fn home(req: HttpRequest, leader: Leader, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let staff = &leader.0;
    let provincial = staff.agency.kind == "province";
    let scope = if provincial { Scope::Province } else { Scope::Agency(staff.agency.id.clone()) };
    let now = state.clock.now_naive();
    let (pending, load) = state
        .db
        .run(move |conn| {
            Ok((leader::awaiting_approval(conn, &scope, MAX_PENDING)?, leader::load_by_agency(conn, &scope, now)?))
        })
        .await?;
    let line = |p: Pending| PendingLine {
        due: p.dossier.due_at.map(|d| to_local(d).format("%d/%m/%Y %H:%M").to_string()).unwrap_or_default(),
        overdue: p.dossier.due_at.is_some_and(|d| d < now),
        code: p.dossier.code,
        procedure: p.procedure_name,
        agency: p.agency_name,
        applicant: p.dossier.applicant_name,
    };
    page(&HomePage {
        ctx: PageCtx::new(&req, &state.config.province_name, Some(&Viewer::of_staff(staff))),
        scope_name: if provincial {
            format!("toàn tỉnh {}", state.config.province_name)
        } else {
            staff.agency.name.clone()
        },
        provincial,
        pending: pending.into_iter().map(line).collect(),
        load,
    })
}

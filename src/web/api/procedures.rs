//! `GET /api/v1/procedures` and `GET /api/v1/procedures/{code}`.

use crate::domain::catalogue::{Level, OnlineLevel};
use crate::error::AppError;
use crate::queries::catalogue_search::ProcedureSummary;
use crate::services::catalogue::{self, FeeView, PER_PAGE, ProcedureDetail};
use crate::web::public::catalogue::{ListParams, parse};
use crate::web::state::AppState;
use actix_web::{HttpResponse, web};
use serde::Serialize;

#[derive(Serialize)]
struct ListBody {
    total: usize,
    page: usize,
    per_page: usize,
    items: Vec<ItemBody>,
}

#[derive(Serialize)]
struct ItemBody {
    #[serde(flatten)]
    summary: ProcedureSummary,
    url: String,
}

/// The list, with the same parameters and rules as the page; an invalid parameter is a 400.
pub async fn list(state: web::Data<AppState>, params: web::Query<ListParams>) -> Result<HttpResponse, AppError> {
    let params = params.into_inner();
    let facets = state.catalogue.facets(&state.db).await?;
    let parsed = parse(&facets, &params);
    if let Some(first) = parsed.errors.first() {
        return Err(AppError::bad_request("invalid_parameter", first.clone()));
    }
    let result = catalogue::search(&state.db, &state.catalogue, parsed.filter.clone(), parsed.page).await?;
    Ok(HttpResponse::Ok().json(ListBody {
        total: result.total,
        page: parsed.page,
        per_page: PER_PAGE,
        items: result.items.into_iter().map(|s| ItemBody { url: format!("/thu-tuc/{}", s.code), summary: s }).collect(),
    }))
}

#[derive(Serialize)]
struct DetailBody {
    code: String,
    name: String,
    field: FieldBody,
    level: &'static str,
    level_name: &'static str,
    agency: Option<AgencyBody>,
    implementing_agency: String,
    online_level: u8,
    online_level_name: &'static str,
    time_limit: TimeLimitBody,
    subjects: String,
    channels: Vec<&'static str>,
    steps: Vec<String>,
    requirements: Option<String>,
    result: String,
    legal_basis: Vec<String>,
    fees: Vec<FeeView>,
    papers: Vec<PaperBody>,
    forms: Vec<FormBody>,
}

#[derive(Serialize)]
struct FieldBody {
    code: String,
    name: String,
}

#[derive(Serialize)]
struct AgencyBody {
    code: String,
    name: String,
}

#[derive(Serialize)]
struct TimeLimitBody {
    value: u32,
    unit: &'static str,
    text: String,
    note: Option<String>,
}

#[derive(Serialize)]
struct PaperBody {
    name: String,
    originals: i32,
    copies: i32,
    mandatory: bool,
    note: Option<String>,
}

#[derive(Serialize)]
struct FormBody {
    title: String,
    content_type: String,
    size_bytes: i64,
    sha256: String,
    url: String,
}

/// One procedure in full.
pub async fn show(state: web::Data<AppState>, code: web::Path<String>) -> Result<HttpResponse, AppError> {
    let code = code.into_inner();
    let d = state.catalogue.detail(&state.db, &code).await?;
    let d = ProcedureDetail::clone(&d);
    let p = d.procedure;
    let code = p.code.clone();
    Ok(HttpResponse::Ok().json(DetailBody {
        field: FieldBody { code: p.field_code, name: d.field_name },
        level: d.level.code(),
        level_name: Level::label(d.level),
        agency: d.agency.map(|a| AgencyBody { code: a.code, name: a.name }),
        implementing_agency: p.implementing_agency,
        online_level: d.online_level.number(),
        online_level_name: OnlineLevel::label(d.online_level),
        time_limit: TimeLimitBody {
            value: d.time_limit.value,
            unit: d.time_limit.unit.code(),
            text: d.time_limit.to_string(),
            note: p.time_limit_note,
        },
        subjects: p.subjects,
        channels: d.channels.iter().map(|c| c.code()).collect(),
        steps: d.steps,
        requirements: p.requirements,
        result: p.result,
        legal_basis: d.legal_basis,
        fees: d.fees,
        papers: d
            .papers
            .into_iter()
            .map(|x| PaperBody {
                name: x.name,
                originals: x.originals,
                copies: x.copies,
                mandatory: x.mandatory,
                note: x.note,
            })
            .collect(),
        forms: d
            .forms
            .into_iter()
            .map(|f| FormBody {
                url: format!("/thu-tuc/{code}/bieu-mau/{}", f.file_name),
                title: f.title,
                content_type: f.content_type,
                size_bytes: f.size_bytes,
                sha256: f.sha256,
            })
            .collect(),
        code: p.code,
        name: p.name,
    }))
}

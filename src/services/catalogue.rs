//! The public catalogue: searching procedures, reading one, downloading its forms.

use crate::db::DbConn;
use crate::domain::catalogue::{Channel, FeeKind, Level, OnlineLevel, TimeLimit, TimeLimitUnit};
use crate::domain::money::Vnd;
use crate::error::AppError;
use crate::files::FileStore;
use crate::models::agency::Agency;
use crate::models::procedure::{Field, Procedure, ProcedureForm, ProcedurePaper};
use crate::queries::catalogue_search::{CatalogueFilter, ResultPage};
use anyhow::Context;

/// Results per page.
pub const PER_PAGE: usize = 20;

/// The values a citizen can filter by.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Facets {
    /// Fields with their names.
    pub fields: Vec<Field>,
    /// Departments.
    pub departments: Vec<Agency>,
    /// Communes.
    pub communes: Vec<Agency>,
}

/// Loads the filter choices.
pub fn facets(conn: &mut DbConn) -> Result<Facets, AppError> {
    let agencies = Agency::all(conn)?;
    let (departments, communes) = agencies
        .into_iter()
        .filter(|a| a.kind != "province")
        .partition(|a| a.kind == "department");
    Ok(Facets {
        fields: Field::all(conn)?,
        departments,
        communes,
    })
}

/// Turns an agency code from a link into a filter: a department filters by department, a commune
/// by the commune level (every commune implements the same commune procedures).
pub fn apply_agency(
    conn: &mut DbConn,
    filter: &mut CatalogueFilter,
    code: &str,
) -> Result<Option<Agency>, AppError> {
    let Some(agency) = Agency::find_by_code(conn, code)? else {
        return Ok(None);
    };
    match agency.kind.as_str() {
        "department" => filter.department_id = Some(agency.id.clone()),
        "commune" => filter.level = Some(Level::Commune),
        _ => {}
    }
    Ok(Some(agency))
}

/// Runs a search.
pub fn search(
    conn: &mut DbConn,
    filter: &CatalogueFilter,
    page: usize,
) -> Result<ResultPage, AppError> {
    Ok(filter.page(conn, page, PER_PAGE)?)
}

/// The most used procedures, for the home page.
pub fn most_used(conn: &mut DbConn, n: i64) -> Result<Vec<Procedure>, AppError> {
    Ok(Procedure::most_used(conn, n)?)
}

/// A fee, ready to show.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FeeView {
    /// "Phí" or "Lệ phí".
    pub kind: &'static str,
    /// What it is for.
    pub description: String,
    /// Amount in VND.
    pub amount_vnd: i64,
    /// "1.000 đ".
    pub amount: String,
    /// Per unit, if any.
    pub per_unit: Option<String>,
}

/// Everything about one procedure.
#[derive(Clone, Debug)]
pub struct ProcedureDetail {
    /// The row.
    pub procedure: Procedure,
    /// Its field.
    pub field_name: String,
    /// Its department, for provincial procedures.
    pub agency: Option<Agency>,
    /// Level.
    pub level: Level,
    /// Online level.
    pub online_level: OnlineLevel,
    /// Time limit.
    pub time_limit: TimeLimit,
    /// Channels.
    pub channels: Vec<Channel>,
    /// Steps.
    pub steps: Vec<String>,
    /// Legal basis.
    pub legal_basis: Vec<String>,
    /// Fees.
    pub fees: Vec<FeeView>,
    /// Papers.
    pub papers: Vec<ProcedurePaper>,
    /// Forms.
    pub forms: Vec<ProcedureForm>,
}

/// Loads one procedure by national code.
pub fn detail(conn: &mut DbConn, code: &str) -> Result<ProcedureDetail, AppError> {
    let procedure =
        Procedure::find_by_code(conn, code)?.ok_or(AppError::NotFound("thủ tục hành chính"))?;
    let field_name = Field::all(conn)?
        .into_iter()
        .find(|f| f.code == procedure.field_code)
        .map(|f| f.name)
        .unwrap_or_default();
    let agency = match &procedure.agency_id {
        Some(id) => Agency::find(conn, id)?,
        None => None,
    };
    let corrupt = |what: &str| {
        AppError::Internal(anyhow::anyhow!(
            "procedure {} has a bad {what}",
            procedure.code
        ))
    };
    let level = Level::parse(&procedure.level).ok_or_else(|| corrupt("level"))?;
    let online_level =
        OnlineLevel::new(procedure.online_level.into()).ok_or_else(|| corrupt("online level"))?;
    let unit =
        TimeLimitUnit::parse(&procedure.time_limit_unit).ok_or_else(|| corrupt("time limit"))?;
    let time_limit = TimeLimit {
        value: u32::try_from(procedure.time_limit_value).map_err(|_| corrupt("time limit"))?,
        unit,
    };
    let channels = procedure
        .channels
        .split(',')
        .filter_map(Channel::parse)
        .collect();
    let steps = serde_json::from_str(&procedure.steps)
        .context("steps")
        .map_err(AppError::Internal)?;
    let legal_basis = serde_json::from_str(&procedure.legal_basis)
        .context("legal basis")
        .map_err(AppError::Internal)?;
    let fees = Procedure::fees(conn, &procedure.id)?
        .into_iter()
        .map(|f| FeeView {
            kind: FeeKind::parse(&f.kind).map_or("Phí", FeeKind::label),
            description: f.description,
            amount_vnd: f.amount_vnd,
            amount: Vnd(f.amount_vnd).to_string(),
            per_unit: f.per_unit,
        })
        .collect();
    let papers = Procedure::papers(conn, &procedure.id)?;
    let forms = Procedure::forms(conn, &procedure.id)?;
    Ok(ProcedureDetail {
        field_name,
        agency,
        level,
        online_level,
        time_limit,
        channels,
        steps,
        legal_basis,
        fees,
        papers,
        forms,
        procedure,
    })
}

/// Finds a form of a procedure by its file name; the bytes are read by [`read_form`].
pub fn find_form(
    conn: &mut DbConn,
    code: &str,
    file_name: &str,
) -> Result<ProcedureForm, AppError> {
    let procedure =
        Procedure::find_by_code(conn, code)?.ok_or(AppError::NotFound("thủ tục hành chính"))?;
    Procedure::forms(conn, &procedure.id)?
        .into_iter()
        .find(|f| f.file_name == file_name)
        .ok_or(AppError::NotFound("biểu mẫu"))
}

/// Reads a form's bytes from the file store.
pub fn read_form(files: &FileStore, form: &ProcedureForm) -> Result<Vec<u8>, AppError> {
    files
        .get(&form.sha256)
        .with_context(|| format!("form {}", form.file_name))
        .map_err(AppError::Internal)
}

//! The public catalogue: searching procedures, reading one, downloading its forms.

use crate::db::Db;
use crate::db::DbConn;
use crate::domain::catalogue::{Channel, FeeKind, Level, OnlineLevel, TimeLimit, TimeLimitUnit};
use crate::domain::fold::fold;
use crate::domain::money::Vnd;
use crate::error::AppError;
use crate::files::FileStore;
use crate::models::agency::Agency;
use crate::models::procedure::{Field, Procedure, ProcedureForm, ProcedurePaper};
use crate::queries::catalogue_search::{CatalogueFilter, ProcedureSummary, ResultPage, all_summaries};
use anyhow::Context;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

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
    let (departments, communes) =
        agencies.into_iter().filter(|a| a.kind != "province").partition(|a| a.kind == "department");
    Ok(Facets { fields: Field::all(conn)?, departments, communes })
}

/// Turns an agency code from a link into a filter: a department filters by department, a commune
/// by the commune level (every commune implements the same commune procedures). `None` when no
/// such agency exists.
pub fn apply_agency<'a>(facets: &'a Facets, filter: &mut CatalogueFilter, code: &str) -> Option<&'a Agency> {
    if let Some(d) = facets.departments.iter().find(|a| a.code == code) {
        filter.department_id = Some(d.id.clone());
        return Some(d);
    }
    let commune = facets.communes.iter().find(|a| a.code == code)?;
    filter.level = Some(Level::Commune);
    Some(commune)
}

/// Runs a search: without text, a filtered listing by popularity from the database; with text,
/// the matching codes from the full-text index, ranked (exact diacritics first) against the
/// cached search index.
pub async fn search(
    db: &Db,
    cache: &CatalogueCache,
    filter: CatalogueFilter,
    page: usize,
) -> Result<ResultPage, AppError> {
    let Some(query) = filter.query.clone() else {
        return db.run(move |conn| Ok(filter.listing(conn, page, PER_PAGE)?)).await;
    };
    let terms = query.clone();
    let codes = db.run(move |conn| Ok(filter.matching_codes(conn, &terms)?)).await?;
    let mut index = cache.index(db).await?;
    if codes.iter().any(|c| !index.contains_key(c)) {
        // A procedure added since the index was loaded (here or on another instance).
        cache.invalidate();
        index = cache.index(db).await?;
    }
    let mut hits: Vec<(u8, &IndexEntry)> =
        codes.iter().filter_map(|c| index.get(c)).map(|e| (query.rank(&e.name_lower, &e.name_folded), e)).collect();
    hits.sort_by(|(ra, a), (rb, b)| {
        (ra, -a.popularity, &a.summary.name, &a.summary.code).cmp(&(
            rb,
            -b.popularity,
            &b.summary.name,
            &b.summary.code,
        ))
    });
    let total = hits.len();
    let offset = page.saturating_sub(1).saturating_mul(PER_PAGE);
    let items = hits.into_iter().skip(offset).take(PER_PAGE).map(|(_, e)| e.summary.clone()).collect();
    Ok(ResultPage { items, total })
}

/// What ranking needs of one procedure, loaded once into the cache.
#[derive(Clone, Debug)]
pub struct IndexEntry {
    /// The line shown in results.
    pub summary: ProcedureSummary,
    /// Name, NFC lower-case.
    pub name_lower: String,
    /// Name, folded.
    pub name_folded: String,
    /// How often it is used.
    pub popularity: i32,
}

fn load_index(conn: &mut DbConn) -> Result<HashMap<String, IndexEntry>, AppError> {
    Ok(all_summaries(conn)?
        .into_iter()
        .map(|(summary, name_lower, popularity)| {
            let entry = IndexEntry { name_folded: fold(&name_lower), name_lower, popularity, summary };
            (entry.summary.code.clone(), entry)
        })
        .collect())
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
    let procedure = Procedure::find_by_code(conn, code)?.ok_or(AppError::NotFound("thủ tục hành chính"))?;
    let field_name =
        Field::all(conn)?.into_iter().find(|f| f.code == procedure.field_code).map(|f| f.name).unwrap_or_default();
    let agency = match &procedure.agency_id {
        Some(id) => Agency::find(conn, id)?,
        None => None,
    };
    let corrupt = |what: &str| AppError::Internal(anyhow::anyhow!("procedure {} has a bad {what}", procedure.code));
    let level = Level::parse(&procedure.level).ok_or_else(|| corrupt("level"))?;
    let online_level = OnlineLevel::new(procedure.online_level.into()).ok_or_else(|| corrupt("online level"))?;
    let unit = TimeLimitUnit::parse(&procedure.time_limit_unit).ok_or_else(|| corrupt("time limit"))?;
    let time_limit =
        TimeLimit { value: u32::try_from(procedure.time_limit_value).map_err(|_| corrupt("time limit"))?, unit };
    let channels = procedure.channels.split(',').filter_map(Channel::parse).collect();
    let steps = serde_json::from_str(&procedure.steps).context("steps").map_err(AppError::Internal)?;
    let legal_basis =
        serde_json::from_str(&procedure.legal_basis).context("legal basis").map_err(AppError::Internal)?;
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
pub fn find_form(conn: &mut DbConn, code: &str, file_name: &str) -> Result<ProcedureForm, AppError> {
    let procedure = Procedure::find_by_code(conn, code)?.ok_or(AppError::NotFound("thủ tục hành chính"))?;
    Procedure::forms(conn, &procedure.id)?
        .into_iter()
        .find(|f| f.file_name == file_name)
        .ok_or(AppError::NotFound("biểu mẫu"))
}

/// Reads a form's bytes from the file store.
pub fn read_form(files: &FileStore, form: &ProcedureForm) -> Result<Vec<u8>, AppError> {
    files.get(&form.sha256).with_context(|| format!("form {}", form.file_name)).map_err(AppError::Internal)
}

/// A read-through cache of what changes only when the catalogue is edited: the filter choices,
/// the most used procedures and procedure details. Entries live for `ttl`, so several instances
/// converge after an edit elsewhere; [`CatalogueCache::invalidate`] drops everything at once
/// after a local edit.
#[derive(Clone)]
pub struct CatalogueCache {
    inner: Arc<Mutex<CacheInner>>,
    ttl: Duration,
}

#[derive(Default)]
struct CacheInner {
    facets: Option<(Instant, Arc<Facets>)>,
    popular: Option<(Instant, Arc<Vec<Procedure>>)>,
    details: HashMap<String, (Instant, Arc<ProcedureDetail>)>,
    index: Option<(Instant, Arc<HashMap<String, IndexEntry>>)>,
    communes: Option<(Instant, Arc<Communes>)>,
}

/// The current administrative structure for address pickers.
#[derive(Clone, Debug, Default)]
pub struct Communes {
    /// Provinces `(code, full name)` in code order.
    pub provinces: Vec<(String, String)>,
    /// Communes `(code, full name)` of each province.
    pub by_province: HashMap<String, Vec<(String, String)>>,
    /// The province of each commune.
    pub province_of: HashMap<String, String>,
}

fn load_communes(conn: &mut DbConn) -> Result<Communes, AppError> {
    use crate::models::admin_unit::{AdminUnit, VERSION_CURRENT};
    let mut c = Communes::default();
    for u in AdminUnit::all_of_version(conn, VERSION_CURRENT)? {
        match (u.level.as_str(), u.parent_code) {
            ("province", _) => c.provinces.push((u.code, u.full_name)),
            ("commune", Some(parent)) => {
                c.province_of.insert(u.code.clone(), parent.clone());
                c.by_province.entry(parent).or_default().push((u.code, u.full_name));
            }
            _ => {}
        }
    }
    c.provinces.sort();
    c.by_province.values_mut().for_each(|v| v.sort());
    Ok(c)
}

/// At most this many procedure details are kept.
const MAX_CACHED_DETAILS: usize = 5_000;

impl CatalogueCache {
    /// An empty cache whose entries expire after `ttl`.
    pub fn new(ttl: Duration) -> Self {
        CatalogueCache { inner: Arc::new(Mutex::new(CacheInner::default())), ttl }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheInner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn fresh<T: Clone>(&self, slot: &Option<(Instant, T)>) -> Option<T> {
        slot.as_ref().filter(|(at, _)| at.elapsed() < self.ttl).map(|(_, v)| v.clone())
    }

    /// Drops every entry.
    pub fn invalidate(&self) {
        *self.lock() = CacheInner::default();
    }

    /// The filter choices.
    pub async fn facets(&self, db: &Db) -> Result<Arc<Facets>, AppError> {
        if let Some(v) = self.fresh(&self.lock().facets) {
            return Ok(v);
        }
        let v = Arc::new(db.run(facets).await?);
        self.lock().facets = Some((Instant::now(), v.clone()));
        Ok(v)
    }

    /// The search index: every procedure's summary and ranking data, by code.
    pub async fn index(&self, db: &Db) -> Result<Arc<HashMap<String, IndexEntry>>, AppError> {
        if let Some(v) = self.fresh(&self.lock().index) {
            return Ok(v);
        }
        let v = Arc::new(db.run(load_index).await?);
        self.lock().index = Some((Instant::now(), v.clone()));
        Ok(v)
    }

    /// The current provinces and communes.
    pub async fn communes(&self, db: &Db) -> Result<Arc<Communes>, AppError> {
        if let Some(v) = self.fresh(&self.lock().communes) {
            return Ok(v);
        }
        let v = Arc::new(db.run(load_communes).await?);
        self.lock().communes = Some((Instant::now(), v.clone()));
        Ok(v)
    }

    /// The eight most used procedures.
    pub async fn popular(&self, db: &Db) -> Result<Arc<Vec<Procedure>>, AppError> {
        if let Some(v) = self.fresh(&self.lock().popular) {
            return Ok(v);
        }
        let v = Arc::new(db.run(|conn| most_used(conn, 8)).await?);
        self.lock().popular = Some((Instant::now(), v.clone()));
        Ok(v)
    }

    /// One procedure in full; unknown codes are not cached.
    pub async fn detail(&self, db: &Db, code: &str) -> Result<Arc<ProcedureDetail>, AppError> {
        if let Some(v) = self.fresh(&self.lock().details.get(code).cloned()) {
            return Ok(v);
        }
        let owned = code.to_owned();
        let v = Arc::new(db.run(move |conn| detail(conn, &owned)).await?);
        let mut inner = self.lock();
        if inner.details.len() >= MAX_CACHED_DETAILS {
            inner.details.clear();
        }
        inner.details.insert(code.to_owned(), (Instant::now(), v.clone()));
        Ok(v)
    }
}

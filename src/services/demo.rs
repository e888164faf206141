//! The demo province: its agencies (the province, its departments, its communes) and the demo
//! catalogue of procedures with their forms, read from `refdata/catalogue/`. Idempotent like the
//! reference import: ids of existing rows are kept and only differences are written.

use super::reference_data::ImportReport;
use crate::clock::Clock;
use crate::db::{DbConn, write_tx};
use crate::domain::catalogue::{
    Channel, FeeKind, Level, OnlineLevel, TimeLimitUnit, is_agency_code, is_procedure_code,
};
use crate::domain::fold::{clean, fold, lower};
use crate::domain::form::FormDefinition;
use crate::files::{FileKind, FileStore};
use crate::models::admin_unit::{AdminUnit, VERSION_CURRENT};
use crate::models::agency::Agency;
use crate::models::dossier::{eform_of, save_eform};
use crate::models::procedure::{Field, Procedure, ProcedureFee, ProcedureForm, ProcedurePaper};
use anyhow::{Context, bail, ensure};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgenciesFile {
    province: ProvinceEntry,
    departments: Vec<DepartmentEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvinceEntry {
    name: String,
    short_name: String,
    code: String,
    gso_province_code: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DepartmentEntry {
    key: String,
    code: String,
    name: String,
    short_name: String,
    address: Option<String>,
    phone: Option<String>,
    email: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    #[serde(rename = "note")]
    _note: Option<String>,
    fields: Vec<Field>,
    procedures: Vec<ProcedureEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProcedureEntry {
    code: String,
    name: String,
    field: String,
    level: String,
    agency: Option<String>,
    implementing_agency: String,
    online_level: i64,
    time_limit: TimeLimitEntry,
    fees: Vec<FeeEntry>,
    subjects: String,
    channels: Vec<String>,
    papers: Vec<PaperEntry>,
    steps: Vec<String>,
    requirements: Option<String>,
    result: String,
    legal_basis: Vec<String>,
    forms: Vec<FormEntry>,
    popularity: i32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TimeLimitEntry {
    value: i32,
    unit: String,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FeeEntry {
    kind: String,
    description: String,
    amount_vnd: i64,
    per: Option<String>,
    #[serde(default)]
    quantity_field: Option<String>,
    #[serde(default)]
    when: Option<WhenEntry>,
}

/// A fee applies only when a form field (or `@kenh`, the channel) holds a value.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WhenEntry {
    field: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PaperEntry {
    name: String,
    originals: i32,
    copies: i32,
    mandatory: bool,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FormEntry {
    title: String,
    file: String,
}

/// The GSO code of the demo province (Thanh Hóa).
pub const DEMO_PROVINCE_GSO: &str = "38";

fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Rows as loaded, with their ids blanked, to compare with rows built from the file.
fn without_ids<T>(mut rows: Vec<T>, clear: fn(&mut T)) -> Vec<T> {
    rows.iter_mut().for_each(clear);
    rows
}

fn opt(s: &Option<String>) -> Option<String> {
    s.as_deref().map(clean).filter(|s| !s.is_empty())
}

/// The national identifier of the n-th commune (1-based) of the demo province: communes take
/// the block `000.2x.yy.H56` after the departments' `000.00.yy.H56`.
pub fn commune_agency_code(n: usize, suffix: &str) -> String {
    let i = n.saturating_sub(1);
    format!("000.{:02}.{:02}.{suffix}", 20 + i / 99, i % 99 + 1)
}

/// Seeds the demo province's agencies and catalogue. Needs the admin units imported first.
pub fn seed_catalogue(
    conn: &mut DbConn,
    refdata_dir: &Path,
    files: &FileStore,
    clock: &Clock,
) -> anyhow::Result<Vec<ImportReport>> {
    let dir = refdata_dir.join("catalogue");
    let agencies_file: AgenciesFile = serde_json::from_slice(
        &std::fs::read(dir.join("agencies.json"))
            .with_context(|| format!("cannot read {}", dir.join("agencies.json").display()))?,
    )
    .context("agencies.json is not valid")?;
    let catalogue: CatalogueFile = serde_json::from_slice(
        &std::fs::read(dir.join("procedures.json"))
            .with_context(|| format!("cannot read {}", dir.join("procedures.json").display()))?,
    )
    .context("procedures.json is not valid")?;
    // Form files are read and stored before the transaction: no IO while holding the lock.
    let mut form_files = HashMap::new();
    for p in &catalogue.procedures {
        for f in &p.forms {
            ensure!(!f.file.contains(['/', '\\']) && !f.file.starts_with('.'), "bad form file name {:?}", f.file);
            let bytes = std::fs::read(dir.join("forms").join(&f.file))
                .with_context(|| format!("form {} of {}", f.file, p.code))?;
            let kind = FileKind::sniff(&bytes)
                .filter(|k| matches!(k, FileKind::Pdf | FileKind::Docx))
                .with_context(|| format!("form {} is neither a PDF nor a DOCX", f.file))?;
            let sha = files.put(&bytes).with_context(|| format!("storing form {}", f.file))?;
            form_files.insert(f.file.clone(), (sha, kind, bytes.len()));
        }
    }
    let mut eforms = Vec::new();
    let eform_dir = dir.join("eforms");
    if eform_dir.is_dir() {
        let mut paths: Vec<_> = std::fs::read_dir(&eform_dir)?.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths.into_iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
            let code = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
            let json = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
            FormDefinition::parse_json(&json).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            eforms.push((code, json));
        }
    }
    write_tx(conn, |conn| {
        let (agency_report, departments) = sync_agencies(conn, &agencies_file)?;
        let field_report = sync_fields(conn, &catalogue.fields)?;
        let proc_report = sync_procedures(conn, &catalogue, &departments, &form_files, clock)?;
        let eform_report = sync_eforms(conn, &eforms, clock)?;
        crate::models::payment::FeeAccount::seed_demo(conn)?;
        Ok(vec![agency_report, field_report, proc_report, eform_report])
    })
}

fn sync_agencies(conn: &mut DbConn, file: &AgenciesFile) -> anyhow::Result<(ImportReport, HashMap<String, String>)> {
    let mut report = ImportReport { dataset: "agencies".into(), ..Default::default() };
    let province = &file.province;
    ensure!(is_agency_code(&province.code), "bad agency code {:?}", province.code);
    let suffix = province.code.rsplit('.').next().unwrap_or_default().to_owned();
    let mut wanted: Vec<(Option<String>, Agency)> = Vec::new();
    let province_row = Agency {
        office_hours: None,
        id: String::new(),
        code: province.code.clone(),
        name: clean(&province.name),
        short_name: clean(&province.short_name),
        kind: "province".into(),
        parent_id: None,
        admin_unit_code: Some(province.gso_province_code.clone()),
        address: None,
        phone: None,
        email: None,
        position: 0,
        search_text: fold(&province.name),
    };
    wanted.push((None, province_row));
    for (i, d) in file.departments.iter().enumerate() {
        ensure!(is_agency_code(&d.code), "bad agency code {:?}", d.code);
        wanted.push((
            Some(d.key.clone()),
            Agency {
                office_hours: None,
                id: String::new(),
                code: d.code.clone(),
                name: clean(&d.name),
                short_name: clean(&d.short_name),
                kind: "department".into(),
                parent_id: None,
                admin_unit_code: None,
                address: opt(&d.address),
                phone: opt(&d.phone),
                email: opt(&d.email),
                position: 10 + i32::try_from(i)?,
                search_text: fold(&d.name),
            },
        ));
    }
    let communes = AdminUnit::communes_of(conn, VERSION_CURRENT, &province.gso_province_code)?;
    ensure!(!communes.is_empty(), "no communes for province {}: run import-units first", province.gso_province_code);
    for (i, c) in communes.iter().enumerate() {
        let name =
            format!("Ủy ban nhân dân {}", c.full_name.to_lowercase().replacen(&c.name.to_lowercase(), &c.name, 1));
        wanted.push((
            None,
            Agency {
                office_hours: None,
                id: String::new(),
                code: commune_agency_code(i + 1, &suffix),
                search_text: fold(&format!("{name} {}", c.full_name)),
                name,
                short_name: c.full_name.clone(),
                kind: "commune".into(),
                parent_id: None,
                admin_unit_code: Some(c.code.clone()),
                address: None,
                phone: None,
                email: None,
                position: 1000 + i32::try_from(i)?,
            },
        ));
    }
    report.total = wanted.len();
    let mut province_id = None;
    let mut keys = HashMap::new();
    for (key, mut row) in wanted {
        let existing = Agency::find_by_code(conn, &row.code)?;
        row.id = existing.as_ref().map_or_else(new_id, |e| e.id.clone());
        if row.kind != "province" {
            row.parent_id = province_id.clone();
        }
        match existing {
            None => {
                Agency::insert(conn, &row)?;
                report.inserted += 1;
            }
            Some(old) if old != row => {
                Agency::update(conn, &row)?;
                report.updated += 1;
            }
            Some(_) => {}
        }
        if row.kind == "province" {
            province_id = Some(row.id.clone());
        }
        if let Some(key) = key {
            keys.insert(key, row.id.clone());
        }
    }
    Ok((report, keys))
}

fn sync_fields(conn: &mut DbConn, fields: &[Field]) -> anyhow::Result<ImportReport> {
    let mut report = ImportReport { dataset: "fields".into(), total: fields.len(), ..Default::default() };
    let existing: HashMap<String, Field> = Field::all(conn)?.into_iter().map(|f| (f.code.clone(), f)).collect();
    for f in fields {
        let row = Field { code: f.code.clone(), name: clean(&f.name) };
        match existing.get(&row.code) {
            None => {
                Field::insert(conn, &row)?;
                report.inserted += 1;
            }
            Some(old) if *old != row => {
                Field::update(conn, &row)?;
                report.updated += 1;
            }
            Some(_) => {}
        }
    }
    Ok(report)
}

fn sync_eforms(conn: &mut DbConn, eforms: &[(String, String)], clock: &Clock) -> anyhow::Result<ImportReport> {
    let mut report = ImportReport { dataset: "e-forms".into(), total: eforms.len(), ..Default::default() };
    for (code, json) in eforms {
        let procedure =
            Procedure::find_by_code(conn, code)?.with_context(|| format!("e-form for unknown procedure {code}"))?;
        match eform_of(conn, &procedure.id)? {
            Some(existing) if existing == *json => {}
            existing => {
                save_eform(conn, &procedure.id, json, clock.now_naive())?;
                if existing.is_some() {
                    report.updated += 1;
                } else {
                    report.inserted += 1;
                }
            }
        }
    }
    Ok(report)
}

type FormFiles = HashMap<String, (String, FileKind, usize)>;

fn sync_procedures(
    conn: &mut DbConn,
    catalogue: &CatalogueFile,
    departments: &HashMap<String, String>,
    form_files: &FormFiles,
    clock: &Clock,
) -> anyhow::Result<ImportReport> {
    let mut report =
        ImportReport { dataset: "procedures".into(), total: catalogue.procedures.len(), ..Default::default() };
    let field_names: HashMap<&str, &str> =
        catalogue.fields.iter().map(|f| (f.code.as_str(), f.name.as_str())).collect();
    let agencies: HashMap<String, Agency> = Agency::all(conn)?.into_iter().map(|a| (a.id.clone(), a)).collect();
    let now = clock.now_naive();
    for p in &catalogue.procedures {
        let ctx = || format!("procedure {}", p.code);
        ensure!(is_procedure_code(&p.code), "{}: bad code", ctx());
        let level = Level::parse(&p.level).with_context(|| format!("{}: bad level {:?}", ctx(), p.level))?;
        let agency_id = match (level, &p.agency) {
            (Level::Province, Some(key)) => {
                Some(departments.get(key).with_context(|| format!("{}: unknown agency {key}", ctx()))?.clone())
            }
            (Level::Commune, None) => None,
            _ => bail!("{}: a provincial procedure names its department, a commune one none", ctx()),
        };
        let field_name =
            field_names.get(p.field.as_str()).with_context(|| format!("{}: unknown field {}", ctx(), p.field))?;
        ensure!(OnlineLevel::new(p.online_level).is_some(), "{}: bad online level", ctx());
        ensure!(
            TimeLimitUnit::parse(&p.time_limit.unit).is_some() && p.time_limit.value > 0,
            "{}: bad time limit",
            ctx()
        );
        ensure!(p.channels.iter().all(|c| Channel::parse(c).is_some()), "{}: bad channel", ctx());
        ensure!(
            !p.papers.is_empty() && !p.steps.is_empty() && !p.forms.is_empty(),
            "{}: papers, steps and forms are required",
            ctx()
        );
        let name = clean(&p.name);
        let agency_name = agency_id.as_ref().and_then(|id| agencies.get(id)).map(|a| a.name.as_str()).unwrap_or("");
        let existing = Procedure::find_by_code(conn, &p.code)?;
        let id = existing.as_ref().map_or_else(new_id, |e| e.id.clone());
        let row = Procedure {
            id: id.clone(),
            code: p.code.clone(),
            name_lc: lower(&name),
            search_text: fold(&format!("{} {} {} {} {}", p.code, name, field_name, p.implementing_agency, agency_name)),
            name,
            field_code: p.field.clone(),
            level: level.code().into(),
            agency_id,
            implementing_agency: clean(&p.implementing_agency),
            online_level: i32::try_from(p.online_level)?,
            time_limit_value: p.time_limit.value,
            time_limit_unit: p.time_limit.unit.clone(),
            time_limit_note: opt(&p.time_limit.note),
            subjects: clean(&p.subjects),
            channels: p.channels.join(","),
            steps: serde_json::to_string(&p.steps.iter().map(|s| clean(s)).collect::<Vec<_>>())?,
            requirements: opt(&p.requirements),
            result: clean(&p.result),
            legal_basis: serde_json::to_string(&p.legal_basis.iter().map(|s| clean(s)).collect::<Vec<_>>())?,
            popularity: p.popularity,
            created_at: existing.as_ref().map_or(now, |e| e.created_at),
            updated_at: existing.as_ref().map_or(now, |e| e.updated_at),
            restart_after_supplement: existing.as_ref().is_none_or(|e| e.restart_after_supplement),
            restart_after_payment: existing.as_ref().is_some_and(|e| e.restart_after_payment),
            // A "toàn trình" procedure with a fee is paid online before the dossier is received.
            fee_timing: existing.as_ref().map_or_else(
                || {
                    if p.online_level >= 4 && p.fees.iter().any(|f| f.amount_vnd > 0) {
                        "submission"
                    } else {
                        "request"
                    }
                    .into()
                },
                |e| e.fee_timing.clone(),
            ),
            // None: the account of the agency that receives the dossier (seeded below).
            beneficiary_account: existing.as_ref().and_then(|e| e.beneficiary_account.clone()),
            beneficiary_bank: existing.as_ref().and_then(|e| e.beneficiary_bank.clone()),
            beneficiary_name: existing.as_ref().and_then(|e| e.beneficiary_name.clone()),
        };
        let mut fees = Vec::new();
        for (i, f) in p.fees.iter().enumerate() {
            ensure!(FeeKind::parse(&f.kind).is_some() && f.amount_vnd >= 0, "{}: bad fee", ctx());
            fees.push(ProcedureFee {
                id: String::new(),
                procedure_id: id.clone(),
                position: i32::try_from(i)?,
                kind: f.kind.clone(),
                description: clean(&f.description),
                amount_vnd: f.amount_vnd,
                per_unit: opt(&f.per),
                quantity_field: opt(&f.quantity_field),
                when_field: f.when.as_ref().map(|w| w.field.clone()),
                when_value: f.when.as_ref().map(|w| w.value.clone()),
            });
        }
        let papers: Vec<ProcedurePaper> = p
            .papers
            .iter()
            .enumerate()
            .map(|(i, x)| ProcedurePaper {
                id: String::new(),
                procedure_id: id.clone(),
                position: i32::try_from(i).unwrap_or(i32::MAX),
                name: clean(&x.name),
                originals: x.originals,
                copies: x.copies,
                mandatory: x.mandatory,
                note: opt(&x.note),
            })
            .collect();
        let mut forms = Vec::new();
        for (i, f) in p.forms.iter().enumerate() {
            let (sha, kind, size) =
                form_files.get(&f.file).with_context(|| format!("{}: form {} not loaded", ctx(), f.file))?;
            forms.push(ProcedureForm {
                id: String::new(),
                procedure_id: id.clone(),
                position: i32::try_from(i)?,
                title: clean(&f.title),
                file_name: f.file.clone(),
                content_type: kind.content_type().into(),
                sha256: sha.clone(),
                size_bytes: i64::try_from(*size)?,
            });
        }
        let unchanged = match &existing {
            None => false,
            Some(old) => {
                *old == Procedure { updated_at: old.updated_at, ..row.clone() }
                    && without_ids(Procedure::fees(conn, &id)?, |x| x.id.clear()) == fees
                    && without_ids(Procedure::papers(conn, &id)?, |x| x.id.clear()) == papers
                    && without_ids(Procedure::forms(conn, &id)?, |x| x.id.clear()) == forms
            }
        };
        if unchanged {
            continue;
        }
        if existing.is_some() {
            Procedure::update(conn, &Procedure { updated_at: now, ..row })?;
            report.updated += 1;
        } else {
            Procedure::insert(conn, &row)?;
            report.inserted += 1;
        }
        let mut papers = papers;
        fees.iter_mut().for_each(|x| x.id = new_id());
        papers.iter_mut().for_each(|x| x.id = new_id());
        forms.iter_mut().for_each(|x| x.id = new_id());
        Procedure::replace_children(conn, &id, &fees, &papers, &forms)?;
    }
    Ok(report)
}

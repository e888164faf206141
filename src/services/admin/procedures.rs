//! The catalogue: the list of procedures, and creating or editing one with its time limit, fees
//! (when they are due, the account they are paid into, each fee's quantity field and
//! condition), papers, e-form definition and workflow steps (which agency and role act, in which
//! order).

mod input;
mod parse;

pub use input::{FeeRow, MAX_ROWS, PaperRow, ProcedureInput, SCALARS, StepRow};
pub use parse::{CHANNEL_FIELD, FEE_TIMINGS, MAX_EFORM_BYTES, OFFICER_FIELD, STEP_ROLES, fee_account, parse_amount};

use super::audit::{self, Change};
use super::{Paged, new_id, offset, search_words};
use crate::clock::Clock;
use crate::db::{Db, DbConn};
use crate::domain::catalogue::{AgencyKind, FeeKind, Level, TimeLimit, TimeLimitUnit};
use crate::domain::money::Vnd;
use crate::error::AppError;
use crate::models::agency::Agency;
use crate::models::dossier::{eform_of, save_eform};
use crate::models::procedure::{Field, Procedure};
use crate::models::staff::roles;
use crate::models::workflow::WorkflowStep;
use crate::services::catalogue::CatalogueCache;
use parse::{Parsed, check, parse};
use std::collections::HashMap;

/// Procedures per page.
pub const PER_PAGE: i64 = 30;

/// A line of the list.
#[derive(Clone, Debug)]
pub struct ProcedureLine {
    /// National code.
    pub code: String,
    /// Name.
    pub name: String,
    /// "Cấp tỉnh" or "Cấp xã".
    pub level: &'static str,
    /// Who implements it.
    pub agency: String,
    /// Online level 1–4.
    pub online_level: i32,
    /// "5 ngày làm việc".
    pub time_limit: String,
}

fn time_limit_text(p: &Procedure) -> String {
    TimeLimitUnit::parse(&p.time_limit_unit)
        .map(|unit| TimeLimit { value: u32::try_from(p.time_limit_value).unwrap_or(0), unit }.to_string())
        .unwrap_or_default()
}

/// A page of procedures matching a search (accent-free name, code, field or agency).
pub fn list(conn: &mut DbConn, q: &str, page: i64) -> Result<Paged<ProcedureLine>, AppError> {
    let (rows, total) = Procedure::search_words(conn, &search_words(q), PER_PAGE, offset(page, PER_PAGE))?;
    let agencies: HashMap<String, String> = Agency::all(conn)?.into_iter().map(|a| (a.id, a.short_name)).collect();
    let items = rows
        .into_iter()
        .map(|p| ProcedureLine {
            level: Level::parse(&p.level).map_or("", Level::label),
            agency: p
                .agency_id
                .as_ref()
                .and_then(|id| agencies.get(id).cloned())
                .unwrap_or(p.implementing_agency.clone()),
            online_level: p.online_level,
            time_limit: time_limit_text(&p),
            code: p.code,
            name: p.name,
        })
        .collect();
    Ok(Paged { items, total, page: page.max(1), per_page: PER_PAGE })
}

/// What the form offers to choose from.
#[derive(Clone, Debug)]
pub struct Choices {
    /// Fields of the catalogue.
    pub fields: Vec<Field>,
    /// The province and its departments (a provincial procedure's agency, a step's agency).
    pub agencies: Vec<Agency>,
}

/// Loads the choices.
pub fn choices(conn: &mut DbConn) -> Result<Choices, AppError> {
    let agencies = Agency::all(conn)?.into_iter().filter(|a| a.kind != AgencyKind::Commune.code()).collect();
    Ok(Choices { fields: Field::all(conn)?, agencies })
}

/// One procedure by code, and its form filled with what is stored.
pub fn load(conn: &mut DbConn, code: &str) -> Result<(Procedure, ProcedureInput), AppError> {
    let p = Procedure::find_by_code(conn, code)?.ok_or(AppError::NotFound("thủ tục hành chính"))?;
    let json_lines = |s: &str| serde_json::from_str::<Vec<String>>(s).unwrap_or_default().join("\n");
    let mut input = ProcedureInput {
        channels: p.channels.split(',').filter(|c| !c.is_empty()).map(str::to_owned).collect(),
        restart_after_supplement: p.restart_after_supplement,
        restart_after_payment: p.restart_after_payment,
        ..Default::default()
    };
    let s = &mut input.scalars;
    s.insert("code".into(), p.code.clone());
    s.insert("name".into(), p.name.clone());
    s.insert("field_code".into(), p.field_code.clone());
    s.insert("level".into(), p.level.clone());
    s.insert("agency_id".into(), p.agency_id.clone().unwrap_or_default());
    s.insert("implementing_agency".into(), p.implementing_agency.clone());
    s.insert("online_level".into(), p.online_level.to_string());
    s.insert("time_limit_value".into(), p.time_limit_value.to_string());
    s.insert("time_limit_unit".into(), p.time_limit_unit.clone());
    s.insert("time_limit_note".into(), p.time_limit_note.clone().unwrap_or_default());
    s.insert("subjects".into(), p.subjects.clone());
    s.insert("steps".into(), json_lines(&p.steps));
    s.insert("requirements".into(), p.requirements.clone().unwrap_or_default());
    s.insert("result".into(), p.result.clone());
    s.insert("legal_basis".into(), json_lines(&p.legal_basis));
    s.insert("eform".into(), eform_of(conn, &p.id)?.unwrap_or_default());
    s.insert("fee_timing".into(), p.fee_timing.clone());
    s.insert("beneficiary_account".into(), p.beneficiary_account.clone().unwrap_or_default());
    s.insert("beneficiary_bank".into(), p.beneficiary_bank.clone().unwrap_or_default());
    s.insert("beneficiary_name".into(), p.beneficiary_name.clone().unwrap_or_default());
    input.fees = Procedure::fees(conn, &p.id)?
        .into_iter()
        .enumerate()
        .map(|(i, f)| FeeRow {
            index: i + 1,
            kind: f.kind,
            description: f.description,
            amount: f.amount_vnd.to_string(),
            per_unit: f.per_unit.unwrap_or_default(),
            quantity_field: f.quantity_field.unwrap_or_default(),
            when: f.when_field.zip(f.when_value).map(|(k, v)| format!("{k}={v}")).unwrap_or_default(),
        })
        .collect();
    input.papers = Procedure::papers(conn, &p.id)?
        .into_iter()
        .enumerate()
        .map(|(i, x)| PaperRow {
            index: i + 1,
            name: x.name,
            originals: x.originals.to_string(),
            copies: x.copies.to_string(),
            mandatory: x.mandatory,
            note: x.note.unwrap_or_default(),
        })
        .collect();
    input.workflow = WorkflowStep::of_procedure(conn, &p.id)?
        .into_iter()
        .enumerate()
        .map(|(i, st)| StepRow {
            index: i + 1,
            order: st.position.to_string(),
            name: st.name,
            role: st.role,
            agency_id: st.agency_id.unwrap_or_default(),
        })
        .collect();
    Ok((p, input))
}

fn audit_json(conn: &mut DbConn, p: &Procedure) -> Result<serde_json::Value, AppError> {
    let agency_code = |conn: &mut DbConn, id: &Option<String>| -> Result<String, AppError> {
        Ok(match id {
            Some(id) => Agency::find(conn, id)?.map_or_else(|| id.clone(), |a| a.code),
            None => "cơ quan tiếp nhận".to_owned(),
        })
    };
    let fees: Vec<String> = Procedure::fees(conn, &p.id)?
        .iter()
        .map(|f| {
            let unit = f.per_unit.as_ref().map(|u| format!("/{u}")).unwrap_or_default();
            let quantity = f.quantity_field.as_ref().map(|q| format!(" × {q}")).unwrap_or_default();
            let when = match (&f.when_field, &f.when_value) {
                (Some(k), Some(v)) => format!(", khi {k}={v}"),
                _ => String::new(),
            };
            format!(
                "{}: {}: {}{unit}{quantity}{when}",
                FeeKind::parse(&f.kind).map_or("", FeeKind::label),
                f.description,
                Vnd(f.amount_vnd)
            )
        })
        .collect();
    let papers: Vec<String> = Procedure::papers(conn, &p.id)?
        .iter()
        .map(|x| {
            let need = if x.mandatory { "bắt buộc" } else { "nếu có" };
            format!("{} (chính {}, sao {}, {need})", x.name, x.originals, x.copies)
        })
        .collect();
    let mut workflow = Vec::new();
    for s in WorkflowStep::of_procedure(conn, &p.id)? {
        workflow.push(format!(
            "{}. {} — {} — {}",
            s.position,
            s.name,
            roles::label(&s.role),
            agency_code(conn, &s.agency_id)?
        ));
    }
    let eform = eform_of(conn, &p.id)?.and_then(|j| serde_json::from_str::<serde_json::Value>(&j).ok());
    let json_list = |s: &str| serde_json::from_str::<Vec<String>>(s).unwrap_or_default();
    let beneficiary = match (&p.beneficiary_account, &p.beneficiary_bank, &p.beneficiary_name) {
        (Some(a), Some(b), Some(n)) => Some(format!("{n} – {a} – {b}")),
        _ => None,
    };
    Ok(serde_json::json!({
        "code": p.code, "name": p.name, "field_code": p.field_code, "level": p.level,
        "agency_id": agency_code(conn, &p.agency_id)?, "implementing_agency": p.implementing_agency,
        "online_level": p.online_level, "time_limit_value": p.time_limit_value,
        "time_limit_unit": p.time_limit_unit, "time_limit_note": p.time_limit_note,
        "restart_after_supplement": p.restart_after_supplement, "restart_after_payment": p.restart_after_payment,
        "subjects": p.subjects, "channels": p.channels, "steps": json_list(&p.steps),
        "requirements": p.requirements, "result": p.result, "legal_basis": json_list(&p.legal_basis),
        "fee_timing": p.fee_timing, "beneficiary": beneficiary,
        "fees": fees, "papers": papers, "eform": eform, "workflow": workflow,
    }))
}

/// Writes the procedure and its rows (keeping its downloadable forms).
fn save(conn: &mut DbConn, p: &Parsed, creating: bool, clock: &Clock) -> Result<(), AppError> {
    if creating {
        Procedure::insert(conn, &p.row)?;
    } else {
        Procedure::update(conn, &p.row)?;
        clear_beneficiary(conn, &p.row)?;
    }
    let forms = Procedure::forms(conn, &p.row.id)?;
    Procedure::replace_children(conn, &p.row.id, &p.fees, &p.papers, &forms)?;
    match &p.eform {
        Some(json) => save_eform(conn, &p.row.id, json, clock.now_naive())?,
        None => {
            Procedure::delete_eform(conn, &p.row.id)?;
        }
    }
    WorkflowStep::replace(conn, &p.row.id, &p.workflow)?;
    Ok(())
}

/// The changeset of `Procedure::update` leaves `None` columns as they were: an account removed
/// on the form is cleared here.
fn clear_beneficiary(conn: &mut DbConn, row: &Procedure) -> Result<(), AppError> {
    use crate::db::schema::procedures as t;
    use diesel::prelude::*;
    if row.beneficiary_account.is_none() {
        let none: Option<String> = None;
        diesel::update(t::table.find(&row.id))
            .set((t::beneficiary_account.eq(&none), t::beneficiary_bank.eq(&none), t::beneficiary_name.eq(&none)))
            .execute(conn)?;
    }
    Ok(())
}

/// Creates a procedure.
pub async fn create(
    db: &Db,
    clock: &Clock,
    cache: &CatalogueCache,
    by: &str,
    input: ProcedureInput,
) -> Result<Procedure, AppError> {
    let now = clock.now_naive();
    let blank = Procedure {
        id: new_id(),
        code: String::new(),
        name: String::new(),
        name_lc: String::new(),
        field_code: String::new(),
        level: String::new(),
        agency_id: None,
        implementing_agency: String::new(),
        online_level: 1,
        time_limit_value: 1,
        time_limit_unit: String::new(),
        time_limit_note: None,
        subjects: String::new(),
        channels: String::new(),
        steps: String::new(),
        requirements: None,
        result: String::new(),
        legal_basis: String::new(),
        popularity: 0,
        search_text: String::new(),
        created_at: now,
        updated_at: now,
        restart_after_supplement: true,
        restart_after_payment: false,
        fee_timing: "request".into(),
        beneficiary_account: None,
        beneficiary_bank: None,
        beneficiary_name: None,
    };
    let (mut parsed, mut errors) = parse(&input, blank, true);
    let (clock, by) = (clock.clone(), by.to_owned());
    let row = db
        .write(move |conn| {
            check(conn, &mut parsed, true, &mut errors)?;
            if !errors.is_empty() {
                return Err(AppError::Invalid(errors));
            }
            save(conn, &parsed, true, &clock)?;
            let after = audit_json(conn, &parsed.row)?;
            let change = Change {
                by: Some(&by),
                action: "create",
                entity: "procedure",
                entity_id: &parsed.row.id,
                before: None,
                after: Some(after),
            };
            audit::record(conn, &clock, change)?;
            Ok(parsed.row)
        })
        .await?;
    cache.invalidate();
    Ok(row)
}

/// Edits the procedure `code` (the code itself stays).
pub async fn update(
    db: &Db,
    clock: &Clock,
    cache: &CatalogueCache,
    by: &str,
    code: &str,
    input: ProcedureInput,
) -> Result<Procedure, AppError> {
    let (clock, by, code) = (clock.clone(), by.to_owned(), code.to_owned());
    let row = db
        .write(move |conn| {
            let existing = Procedure::find_by_code(conn, &code)?.ok_or(AppError::NotFound("thủ tục hành chính"))?;
            let before = audit_json(conn, &existing)?;
            let (mut parsed, mut errors) = parse(&input, existing.clone(), false);
            check(conn, &mut parsed, false, &mut errors)?;
            if !errors.is_empty() {
                return Err(AppError::Invalid(errors));
            }
            parsed.row.updated_at = clock.now_naive();
            save(conn, &parsed, false, &clock)?;
            let after = audit_json(conn, &parsed.row)?;
            if after != before {
                let change = Change {
                    by: Some(&by),
                    action: "update",
                    entity: "procedure",
                    entity_id: &parsed.row.id,
                    before: Some(before),
                    after: Some(after),
                };
                audit::record(conn, &clock, change)?;
            }
            Ok(parsed.row)
        })
        .await?;
    cache.invalidate();
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::admin::Pairs;

    #[test]
    fn amounts_in_vnd() {
        assert_eq!(parse_amount("50000"), Ok(50_000));
        assert_eq!(parse_amount("1.250.000 đ"), Ok(1_250_000));
        assert_eq!(parse_amount("0"), Ok(0));
        assert!(parse_amount("").is_err());
        assert!(parse_amount("-5").is_err());
        assert!(parse_amount("12,5k").is_err());
    }

    #[test]
    fn rows_are_read_by_index_and_removed_rows_dropped() {
        let pairs = Pairs(
            [
                ("name", "Thủ tục"),
                ("channels", "truc-tiep"),
                ("channels", "truc-tuyen"),
                ("fee-2-kind", "le_phi"),
                ("fee-2-amount", "8000"),
                ("fee-1-kind", "phi"),
                ("fee-1-remove", "yes"),
                ("step-1-name", "Tiếp nhận"),
                ("step-1-role", "mot_cua"),
                ("bad-x-y", "z"),
            ]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        );
        let input = ProcedureInput::from_pairs(&pairs);
        assert_eq!(input.get("name"), "Thủ tục");
        assert_eq!(input.channels, vec!["truc-tiep", "truc-tuyen"]);
        assert_eq!(input.fees.len(), 1);
        assert_eq!(input.fees[0].index, 2);
        assert_eq!(input.fees[0].amount, "8000");
        assert_eq!(input.workflow[0].role, "mot_cua");
        let more = input.with_blank_rows(2);
        assert_eq!(more.fees.iter().map(|r| r.index).collect::<Vec<_>>(), vec![2, 3, 4]);
        assert_eq!(more.papers.iter().map(|r| r.index).collect::<Vec<_>>(), vec![1, 2]);
    }
}

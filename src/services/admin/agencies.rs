//! Agencies: the list, creating one and editing one (national identifier, names, kind, parent,
//! contacts, office hours, the account its fees are paid into).

use super::audit::{self, Change};
use super::{Errors, Paged, new_id, office_phone, offset, optional, optional_email, push, required, search_words};
use crate::clock::Clock;
use crate::db::{Db, DbConn};
use crate::domain::calendar::OfficeHours;
use crate::domain::catalogue::{AgencyKind, is_agency_code};
use crate::domain::fold::fold;
use crate::error::AppError;
use crate::models::agency::Agency;
use crate::models::payment::FeeAccount;
use crate::services::catalogue::CatalogueCache;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Agencies per page.
pub const PER_PAGE: i64 = 50;

/// No fee account.
const NO_ACCOUNT: FeeAccount = FeeAccount { account: None, bank: None, name: None };

/// The agency form as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct AgencyInput {
    /// National identifier, e.g. `000.00.03.H56`.
    pub code: String,
    /// Full name.
    pub name: String,
    /// Short name.
    pub short_name: String,
    /// `province`, `department` or `commune`.
    pub kind: String,
    /// The parent agency's id, or "".
    pub parent_id: String,
    /// Office address.
    pub address: String,
    /// Office phone.
    pub phone: String,
    /// Office e-mail.
    pub email: String,
    /// `07:30-11:30,13:00-17:00`, or "" for the default.
    pub office_hours: String,
    /// The account fees are paid into (all three or none).
    pub fee_account: String,
    /// Its bank's code.
    pub fee_bank: String,
    /// Its holder.
    pub fee_account_name: String,
}

impl AgencyInput {
    /// The form filled with an agency's data and fee account.
    pub fn of(a: &Agency, account: &FeeAccount) -> Self {
        AgencyInput {
            fee_account: account.account.clone().unwrap_or_default(),
            fee_bank: account.bank.clone().unwrap_or_default(),
            fee_account_name: account.name.clone().unwrap_or_default(),
            code: a.code.clone(),
            name: a.name.clone(),
            short_name: a.short_name.clone(),
            kind: a.kind.clone(),
            parent_id: a.parent_id.clone().unwrap_or_default(),
            address: a.address.clone().unwrap_or_default(),
            phone: a.phone.clone().unwrap_or_default(),
            email: a.email.clone().unwrap_or_default(),
            office_hours: a.office_hours.clone().unwrap_or_default(),
        }
    }

    /// The values by field name, to re-show the form.
    pub fn values(&self) -> BTreeMap<String, String> {
        [
            ("code", &self.code),
            ("name", &self.name),
            ("short_name", &self.short_name),
            ("kind", &self.kind),
            ("parent_id", &self.parent_id),
            ("address", &self.address),
            ("phone", &self.phone),
            ("email", &self.email),
            ("office_hours", &self.office_hours),
            ("fee_account", &self.fee_account),
            ("fee_bank", &self.fee_bank),
            ("fee_account_name", &self.fee_account_name),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect()
    }
}

/// A page of agencies matching a search (accent-free name, or identifier) and a kind.
pub fn list(conn: &mut DbConn, q: &str, kind: Option<AgencyKind>, page: i64) -> Result<Paged<Agency>, AppError> {
    let words = search_words(q);
    let q = q.trim();
    let code = (!q.is_empty() && q.len() <= 20 && q.chars().all(|c| c.is_ascii_alphanumeric() || c == '.'))
        .then(|| q.to_ascii_uppercase());
    let (items, total) =
        Agency::search(conn, &words, code.as_deref(), kind.map(AgencyKind::code), PER_PAGE, offset(page, PER_PAGE))?;
    Ok(Paged { items, total, page: page.max(1), per_page: PER_PAGE })
}

/// One agency by identifier.
pub fn find(conn: &mut DbConn, code: &str) -> Result<Agency, AppError> {
    Agency::find_by_code(conn, code)?.ok_or(AppError::NotFound("cơ quan"))
}

/// One agency by identifier, with the account its fees are paid into.
pub fn find_with_account(conn: &mut DbConn, code: &str) -> Result<(Agency, FeeAccount), AppError> {
    let agency = find(conn, code)?;
    let account = FeeAccount::of_agency(conn, &agency.id)?.unwrap_or(NO_ACCOUNT);
    Ok((agency, account))
}

/// The agencies that may be a parent: the province and the departments.
pub fn parent_choices(conn: &mut DbConn) -> Result<Vec<Agency>, AppError> {
    Ok(Agency::all(conn)?.into_iter().filter(|a| a.kind != AgencyKind::Commune.code()).collect())
}

/// What the audit log keeps of an agency.
fn audit_json(a: &Agency, account: &FeeAccount) -> serde_json::Value {
    let fee_account = match (&account.account, &account.bank, &account.name) {
        (Some(n), Some(b), Some(h)) => Some(format!("{h} – {n} – {b}")),
        _ => None,
    };
    serde_json::json!({
        "code": a.code, "name": a.name, "short_name": a.short_name, "kind": a.kind,
        "parent_id": a.parent_id, "address": a.address, "phone": a.phone, "email": a.email,
        "office_hours": a.office_hours, "fee_account": fee_account,
    })
}

/// The fee account typed on the form (all three fields or none).
fn parse_account(input: &AgencyInput, errors: &mut Errors) -> FeeAccount {
    let typed = [input.fee_account.as_str(), input.fee_bank.as_str(), input.fee_account_name.as_str()];
    match super::procedures::fee_account(errors, ["fee_account", "fee_bank", "fee_account_name"], typed) {
        Some((account, bank, name)) => FeeAccount { account: Some(account), bank: Some(bank), name: Some(name) },
        None => NO_ACCOUNT,
    }
}

/// Checks the form's shape; fills `row` (keeping its id, position and admin unit).
fn parse(input: &AgencyInput, row: &mut Agency) -> Errors {
    let mut errors = Errors::new();
    let code = input.code.trim().to_ascii_uppercase();
    if code.is_empty() {
        push(&mut errors, "code", "Vui lòng nhập mã định danh của cơ quan.");
    } else if !is_agency_code(&code) {
        push(&mut errors, "code", "Mã định danh không đúng dạng 000.00.00.H56 (ba nhóm chữ số và mã tỉnh).");
    }
    let name = required(&mut errors, "name", &input.name, 300, "Vui lòng nhập tên cơ quan.");
    let short_name = required(&mut errors, "short_name", &input.short_name, 120, "Vui lòng nhập tên ngắn gọn.");
    let kind = AgencyKind::parse(&input.kind);
    if kind.is_none() {
        push(&mut errors, "kind", "Vui lòng chọn loại cơ quan.");
    }
    let address = optional(&mut errors, "address", &input.address, 300);
    let phone = office_phone(&mut errors, "phone", &input.phone);
    let email = optional_email(&mut errors, "email", &input.email);
    let office_hours = match input.office_hours.trim() {
        "" => None,
        text => match OfficeHours::parse(text) {
            Ok(h) => Some(h.format()),
            Err(m) => {
                push(&mut errors, "office_hours", m);
                None
            }
        },
    };
    let kind = kind.unwrap_or(AgencyKind::Department);
    // The same folded text the demo seed writes: communes also under their unit's name.
    row.search_text = match kind {
        AgencyKind::Commune => fold(&format!("{name} {short_name}")),
        _ => fold(&name),
    };
    *row = Agency {
        code,
        name,
        short_name,
        kind: kind.code().to_owned(),
        parent_id: Some(input.parent_id.trim().to_owned()).filter(|p| !p.is_empty()),
        address,
        phone,
        email,
        office_hours,
        ..row.clone()
    };
    errors
}

/// The checks that need the database: a unique identifier, a parent that exists and is not the
/// agency itself or one of its descendants.
fn check(conn: &mut DbConn, row: &Agency, errors: &mut Errors) -> Result<(), AppError> {
    if let Some(other) = Agency::find_by_code(conn, &row.code)?.filter(|o| o.id != row.id) {
        push(errors, "code", format!("Mã định danh {} đã được dùng cho {}.", row.code, other.name));
    }
    let mut next = row.parent_id.clone();
    for _ in 0..50 {
        let Some(id) = next else { return Ok(()) };
        if id == row.id {
            push(errors, "parent_id", "Cơ quan cấp trên không được là chính cơ quan này hoặc cơ quan trực thuộc nó.");
            return Ok(());
        }
        match Agency::find(conn, &id)? {
            Some(parent) => next = parent.parent_id,
            None => {
                push(errors, "parent_id", "Cơ quan cấp trên đã chọn không tồn tại.");
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Creates an agency.
pub async fn create(
    db: &Db,
    clock: &Clock,
    cache: &CatalogueCache,
    by: &str,
    input: AgencyInput,
) -> Result<Agency, AppError> {
    let mut row = Agency {
        id: new_id(),
        code: String::new(),
        name: String::new(),
        short_name: String::new(),
        kind: String::new(),
        parent_id: None,
        admin_unit_code: None,
        address: None,
        phone: None,
        email: None,
        position: 0,
        search_text: String::new(),
        office_hours: None,
    };
    let mut errors = parse(&input, &mut row);
    let account = parse_account(&input, &mut errors);
    let (clock, by) = (clock.clone(), by.to_owned());
    let agency = db
        .write(move |conn| {
            check(conn, &row, &mut errors)?;
            if !errors.is_empty() {
                return Err(AppError::Invalid(errors));
            }
            row.position = Agency::max_position(conn, &row.kind)?.map_or(0, |p| p.saturating_add(1));
            Agency::insert(conn, &row)?;
            FeeAccount::set(conn, &row.id, &account)?;
            let change = Change {
                by: Some(&by),
                action: "create",
                entity: "agency",
                entity_id: &row.id,
                before: None,
                after: Some(audit_json(&row, &account)),
            };
            audit::record(conn, &clock, change)?;
            Ok(row)
        })
        .await?;
    cache.invalidate();
    Ok(agency)
}

/// Edits the agency with identifier `code`.
pub async fn update(
    db: &Db,
    clock: &Clock,
    cache: &CatalogueCache,
    by: &str,
    code: &str,
    input: AgencyInput,
) -> Result<Agency, AppError> {
    let (clock, by, code) = (clock.clone(), by.to_owned(), code.to_owned());
    let agency = db
        .write(move |conn| {
            let (before, before_account) = find_with_account(conn, &code)?;
            let mut row = before.clone();
            let mut errors = parse(&input, &mut row);
            let account = parse_account(&input, &mut errors);
            check(conn, &row, &mut errors)?;
            if !errors.is_empty() {
                return Err(AppError::Invalid(errors));
            }
            if row != before {
                Agency::update(conn, &row)?;
            }
            if account != before_account {
                FeeAccount::set(conn, &row.id, &account)?;
            }
            if row != before || account != before_account {
                let change = Change {
                    by: Some(&by),
                    action: "update",
                    entity: "agency",
                    entity_id: &row.id,
                    before: Some(audit_json(&before, &before_account)),
                    after: Some(audit_json(&row, &account)),
                };
                audit::record(conn, &clock, change)?;
            }
            Ok(row)
        })
        .await?;
    cache.invalidate();
    Ok(agency)
}

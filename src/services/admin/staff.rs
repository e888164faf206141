//! Staff and roles: the list, creating an account (which e-mails an invitation to set the
//! password), editing agency, contacts, roles and whether the account is active, and re-sending
//! an invitation.

use super::audit::{self, Change};
use super::{Errors, Paged, Pairs, new_id, office_phone, offset, optional, push, search_words};
use crate::clock::Clock;
use crate::db::{Db, DbConn};
use crate::domain::citizen::{Email, parse_full_name};
use crate::domain::fold::fold;
use crate::error::AppError;
use crate::models::agency::Agency;
use crate::models::staff::{Staff, roles};
use crate::services::invitation;
use crate::signing::Signer;
use std::collections::{BTreeMap, HashMap};

/// Staff per page.
pub const PER_PAGE: i64 = 50;

/// The staff form as typed.
#[derive(Clone, Debug, Default)]
pub struct StaffInput {
    /// The agency's id.
    pub agency_id: String,
    /// Sign-in name (only when creating).
    pub username: String,
    /// Full name.
    pub full_name: String,
    /// Work e-mail.
    pub email: String,
    /// Work phone.
    pub phone: String,
    /// Position.
    pub position_title: String,
    /// Role codes ticked.
    pub roles: Vec<String>,
    /// Whether the account may sign in (editing only).
    pub active: bool,
}

impl StaffInput {
    /// Reads the submitted form.
    pub fn from_pairs(p: &Pairs) -> Self {
        StaffInput {
            agency_id: p.get("agency_id").to_owned(),
            username: p.get("username").to_owned(),
            full_name: p.get("full_name").to_owned(),
            email: p.get("email").to_owned(),
            phone: p.get("phone").to_owned(),
            position_title: p.get("position_title").to_owned(),
            roles: p.all("roles").into_iter().map(str::to_owned).collect(),
            active: p.get("active") == "yes",
        }
    }

    /// The form filled with a staff member's data.
    pub fn of(s: &Staff, held: &[String]) -> Self {
        StaffInput {
            agency_id: s.agency_id.clone(),
            username: s.username.clone(),
            full_name: s.full_name.clone(),
            email: s.email.clone(),
            phone: s.phone.clone().unwrap_or_default(),
            position_title: s.position_title.clone().unwrap_or_default(),
            roles: held.to_vec(),
            active: s.active,
        }
    }

    /// The single values by field name, to re-show the form.
    pub fn values(&self) -> BTreeMap<String, String> {
        [
            ("agency_id", &self.agency_id),
            ("username", &self.username),
            ("full_name", &self.full_name),
            ("email", &self.email),
            ("phone", &self.phone),
            ("position_title", &self.position_title),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect()
    }
}

/// One line of the staff list.
#[derive(Clone, Debug)]
pub struct StaffLine {
    /// The staff member.
    pub staff: Staff,
    /// Their agency's short name.
    pub agency: String,
    /// Their roles' Vietnamese names.
    pub roles: Vec<&'static str>,
}

/// A page of staff matching a search (accent-free name or user name) and an agency.
pub fn list(conn: &mut DbConn, q: &str, agency_code: &str, page: i64) -> Result<Paged<StaffLine>, AppError> {
    let agency = match agency_code.trim() {
        "" => None,
        code => Some(Agency::find_by_code(conn, code)?.ok_or(AppError::NotFound("cơ quan"))?),
    };
    let words = search_words(q);
    let (rows, total) =
        Staff::search(conn, &words, agency.as_ref().map(|a| a.id.as_str()), PER_PAGE, offset(page, PER_PAGE))?;
    let ids: Vec<String> = rows.iter().map(|s| s.id.clone()).collect();
    let mut held: HashMap<String, Vec<String>> = HashMap::new();
    for (id, role) in Staff::roles_of_many(conn, &ids)? {
        held.entry(id).or_default().push(role);
    }
    let agencies: HashMap<String, String> = Agency::all(conn)?.into_iter().map(|a| (a.id, a.short_name)).collect();
    let items = rows
        .into_iter()
        .map(|s| StaffLine {
            agency: agencies.get(&s.agency_id).cloned().unwrap_or_default(),
            roles: roles::ALL
                .iter()
                .filter(|r| held.get(&s.id).is_some_and(|h| h.iter().any(|x| x == *r)))
                .map(|r| roles::label(r))
                .collect(),
            staff: s,
        })
        .collect();
    Ok(Paged { items, total, page: page.max(1), per_page: PER_PAGE })
}

/// One staff member by user name, with their roles.
pub fn find(conn: &mut DbConn, username: &str) -> Result<(Staff, Vec<String>), AppError> {
    let staff = Staff::find_by_username(conn, username)?.ok_or(AppError::NotFound("cán bộ"))?;
    let held = Staff::roles(conn, &staff.id)?;
    Ok((staff, held))
}

/// Every agency, for the agency select (grouped by kind in the page).
pub fn agency_choices(conn: &mut DbConn) -> Result<Vec<Agency>, AppError> {
    Ok(Agency::all(conn)?)
}

/// What the audit log keeps of a staff member: never the password hash, only whether one is set.
fn audit_json(s: &Staff, held: &[String]) -> serde_json::Value {
    serde_json::json!({
        "username": s.username, "full_name": s.full_name, "agency_id": s.agency_id, "email": s.email,
        "phone": s.phone, "position_title": s.position_title, "roles": held, "active": s.active,
        "has_password": s.password_hash.is_some(),
    })
}

fn parse_username(errors: &mut Errors, input: &str) -> String {
    let u = input.trim().to_lowercase();
    let ok = (3..=40).contains(&u.chars().count())
        && u.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        && u.starts_with(|c: char| c.is_ascii_alphanumeric());
    if u.is_empty() {
        push(errors, "username", "Vui lòng nhập tên đăng nhập.");
    } else if !ok {
        push(
            errors,
            "username",
            "Tên đăng nhập gồm 3–40 ký tự: chữ thường không dấu, chữ số, dấu chấm, gạch dưới hoặc gạch ngang, \
             bắt đầu bằng chữ hoặc số (ví dụ xa1.motcua).",
        );
    }
    u
}

/// Fills `row` and returns the roles from the form; the username is read only when creating.
fn parse(input: &StaffInput, row: &mut Staff, creating: bool) -> (Vec<String>, Errors) {
    let mut errors = Errors::new();
    if input.agency_id.trim().is_empty() {
        push(&mut errors, "agency_id", "Vui lòng chọn cơ quan.");
    }
    if creating {
        row.username = parse_username(&mut errors, &input.username);
    }
    row.full_name =
        parse_full_name(&input.full_name).map_err(|m| push(&mut errors, "full_name", m)).unwrap_or_default();
    match Email::parse(&input.email) {
        Ok(e) => {
            row.email = e.as_str().to_owned();
            row.email_lc = row.email.to_lowercase();
        }
        Err(m) => push(&mut errors, "email", m),
    }
    row.phone = office_phone(&mut errors, "phone", &input.phone);
    row.position_title = optional(&mut errors, "position_title", &input.position_title, 100);
    row.agency_id = input.agency_id.trim().to_owned();
    row.search_text = fold(&format!("{} {}", row.full_name, row.username));
    let mut held: Vec<String> = Vec::new();
    for r in &input.roles {
        if !roles::ALL.contains(&r.as_str()) {
            push(&mut errors, "roles", "Vai trò đã chọn không hợp lệ.");
        } else if !held.contains(r) {
            held.push(r.clone());
        }
    }
    if held.is_empty() && !errors.iter().any(|(f, _)| f == "roles") {
        push(&mut errors, "roles", "Vui lòng chọn ít nhất một vai trò.");
    }
    held.sort_by_key(|r| roles::ALL.iter().position(|x| x == r));
    (held, errors)
}

/// The checks that need the database: the agency exists; user name and e-mail are free.
fn check(conn: &mut DbConn, row: &Staff, creating: bool, errors: &mut Errors) -> Result<Option<Agency>, AppError> {
    let agency = match row.agency_id.as_str() {
        "" => None,
        id => {
            let a = Agency::find(conn, id)?;
            if a.is_none() {
                push(errors, "agency_id", "Cơ quan đã chọn không tồn tại.");
            }
            a
        }
    };
    if creating && !row.username.is_empty() && Staff::find_by_username(conn, &row.username)?.is_some() {
        push(errors, "username", "Tên đăng nhập này đã được dùng. Vui lòng chọn tên khác.");
    }
    if !row.email_lc.is_empty() && Staff::email_taken(conn, &row.email_lc, &row.id)? {
        push(errors, "email", "Địa chỉ thư điện tử này đã được dùng cho một cán bộ khác.");
    }
    Ok(agency)
}

/// Where invitations send the staff member.
#[derive(Clone, Debug)]
pub struct LinkBase<'a> {
    /// Signs the link.
    pub signer: &'a Signer,
    /// The portal's public address.
    pub base_url: &'a str,
}

/// Creates a staff account without a password and, in the same transaction, queues the
/// invitation e-mail whose link sets it.
pub async fn create(
    db: &Db,
    clock: &Clock,
    link: LinkBase<'_>,
    by: &str,
    input: StaffInput,
) -> Result<Staff, AppError> {
    let now = clock.now_naive();
    let mut row = Staff {
        id: new_id(),
        agency_id: String::new(),
        username: String::new(),
        full_name: String::new(),
        email: String::new(),
        email_lc: String::new(),
        phone: None,
        position_title: None,
        password_hash: None,
        active: true,
        search_text: String::new(),
        created_at: now,
        updated_at: now,
    };
    let (held, mut errors) = parse(&input, &mut row, true);
    let (clock, by, signer, base_url) = (clock.clone(), by.to_owned(), link.signer.clone(), link.base_url.to_owned());
    db.write(move |conn| {
        let agency = check(conn, &row, true, &mut errors)?;
        let Some(agency) = agency.filter(|_| errors.is_empty()) else { return Err(AppError::Invalid(errors)) };
        Staff::insert(conn, &row)?;
        Staff::set_roles(conn, &row.id, &held)?;
        let change = Change {
            by: Some(&by),
            action: "create",
            entity: "staff",
            entity_id: &row.id,
            before: None,
            after: Some(audit_json(&row, &held)),
        };
        audit::record(conn, &clock, change)?;
        invitation::enqueue_invitation(conn, &clock, &signer, &base_url, &row, &agency.name)?;
        Ok(row)
    })
    .await
}

/// Edits the staff member `username`: agency, name, contacts, roles, active. Refused when it
/// would leave no active administrator. Disabling an account ends its sessions.
pub async fn update(db: &Db, clock: &Clock, by: &str, username: &str, input: StaffInput) -> Result<Staff, AppError> {
    let (clock, by, username) = (clock.clone(), by.to_owned(), username.to_owned());
    db.write(move |conn| {
        let (before, held_before) = find(conn, &username)?;
        let mut row = before.clone();
        let (held, mut errors) = parse(&input, &mut row, false);
        row.active = input.active;
        check(conn, &row, false, &mut errors)?;
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        if row == before && held == held_before {
            return Ok(row);
        }
        row.updated_at = clock.now_naive();
        Staff::update(conn, &row)?;
        Staff::set_roles(conn, &row.id, &held)?;
        if Staff::count_active_with_role(conn, roles::ADMIN)? == 0 {
            return Err(AppError::Invalid(vec![(
                "roles".into(),
                "Hệ thống phải luôn còn ít nhất một quản trị hệ thống đang hoạt động.".into(),
            )]));
        }
        if before.active && !row.active {
            Staff::end_sessions(conn, &row.id)?;
        }
        let change = Change {
            by: Some(&by),
            action: "update",
            entity: "staff",
            entity_id: &row.id,
            before: Some(audit_json(&before, &held_before)),
            after: Some(audit_json(&row, &held)),
        };
        audit::record(conn, &clock, change)?;
        Ok(row)
    })
    .await
}

/// Sends a new invitation (also the way a staff member who forgot their password gets a new
/// one): the link sets a new password. Refused for a disabled account.
pub async fn resend_invitation(
    db: &Db,
    clock: &Clock,
    link: LinkBase<'_>,
    by: &str,
    username: &str,
) -> Result<Staff, AppError> {
    let (clock, by, username) = (clock.clone(), by.to_owned(), username.to_owned());
    let (signer, base_url) = (link.signer.clone(), link.base_url.to_owned());
    db.write(move |conn| {
        let (staff, _) = find(conn, &username)?;
        if !staff.active {
            return Err(AppError::bad_request(
                "staff_inactive",
                "Tài khoản này đang bị khóa: hãy mở lại tài khoản trước khi gửi thư mời.",
            ));
        }
        let agency = Agency::find(conn, &staff.agency_id)?.ok_or(AppError::NotFound("cơ quan"))?;
        invitation::enqueue_invitation(conn, &clock, &signer, &base_url, &staff, &agency.name)?;
        let change = Change {
            by: Some(&by),
            action: "invite",
            entity: "staff",
            entity_id: &staff.id,
            before: None,
            after: Some(serde_json::json!({"username": staff.username, "email": staff.email})),
        };
        audit::record(conn, &clock, change)?;
        Ok(staff)
    })
    .await
}

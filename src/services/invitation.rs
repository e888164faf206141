//! Staff invitations: the signed link an administrator's new account (or a re-sent invitation)
//! e-mails, and setting the password from it. The link is bound to the staff member's current
//! password hash and e-mail, so it works once, and a link sent to a since-corrected address
//! stops working.

use super::admin::audit::{self, Change};
use crate::clock::Clock;
use crate::db::{Db, DbConn};
use crate::domain::password;
use crate::error::AppError;
use crate::integrations::mailer::{MailMessage, OutgoingMail, STAFF_INVITATION_VALID_HOURS};
use crate::jobs::{Job, enqueue};
use crate::models::staff::Staff;
use crate::services::accounts::hash_password;
use crate::signing::Signer;
use chrono::Duration;

const PURPOSE: &str = "staff_invitation";

fn binding(s: &Staff) -> String {
    let bound = format!("{}\u{1f}{}", s.password_hash.as_deref().unwrap_or_default(), s.email_lc);
    crate::files::sha256_hex(bound.as_bytes())[..32].to_owned()
}

/// The signed link of an invitation, valid [`STAFF_INVITATION_VALID_HOURS`] hours.
pub fn link(signer: &Signer, base_url: &str, staff: &Staff, clock: &Clock) -> String {
    let expires = (clock.now() + Duration::hours(i64::from(STAFF_INVITATION_VALID_HOURS))).timestamp();
    let sig = signer.sign(PURPOSE, &staff.id, expires, &binding(staff));
    format!("{base_url}/can-bo/kich-hoat?s={}&h={expires}&c={sig}", staff.id)
}

/// Queues the invitation e-mail, inside the caller's transaction.
pub fn enqueue_invitation(
    conn: &mut DbConn,
    clock: &Clock,
    signer: &Signer,
    base_url: &str,
    staff: &Staff,
    agency_name: &str,
) -> diesel::QueryResult<()> {
    let mail = OutgoingMail {
        to: staff.email.clone(),
        message: MailMessage::StaffInvitation {
            name: staff.full_name.clone(),
            username: staff.username.clone(),
            agency_name: agency_name.to_owned(),
            link: link(signer, base_url, staff, clock),
        },
    };
    enqueue(conn, clock, &Job::Email(mail), None)
}

/// A signed link as it arrives: `s` (staff id), `h` (expiry), `c` (signature).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct InvitationLink {
    /// The staff member's id.
    pub s: String,
    /// The expiry (Unix seconds), as typed.
    pub h: String,
    /// The signature.
    pub c: String,
}

fn invalid() -> AppError {
    AppError::bad_request(
        "invitation_invalid",
        "Liên kết đặt mật khẩu không hợp lệ, đã được dùng hoặc đã hết hạn. \
         Vui lòng liên hệ quản trị hệ thống để được gửi lại thư mời.",
    )
}

/// The active staff member a link is for, when it checks out.
pub fn check_link(conn: &mut DbConn, clock: &Clock, signer: &Signer, l: &InvitationLink) -> Result<Staff, AppError> {
    let expires: i64 = l.h.trim().parse().map_err(|_| invalid())?;
    let staff = Staff::find(conn, &l.s)?.filter(|s| s.active).ok_or_else(invalid)?;
    let ok = signer.verify(PURPOSE, &staff.id, expires, &binding(&staff), &l.c, clock.now().timestamp());
    if ok { Ok(staff) } else { Err(invalid()) }
}

/// Sets the password from an invitation link, ends the staff member's sessions and records it.
pub async fn accept(
    db: &Db,
    clock: &Clock,
    signer: &Signer,
    l: InvitationLink,
    new_password: &str,
    confirm: &str,
) -> Result<Staff, AppError> {
    let staff = {
        let (clock, signer, l) = (clock.clone(), signer.clone(), l.clone());
        db.run(move |conn| check_link(conn, &clock, &signer, &l)).await?
    };
    let local = staff.email_lc.split('@').next().unwrap_or_default().to_owned();
    let personal = [staff.username.as_str(), local.as_str(), staff.phone.as_deref().unwrap_or_default()];
    if let Err(m) = password::check(new_password, &personal) {
        return Err(AppError::Invalid(vec![("password".into(), m.into())]));
    }
    if new_password != confirm {
        return Err(AppError::Invalid(vec![("password_confirm".into(), "Mật khẩu nhập lại không khớp.".into())]));
    }
    let hash = hash_password(new_password)?;
    let (clock, signer) = (clock.clone(), signer.clone());
    db.write(move |conn| {
        // Checked again inside the transaction: two uses of one link cannot both succeed.
        let staff = check_link(conn, &clock, &signer, &l)?;
        let had = staff.password_hash.is_some();
        Staff::set_password(conn, &staff.id, &hash, clock.now_naive())?;
        Staff::end_sessions(conn, &staff.id)?;
        let change = Change {
            by: Some(&staff.id),
            action: "activate",
            entity: "staff",
            entity_id: &staff.id,
            before: Some(serde_json::json!({"username": staff.username, "has_password": had})),
            after: Some(serde_json::json!({"username": staff.username, "has_password": true})),
        };
        audit::record(conn, &clock, change)?;
        Ok(staff)
    })
    .await
}

//! Citizen and business accounts: registration, e-mail verification, sign-in with throttling,
//! sign-out, password reset, contact data.

use crate::clock::Clock;
use crate::db::{Db, DbConn};
use crate::domain::citizen::{CitizenId, Email, Phone, TaxCode, parse_full_name};
use crate::domain::fold::clean;
use crate::domain::password;
use crate::error::AppError;
use crate::integrations::mailer::{MailMessage, OutgoingMail};
use crate::jobs::{Job, enqueue};
use crate::models::session::{self, Session};
use crate::models::staff::Staff;
use crate::models::user::{ContactChanges, User};
use crate::signing::{Signer, random_token};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::Duration;
use serde::Deserialize;

/// Failed sign-ins for one account within [`THROTTLE_WINDOW`] before it is paused.
pub const MAX_ACCOUNT_FAILURES: i64 = 5;
/// Failed sign-ins from one address within [`THROTTLE_WINDOW`] before it is paused.
pub const MAX_IP_FAILURES: i64 = 20;
/// The throttling window.
pub const THROTTLE_WINDOW: Duration = Duration::minutes(15);
/// A session ends after this long without a request.
pub const SESSION_IDLE_TIMEOUT: Duration = Duration::hours(2);
/// A session ends this long after sign-in whatever happens.
pub const SESSION_ABSOLUTE_TIMEOUT: Duration = Duration::hours(12);
/// How long a verification link works.
pub const VERIFY_LINK_HOURS: i64 = crate::integrations::mailer::VERIFY_EMAIL_VALID_HOURS as i64;
/// How long a reset link works.
pub const RESET_LINK_MINUTES: i64 = 60 * crate::integrations::mailer::RESET_PASSWORD_VALID_HOURS as i64;

/// argon2id with the OWASP parameters (19 MiB, 2 passes, 1 lane).
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password (slow by design: call it outside any transaction).
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("argon2: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash of a random password, verified when the account does not exist so that the time a
/// failed sign-in takes does not reveal which addresses are registered.
fn dummy_hash() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&random_token()).unwrap_or_default()).clone()
}

/// The registration form as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct RegisterInput {
    /// `citizen` or `business`.
    pub kind: String,
    /// Full name.
    pub full_name: String,
    /// CCCD.
    pub citizen_id: String,
    /// Business name.
    pub business_name: String,
    /// Tax code.
    pub tax_code: String,
    /// Mobile.
    pub phone: String,
    /// E-mail.
    pub email: String,
    /// Password.
    pub password: String,
    /// Password again.
    pub password_confirm: String,
    /// Accepted the terms.
    pub agree: String,
}

struct Registration {
    kind: &'static str,
    full_name: String,
    citizen_id: CitizenId,
    business: Option<(String, TaxCode)>,
    phone: Phone,
    email: Email,
    password: String,
}

fn field(errors: &mut Vec<(String, String)>, name: &str, message: &str) {
    errors.push((name.to_owned(), message.to_owned()));
}

fn parse_registration(input: &RegisterInput, clock: &Clock) -> Result<Registration, AppError> {
    let mut errors = Vec::new();
    let kind = match input.kind.as_str() {
        "business" => "business",
        "citizen" | "" => "citizen",
        _ => {
            field(&mut errors, "kind", "Vui lòng chọn loại tài khoản.");
            "citizen"
        }
    };
    let full_name = parse_full_name(&input.full_name).map_err(|m| field(&mut errors, "full_name", m)).ok();
    let citizen_id = CitizenId::parse(&input.citizen_id, clock.now().date_naive())
        .map_err(|e| field(&mut errors, "citizen_id", e.message()))
        .ok();
    let business = if kind == "business" {
        let name = clean(&input.business_name);
        if name.is_empty() {
            field(&mut errors, "business_name", "Vui lòng nhập tên doanh nghiệp hoặc hộ kinh doanh.");
        } else if name.chars().count() > 200 {
            field(&mut errors, "business_name", "Tên doanh nghiệp dài tối đa 200 ký tự.");
        }
        let tax = TaxCode::parse(&input.tax_code).map_err(|m| field(&mut errors, "tax_code", m)).ok();
        tax.map(|t| (name, t))
    } else {
        None
    };
    let phone = Phone::parse(&input.phone).map_err(|m| field(&mut errors, "phone", m)).ok();
    let email = Email::parse(&input.email).map_err(|m| field(&mut errors, "email", m)).ok();
    let personal: Vec<&str> = [
        email.as_ref().and_then(|e| e.as_str().split('@').next()),
        phone.as_ref().map(Phone::as_str),
        citizen_id.as_ref().map(CitizenId::as_str),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Err(m) = password::check(&input.password, &personal) {
        field(&mut errors, "password", m);
    } else if input.password != input.password_confirm {
        field(&mut errors, "password_confirm", "Mật khẩu nhập lại không khớp.");
    }
    if input.agree != "yes" {
        field(&mut errors, "agree", "Vui lòng đồng ý với điều khoản sử dụng để đăng ký.");
    }
    match (full_name, citizen_id, phone, email) {
        (Some(full_name), Some(citizen_id), Some(phone), Some(email)) if errors.is_empty() => {
            Ok(Registration { kind, full_name, citizen_id, business, phone, email, password: input.password.clone() })
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

fn verify_link(signer: &Signer, base_url: &str, user: &User, clock: &Clock) -> String {
    let expires = (clock.now() + Duration::hours(VERIFY_LINK_HOURS)).timestamp();
    let sig = signer.sign("verify_email", &user.id, expires, &user.email_lc);
    format!("{base_url}/xac-nhan-email?u={}&h={expires}&c={sig}", user.id)
}

/// Registers an account and, in the same transaction, queues the verification e-mail.
pub async fn register(
    db: &Db,
    clock: &Clock,
    signer: &Signer,
    base_url: &str,
    input: RegisterInput,
) -> Result<User, AppError> {
    let reg = parse_registration(&input, clock)?;
    let hash = hash_password(&reg.password)?;
    let (clock, signer, base_url) = (clock.clone(), signer.clone(), base_url.to_owned());
    db.write(move |conn| {
        let mut errors = Vec::new();
        if User::find_by_email(conn, &reg.email.as_str().to_lowercase())?.is_some() {
            field(
                &mut errors,
                "email",
                "Địa chỉ thư điện tử này đã được đăng ký. Vui lòng đăng nhập hoặc dùng chức năng quên mật khẩu.",
            );
        }
        if User::citizen_id_taken(conn, reg.citizen_id.as_str())? {
            field(
                &mut errors,
                "citizen_id",
                "Số định danh cá nhân này đã có tài khoản. Vui lòng đăng nhập hoặc dùng chức năng quên mật khẩu.",
            );
        }
        if let Some((_, tax)) = &reg.business
            && User::tax_code_taken(conn, tax.as_str())?
        {
            field(&mut errors, "tax_code", "Mã số thuế này đã có tài khoản.");
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let now = clock.now_naive();
        let user = User {
            id: uuid::Uuid::now_v7().to_string(),
            kind: reg.kind.to_owned(),
            full_name: reg.full_name,
            citizen_id: reg.citizen_id.as_str().to_owned(),
            business_name: reg.business.as_ref().map(|(n, _)| n.clone()),
            tax_code: reg.business.as_ref().map(|(_, t)| t.as_str().to_owned()),
            phone: reg.phone.as_str().to_owned(),
            email: reg.email.as_str().to_owned(),
            email_lc: reg.email.as_str().to_lowercase(),
            address: None,
            password_hash: hash,
            email_verified_at: None,
            created_at: now,
            updated_at: now,
        };
        User::insert(conn, &user)?;
        let link = verify_link(&signer, &base_url, &user, &clock);
        let mail = OutgoingMail {
            to: user.email.clone(),
            message: MailMessage::VerifyEmail { name: user.full_name.clone(), link },
        };
        enqueue(conn, &clock, &Job::Email(mail), None)?;
        Ok(user)
    })
    .await
}

/// The user a signed link is for, when its signature, purpose, expiry and binding (a value
/// derived from the user that must not have changed since the link was made) all check out.
#[expect(clippy::too_many_arguments, reason = "the parts of a signed link")]
fn signed_user(
    conn: &mut DbConn,
    clock: &Clock,
    signer: &Signer,
    purpose: &str,
    binding: fn(&User) -> String,
    user_id: &str,
    expires: i64,
    sig: &str,
) -> Result<Option<User>, AppError> {
    let Some(user) = User::find(conn, user_id)? else { return Ok(None) };
    let valid = signer.verify(purpose, &user.id, expires, &binding(&user), sig, clock.now().timestamp());
    Ok(valid.then_some(user))
}

/// Confirms an e-mail address from a signed link.
pub async fn verify_email(
    db: &Db,
    clock: &Clock,
    signer: &Signer,
    user_id: &str,
    expires: i64,
    sig: &str,
) -> Result<User, AppError> {
    let invalid = || {
        AppError::bad_request(
            "link_invalid",
            "Liên kết xác nhận không hợp lệ hoặc đã hết hạn. Vui lòng đăng nhập để nhận liên kết mới.",
        )
    };
    let (user_id, sig, clock, signer) = (user_id.to_owned(), sig.to_owned(), clock.clone(), signer.clone());
    db.write(move |conn| {
        let user = signed_user(conn, &clock, &signer, "verify_email", |u| u.email_lc.clone(), &user_id, expires, &sig)?
            .ok_or_else(invalid)?;
        if user.email_verified_at.is_none() {
            User::set_verified(conn, &user.id, clock.now_naive())?;
        }
        Ok(user)
    })
    .await
}

/// Sends a new verification link.
pub async fn resend_verification(
    db: &Db,
    clock: &Clock,
    signer: &Signer,
    base_url: &str,
    user: &User,
) -> Result<(), AppError> {
    if user.email_verified_at.is_some() {
        return Ok(());
    }
    let (user, clock, signer, base_url) = (user.clone(), clock.clone(), signer.clone(), base_url.to_owned());
    db.write(move |conn| {
        let link = verify_link(&signer, &base_url, &user, &clock);
        let mail = OutgoingMail {
            to: user.email.clone(),
            message: MailMessage::VerifyEmail { name: user.full_name.clone(), link },
        };
        Ok(enqueue(conn, &clock, &Job::Email(mail), None)?)
    })
    .await
}

fn account_key(email_lc: &str) -> String {
    format!("account:{}", &crate::files::sha256_hex(email_lc.as_bytes())[..32])
}

fn ip_key(ip: &str) -> String {
    format!("ip:{ip}")
}

/// A session just created.
#[derive(Debug)]
pub struct NewSession {
    /// The cookie value.
    pub token: String,
    /// Who signed in.
    pub account: Account,
}

/// Who may sign in: a citizen or business on the public pages, a staff member on `/can-bo`.
#[derive(Clone, Debug)]
pub enum Account {
    /// A citizen or business.
    Citizen(User),
    /// A staff member (with a password set and active).
    Staff(Staff),
}

impl Account {
    /// The id, for logs.
    pub fn id(&self) -> &str {
        match self {
            Account::Citizen(u) => &u.id,
            Account::Staff(s) => &s.id,
        }
    }

    fn password_hash(&self) -> Option<String> {
        match self {
            Account::Citizen(u) => Some(u.password_hash.clone()),
            Account::Staff(s) => s.password_hash.clone().filter(|_| s.active),
        }
    }
}

/// Which sign-in page is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// `/dang-nhap`: by e-mail.
    Citizen,
    /// `/can-bo/dang-nhap`: by user name or e-mail.
    Staff,
}

/// Signs in with a login (e-mail, or a staff user name) and password. Throttled per account and
/// per client address; the old session (if any) is ended and a new one created, so a session id
/// never survives sign-in.
pub async fn login(
    db: &Db,
    clock: &Clock,
    audience: Audience,
    login: &str,
    password: &str,
    ip: &str,
    old_session: Option<String>,
) -> Result<NewSession, AppError> {
    let login_lc = login.trim().to_lowercase();
    let prefix = match audience {
        Audience::Citizen => "",
        Audience::Staff => "staff:",
    };
    let (akey, ikey) = (account_key(&format!("{prefix}{login_lc}")), ip_key(ip));
    let since = clock.now_naive() - THROTTLE_WINDOW;
    let (account, account_failures, ip_failures) = {
        let (akey, ikey, login_lc) = (akey.clone(), ikey.clone(), login_lc.clone());
        db.run(move |conn| {
            let account = match audience {
                Audience::Citizen => User::find_by_email(conn, &login_lc)?.map(Account::Citizen),
                Audience::Staff => Staff::find_by_login(conn, &login_lc)?.map(Account::Staff),
            };
            Ok((account, session::failures_since(conn, &akey, since)?, session::failures_since(conn, &ikey, since)?))
        })
        .await?
    };
    let field = match audience {
        Audience::Citizen => "email",
        Audience::Staff => "login",
    };
    if ip_failures >= MAX_IP_FAILURES {
        return Err(AppError::Invalid(vec![(
            field.into(),
            "Có quá nhiều lần đăng nhập sai từ thiết bị hoặc mạng này. Vui lòng thử lại sau 15 phút.".into(),
        )]));
    }
    if account_failures >= MAX_ACCOUNT_FAILURES {
        return Err(AppError::Invalid(vec![(
            field.into(),
            "Tài khoản tạm thời bị khóa đăng nhập do nhập sai mật khẩu nhiều lần. Vui lòng thử lại sau 15 phút hoặc dùng chức năng quên mật khẩu.".into(),
        )]));
    }
    let known = account.as_ref().and_then(Account::password_hash);
    let usable = known.is_some();
    let pw = password.to_owned();
    let ok = actix_web::web::block(move || verify_password(&pw, &known.unwrap_or_else(dummy_hash))).await? && usable;
    let clock = clock.clone();
    match account.filter(|_| ok) {
        None => {
            let now = clock.now_naive();
            db.write(move |conn| {
                session::record_failure(conn, &akey, now)?;
                Ok(session::record_failure(conn, &ikey, now)?)
            })
            .await?;
            let message = match audience {
                Audience::Citizen => "Địa chỉ thư điện tử hoặc mật khẩu không đúng.",
                Audience::Staff => "Tên đăng nhập hoặc mật khẩu không đúng.",
            };
            Err(AppError::Invalid(vec![(field.into(), message.into())]))
        }
        Some(account) => {
            let token = random_token();
            let id = crate::files::sha256_hex(token.as_bytes());
            let now = clock.now_naive();
            let (user_id, staff_id) = match &account {
                Account::Citizen(u) => (Some(u.id.clone()), None),
                Account::Staff(s) => (None, Some(s.id.clone())),
            };
            let row = Session {
                id,
                user_id,
                staff_id,
                csrf_token: random_token(),
                created_at: now,
                last_seen_at: now,
                expires_at: now + SESSION_ABSOLUTE_TIMEOUT,
            };
            db.write(move |conn| {
                if let Some(old) = old_session {
                    Session::delete(conn, &crate::files::sha256_hex(old.as_bytes()))?;
                }
                session::clear_failures(conn, &akey)?;
                Session::insert(conn, &row)?;
                Ok(())
            })
            .await?;
            Ok(NewSession { token, account })
        }
    }
}

/// Ends a session.
pub async fn logout(db: &Db, session_id: &str) -> Result<(), AppError> {
    let id = session_id.to_owned();
    db.write(move |conn| Ok(Session::delete(conn, &id).map(|_| ())?)).await
}

fn reset_binding(user: &User) -> String {
    crate::files::sha256_hex(user.password_hash.as_bytes())[..32].to_owned()
}

/// Queues a password-reset link if the address has an account; says nothing either way.
pub async fn request_reset(
    db: &Db,
    clock: &Clock,
    signer: &Signer,
    base_url: &str,
    email: &str,
) -> Result<(), AppError> {
    let email_lc = email.trim().to_lowercase();
    let (clock, signer, base_url) = (clock.clone(), signer.clone(), base_url.to_owned());
    db.write(move |conn| {
        let Some(user) = User::find_by_email(conn, &email_lc)? else { return Ok(()) };
        let expires = (clock.now() + Duration::minutes(RESET_LINK_MINUTES)).timestamp();
        let sig = signer.sign("reset_password", &user.id, expires, &reset_binding(&user));
        let link = format!("{base_url}/quen-mat-khau/dat-lai?u={}&h={expires}&c={sig}", user.id);
        let mail = OutgoingMail {
            to: user.email.clone(),
            message: MailMessage::ResetPassword { name: user.full_name.clone(), link },
        };
        Ok(enqueue(conn, &clock, &Job::Email(mail), None)?)
    })
    .await
}

/// Checks a reset link; returns the user it is for.
pub fn check_reset_link(
    conn: &mut DbConn,
    clock: &Clock,
    signer: &Signer,
    user_id: &str,
    expires: i64,
    sig: &str,
) -> Result<User, AppError> {
    let invalid = || {
        AppError::bad_request(
            "link_invalid",
            "Liên kết đặt lại mật khẩu không hợp lệ, đã được dùng hoặc đã hết hạn. Vui lòng yêu cầu liên kết mới.",
        )
    };
    signed_user(conn, clock, signer, "reset_password", reset_binding, user_id, expires, sig)?.ok_or_else(invalid)
}

/// Sets a new password from a reset link; ends every session of the user and forgets their
/// failed sign-ins. The link stops working because the password hash it is bound to changed.
pub async fn reset_password(
    db: &Db,
    clock: &Clock,
    signer: &Signer,
    link: (String, i64, String),
    password: &str,
    confirm: &str,
) -> Result<User, AppError> {
    let (user_id, expires, sig) = link;
    let user = {
        let (clock, signer, user_id, sig) = (clock.clone(), signer.clone(), user_id.clone(), sig.clone());
        db.run(move |conn| check_reset_link(conn, &clock, &signer, &user_id, expires, &sig)).await?
    };
    let local = user.email_lc.split('@').next().unwrap_or_default().to_owned();
    if let Err(m) = password::check(password, &[&local, &user.phone, &user.citizen_id]) {
        return Err(AppError::Invalid(vec![("password".into(), m.into())]));
    }
    if password != confirm {
        return Err(AppError::Invalid(vec![("password_confirm".into(), "Mật khẩu nhập lại không khớp.".into())]));
    }
    let hash = hash_password(password)?;
    let (clock, signer) = (clock.clone(), signer.clone());
    db.write(move |conn| {
        // Checked again inside the transaction: two uses of one link cannot both succeed.
        let user = check_reset_link(conn, &clock, &signer, &user_id, expires, &sig)?;
        User::set_password(conn, &user.id, &hash, clock.now_naive())?;
        Session::delete_for_user(conn, &user.id)?;
        session::clear_failures(conn, &account_key(&user.email_lc))?;
        Ok(user)
    })
    .await
}

/// The profile form.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileInput {
    /// Mobile.
    pub phone: String,
    /// Address.
    pub address: String,
}

/// Updates a user's contact data.
pub async fn update_profile(db: &Db, clock: &Clock, user_id: &str, input: &ProfileInput) -> Result<(), AppError> {
    let mut errors = Vec::new();
    let phone = Phone::parse(&input.phone).map_err(|m| field(&mut errors, "phone", m)).ok();
    let address = clean(&input.address);
    if address.chars().count() > 300 {
        field(&mut errors, "address", "Địa chỉ dài tối đa 300 ký tự.");
    }
    let Some(phone) = phone.filter(|_| errors.is_empty()) else { return Err(AppError::Invalid(errors)) };
    let changes = ContactChanges {
        phone: phone.as_str().to_owned(),
        address: Some(address).filter(|a| !a.is_empty()),
        updated_at: clock.now_naive(),
    };
    let id = user_id.to_owned();
    db.write(move |conn| Ok(User::update_contact(conn, &id, &changes).map(|_| ())?)).await
}

//! Who is asking: the session cookie, the anonymous CSRF cookie, and the extractors that put
//! authorization in handler signatures (`Viewer` for any page, `Citizen` where sign-in is needed).

use super::state::AppState;
use crate::error::AppError;
use crate::models::agency::Agency;
use crate::models::session::Session;
use crate::models::staff::{Staff, roles};
use crate::models::user::User;
use crate::services::accounts::SESSION_IDLE_TIMEOUT;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, web};
use chrono::Duration;
use std::future::Future;
use std::pin::Pin;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "dvc_session";
/// Name of the anonymous CSRF cookie (forms shown before sign-in).
pub const CSRF_COOKIE: &str = "dvc_csrf";

/// A signed-in user and their session.
#[derive(Clone, Debug)]
pub struct SessionUser {
    /// The user.
    pub user: User,
    /// SHA-256 of the session token.
    pub session_id: String,
    /// The session's CSRF token.
    pub csrf: String,
}

/// A signed-in staff member, their roles and agency.
#[derive(Clone, Debug)]
pub struct SessionStaff {
    /// The staff member.
    pub staff: Staff,
    /// Their roles (`mot_cua`, `chuyen_vien`, `lanh_dao`, `quan_tri`).
    pub roles: Vec<String>,
    /// Their agency.
    pub agency: Agency,
    /// SHA-256 of the session token.
    pub session_id: String,
    /// The session's CSRF token.
    pub csrf: String,
}

impl SessionStaff {
    /// Whether they hold `role`.
    pub fn has(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    /// Whether they may act on dossiers (one-stop, specialist or leader).
    pub fn is_officer(&self) -> bool {
        self.has(roles::ONE_STOP) || self.has(roles::SPECIALIST) || self.has(roles::LEADER)
    }
}

/// Whoever is asking, signed in or not, and the CSRF token their forms must carry.
#[derive(Clone, Debug)]
pub struct Viewer {
    /// The signed-in user, if the session is valid.
    pub user: Option<SessionUser>,
    /// The signed-in staff member, if the session is a staff one.
    pub staff: Option<SessionStaff>,
    /// The token forms must carry: the session's, or the anonymous cookie's.
    pub csrf: String,
    /// A session that has expired: a form filled before it expired still proves it came from
    /// this browser and whose it is (used to keep the citizen's work).
    pub stale: Option<StaleSession>,
}

/// What is still known of an expired session.
#[derive(Clone, Debug)]
pub struct StaleSession {
    /// Its CSRF token.
    pub csrf: String,
    /// Its user.
    pub user_id: String,
}

impl Viewer {
    /// The viewer of a signed-in user.
    pub fn of(user: &SessionUser) -> Viewer {
        Viewer { user: Some(user.clone()), staff: None, csrf: user.csrf.clone(), stale: None }
    }

    /// The viewer of a signed-in staff member.
    pub fn of_staff(staff: &SessionStaff) -> Viewer {
        Viewer { user: None, staff: Some(staff.clone()), csrf: staff.csrf.clone(), stale: None }
    }
}

/// The anonymous CSRF token made for this request, when the browser had none yet.
#[derive(Clone, Debug)]
pub struct FreshCsrf(pub String);

/// The cookie carrying a session token.
pub fn session_cookie(token: &str, secure: bool) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, token.to_owned())
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .finish()
}

/// The cookie that removes the session token.
pub fn clear_session_cookie(secure: bool) -> Cookie<'static> {
    let mut c = session_cookie("", secure);
    c.make_removal();
    c
}

/// The redirect to `to` that sets the cookie of a session just created (after sign-in).
pub fn signed_in(to: &str, token: &str, secure: bool) -> Result<HttpResponse, AppError> {
    let mut res = crate::web::render::see_other(to);
    res.add_cookie(&session_cookie(token, secure)).map_err(|e| AppError::Internal(anyhow::anyhow!("cookie: {e}")))?;
    Ok(res)
}

/// Ends the viewer's session (citizen's or staff's), if any, and redirects to `to` removing the
/// cookie.
pub async fn sign_out(state: &AppState, viewer: &Viewer, to: &str) -> Result<HttpResponse, AppError> {
    let session = viewer.user.as_ref().map(|u| &u.session_id).or(viewer.staff.as_ref().map(|s| &s.session_id));
    if let Some(id) = session {
        crate::services::accounts::logout(&state.db, id).await?;
    }
    let mut res = crate::web::render::see_other(to);
    res.add_cookie(&clear_session_cookie(state.config.secure_cookies))
        .map_err(|e| AppError::Internal(anyhow::anyhow!("cookie: {e}")))?;
    Ok(res)
}

/// The anonymous CSRF cookie.
pub fn csrf_cookie(token: &str, secure: bool) -> Cookie<'static> {
    Cookie::build(CSRF_COOKIE, token.to_owned())
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .finish()
}

fn anonymous_csrf(req: &HttpRequest) -> String {
    req.cookie(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 64)
        .or_else(|| req.extensions().get::<FreshCsrf>().map(|f| f.0.clone()))
        .unwrap_or_default()
}

/// Loads the viewer of a request (one query when a session cookie is present, none otherwise).
pub async fn load_viewer(req: &HttpRequest) -> Result<Viewer, AppError> {
    let anon = anonymous_csrf(req);
    let Some(token) = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned()).filter(|t| t.len() == 64) else {
        return Ok(Viewer { user: None, staff: None, csrf: anon, stale: None });
    };
    let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| AppError::Internal(anyhow::anyhow!("no state")))?;
    let now = state.clock.now_naive();
    let id = crate::files::sha256_hex(token.as_bytes());
    let found = state
        .db
        .run(move |conn| {
            let Some(session) = Session::find(conn, &id)? else { return Ok(None) };
            let valid = now < session.expires_at && now - session.last_seen_at < SESSION_IDLE_TIMEOUT;
            if !valid {
                return Ok(Some((session, None)));
            }
            let who = match (&session.user_id, &session.staff_id) {
                (Some(user_id), _) => User::find(conn, user_id)?.map(|u| Signed::Citizen(Box::new(u))),
                (None, Some(staff_id)) => match Staff::find(conn, staff_id)?.filter(|s| s.active) {
                    Some(staff) => {
                        let roles = Staff::roles(conn, &staff.id)?;
                        Agency::find(conn, &staff.agency_id)?
                            .map(|agency| Signed::Staff(Box::new((staff, roles, agency))))
                    }
                    None => None,
                },
                (None, None) => None,
            };
            if who.is_some() && now - session.last_seen_at > Duration::minutes(5) {
                Session::touch(conn, &session.id, now)?;
            }
            Ok(Some((session, who)))
        })
        .await?;
    Ok(match found {
        Some((session, Some(Signed::Citizen(user)))) => Viewer {
            user: Some(SessionUser { user: *user, session_id: session.id.clone(), csrf: session.csrf_token.clone() }),
            csrf: session.csrf_token.clone(),
            staff: None,
            stale: None,
        },
        Some((session, Some(Signed::Staff(signed)))) => {
            let (staff, roles, agency) = *signed;
            Viewer {
                csrf: session.csrf_token.clone(),
                user: None,
                staff: Some(SessionStaff { staff, roles, agency, session_id: session.id, csrf: session.csrf_token }),
                stale: None,
            }
        }
        Some((session, None)) => Viewer {
            user: None,
            staff: None,
            csrf: anon,
            stale: session
                .user_id
                .or(session.staff_id)
                .map(|user_id| StaleSession { csrf: session.csrf_token, user_id }),
        },
        None => Viewer { user: None, staff: None, csrf: anon, stale: None },
    })
}

enum Signed {
    Citizen(Box<User>),
    Staff(Box<(Staff, Vec<String>, Agency)>),
}

impl FromRequest for Viewer {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            if let Some(v) = req.extensions().get::<Viewer>() {
                return Ok(v.clone());
            }
            let v = load_viewer(&req).await?;
            req.extensions_mut().insert(v.clone());
            Ok(v)
        })
    }
}

/// A signed-in citizen or business; anyone else is sent to the sign-in page and back.
#[derive(Clone, Debug)]
pub struct Citizen(pub SessionUser);

impl FromRequest for Citizen {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let viewer = Viewer::from_request(req, payload);
        let next = next_of(req);
        Box::pin(async move {
            match viewer.await?.user {
                Some(u) => Ok(Citizen(u)),
                None => Err(AppError::LoginRequired { next }),
            }
        })
    }
}

fn next_of(req: &HttpRequest) -> String {
    match req.method() {
        &actix_web::http::Method::GET => match req.query_string() {
            "" => req.path().to_owned(),
            q => format!("{}?{q}", req.path()),
        },
        _ => req.path().to_owned(),
    }
}

/// A signed-in staff member passing `allowed`; not signed in → the staff sign-in page and back;
/// signed in without the role → 403.
fn staff_with(
    req: &HttpRequest,
    payload: &mut Payload,
    allowed: fn(&SessionStaff) -> bool,
) -> Pin<Box<dyn Future<Output = Result<SessionStaff, AppError>>>> {
    let viewer = Viewer::from_request(req, payload);
    let next = next_of(req);
    Box::pin(async move {
        match viewer.await?.staff {
            Some(s) if allowed(&s) => Ok(s),
            Some(_) => Err(AppError::Forbidden),
            None => Err(AppError::LoginRequired { next }),
        }
    })
}

/// A staff member who works on dossiers: one-stop officer, specialist or leader.
#[derive(Clone, Debug)]
pub struct Officer(pub SessionStaff);

impl FromRequest for Officer {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let f = staff_with(req, payload, SessionStaff::is_officer);
        Box::pin(async move { f.await.map(Officer) })
    }
}

/// A leader.
#[derive(Clone, Debug)]
pub struct Leader(pub SessionStaff);

impl FromRequest for Leader {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let f = staff_with(req, payload, |s| s.has(roles::LEADER));
        Box::pin(async move { f.await.map(Leader) })
    }
}

/// An administrator.
#[derive(Clone, Debug)]
pub struct Admin(pub SessionStaff);

impl FromRequest for Admin {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let f = staff_with(req, payload, |s| s.has(roles::ADMIN));
        Box::pin(async move { f.await.map(Admin) })
    }
}

/// A finance officer (reconciliation of online payments).
#[derive(Clone, Debug)]
pub struct Finance(pub SessionStaff);

impl FromRequest for Finance {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let f = staff_with(req, payload, |s| s.has(roles::FINANCE));
        Box::pin(async move { f.await.map(Finance) })
    }
}

/// Any signed-in staff member (their own pages: sign-out, password).
#[derive(Clone, Debug)]
pub struct AnyStaff(pub SessionStaff);

impl FromRequest for AnyStaff {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let f = staff_with(req, payload, |_| true);
        Box::pin(async move { f.await.map(AnyStaff) })
    }
}

//! Who is asking: the session cookie, the anonymous CSRF cookie, and the extractors that put
//! authorization in handler signatures (`Viewer` for any page, `Citizen` where sign-in is needed).

use super::state::AppState;
use crate::error::AppError;
use crate::models::session::Session;
use crate::models::user::User;
use crate::services::accounts::SESSION_IDLE_TIMEOUT;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
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

/// Whoever is asking, signed in or not, and the CSRF token their forms must carry.
#[derive(Clone, Debug)]
pub struct Viewer {
    /// The signed-in user, if the session is valid.
    pub user: Option<SessionUser>,
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
        Viewer { user: Some(user.clone()), csrf: user.csrf.clone(), stale: None }
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
        return Ok(Viewer { user: None, csrf: anon, stale: None });
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
            let user = User::find(conn, &session.user_id)?;
            if user.is_some() && now - session.last_seen_at > Duration::minutes(5) {
                Session::touch(conn, &session.id, now)?;
            }
            Ok(Some((session, user)))
        })
        .await?;
    Ok(match found {
        Some((session, Some(user))) => Viewer {
            csrf: session.csrf_token.clone(),
            user: Some(SessionUser { user, session_id: session.id, csrf: session.csrf_token }),
            stale: None,
        },
        Some((session, None)) => Viewer {
            user: None,
            csrf: anon,
            stale: Some(StaleSession { csrf: session.csrf_token, user_id: session.user_id }),
        },
        None => Viewer { user: None, csrf: anon, stale: None },
    })
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
        let next = match req.method() {
            &actix_web::http::Method::GET => match req.query_string() {
                "" => req.path().to_owned(),
                q => format!("{}?{q}", req.path()),
            },
            _ => req.path().to_owned(),
        };
        Box::pin(async move {
            match viewer.await?.user {
                Some(u) => Ok(Citizen(u)),
                None => Err(AppError::LoginRequired { next }),
            }
        })
    }
}

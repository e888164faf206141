//! The client of the national public-service portal (Cổng DVC quốc gia) for dossier sync
//! ([`wire`]): a login that yields a session token, then `DongBoHoSoMC`,
//! `CapNhatTienDoHoSoMC` and `TraCuuHoSo` calls carrying it. The token is kept and shared by
//! the worker's calls; when the portal says it expired, the client logs in again once and
//! repeats the call.
//!
//! Blocking: call it from a worker thread, never on an async runtime's thread and never inside
//! a database transaction. Every failure is sorted for the outbox ([`PortalError::is_permanent`]):
//! a payload the portal refuses is permanent (dead letter); anything else is retried.

pub mod wire;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Where the portal is and how we sign in.
#[derive(Clone)]
pub struct PortalConfig {
    /// Base URL; the endpoints are `/auth` and `/integration`.
    pub url: String,
    /// The account the portal issued to the province.
    pub username: String,
    /// Its password.
    pub password: String,
    /// How long one call may take.
    pub timeout: Duration,
}

impl std::fmt::Debug for PortalConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PortalConfig").field("url", &self.url).field("username", &self.username).finish()
    }
}

/// Why a call did not succeed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PortalError {
    /// Not reachable, timed out, reset, or an HTTP error status: try again later.
    #[error("national portal unavailable: {0}")]
    Unavailable(String),
    /// An answer that is not the portal's JSON (an HTML page, garbage, a cut body): try again
    /// later, it is most likely a proxy in between.
    #[error("national portal answer unreadable: {0}")]
    Garbled(String),
    /// The login was refused: the account or password is wrong (retried: an administrator may
    /// fix the configuration, and nothing is lost meanwhile).
    #[error("national portal refused the login: {0}")]
    LoginRefused(String),
    /// The portal refused the payload: sending it again cannot help.
    #[error("national portal refused the data ({code}): {message}")]
    Invalid {
        /// `error_code`.
        code: String,
        /// The portal's message.
        message: String,
    },
    /// Create of a dossier the portal already holds.
    #[error("the national portal already holds the dossier")]
    AlreadyExists,
    /// Update or progress of a dossier the portal does not hold.
    #[error("the national portal does not hold the dossier")]
    NotFound,
    /// Any other error code (the portal failed inside): try again later.
    #[error("national portal error {code}: {message}")]
    Failed {
        /// `error_code`.
        code: String,
        /// The portal's message.
        message: String,
    },
}

impl PortalError {
    /// Whether retrying the same payload cannot succeed (the outbox row goes to dead letter).
    pub fn is_permanent(&self) -> bool {
        matches!(self, PortalError::Invalid { .. })
    }
}

/// The portal client. Cheap to clone: clones share the session token and the HTTP connection
/// pool, which is made on first use on the calling (blocking) thread.
#[derive(Clone)]
pub struct Portal {
    config: PortalConfig,
    agency: String,
    shared: Arc<Mutex<SharedState>>,
}

#[derive(Default)]
struct SharedState {
    token: Option<String>,
    http: Option<reqwest::blocking::Client>,
    logins: u64,
}

impl std::fmt::Debug for Portal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Portal").field("config", &self.config).finish()
    }
}

/// What the portal holds of one dossier, for `TraCuuHoSo`.
pub type Holding = serde_json::Value;

impl Portal {
    /// A client for `config`, speaking for `agency` (the province's identifier, `madonvi`).
    pub fn new(config: PortalConfig, agency: &str) -> Portal {
        Portal { config, agency: agency.to_owned(), shared: Arc::new(Mutex::new(SharedState::default())) }
    }

    /// How many logins this client (and its clones) made.
    pub fn logins(&self) -> u64 {
        self.state().logins
    }

    fn state(&self) -> std::sync::MutexGuard<'_, SharedState> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn http(&self) -> Result<reqwest::blocking::Client, PortalError> {
        let existing = self.state().http.clone();
        if let Some(http) = existing {
            return Ok(http);
        }
        let http = reqwest::blocking::Client::builder()
            .timeout(self.config.timeout)
            .connect_timeout(self.config.timeout.min(Duration::from_secs(5)))
            .pool_max_idle_per_host(4)
            .build()
            .map_err(|e| PortalError::Unavailable(format!("client: {e}")))?;
        self.state().http = Some(http.clone());
        Ok(http)
    }

    fn post<T: serde::de::DeserializeOwned>(&self, path: &str, body: &impl serde::Serialize) -> Result<T, PortalError> {
        let url = format!("{}{path}", self.config.url.trim_end_matches('/'));
        let res = self.http()?.post(&url).json(body).send().map_err(|e| PortalError::Unavailable(transport(&e)))?;
        let status = res.status().as_u16();
        let bytes = res.bytes().map_err(|e| {
            PortalError::Unavailable(if e.is_timeout() {
                "timeout".into()
            } else {
                "connection cut in the body".into()
            })
        })?;
        if !(200..300).contains(&status) {
            return Err(PortalError::Unavailable(format!("HTTP {status}")));
        }
        serde_json::from_slice(&bytes).map_err(|_| PortalError::Garbled(describe_body(&bytes)))
    }

    fn login(&self) -> Result<String, PortalError> {
        let answer: wire::LoginAnswer = self.post(
            "/auth",
            &wire::Login { username: self.config.username.clone(), password: self.config.password.clone() },
        )?;
        if answer.error_code != wire::OK && answer.error_code != "0" {
            return Err(PortalError::LoginRefused(format!("{} {}", answer.error_code, answer.message)));
        }
        if answer.session.is_empty() {
            return Err(PortalError::Garbled("login answer without a session".into()));
        }
        let mut state = self.state();
        state.token = Some(answer.session.clone());
        state.logins += 1;
        tracing::info!("national portal: logged in");
        Ok(answer.session)
    }

    fn token(&self) -> Result<String, PortalError> {
        // Bound first: the lock must not be held across the login.
        let token = self.state().token.clone();
        match token {
            Some(token) => Ok(token),
            None => self.login(),
        }
    }

    /// Sends one call; on an expired session, logs in again once and repeats it.
    fn call(&self, mut envelope: wire::Envelope) -> Result<wire::Answer, PortalError> {
        envelope.madonvi = self.agency.clone();
        for attempt in 0..2 {
            envelope.session = self.token()?;
            let answer: wire::Answer = self.post("/integration", &envelope)?;
            match answer.error_code.as_str() {
                wire::OK | "0" => return Ok(answer),
                wire::SESSION_EXPIRED if attempt == 0 => {
                    // Forget it only if nobody replaced it meanwhile.
                    let mut state = self.state();
                    if state.token.as_deref() == Some(envelope.session.as_str()) {
                        state.token = None;
                    }
                }
                wire::INVALID => return Err(PortalError::Invalid { code: answer.error_code, message: answer.message }),
                wire::ALREADY_EXISTS => return Err(PortalError::AlreadyExists),
                wire::NOT_FOUND => return Err(PortalError::NotFound),
                _ => return Err(PortalError::Failed { code: answer.error_code, message: answer.message }),
            }
        }
        Err(PortalError::Failed { code: wire::SESSION_EXPIRED.into(), message: "session expired twice".into() })
    }

    /// `DongBoHoSoMC`: creates the dossier, or updates it when `updating`.
    pub fn sync_dossier(&self, item: &wire::DossierItem, updating: bool, key: &str) -> Result<(), PortalError> {
        self.call(wire::Envelope {
            session: String::new(),
            madonvi: String::new(),
            service: wire::SYNC_DOSSIER.into(),
            is_updating: Some(if updating { "True" } else { "False" }.into()),
            mahoso: None,
            request_id: Some(key.to_owned()),
            data: serde_json::to_value([item]).map_err(|e| PortalError::Garbled(e.to_string()))?,
        })
        .map(drop)
    }

    /// `CapNhatTienDoHoSoMC`: appends progress entries, oldest first.
    pub fn push_progress(&self, items: &[wire::ProgressItem], key: &str) -> Result<(), PortalError> {
        self.call(wire::Envelope {
            session: String::new(),
            madonvi: String::new(),
            service: wire::PUSH_PROGRESS.into(),
            is_updating: None,
            mahoso: None,
            request_id: Some(key.to_owned()),
            data: serde_json::to_value(items).map_err(|e| PortalError::Garbled(e.to_string()))?,
        })
        .map(drop)
    }

    /// `TraCuuHoSo`: what the portal holds of a dossier, or `None`.
    pub fn lookup(&self, code: &str) -> Result<Option<Holding>, PortalError> {
        let answer = self.call(wire::Envelope {
            session: String::new(),
            madonvi: String::new(),
            service: wire::LOOKUP.into(),
            is_updating: None,
            mahoso: Some(code.to_owned()),
            request_id: None,
            data: serde_json::Value::Null,
        });
        match answer {
            Ok(a) => Ok(a.data),
            Err(PortalError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A transport error in a few words, without the URL.
fn transport(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timeout".into()
    } else if e.is_connect() {
        "connection refused".into()
    } else if e.is_body() || e.is_decode() || cut_short(e) {
        "connection cut in the body".into()
    } else {
        "transport error".into()
    }
}

/// Whether the connection closed or was reset before the answer was complete (hyper says so
/// only in the error's sources, whose text never carries data).
fn cut_short(e: &reqwest::Error) -> bool {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string().to_lowercase();
        if ["closed", "reset", "incomplete", "unexpected end", "eof"].iter().any(|w| text.contains(w)) {
            return true;
        }
        source = s.source();
    }
    false
}

/// What an unreadable body looked like, without repeating it (it could echo data).
fn describe_body(bytes: &[u8]) -> String {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(64)]).to_lowercase();
    if bytes.is_empty() {
        "empty body".into()
    } else if head.contains("<html") || head.contains("<!doctype") {
        format!("an HTML page instead of JSON ({} bytes)", bytes.len())
    } else {
        format!("not JSON ({} bytes)", bytes.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_refused_data_is_permanent() {
        assert!(PortalError::Invalid { code: "02".into(), message: "x".into() }.is_permanent());
        for e in [
            PortalError::Unavailable("timeout".into()),
            PortalError::Garbled("x".into()),
            PortalError::LoginRefused("x".into()),
            PortalError::AlreadyExists,
            PortalError::NotFound,
            PortalError::Failed { code: "99".into(), message: "x".into() },
        ] {
            assert!(!e.is_permanent(), "{e}");
        }
    }

    #[test]
    fn unreadable_bodies_are_described_not_repeated() {
        assert_eq!(describe_body(b""), "empty body");
        assert!(describe_body(b"<!DOCTYPE html><html>Nguyen Van A</html>").starts_with("an HTML page"));
        let d = describe_body(b"{\"MaHoSo\": \"000.00.01.H56-1\", \"ChuHoSo\": \"Tr");
        assert!(d.starts_with("not JSON") && !d.contains("ChuHoSo"), "{d}");
    }

    #[test]
    fn the_config_does_not_print_the_password() {
        let c = PortalConfig {
            url: "http://x".into(),
            username: "u".into(),
            password: "hidden-pass".into(),
            timeout: Duration::from_secs(1),
        };
        assert!(!format!("{c:?}").contains("hidden-pass"));
    }
}

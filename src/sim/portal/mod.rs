//! portal-sim: the national public-service portal (Cổng DVC quốc gia) as far as dossier sync
//! goes, over real HTTP, for the demo and the tests ([`crate::integrations::portal::wire`]).
//!
//! - `POST /auth`: a session token that expires ([`SimConfig::token_ttl`], or after
//!   [`Faults::token_calls`] calls, or at once on `POST /sim/expire-tokens`).
//! - `POST /integration`: `DongBoHoSoMC`, `CapNhatTienDoHoSoMC`, `TraCuuHoSo`, checked as the
//!   portal checks them, deduplicated by `request_id`; the file URLs given are fetched.
//! - `GET /`: a read-only page of what it holds; `GET /sim/store`: the same as JSON.
//! - `/sim/*`: faults, token expiry, forgetting a dossier — no authentication: bind to 127.0.0.1.
//!
//! Nothing is persisted: the store lives as long as the process (and survives
//! [`PortalSimHandle::go_down`] / [`PortalSimHandle::come_up`]).

pub mod api;
pub mod faults;
pub mod pages;
pub mod store;

pub use faults::Faults;
pub use store::{Counters, Held, Store};

use crate::clock::Clock;
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

/// The demo account.
pub const DEMO_USERNAME: &str = "thanhhoa.dvc";
/// The demo account's password; `serve` refuses it for a real portal.
pub const DEMO_PASSWORD: &str = "portal-demo-password-not-for-production";

/// How the simulator is set up.
#[derive(Clone)]
pub struct SimConfig {
    /// Where to listen (`127.0.0.1:0` in tests).
    pub bind: String,
    /// The account accepted.
    pub username: String,
    /// Its password.
    pub password: String,
    /// How long a session token lives.
    pub token_ttl: TimeDelta,
    /// The faults from the start.
    pub faults: Faults,
    /// Where "now" comes from (token expiry).
    pub clock: Clock,
}

impl SimConfig {
    /// A simulator on a free local port with the demo account, 30-minute tokens, no faults.
    pub fn local(clock: Clock) -> SimConfig {
        SimConfig {
            bind: "127.0.0.1:0".into(),
            username: DEMO_USERNAME.into(),
            password: DEMO_PASSWORD.into(),
            token_ttl: TimeDelta::minutes(30),
            faults: Faults::default(),
            clock,
        }
    }
}

struct Session {
    expires: DateTime<Utc>,
    calls: u32,
}

/// What the handlers share.
pub struct Shared {
    username: String,
    password: String,
    token_ttl: TimeDelta,
    clock: Clock,
    /// What the simulator holds.
    pub store: Store,
    faults: Mutex<Faults>,
    sessions: Mutex<HashMap<String, Session>>,
}

impl Shared {
    /// The faults in force.
    pub fn faults(&self) -> Faults {
        self.faults.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Replaces the faults.
    pub fn set_faults(&self, faults: Faults) {
        *self.faults.lock().unwrap_or_else(PoisonError::into_inner) = faults;
    }

    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Issues a session token.
    pub fn new_session(&self) -> String {
        let token = crate::signing::random_token();
        let now = self.clock.now();
        let mut sessions = self.sessions();
        sessions.retain(|_, s| s.expires > now);
        sessions.insert(token.clone(), Session { expires: now + self.token_ttl, calls: 0 });
        token
    }

    /// Whether `token` is valid now, counting the call.
    pub fn use_session(&self, token: &str) -> bool {
        let now = self.clock.now();
        let limit = self.faults().token_calls;
        let mut sessions = self.sessions();
        let Some(s) = sessions.get_mut(token) else { return false };
        if s.expires <= now || (limit > 0 && s.calls >= limit) {
            sessions.remove(token);
            return false;
        }
        s.calls += 1;
        true
    }

    /// Expires every token now.
    pub fn expire_tokens(&self) -> usize {
        let mut sessions = self.sessions();
        let n = sessions.len();
        sessions.clear();
        n
    }
}

/// A running simulator; dropping it stops the server.
pub struct PortalSimHandle {
    shared: Arc<Shared>,
    address: SocketAddr,
    server: Option<(actix_web::dev::ServerHandle, JoinHandle<()>)>,
}

fn serve(listener: TcpListener, shared: Arc<Shared>) -> anyhow::Result<(actix_web::dev::ServerHandle, JoinHandle<()>)> {
    let data = web::Data::from(shared);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(8 * 1024 * 1024))
            .configure(api::routes)
            .configure(pages::routes)
    })
    .workers(2)
    .disable_signals()
    .shutdown_timeout(1)
    .listen(listener)?
    .run();
    let handle = server.handle();
    let thread = std::thread::Builder::new().name("portal-sim-http".into()).spawn(move || {
        if let Err(e) = actix_web::rt::System::new().block_on(server) {
            tracing::error!(error = %e, "portal-sim: server stopped with an error");
        }
    })?;
    Ok((handle, thread))
}

/// Starts the simulator's HTTP server on its own thread (and runtime).
pub fn start(config: SimConfig) -> anyhow::Result<PortalSimHandle> {
    let listener =
        TcpListener::bind(&config.bind).with_context(|| format!("portal-sim cannot listen on {}", config.bind))?;
    let address = listener.local_addr()?;
    let shared = Arc::new(Shared {
        username: config.username,
        password: config.password,
        token_ttl: config.token_ttl,
        clock: config.clock,
        store: Store::default(),
        faults: Mutex::new(config.faults),
        sessions: Mutex::new(HashMap::new()),
    });
    let server = serve(listener, shared.clone())?;
    let handle = PortalSimHandle { shared, address, server: Some(server) };
    tracing::info!(url = %handle.url(), "portal-sim listening");
    Ok(handle)
}

impl PortalSimHandle {
    /// The base URL (`http://127.0.0.1:<port>`).
    pub fn url(&self) -> String {
        let ip =
            if self.address.ip().is_unspecified() { "127.0.0.1".to_owned() } else { self.address.ip().to_string() };
        format!("http://{ip}:{}", self.address.port())
    }

    /// The faults in force.
    pub fn faults(&self) -> Faults {
        self.shared.faults()
    }

    /// Replaces the faults.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.set_faults(faults);
    }

    /// What the simulator holds.
    pub fn store(&self) -> &Store {
        &self.shared.store
    }

    /// Expires every session token now.
    pub fn expire_tokens(&self) -> usize {
        self.shared.expire_tokens()
    }

    /// Stops listening: connections are refused until [`PortalSimHandle::come_up`]. The store
    /// is kept.
    pub fn go_down(&mut self) {
        if let Some((server, thread)) = self.server.take() {
            // Wait until the listener is closed, on a runtime of its own.
            let stopped = std::thread::spawn(move || actix_web::rt::System::new().block_on(server.stop(false)));
            let _ = stopped.join();
            let _ = thread.join();
        }
    }

    /// Listens again on the same address.
    pub fn come_up(&mut self) -> anyhow::Result<()> {
        if self.server.is_none() {
            let listener = TcpListener::bind(self.address)
                .with_context(|| format!("portal-sim cannot listen again on {}", self.address))?;
            self.server = Some(serve(listener, self.shared.clone())?);
        }
        Ok(())
    }

    /// Stops the server and waits for it.
    pub fn stop(mut self) {
        self.go_down();
    }
}

impl Drop for PortalSimHandle {
    fn drop(&mut self) {
        if let Some((server, _)) = &self.server {
            drop(server.stop(false));
        }
    }
}

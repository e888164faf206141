//! Building the application: database, migrations, state, and the HTTP server on a bound
//! listener (port 0 in tests).

use crate::clock::Clock;
use crate::config::{Config, DEFAULT_DATABASE_URL};
use crate::db::{Db, DbUrl, migrate};
use crate::files::FileStore;
use crate::services::catalogue::CatalogueCache;
use crate::signing::Signer;
use crate::web::middleware::{RequestSpan, render_errors, security_headers};
use crate::web::state::AppState;
use actix_web::dev::Server;
use actix_web::middleware::{Compress, ErrorHandlers};
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use std::net::TcpListener;
use std::time::Duration;
use tracing_actix_web::TracingLogger;

/// Opens the database of a configuration, creating an SQLite file only when allowed (the
/// default path, or an explicit set-up command), and applies pending migrations.
pub fn open_database(config: &Config) -> anyhow::Result<Db> {
    let url = DbUrl::parse(&config.database_url)?;
    url.prepare(config.create_database || config.database_url == DEFAULT_DATABASE_URL)?;
    let cores = u32::try_from(std::thread::available_parallelism().map_or(2, |n| n.get())).unwrap_or(2);
    let size = config.db_pool_size.unwrap_or(match url {
        DbUrl::Sqlite(_) => 2 * cores,
        DbUrl::Postgres(_) => 4 * cores,
    });
    let db = Db::connect(&url, size)?;
    let mut conn = db.get().map_err(|e| anyhow::anyhow!("{e}"))?;
    let applied = migrate::run_pending(&mut conn)?;
    if !applied.is_empty() {
        tracing::info!(count = applied.len(), "migrations applied");
    }
    Ok(db)
}

/// A built application, listening but not yet running.
pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
}

impl Application {
    /// Builds everything from a configuration and a clock.
    pub fn build(config: Config, clock: Clock) -> anyhow::Result<Self> {
        let db = open_database(&config)?;
        Self::build_with_db(config, clock, db)
    }

    /// Builds the server around an already opened database.
    pub fn build_with_db(config: Config, clock: Clock, db: Db) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(&config.bind).with_context(|| format!("cannot listen on {}", config.bind))?;
        let port = listener.local_addr()?.port();
        let signer = Signer::load(config.secret_key.as_deref(), &config.data_dir)?;
        let state = AppState {
            signer,
            files: FileStore::new(&config.data_dir),
            catalogue: CatalogueCache::new(Duration::from_secs(60)),
            queue_counts: crate::queries::queue_counts::QueueCounts::new(chrono::TimeDelta::seconds(
                config.queue_counts_ttl_seconds,
            )),
            db,
            config,
            clock,
        };
        let data = web::Data::new(state.clone());
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        let blocking_threads = (state.db.pool_size() as usize).div_ceil(workers).max(2);
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(crate::web::csrf::MAX_FORM_BYTES))
                .wrap(actix_web::middleware::from_fn(crate::web::csrf::ensure_csrf_cookie))
                .wrap(ErrorHandlers::new().default_handler(render_errors))
                .wrap(security_headers())
                .wrap(Compress::default())
                .wrap(TracingLogger::<RequestSpan>::new())
                .configure(crate::web::routes)
        })
        // Diesel runs on each worker's blocking threads; as many as the pool has connections
        // (shared by the workers) avoids threads waiting on the pool and costly switching.
        .worker_max_blocking_threads(blocking_threads)
        .listen(listener)?
        .run();
        Ok(Application { port, server, state })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle that stops the server (tests stop theirs when done, releasing its connections).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// The shared state (tests use its database and clock).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Starts the background worker (outbox: mail, later sync and reconciliation) on its own
    /// thread; stop it after the server stops.
    pub fn start_worker(&self) -> anyhow::Result<crate::jobs::WorkerHandle> {
        let config = self.state.config.clone();
        let where_mail_goes = match &config.smtp_url {
            Some(url) if url.starts_with("file://") => format!("files in {}", url.trim_start_matches("file://")),
            Some(_) => "an SMTP server (DVC_SMTP_URL)".to_owned(),
            None => format!("files in {}", config.data_dir.join("mail").display()),
        };
        let portal = if config.portal_url.is_some() { "on" } else { "off (DVC_PORTAL_URL not set: steps wait)" };
        tracing::info!(mail = %where_mail_goes, portal_sync = portal, "background worker started");
        let ctx = crate::jobs::JobContext::new(self.state.db.clone(), self.state.clock.clone(), config)?;
        Ok(crate::jobs::spawn_worker(ctx, std::time::Duration::from_secs(2)))
    }

    /// Serves until stopped (SIGINT/SIGTERM).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

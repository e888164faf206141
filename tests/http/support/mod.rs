//! The test harness: a fresh database per test (an SQLite file, or a PostgreSQL schema when
//! `TEST_DATABASE_URL` points at PostgreSQL), the real server on port 0, and helpers.

pub mod html;
pub mod smtp;

use chrono::{TimeZone, Utc};
use dvc_portal::app::{Application, open_database};
use dvc_portal::clock::Clock;
use dvc_portal::config::Config;
use dvc_portal::db::{Db, DbConn, PooledConn};
use dvc_portal::files::FileStore;
use dvc_portal::jobs::{JobContext, RunReport, run_pending};
use dvc_portal::services::{demo, reference_data};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The PostgreSQL URL of this run, if the suite runs on PostgreSQL.
pub fn postgres_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres"))
}

/// A database private to one test; dropped (file or schema) with it.
pub struct TestDb {
    /// The URL the application connects with.
    pub url: String,
    /// The private directory (SQLite file, data dir).
    pub dir: tempfile::TempDir,
    schema: Option<String>,
}

impl TestDb {
    /// An empty database (no migrations).
    pub fn empty() -> TestDb {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        match postgres_url() {
            Some(base) => {
                let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
                admin_exec(&base, &format!("CREATE SCHEMA {schema}"));
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
                TestDb { url, dir, schema: Some(schema) }
            }
            None => {
                let url = format!("sqlite://{}", dir.path().join("portal.db").display());
                TestDb { url, dir, schema: None }
            }
        }
    }

    /// A migrated database holding the reference data and the demo catalogue.
    pub fn seeded() -> TestDb {
        let db = TestDb::empty();
        let data_dir = db.data_dir();
        copy_dir(&template().join("data"), &data_dir);
        match &db.schema {
            None => {
                std::fs::copy(template().join("portal.db"), db.dir.path().join("portal.db"))
                    .unwrap_or_else(|e| panic!("copy template: {e}"));
            }
            Some(_) => seed(&db.config(), &data_dir),
        }
        db
    }

    /// The data directory of this test.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// A test configuration for this database.
    pub fn config(&self) -> Config {
        Config::for_tests(&self.url, self.data_dir())
    }

    /// Opens a pool (migrating).
    pub fn open(&self) -> Db {
        open_database(&self.config()).unwrap_or_else(|e| panic!("open database: {e:#}"))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let (Some(schema), Some(base)) = (&self.schema, postgres_url()) {
            admin_exec(&base, &format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

fn admin_exec(url: &str, sql: &str) {
    use diesel::Connection;
    use diesel::connection::SimpleConnection;
    let mut conn = diesel::PgConnection::establish(url)
        .unwrap_or_else(|e| panic!("PostgreSQL at TEST_DATABASE_URL is unreachable: {e}"));
    conn.batch_execute(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("mkdir: {e}"));
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("read {}: {e}", from.display())).flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap_or_else(|e| panic!("copy: {e}"));
        }
    }
}

/// Imports the reference data and the demo catalogue into the database of `config`.
pub fn seed(config: &Config, data_dir: &Path) {
    let db = open_database(config).unwrap_or_else(|e| panic!("open: {e:#}"));
    let mut conn = db.get().unwrap_or_else(|e| panic!("conn: {e}"));
    reference_data::import_all(&mut conn, &config.refdata_dir).unwrap_or_else(|e| panic!("import: {e:#}"));
    demo::seed_catalogue(&mut conn, &config.refdata_dir, &FileStore::new(data_dir), &test_clock())
        .unwrap_or_else(|e| panic!("seed: {e:#}"));
    dvc_portal::services::staff::seed_demo_staff(&mut conn, &test_clock()).unwrap_or_else(|e| panic!("staff: {e}"));
}

/// A seeded SQLite database and data directory, built once per test run and copied per test.
fn template() -> &'static Path {
    static TEMPLATE: OnceLock<tempfile::TempDir> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
            let config = Config::for_tests(
                &format!("sqlite://{}", dir.path().join("portal.db").display()),
                dir.path().join("data"),
            );
            seed(&config, &dir.path().join("data"));
            // The pool is closed: the WAL is checkpointed into the main file, which is copied.
            dir
        })
        .path()
}

/// The fixed instant tests start at: Wednesday 25/11/2026 09:00 in Hà Nội.
pub fn test_clock() -> Clock {
    Clock::fixed(Utc.with_ymd_and_hms(2026, 11, 25, 2, 0, 0).single().unwrap_or_else(|| panic!("bad time")))
}

/// One browser: a cookie jar talking to the server (citizens and officers each have their own).
#[derive(Clone)]
pub struct Browser {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// A client that keeps cookies and does not follow redirects.
    pub client: reqwest::Client,
}

/// The real server on port 0 over a private seeded database.
pub struct TestApp {
    /// The default browser (`app.get(..)` etc. go through it).
    pub browser: Browser,
    /// The application's database.
    pub db: Db,
    /// The application's clock (fixed; move it with `clock.set`).
    pub clock: Clock,
    /// The SMTP server mail is sent to.
    pub smtp: smtp::SmtpSink,
    /// What the background jobs need.
    pub jobs: JobContext,
    /// Stops the server when the test ends.
    pub server: actix_web::dev::ServerHandle,
    /// paygov-sim, when the app was spawned with it ([`TestApp::spawn_with_paygov`]).
    pub paygov: Option<dvc_portal::sim::paygov::SimHandle>,
    /// portal-sim, the national portal this app syncs to.
    pub portal: dvc_portal::sim::portal::PortalSimHandle,
    /// Keeps the database alive.
    pub _test_db: TestDb,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // The stop command is sent at once; the server's own thread carries it out.
        drop(self.server.stop(false));
    }
}

impl TestApp {
    /// Starts the portal over a seeded database.
    pub async fn spawn() -> TestApp {
        Self::spawn_inner(false).await
    }

    /// Starts the portal with paygov-sim as its payment gateway, over real HTTP both ways. The
    /// simulator runs on the test's clock with its first delivery an hour after settlement, so
    /// nothing is delivered behind the test's back: tests deliver with
    /// `app.sim().deliver_all_now()`.
    pub async fn spawn_with_paygov() -> TestApp {
        Self::spawn_inner(true).await
    }

    /// The payment gateway simulator.
    pub fn sim(&self) -> &dvc_portal::sim::paygov::SimHandle {
        self.paygov.as_ref().unwrap_or_else(|| panic!("spawn the app with spawn_with_paygov"))
    }

    async fn spawn_inner(with_paygov: bool) -> TestApp {
        let test_db = TestDb::seeded();
        let smtp = smtp::SmtpSink::start();
        let mut config = test_db.config();
        config.smtp_url = Some(smtp.url());
        let db = test_db.open();
        let clock = test_clock();
        // The portal's port is chosen first, so the simulators know where to call back and
        // the national portal can fetch the file links it is given.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("port: {e}"));
        config.bind = format!("127.0.0.1:{port}");
        config.base_url = format!("http://127.0.0.1:{port}");
        // Every test app syncs to its own portal-sim, on the test's clock.
        let portal = dvc_portal::sim::portal::start(dvc_portal::sim::portal::SimConfig::local(clock.clone()))
            .unwrap_or_else(|e| panic!("portal-sim: {e:#}"));
        config.portal_url = Some(portal.url());
        let mut paygov = None;
        if with_paygov {
            let mut sim = dvc_portal::sim::paygov::SimConfig::local(
                &format!("{}/api/payments/confirm", config.base_url),
                &config.paygov_partner,
                &config.paygov_secret,
                clock.clone(),
            );
            sim.retry = vec![std::time::Duration::from_secs(3600); 3];
            let handle = dvc_portal::sim::paygov::start(sim).unwrap_or_else(|e| panic!("paygov-sim: {e:#}"));
            config.paygov_url = Some(handle.url());
            paygov = Some(handle);
        }
        let jobs = JobContext::new(db.clone(), clock.clone(), config.clone()).unwrap_or_else(|e| panic!("jobs: {e:#}"));
        let app =
            Application::build_with_db(config, clock.clone(), db.clone()).unwrap_or_else(|e| panic!("build: {e:#}"));
        let address = format!("http://127.0.0.1:{}", app.port());
        let server = app.handle();
        // The server runs on its own thread and runtime, so that stopping it when the test ends
        // (see `Drop`) is carried out even after the test's runtime is gone: its workers and
        // their database connections are released instead of leaking across the suite.
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build();
            if let Ok(rt) = rt {
                let _ = rt.block_on(app.run_until_stopped());
            }
        });
        TestApp { browser: Browser::new(&address), db, clock, smtp, jobs, server, paygov, portal, _test_db: test_db }
    }

    /// A new browser with an empty cookie jar.
    pub fn new_browser(&self) -> Browser {
        Browser::new(&self.browser.address)
    }

    /// A new browser signed in as the staff member `login` (password [`STAFF_PASSWORD`]).
    pub async fn staff(&self, login: &str) -> Browser {
        let b = self.new_browser();
        let page =
            b.submit("/can-bo/dang-nhap", "/can-bo/dang-nhap", &[("login", login), ("password", STAFF_PASSWORD)]).await;
        assert_eq!(page.status, 303, "staff sign-in of {login} failed: {}", page.text());
        b
    }

    /// Runs every background job that is due (mail), as the worker would.
    pub async fn run_pending_jobs(&self) -> RunReport {
        let ctx = self.jobs.clone();
        tokio::task::spawn_blocking(move || run_pending(&ctx))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|e| panic!("{e:#}"))
    }

    /// The dead outbox rows as `(kind, last_error)`, for assertion messages.
    pub fn dead_rows(&self) -> Vec<(String, String)> {
        use diesel::prelude::*;
        use dvc_portal::db::schema::outbox;
        let mut conn = self.conn();
        outbox::table
            .filter(outbox::status.eq(dvc_portal::models::outbox::DEAD))
            .select((outbox::kind, outbox::last_error.assume_not_null()))
            .load(&mut *conn)
            .unwrap_or_else(|e| panic!("outbox: {e}"))
    }

    /// A database connection for assertions.
    pub fn conn(&self) -> PooledConn {
        self.db.get().unwrap_or_else(|e| panic!("conn: {e}"))
    }
}

/// The password of every demo staff account.
pub const STAFF_PASSWORD: &str = dvc_portal::services::staff::DEMO_STAFF_PASSWORD;

impl std::ops::Deref for TestApp {
    type Target = Browser;

    fn deref(&self) -> &Browser {
        &self.browser
    }
}

impl Browser {
    /// A browser that keeps cookies and does not follow redirects.
    pub fn new(address: &str) -> Browser {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .unwrap_or_else(|e| panic!("client: {e}"));
        Browser { address: address.to_owned(), client }
    }

    /// GET a path; returns status, headers and body.
    pub async fn get(&self, path: &str) -> Page {
        let res = self
            .client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.unwrap_or_else(|e| panic!("body: {e}")).to_vec();
        Page { status, headers, bytes }
    }
}

impl Browser {
    /// POSTs a urlencoded form as is.
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let res = self
            .client
            .post(format!("{}{path}", self.address))
            .form(fields)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.unwrap_or_else(|e| panic!("body: {e}")).to_vec();
        Page { status, headers, bytes }
    }

    /// GETs `form_page`, takes the CSRF token of its forms, and POSTs `fields` to `action`
    /// with it, as a browser would.
    pub async fn submit(&self, form_page: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.get(form_page).await.csrf_token();
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(action, &all).await
    }
}

impl TestApp {
    /// The JSON payloads of every outbox row of a kind, oldest first.
    pub fn outbox(&self, kind: &str) -> Vec<serde_json::Value> {
        use diesel::prelude::*;
        use dvc_portal::db::schema::outbox;
        let mut conn = self.conn();
        let rows: Vec<String> = outbox::table
            .filter(outbox::kind.eq(kind))
            .order(outbox::id)
            .select(outbox::payload)
            .load(&mut *conn)
            .unwrap_or_else(|e| panic!("outbox: {e}"));
        rows.iter().map(|p| serde_json::from_str(p).unwrap_or_else(|e| panic!("payload: {e}"))).collect()
    }
}

/// A response, read whole.
pub struct Page {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: reqwest::header::HeaderMap,
    /// Body.
    pub bytes: Vec<u8>,
}

impl Page {
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> String {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
    }

    /// The CSRF token of the page's forms.
    pub fn csrf_token(&self) -> String {
        self.html()
            .attrs("input[name=csrf_token]", "value")
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no CSRF token on the page"))
    }

    /// The Location header of a redirect.
    pub fn location(&self) -> String {
        self.header("location")
    }

    /// The parsed HTML.
    pub fn html(&self) -> html::Doc {
        html::Doc::parse(&self.text())
    }
}

/// Runs `f` on a connection of a database (for model-level tests).
pub fn with_conn<T>(db: &Db, f: impl FnOnce(&mut DbConn) -> T) -> T {
    let mut conn = db.get().unwrap_or_else(|e| panic!("conn: {e}"));
    f(&mut conn)
}

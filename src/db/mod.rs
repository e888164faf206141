//! Database access: one diesel `MultiConnection` over PostgreSQL and SQLite chosen from the URL,
//! an r2d2 pool that sets up each connection, and [`Db::run`] / [`Db::write`], which run diesel
//! on actix's blocking pool (never on a worker thread).

pub mod migrate;
pub mod schema;

use crate::error::AppError;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// A connection to either backend. Backend-specific SQL matches on it in one visible place.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    /// Production.
    Postgres(diesel::PgConnection),
    /// The embedded default.
    Sqlite(diesel::SqliteConnection),
}

/// Which backend a connection talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// PostgreSQL.
    Postgres,
    /// SQLite.
    Sqlite,
}

impl DbConn {
    /// The backend behind this connection.
    pub fn backend(&self) -> Backend {
        match self {
            DbConn::Postgres(_) => Backend::Postgres,
            DbConn::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// A parsed `DATABASE_URL`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DbUrl {
    /// `postgres://…` or `postgresql://…`, passed to libpq as is.
    Postgres(String),
    /// `sqlite://path` (relative or absolute).
    Sqlite(PathBuf),
}

impl DbUrl {
    /// Parses a database URL. Anything but `sqlite://` and `postgres(ql)://` is an error that
    /// names the problem in one line.
    pub fn parse(url: &str) -> anyhow::Result<Self> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DbUrl::Postgres(url.to_owned()));
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                anyhow::bail!("DATABASE_URL {url:?} has no file path after sqlite://");
            }
            return Ok(DbUrl::Sqlite(PathBuf::from(path)));
        }
        anyhow::bail!(
            "DATABASE_URL {:?} is not supported: use sqlite://<path> or postgres://<user>@<host>/<db>",
            redact(url)
        )
    }

    /// For SQLite: refuses to create a missing file unless creation is allowed, so a mistyped
    /// path never silently becomes a new empty database. Creates the parent directory otherwise.
    pub fn prepare(&self, allow_create: bool) -> anyhow::Result<()> {
        let DbUrl::Sqlite(path) = self else {
            return Ok(());
        };
        if path.exists() {
            return Ok(());
        }
        if !allow_create {
            anyhow::bail!(
                "the SQLite database {} does not exist (check DATABASE_URL, or create it with `dvc-portal migrate`)",
                path.display()
            );
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| anyhow::anyhow!("cannot create the directory {} for the database: {e}", dir.display()))?;
        }
        Ok(())
    }
}

/// Hides a password in a URL before it is shown or logged.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..s + 3], &creds[..colon], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Opens connections of the exact backend of the URL and sets each one up.
#[derive(Debug)]
pub struct Manager {
    url: DbUrl,
}

/// Per-connection set-up for SQLite, one statement each, `busy_timeout` first so the others
/// wait instead of failing.
const SQLITE_PRAGMAS: [&str; 4] = [
    "PRAGMA busy_timeout = 5000",
    "PRAGMA foreign_keys = ON",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
];

fn sqlite_path_str(path: &Path) -> anyhow::Result<&str> {
    path.to_str().ok_or_else(|| anyhow::anyhow!("the SQLite path is not valid UTF-8"))
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        match &self.url {
            DbUrl::Postgres(url) => {
                diesel::PgConnection::establish(url).map(DbConn::Postgres).map_err(r2d2::Error::ConnectionError)
            }
            DbUrl::Sqlite(path) => {
                let path = sqlite_path_str(path)
                    .map_err(|e| r2d2::Error::ConnectionError(ConnectionError::BadConnection(e.to_string())))?;
                let mut conn = diesel::SqliteConnection::establish(path).map_err(r2d2::Error::ConnectionError)?;
                for pragma in SQLITE_PRAGMAS {
                    conn.batch_execute(pragma).map_err(r2d2::Error::QueryError)?;
                }
                Ok(DbConn::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1").map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        // A connection returned while a transaction is still open (a panic mid-transaction)
        // must not be reused.
        std::thread::panicking()
            || match conn {
                DbConn::Postgres(c) => in_transaction(AnsiTransactionManager::transaction_manager_status_mut(c)),
                DbConn::Sqlite(c) => in_transaction(AnsiTransactionManager::transaction_manager_status_mut(c)),
            }
    }
}

fn in_transaction(status: &mut diesel::connection::TransactionManagerStatus) -> bool {
    !matches!(status.transaction_depth(), Ok(None))
}

/// Runs the same code on the concrete connection of either backend, for the few statements the
/// generated `MultiBackend` cannot express (multi-row INSERT). Keep uses few and grep-able.
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Postgres($c) => $body,
            $crate::db::DbConn::Sqlite($c) => $body,
        }
    };
}

/// A pooled connection.
pub type PooledConn = PooledConnection<Manager>;

/// The database handle shared by the application.
#[derive(Clone)]
pub struct Db {
    pool: Pool<Manager>,
    backend: Backend,
    /// SQLite has one writer at a time: this process's writers queue here rather than in
    /// SQLite's busy handler, which sleeps between retries (1, 2, 5 … 100 ms) and made the tail
    /// latency of concurrent writes (payment callbacks, submissions) ten times the median.
    writer: Arc<Mutex<()>>,
}

impl Db {
    /// Opens the pool for `url` (after [`DbUrl::prepare`]) with `size` connections.
    pub fn connect(url: &DbUrl, size: u32) -> anyhow::Result<Self> {
        let backend = match url {
            DbUrl::Postgres(_) => Backend::Postgres,
            DbUrl::Sqlite(_) => Backend::Sqlite,
        };
        let pool = Pool::builder()
            .max_size(size)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            .build(Manager { url: url.clone() })
            .map_err(|e| anyhow::anyhow!("cannot connect to the database: {e}"))?;
        Ok(Db { pool, backend, writer: Arc::default() })
    }

    /// How many connections the pool holds at most.
    pub fn pool_size(&self) -> u32 {
        self.pool.max_size()
    }

    /// The backend of this pool.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A connection for synchronous code (commands, tests); the web layer uses [`Db::run`].
    pub fn get(&self) -> Result<PooledConn, AppError> {
        self.pool.get().map_err(|e| AppError::Unavailable(anyhow::anyhow!("database pool: {e}")))
    }

    /// Runs read-only work on the blocking pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.clone();
        actix_web::web::block(move || {
            let mut conn = db.get()?;
            f(&mut conn)
        })
        .await?
    }

    /// Runs `f` in one write transaction on the blocking pool (see [`Db::write_now`]).
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.clone();
        actix_web::web::block(move || db.write_now(f)).await?
    }

    /// Runs `f` in one write transaction on this thread (blocking code: jobs, `web::block`);
    /// on SQLite, after this process's other writers (see [`write_tx`]). `f` must not start
    /// another write through this handle.
    pub fn write_now<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E>,
        E: From<diesel::result::Error> + From<AppError>,
    {
        let _turn = match self.backend {
            Backend::Sqlite => Some(self.writer.lock().unwrap_or_else(PoisonError::into_inner)),
            Backend::Postgres => None,
        };
        let mut conn = self.get()?;
        write_tx(&mut conn, f)
    }
}

/// Runs `f` in one write transaction: committed if it returns `Ok`, rolled back otherwise.
///
/// On SQLite the transaction begins `IMMEDIATE`, taking the write lock at once: a deferred
/// transaction that reads and then writes can fail with SQLITE_BUSY whatever the busy timeout,
/// while an immediate one waits for the lock (up to `busy_timeout`).
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConn::Postgres(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    match f(conn) {
        Ok(value) => match <DbConn as Connection>::TransactionManager::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = <DbConn as Connection>::TransactionManager::rollback_transaction(conn);
                Err(e.into())
            }
        },
        Err(e) => {
            <DbConn as Connection>::TransactionManager::rollback_transaction(conn)?;
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_parsed_or_refused_with_a_reason() {
        assert_eq!(DbUrl::parse("sqlite://data/portal.db").ok(), Some(DbUrl::Sqlite("data/portal.db".into())));
        assert!(matches!(DbUrl::parse("postgres://postgres@127.0.0.1/test"), Ok(DbUrl::Postgres(_))));
        assert!(matches!(DbUrl::parse("postgresql://x@y/z"), Ok(DbUrl::Postgres(_))));
        for bad in
            ["sqlite:data.db", "sqlite://", "mysql://root@localhost/x", "data/portal.db", "postgress://a@b/c", ""]
        {
            let err = DbUrl::parse(bad).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(err.contains("DATABASE_URL"), "{bad:?} gave {err:?}");
            assert!(!err.contains('\n'));
        }
    }

    #[test]
    fn passwords_are_hidden_in_errors() {
        let err = DbUrl::parse("mysql://root:hunter2@localhost/x").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(!err.contains("hunter2"), "{err}");
        assert!(err.contains("root:***@localhost"), "{err}");
    }

    #[test]
    fn a_missing_sqlite_file_is_not_created_unless_allowed() {
        let dir = std::env::temp_dir().join(format!("dvc-url-{}", uuid::Uuid::now_v7()));
        let url = DbUrl::Sqlite(dir.join("typo.db"));
        assert!(url.prepare(false).is_err());
        assert!(!dir.exists());
        assert!(url.prepare(true).is_ok());
        assert!(dir.exists());
        let _ = std::fs::remove_dir_all(dir);
    }
}

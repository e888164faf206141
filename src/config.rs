//! Configuration read from the environment, with embedded defaults; no global state.

use std::path::PathBuf;

/// The default database: an SQLite file created on first start.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/portal.db";

/// Everything the application needs to know about its surroundings.
#[derive(Clone, Debug)]
pub struct Config {
    /// `sqlite://path` or `postgres://…`.
    pub database_url: String,
    /// Address the HTTP server listens on (`127.0.0.1:0` in tests).
    pub bind: String,
    /// Directory for files (attachments, forms, results).
    pub data_dir: PathBuf,
    /// Directory of the shipped reference data (admin units, holidays, demo catalogue).
    pub refdata_dir: PathBuf,
    /// Name of the province shown in the header.
    pub province_name: String,
    /// Size of the database pool; by default 2 connections per core on SQLite (one writer at a
    /// time anyway, and fewer threads switch less) and 4 per core on PostgreSQL.
    pub db_pool_size: Option<u32>,
    /// Allow the database file to be created even when it is not the default path.
    pub create_database: bool,
    /// Where mail goes: `smtp://host:port` (plain, e.g. a local relay or a test sink),
    /// `smtp+starttls://user:pass@host:587`, `smtps://user:pass@host:465`, or `file:///dir`
    /// (one `.eml` file per message). Default: `file://<data_dir>/mail`.
    pub smtp_url: Option<String>,
    /// The From header of mail.
    pub mail_from: String,
    /// The public address of the portal, for links in mail (no trailing slash).
    pub base_url: String,
    /// Key for signed links (e-mail verification, password reset). Required in production
    /// (`DVC_SECRET_KEY`, at least 32 characters); otherwise generated once and kept in
    /// `<data_dir>/secret.key`.
    pub secret_key: Option<String>,
    /// Mark session cookies `Secure` (off only for local HTTP).
    pub secure_cookies: bool,
    /// Largest attachment, in bytes.
    pub max_file_bytes: u64,
    /// Largest total of a dossier's attachments, in bytes.
    pub max_dossier_bytes: u64,
    /// Run the background worker inside `serve`.
    pub run_worker: bool,
}

impl Config {
    /// Reads `DATABASE_URL`, `BIND`, `DVC_DATA_DIR`, `DVC_REFDATA_DIR`, `DVC_PROVINCE_NAME`,
    /// `DVC_DB_POOL_SIZE`, falling back to the defaults.
    pub fn from_env() -> anyhow::Result<Self> {
        let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
        let db_pool_size = match std::env::var("DVC_DB_POOL_SIZE") {
            Err(_) => None,
            Ok(pool) => Some(
                pool.parse::<u32>()
                    .ok()
                    .filter(|n| (1..=256).contains(n))
                    .ok_or_else(|| anyhow::anyhow!("DVC_DB_POOL_SIZE must be a number from 1 to 256, not {pool:?}"))?,
            ),
        };
        Ok(Config {
            database_url: var("DATABASE_URL", DEFAULT_DATABASE_URL),
            bind: var("BIND", "127.0.0.1:8080"),
            data_dir: PathBuf::from(var("DVC_DATA_DIR", "data/")),
            refdata_dir: PathBuf::from(var("DVC_REFDATA_DIR", "refdata/")),
            province_name: var("DVC_PROVINCE_NAME", "Thanh Hóa"),
            db_pool_size,
            create_database: false,
            smtp_url: std::env::var("DVC_SMTP_URL").ok().filter(|s| !s.is_empty()),
            mail_from: var("DVC_MAIL_FROM", "Cổng Dịch vụ công <no-reply@dichvucong.example.vn>"),
            base_url: std::env::var("DVC_BASE_URL")
                .unwrap_or_else(|_| format!("http://{}", var("BIND", "127.0.0.1:8080")))
                .trim_end_matches('/')
                .to_owned(),
            secret_key: std::env::var("DVC_SECRET_KEY").ok().filter(|s| !s.is_empty()),
            secure_cookies: var("DVC_SECURE_COOKIES", "true") != "false",
            max_file_bytes: bytes_var("DVC_MAX_FILE_MB", 10)?,
            max_dossier_bytes: bytes_var("DVC_MAX_DOSSIER_MB", 50)?,
            run_worker: var("DVC_RUN_WORKER", "true") != "false",
        })
    }

    /// A configuration for tests: the given database, port 0, a private data directory, and the
    /// reference data of this checkout.
    pub fn for_tests(database_url: &str, data_dir: PathBuf) -> Self {
        Config {
            database_url: database_url.to_owned(),
            bind: "127.0.0.1:0".to_owned(),
            data_dir,
            refdata_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("refdata"),
            province_name: "Thanh Hóa".to_owned(),
            db_pool_size: Some(4),
            create_database: true,
            smtp_url: None,
            mail_from: "Cổng Dịch vụ công <no-reply@dichvucong.example.vn>".to_owned(),
            base_url: "http://127.0.0.1".to_owned(),
            secret_key: Some("test-secret-key-that-is-long-enough-000".to_owned()),
            secure_cookies: false,
            max_file_bytes: 10 * 1024 * 1024,
            max_dossier_bytes: 50 * 1024 * 1024,
            run_worker: false,
        }
    }
}

/// Reads a size in whole megabytes from the environment.
fn bytes_var(name: &str, default_mb: u64) -> anyhow::Result<u64> {
    match std::env::var(name) {
        Err(_) => Ok(default_mb * 1024 * 1024),
        Ok(v) => v
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=1024).contains(n))
            .map(|mb| mb * 1024 * 1024)
            .ok_or_else(|| anyhow::anyhow!("{name} must be a number of megabytes from 1 to 1024, not {v:?}")),
    }
}

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
    /// The payment gateway (`DVC_PAYGOV_URL`); none: online payment is not offered.
    pub paygov_url: Option<String>,
    /// `MaDoiTac`, the partner code the gateway issued (`DVC_PAYGOV_PARTNER`).
    pub paygov_partner: String,
    /// The key shared with the gateway (`DVC_PAYGOV_SECRET`).
    pub paygov_secret: String,
    /// The gateway's key for its own messages (`DVC_PAYGOV_CALLBACK_SECRET`), if it differs.
    pub paygov_callback_secret: Option<String>,
    /// Bearer token for the gateway (`DVC_PAYGOV_TOKEN`).
    pub paygov_token: Option<String>,
    /// Minutes after which an unsettled payment attempt expires (`DVC_PAYMENT_EXPIRY_MINUTES`).
    pub payment_expiry_minutes: i64,
    /// Seconds the officer navigation's queue counts are reused (`DVC_QUEUE_COUNTS_TTL_SECONDS`;
    /// 0: counted on every page).
    pub queue_counts_ttl_seconds: i64,
    /// The national portal's sync adapter (`DVC_PORTAL_URL`); none: sync rows wait in the
    /// outbox until it is configured (nothing is lost).
    pub portal_url: Option<String>,
    /// The account the national portal issued (`DVC_PORTAL_USERNAME`).
    pub portal_username: String,
    /// Its password (`DVC_PORTAL_PASSWORD`).
    pub portal_password: String,
    /// The identifier we speak for (`madonvi`, `DVC_PORTAL_MADONVI`): the province's.
    pub portal_agency: String,
    /// How long one call to the national portal may take (`DVC_PORTAL_TIMEOUT_SECONDS`).
    pub portal_timeout: std::time::Duration,
    /// Attempts after which a failing outbox row is given up (`DVC_OUTBOX_MAX_ATTEMPTS`).
    pub outbox_max_attempts: i32,
}

/// The demo gateway's key; `serve` refuses it outside the demo.
pub const DEMO_PAYGOV_SECRET: &str = "paygov-demo-secret-not-for-production";

impl Config {
    /// The national portal client, if a portal is configured.
    pub fn portal(&self) -> Option<crate::integrations::portal::Portal> {
        self.portal_url.as_ref().map(|url| {
            crate::integrations::portal::Portal::new(
                crate::integrations::portal::PortalConfig {
                    url: url.clone(),
                    username: self.portal_username.clone(),
                    password: self.portal_password.clone(),
                    timeout: self.portal_timeout,
                },
                &self.portal_agency,
            )
        })
    }

    /// The gateway client's settings, if a gateway is configured.
    pub fn gateway(&self) -> Option<crate::integrations::paygov::GatewayConfig> {
        self.paygov_url.as_ref().map(|url| crate::integrations::paygov::GatewayConfig {
            url: url.clone(),
            partner: self.paygov_partner.clone(),
            secret: self.paygov_secret.clone(),
            callback_secret: self.paygov_callback_secret.clone().unwrap_or_else(|| self.paygov_secret.clone()),
            token: self.paygov_token.clone(),
            timeout: std::time::Duration::from_secs(10),
        })
    }
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
            paygov_url: std::env::var("DVC_PAYGOV_URL").ok().filter(|s| !s.is_empty()),
            paygov_partner: var("DVC_PAYGOV_PARTNER", "TH-DVC"),
            paygov_secret: var("DVC_PAYGOV_SECRET", DEMO_PAYGOV_SECRET),
            paygov_callback_secret: std::env::var("DVC_PAYGOV_CALLBACK_SECRET").ok().filter(|s| !s.is_empty()),
            paygov_token: std::env::var("DVC_PAYGOV_TOKEN").ok().filter(|s| !s.is_empty()),
            payment_expiry_minutes: match std::env::var("DVC_PAYMENT_EXPIRY_MINUTES") {
                Err(_) => 24 * 60,
                Ok(v) => v.parse::<i64>().ok().filter(|m| (15..=7 * 24 * 60).contains(m)).ok_or_else(|| {
                    anyhow::anyhow!(
                        "DVC_PAYMENT_EXPIRY_MINUTES must be a number of minutes from 15 to 10080, not {v:?}"
                    )
                })?,
            },
            queue_counts_ttl_seconds: match std::env::var("DVC_QUEUE_COUNTS_TTL_SECONDS") {
                Err(_) => 10,
                Ok(v) => v.parse::<i64>().ok().filter(|s| (0..=300).contains(s)).ok_or_else(|| {
                    anyhow::anyhow!("DVC_QUEUE_COUNTS_TTL_SECONDS must be a number of seconds from 0 to 300, not {v:?}")
                })?,
            },
            portal_url: std::env::var("DVC_PORTAL_URL").ok().filter(|s| !s.is_empty()),
            portal_username: var("DVC_PORTAL_USERNAME", crate::sim::portal::DEMO_USERNAME),
            portal_password: var("DVC_PORTAL_PASSWORD", crate::sim::portal::DEMO_PASSWORD),
            portal_agency: var("DVC_PORTAL_MADONVI", "000.00.00.H56"),
            portal_timeout: match std::env::var("DVC_PORTAL_TIMEOUT_SECONDS") {
                Err(_) => std::time::Duration::from_secs(10),
                Ok(v) => v
                    .parse::<u64>()
                    .ok()
                    .filter(|s| (1..=120).contains(s))
                    .map(std::time::Duration::from_secs)
                    .ok_or_else(|| {
                        anyhow::anyhow!(
                            "DVC_PORTAL_TIMEOUT_SECONDS must be a number of seconds from 1 to 120, not {v:?}"
                        )
                    })?,
            },
            outbox_max_attempts: match std::env::var("DVC_OUTBOX_MAX_ATTEMPTS") {
                Err(_) => crate::jobs::DEFAULT_MAX_ATTEMPTS,
                Ok(v) => v.parse::<i32>().ok().filter(|n| (1..=100).contains(n)).ok_or_else(|| {
                    anyhow::anyhow!("DVC_OUTBOX_MAX_ATTEMPTS must be a number from 1 to 100, not {v:?}")
                })?,
            },
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
            paygov_url: None,
            paygov_partner: "TH-DVC".to_owned(),
            paygov_secret: "test-paygov-secret".to_owned(),
            paygov_callback_secret: None,
            paygov_token: None,
            payment_expiry_minutes: 24 * 60,
            queue_counts_ttl_seconds: 0,
            portal_url: None,
            portal_username: crate::sim::portal::DEMO_USERNAME.to_owned(),
            portal_password: crate::sim::portal::DEMO_PASSWORD.to_owned(),
            portal_agency: "000.00.00.H56".to_owned(),
            portal_timeout: std::time::Duration::from_secs(2),
            outbox_max_attempts: crate::jobs::DEFAULT_MAX_ATTEMPTS,
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

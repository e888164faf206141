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
        }
    }
}

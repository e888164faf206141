//! Both embedded migration sets, run on the concrete connection of the backend.

use super::DbConn;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

fn err(e: Box<dyn std::error::Error + Send + Sync>) -> anyhow::Error {
    anyhow::anyhow!("migration failed: {e}")
}

/// Applies every pending migration; returns the versions applied.
pub fn run_pending(conn: &mut DbConn) -> anyhow::Result<Vec<String>> {
    let applied = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE).map_err(err)?,
        DbConn::Postgres(c) => c.run_pending_migrations(POSTGRES).map_err(err)?,
    };
    Ok(applied.into_iter().map(|v| v.to_string()).collect())
}

/// Reverts every applied migration (tests of reversibility).
pub fn revert_all(conn: &mut DbConn) -> anyhow::Result<Vec<String>> {
    let reverted = match conn {
        DbConn::Sqlite(c) => c.revert_all_migrations(SQLITE).map_err(err)?,
        DbConn::Postgres(c) => c.revert_all_migrations(POSTGRES).map_err(err)?,
    };
    Ok(reverted.into_iter().map(|v| v.to_string()).collect())
}

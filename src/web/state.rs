//! The state shared by every handler.

use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::files::FileStore;
use crate::services::catalogue::CatalogueCache;
use crate::signing::Signer;

/// Shared as `web::Data<AppState>`.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Configuration.
    pub config: Config,
    /// The source of "now".
    pub clock: Clock,
    /// Stored files.
    pub files: FileStore,
    /// Signs and checks links.
    pub signer: Signer,
    /// Catalogue data that rarely changes.
    pub catalogue: CatalogueCache,
    /// The officer navigation's queue counts, for a few seconds.
    pub queue_counts: crate::queries::queue_counts::QueueCounts,
}

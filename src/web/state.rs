//! The state shared by every handler.

use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::files::FileStore;
use crate::services::catalogue::CatalogueCache;

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
    /// Catalogue data that rarely changes.
    pub catalogue: CatalogueCache,
}

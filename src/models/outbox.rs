//! The outbox: background work written in the transaction of the change it reports.

use crate::db::DbConn;
use crate::db::schema::outbox;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// One row.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    /// UUID v7 (so ids sort by creation).
    pub id: String,
    /// What kind of work (`email`, later `portal_sync`, …).
    pub kind: String,
    /// The dossier (or other aggregate) the work is about; rows of one aggregate run in order.
    pub aggregate_id: Option<String>,
    /// JSON of the job.
    pub payload: String,
    /// `pending`, `sent` or `dead`.
    pub status: String,
    /// Attempts made so far.
    pub attempts: i32,
    /// Not before this time (UTC).
    pub next_attempt_at: NaiveDateTime,
    /// The worker holding the row.
    pub lease_owner: Option<String>,
    /// Until when it holds it.
    pub lease_until: Option<NaiveDateTime>,
    /// The last failure.
    pub last_error: Option<String>,
    /// When it was written.
    pub created_at: NaiveDateTime,
    /// When it was done.
    pub sent_at: Option<NaiveDateTime>,
}

impl OutboxRow {
    /// Inserts a row.
    pub fn insert(conn: &mut DbConn, row: &OutboxRow) -> QueryResult<usize> {
        diesel::insert_into(outbox::table).values(row).execute(conn)
    }
}

//! Background work through the outbox: jobs are enqueued in the caller's transaction and run
//! later, outside any transaction, by a worker (in `serve`, or `run_pending` in tests).
//! Delivery is at least once (see [`runner`]): a job may run twice, so jobs must tolerate it.

pub mod reconcile;
pub mod reminders;
pub mod runner;

pub use runner::{
    DEFAULT_BATCH, DEFAULT_LEASE, DEFAULT_MAX_ATTEMPTS, JobContext, RunOptions, RunReport, WorkerHandle, backoff,
    run_pending, run_pending_with, spawn_worker, spawn_worker_with,
};

use crate::clock::Clock;
use crate::db::DbConn;
use crate::integrations::mailer::OutgoingMail;
use crate::models::outbox::OutboxRow;
use chrono::NaiveDateTime;
use diesel::QueryResult;
use serde::{Deserialize, Serialize};

/// A unit of background work, stored as JSON in `outbox.payload`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// Send one e-mail.
    Email(OutgoingMail),
    /// Fetch and keep the e-receipt of a paid payment attempt (GET_BILL).
    PaymentReceipt {
        /// The attempt.
        transaction_id: String,
    },
    /// Send one history row of a dossier to the national portal
    /// ([`crate::services::portal_sync`]).
    PortalSync {
        /// The history row (`dossier_events.id`).
        event_id: String,
    },
}

impl Job {
    /// The `outbox.kind` of this job.
    pub fn kind(&self) -> &'static str {
        match self {
            Job::Email(_) => "email",
            Job::PaymentReceipt { .. } => "payment_receipt",
            Job::PortalSync { .. } => PORTAL_SYNC,
        }
    }

    /// A name for logs that says which job it is without saying anything about whom (for mail,
    /// the template).
    pub fn label(&self) -> &'static str {
        match self {
            Job::Email(mail) => mail.message.template(),
            Job::PaymentReceipt { .. } => "payment_receipt",
            Job::PortalSync { .. } => PORTAL_SYNC,
        }
    }
}

/// The `outbox.kind` of national-portal sync; its rows keep their order per dossier even past a
/// dead row (the portal refuses progress that goes back in time).
pub const PORTAL_SYNC: &str = "portal_sync";

/// Writes a job into the outbox, inside the caller's transaction, due now. `aggregate_id`
/// (a dossier id) orders the jobs of one aggregate.
pub fn enqueue(conn: &mut DbConn, clock: &Clock, job: &Job, aggregate_id: Option<&str>) -> QueryResult<()> {
    enqueue_at(conn, clock.now_naive(), job, aggregate_id)
}

/// [`enqueue`] at a time the caller already holds (the instant of the step it reports).
pub fn enqueue_at(conn: &mut DbConn, now: NaiveDateTime, job: &Job, aggregate_id: Option<&str>) -> QueryResult<()> {
    let payload = serde_json::to_string(job).map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    OutboxRow::insert(
        conn,
        &OutboxRow {
            id: uuid::Uuid::now_v7().to_string(),
            kind: job.kind().to_owned(),
            aggregate_id: aggregate_id.map(str::to_owned),
            payload,
            status: "pending".to_owned(),
            attempts: 0,
            next_attempt_at: now,
            lease_owner: None,
            lease_until: None,
            last_error: None,
            created_at: now,
            sent_at: None,
        },
    )?;
    Ok(())
}

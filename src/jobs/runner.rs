//! The outbox runner: claims due rows with leases, runs each job outside any transaction, and
//! records the outcome (sent, retry later with back-off, or dead).
//!
//! How a row is claimed, portably (MultiBackend has no `FOR UPDATE SKIP LOCKED`, `ON CONFLICT`
//! or `RETURNING`): select a batch of claimable ids (pending, due, lease free or expired, no
//! older pending row of the same aggregate), then for each a short conditional `UPDATE … SET
//! lease_owner = me, lease_until = now + lease`: the worker whose update changes the row owns
//! it. Before sending, the owner renews its lease (and skips the row if another worker took it
//! after the lease ran out). The send itself runs with no transaction open and no connection
//! held.
//!
//! Delivery is **at least once**, never exactly once: mail cannot be recalled, and if a worker
//! dies (or stalls past its lease) after the SMTP server accepted a message but before the row
//! was marked sent, another worker sends it again. Jobs must therefore tolerate repeats (a
//! second identical e-mail is harmless; portal sync carries our event id).

use crate::clock::Clock;
use crate::config::Config;
use crate::db::{Db, DbConn, write_tx};
use crate::integrations::mailer::Mailer;
use crate::integrations::portal::Portal;
use crate::jobs::Job;
use crate::models::outbox::{Failure, OutboxRow};
use crate::signing::Signer;
use chrono::TimeDelta;
use rand::Rng;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// Attempts after which a row that keeps failing temporarily is given up (`dead`).
pub const DEFAULT_MAX_ATTEMPTS: i32 = 10;
/// How long a claimed row stays reserved for its worker; longer than any one job can take
/// (an SMTP command times out after 30 s).
pub const DEFAULT_LEASE: TimeDelta = TimeDelta::minutes(5);
/// How many rows one claim round reserves.
pub const DEFAULT_BATCH: i64 = 16;
/// Claim rounds in a row lost to other workers before a run gives up for now.
const MAX_LOST_ROUNDS: u32 = 100;
/// The wait after the first failure, in milliseconds; it doubles with each failure.
const FIRST_RETRY_MS: i64 = 30_000;
/// The longest wait between attempts, in milliseconds.
const MAX_RETRY_MS: i64 = 3_600_000;

/// What jobs need to run: all cheap to clone, one per worker thread.
#[derive(Clone)]
pub struct JobContext {
    /// The database.
    pub db: Db,
    /// The only source of "now".
    pub clock: Clock,
    /// Where mail goes.
    pub mailer: Mailer,
    /// The configuration (the mail sender, the portal's address).
    pub config: Config,
    /// The national portal; none: its rows wait (are not claimed) until one is configured.
    pub portal: Option<Portal>,
    /// Signs the file links given to the portal.
    pub signer: Signer,
}

impl JobContext {
    /// The context of a configuration: its mailer, its portal client, and the key of signed
    /// links (the same as the web server's).
    pub fn new(db: Db, clock: Clock, config: Config) -> anyhow::Result<JobContext> {
        let mailer = Mailer::from_config(&config)?;
        let signer = Signer::load(config.secret_key.as_deref(), &config.data_dir)?;
        let portal = config.portal();
        Ok(JobContext { db, clock, mailer, config, portal, signer })
    }

    /// The outbox kinds this context cannot run (their rows are left pending).
    fn held_kinds(&self) -> Vec<&'static str> {
        if self.portal.is_none() { vec![super::PORTAL_SYNC] } else { vec![] }
    }
}

/// Tunables of a run; [`Default`] gives the production values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunOptions {
    /// Attempts after which a temporarily failing row is `dead`.
    pub max_attempts: i32,
    /// How long a claim reserves a row.
    pub lease: TimeDelta,
    /// How many rows a claim round reserves.
    pub batch: i64,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { max_attempts: DEFAULT_MAX_ATTEMPTS, lease: DEFAULT_LEASE, batch: DEFAULT_BATCH }
    }
}

impl RunOptions {
    /// The production values with the configured number of attempts.
    pub fn from_config(config: &Config) -> Self {
        RunOptions { max_attempts: config.outbox_max_attempts, ..RunOptions::default() }
    }
}

/// What a run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Rows done.
    pub sent: usize,
    /// Rows that failed and will be tried again later.
    pub retried: usize,
    /// Rows given up.
    pub dead: usize,
}

impl RunReport {
    /// Whether the run touched any row.
    pub fn is_empty(&self) -> bool {
        *self == RunReport::default()
    }
}

/// Runs every row that is due now, claiming them under a fresh worker identity, until none is
/// left to claim (rows leased by other workers are left to them). For tests and one-off runs.
pub fn run_pending(ctx: &JobContext) -> anyhow::Result<RunReport> {
    run_pending_with(ctx, &RunOptions::from_config(&ctx.config))
}

/// [`run_pending`] with explicit options.
pub fn run_pending_with(ctx: &JobContext, options: &RunOptions) -> anyhow::Result<RunReport> {
    drain(ctx, options, &new_owner(), &|| false)
}

/// The wait before the next attempt after `attempts` failures (1 for the first): 30 s doubled
/// with each failure up to 1 h, spread ±20 % at random (so rows that failed together do not
/// retry together), and never more than 1 h.
pub fn backoff(attempts: i32) -> TimeDelta {
    backoff_with(attempts, &mut rand::thread_rng())
}

fn backoff_with(attempts: i32, rng: &mut impl Rng) -> TimeDelta {
    let doublings = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(20);
    let base = (FIRST_RETRY_MS << doublings).min(MAX_RETRY_MS);
    let low = base * 4 / 5;
    let high = (base * 6 / 5).min(MAX_RETRY_MS);
    TimeDelta::milliseconds(rng.gen_range(low..=high))
}

/// A background worker on its own OS thread (diesel and lettre block).
#[must_use = "a worker runs until `stop` is called"]
pub struct WorkerHandle {
    shared: Arc<Shared>,
    thread: JoinHandle<()>,
}

#[derive(Default)]
struct Shared {
    stopping: Mutex<bool>,
    wake: Condvar,
}

impl Shared {
    fn is_stopping(&self) -> bool {
        *self.stopping.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits `poll`, or less if asked to stop; returns whether to stop.
    fn wait(&self, poll: Duration) -> bool {
        let stopping = self.stopping.lock().unwrap_or_else(PoisonError::into_inner);
        let (stopping, _) =
            self.wake.wait_timeout_while(stopping, poll, |s| !*s).unwrap_or_else(PoisonError::into_inner);
        *stopping
    }
}

/// Starts a worker that runs due rows, then waits `poll` before looking again.
pub fn spawn_worker(ctx: JobContext, poll: Duration) -> WorkerHandle {
    let options = RunOptions::from_config(&ctx.config);
    spawn_worker_with(ctx, poll, options)
}

/// [`spawn_worker`] with explicit options.
pub fn spawn_worker_with(ctx: JobContext, poll: Duration, options: RunOptions) -> WorkerHandle {
    let shared = Arc::new(Shared::default());
    let thread = std::thread::Builder::new()
        .name("outbox-worker".to_owned())
        .spawn({
            let shared = Arc::clone(&shared);
            move || work(&ctx, poll, &options, &shared)
        })
        // As `std::thread::spawn` does: no thread means the process is out of resources.
        .unwrap_or_else(|e| panic!("cannot start the outbox worker thread: {e}"));
    WorkerHandle { shared, thread }
}

impl WorkerHandle {
    /// Stops gracefully: the row being sent is finished and recorded, the worker's other leases
    /// are given back at once (not left to expire), and the thread is joined.
    pub fn stop(self) {
        *self.shared.stopping.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.shared.wake.notify_all();
        if self.thread.join().is_err() {
            tracing::error!("the outbox worker panicked");
        }
    }
}

fn work(ctx: &JobContext, poll: Duration, options: &RunOptions, shared: &Shared) {
    let owner = new_owner();
    tracing::info!(worker = %owner, "outbox worker started");
    let stop = || shared.is_stopping();
    loop {
        if stop() {
            break;
        }
        match super::reminders::run_if_due(ctx) {
            Ok(0) => {}
            Ok(n) => tracing::info!(count = n, "deadline reminders enqueued"),
            Err(e) => tracing::error!(error = %format!("{e:#}"), "deadline reminders failed; trying again later"),
        }
        // It logs its own counts.
        if let Err(e) = super::reconcile::run_if_due(ctx) {
            tracing::error!(error = %format!("{e:#}"), "payment reconciliation failed; trying again later");
        }
        match drain(ctx, options, &owner, &stop) {
            Ok(report) if !report.is_empty() => {
                tracing::info!(sent = report.sent, retried = report.retried, dead = report.dead, "outbox run")
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %format!("{e:#}"), "outbox run failed; trying again later"),
        }
        if shared.wait(poll) {
            break;
        }
    }
    tracing::info!(worker = %owner, "outbox worker stopped");
}

/// A worker identity for leases: unique per run or per worker thread.
fn new_owner() -> String {
    format!("worker-{}-{}", std::process::id(), uuid::Uuid::now_v7().simple())
}

/// Claims and runs rows until none can be claimed or `stop()` says so, then gives back any
/// lease still held (stopping, or an error mid-batch).
fn drain(ctx: &JobContext, options: &RunOptions, owner: &str, stop: &dyn Fn() -> bool) -> anyhow::Result<RunReport> {
    let result = claim_and_run(ctx, options, owner, stop);
    let released = with_conn(&ctx.db, |conn| write_tx(conn, |conn| OutboxRow::release_leases(conn, owner)));
    let report = result?;
    let released = released?;
    if released > 0 {
        tracing::info!(worker = %owner, count = released, "outbox leases given back");
    }
    Ok(report)
}

fn claim_and_run(
    ctx: &JobContext,
    options: &RunOptions,
    owner: &str,
    stop: &dyn Fn() -> bool,
) -> anyhow::Result<RunReport> {
    let mut report = RunReport::default();
    let mut lost_rounds = 0;
    while !stop() {
        let Some(claimed) = claim_batch(ctx, options, owner)? else {
            break;
        };
        if claimed.is_empty() {
            // Other workers took every candidate between our select and our claims: they are
            // making progress, so look again (bounded, in case something else is amiss).
            lost_rounds += 1;
            if lost_rounds >= MAX_LOST_ROUNDS {
                break;
            }
            continue;
        }
        lost_rounds = 0;
        for id in claimed {
            if stop() {
                break;
            }
            match run_one(ctx, options, owner, &id)? {
                Outcome::Sent => report.sent += 1,
                Outcome::Retried => report.retried += 1,
                Outcome::Dead => report.dead += 1,
                Outcome::Lost => {}
            }
        }
    }
    Ok(report)
}

/// Reserves up to a batch of claimable rows; returns the ids this worker now owns (perhaps
/// none, if others were quicker), or `None` if nothing is claimable.
fn claim_batch(ctx: &JobContext, options: &RunOptions, owner: &str) -> anyhow::Result<Option<Vec<String>>> {
    let now = ctx.clock.now_naive();
    let until = now + options.lease;
    with_conn(&ctx.db, |conn| {
        let ids = OutboxRow::claimable_ids(conn, now, options.batch, &ctx.held_kinds())?;
        if ids.is_empty() {
            return Ok(None);
        }
        Ok(Some(write_tx(conn, |conn| OutboxRow::claim(conn, &ids, owner, now, until))?))
    })
}

/// What became of one claimed row.
enum Outcome {
    Sent,
    Retried,
    Dead,
    /// The lease ran out before the row's turn and another worker has it (or it is done).
    Lost,
}

/// A job's failure, sorted.
struct JobError {
    permanent: bool,
    /// Short; no secret, address or body.
    message: String,
}

fn run_one(ctx: &JobContext, options: &RunOptions, owner: &str, id: &str) -> anyhow::Result<Outcome> {
    // The lease was taken when the batch was claimed; extend it to cover this send, or learn
    // that it ran out and another worker took the row.
    // While more than half of it is left, the lease itself is proof enough that nobody else
    // has the row (no write needed); past that, it is renewed first.
    let now = ctx.clock.now_naive();
    let until = now + options.lease;
    let row = with_conn(&ctx.db, |conn| {
        let row = OutboxRow::find(conn, id)?;
        let held = row.status == crate::models::outbox::PENDING && row.lease_owner.as_deref() == Some(owner);
        match row.lease_until {
            Some(lease) if held && lease - now > options.lease / 2 => Ok(Some(row)),
            _ if held => match write_tx(conn, |conn| OutboxRow::renew(conn, id, owner, until))? {
                true => OutboxRow::find(conn, id).map(Some),
                false => Ok(None),
            },
            _ => Ok(None),
        }
    })?;
    let Some(row) = row else {
        return Ok(Outcome::Lost);
    };
    let (label, result) = match serde_json::from_str::<Job>(&row.payload) {
        Ok(job) => (job.label(), execute(ctx, &row.id, &job)),
        Err(_) => ("undecodable", Err(JobError { permanent: true, message: "the payload cannot be decoded".into() })),
    };
    match result {
        Ok(()) => record_sent(ctx, &row, label),
        Err(e) => record_failure(ctx, options, owner, &row, label, &e),
    }
}

fn record_sent(ctx: &JobContext, row: &OutboxRow, label: &str) -> anyhow::Result<Outcome> {
    let now = ctx.clock.now_naive();
    let recorded = with_conn(&ctx.db, |conn| write_tx(conn, |conn| OutboxRow::record_sent(conn, &row.id, now)))?;
    if !recorded {
        tracing::warn!(outbox_id = %row.id, template = label, "job done, but the row was no longer pending");
    }
    tracing::info!(outbox_id = %row.id, kind = %row.kind, template = label, "job done");
    Ok(Outcome::Sent)
}

fn record_failure(
    ctx: &JobContext,
    options: &RunOptions,
    owner: &str,
    row: &OutboxRow,
    label: &str,
    e: &JobError,
) -> anyhow::Result<Outcome> {
    let now = ctx.clock.now_naive();
    let attempts = row.attempts.saturating_add(1);
    let dead = e.permanent || attempts >= options.max_attempts;
    let failure = Failure { error: &e.message, next_attempt_at: now + backoff(attempts), dead };
    let recorded =
        with_conn(&ctx.db, |conn| write_tx(conn, |conn| OutboxRow::record_failure(conn, &row.id, owner, &failure)))?;
    if !recorded {
        tracing::warn!(
            outbox_id = %row.id,
            template = label,
            error = %e.message,
            "job failed after losing its lease; the new owner decides"
        );
        return Ok(Outcome::Lost);
    }
    if dead {
        tracing::warn!(
            outbox_id = %row.id,
            kind = %row.kind,
            template = label,
            attempts,
            permanent = e.permanent,
            error = %e.message,
            "job failed; given up"
        );
        Ok(Outcome::Dead)
    } else {
        tracing::info!(
            outbox_id = %row.id,
            kind = %row.kind,
            template = label,
            attempts,
            error = %e.message,
            "job failed; will retry"
        );
        Ok(Outcome::Retried)
    }
}

/// Runs one job; no transaction is open and no connection held.
fn execute(ctx: &JobContext, id: &str, job: &Job) -> Result<(), JobError> {
    match job {
        Job::Email(mail) => ctx
            .mailer
            .send_keyed(&ctx.config.mail_from, mail, id)
            .map_err(|e| JobError { permanent: e.is_permanent(), message: e.to_string() }),
        Job::PortalSync { event_id } => {
            let Some(portal) = &ctx.portal else {
                return Err(JobError { permanent: false, message: "no national portal is configured".into() });
            };
            let env = crate::services::portal_sync::SyncEnv {
                db: &ctx.db,
                clock: &ctx.clock,
                portal,
                signer: &ctx.signer,
                base_url: &ctx.config.base_url,
            };
            crate::services::portal_sync::send_event(&env, event_id)
                .map_err(|f| JobError { permanent: f.permanent, message: f.message })
        }
        Job::PaymentReceipt { transaction_id } => crate::services::payments::fetch_receipt(
            &ctx.db,
            &ctx.clock,
            &crate::services::payments::Payments::from_config(&ctx.config),
            &crate::files::FileStore::new(&ctx.config.data_dir),
            transaction_id,
        )
        .map_err(|message| JobError { permanent: false, message }),
    }
}

fn with_conn<T>(db: &Db, f: impl FnOnce(&mut DbConn) -> diesel::QueryResult<T>) -> anyhow::Result<T> {
    let mut conn = db.get()?;
    Ok(f(&mut conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn secs(d: TimeDelta) -> f64 {
        d.num_milliseconds() as f64 / 1000.0
    }

    #[test]
    fn backoff_doubles_from_30_seconds_within_20_percent() {
        let mut rng = StdRng::seed_from_u64(7);
        for (attempts, base) in [(1, 30.0), (2, 60.0), (3, 120.0), (4, 240.0), (5, 480.0), (6, 960.0), (7, 1920.0)] {
            for _ in 0..500 {
                let d = secs(backoff_with(attempts, &mut rng));
                assert!(d >= base * 0.8 && d <= base * 1.2, "attempt {attempts}: {d} s");
            }
        }
    }

    #[test]
    fn backoff_never_exceeds_one_hour() {
        let mut rng = StdRng::seed_from_u64(11);
        for attempts in [8, 9, 10, 20, 64, i32::MAX] {
            for _ in 0..500 {
                let d = secs(backoff_with(attempts, &mut rng));
                assert!((2880.0..=3600.0).contains(&d), "attempt {attempts}: {d} s");
            }
        }
        // Nonsense counts are treated as a first failure.
        for attempts in [0, -3, i32::MIN] {
            let d = secs(backoff_with(attempts, &mut rng));
            assert!((24.0..=36.0).contains(&d), "attempt {attempts}: {d} s");
        }
    }

    #[test]
    fn backoff_jitter_spreads_over_the_whole_range() {
        let mut rng = StdRng::seed_from_u64(3);
        let samples: Vec<f64> = (0..2000).map(|_| secs(backoff_with(1, &mut rng))).collect();
        let min = samples.iter().copied().fold(f64::MAX, f64::min);
        let max = samples.iter().copied().fold(f64::MIN, f64::max);
        assert!(min < 24.5 && max > 35.5, "{min}..{max}");
        let early = samples.iter().filter(|d| **d < 30.0).count();
        assert!((800..=1200).contains(&early), "{early} of 2000 below the middle");
        // The public function uses the same rule.
        let d = secs(backoff(3));
        assert!((96.0..=144.0).contains(&d), "{d}");
    }

    #[test]
    fn default_options() {
        let o = RunOptions::default();
        assert_eq!((o.max_attempts, o.lease, o.batch), (10, TimeDelta::minutes(5), 16));
    }
}

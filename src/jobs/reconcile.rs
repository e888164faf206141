//! Reconciliation of online payments: attempts still pending are asked about at the gateway
//! (`QUERY`, through [`payments::check`]), so that a payment whose `CONFIRM` never arrived is
//! settled, and one never paid expires.
//!
//! - Every five minutes: attempts initiated between 3 days and 15 minutes ago.
//! - Once a day, from 01:00 (Vietnam time): the older ones, which `check` expires.
//!
//! Each round is claimed in `scheduled_runs` (the five-minute slot, or the day), so it runs once
//! whatever the number of workers; a round is claimed only when there is work, so quiet slots
//! leave no row. An attempt asked about in the last five minutes (by a finance officer, or the
//! citizen's return page) is skipped. The gateway is called with no transaction open.

use crate::clock::to_local;
use crate::db::write_tx;
use crate::domain::payment::TxStatus;
use crate::jobs::JobContext;
use crate::models::payment::PaymentTransaction;
use crate::models::workflow::claim_daily_run;
use crate::services::payments::{self, Payments};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike};
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// The name of the five-minute rounds' claims in `scheduled_runs` (followed by `@HH:MM`).
pub const ROUND_RUN: &str = "payment_check";
/// The name of the daily sweep's claim in `scheduled_runs`.
pub const DAILY_RUN: &str = "payment_sweep";
/// Attempts younger than this are left to the `CONFIRM` callback.
pub const MIN_AGE: TimeDelta = TimeDelta::minutes(15);
/// The five-minute rounds look this far back; older attempts wait for the daily sweep.
pub const WINDOW: TimeDelta = TimeDelta::days(3);
/// An attempt asked about this recently is skipped.
pub const RECHECK_AFTER: TimeDelta = TimeDelta::minutes(5);
/// The length of a round's slot, in minutes.
const SLOT_MINUTES: u32 = 5;
/// Attempts read per query.
const BATCH: i64 = 50;
/// How long one round may take before it leaves the rest to the next (a gateway that hangs
/// until each call times out must not hold up the worker's mail for long).
const ROUND_BUDGET: Duration = Duration::from_secs(60);

/// What a run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReconcileReport {
    /// Attempts asked about.
    pub checked: usize,
    /// Of those, now paid.
    pub paid: usize,
    /// Now failed.
    pub failed: usize,
    /// Now expired.
    pub expired: usize,
    /// Checks that ended in an error (left pending, tried again later).
    pub errors: usize,
}

impl ReconcileReport {
    fn add(&mut self, other: ReconcileReport) {
        self.checked += other.checked;
        self.paid += other.paid;
        self.failed += other.failed;
        self.expired += other.expired;
        self.errors += other.errors;
    }

    /// Whether nothing was asked about.
    pub fn is_empty(&self) -> bool {
        *self == ReconcileReport::default()
    }
}

/// The oldest attempt the daily sweep looks at (before the portal existed).
fn far_past() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default().and_time(NaiveTime::MIN)
}

/// The claim name of the five-minute slot `local` falls in, e.g. `payment_check@08:35`.
fn slot_name(local: NaiveDateTime) -> String {
    format!("{ROUND_RUN}@{:02}:{:02}", local.hour(), local.minute() / SLOT_MINUTES * SLOT_MINUTES)
}

/// Runs the round of this five-minute slot and the day's sweep, each if due and not yet
/// claimed by another worker. Does nothing when no gateway is configured.
pub fn run_if_due(ctx: &JobContext) -> anyhow::Result<ReconcileReport> {
    let payments = Payments::from_config(&ctx.config);
    if payments.gateway.is_none() {
        return Ok(ReconcileReport::default());
    }
    let now = ctx.clock.now_naive();
    let local = to_local(now);
    let mut report = ReconcileReport::default();
    let (from, to) = (now - WINDOW, now - MIN_AGE);
    if has_work(ctx, from, to, now)? && claim(ctx, &slot_name(local), local.date(), now)? {
        report.add(sweep(ctx, &payments, from, to, now, Instant::now() + ROUND_BUDGET));
        // The slots' claims of earlier days are no longer needed.
        let mut conn = ctx.db.get().map_err(|e| anyhow::anyhow!("{e}"))?;
        crate::models::workflow::prune_runs(&mut conn, &format!("{ROUND_RUN}@"), local.date())?;
    }
    let sweep_from = NaiveTime::from_hms_opt(1, 0, 0).unwrap_or(NaiveTime::MIN);
    if local.time() >= sweep_from && has_work(ctx, far_past(), from, now)? && claim(ctx, DAILY_RUN, local.date(), now)?
    {
        report.add(sweep(ctx, &payments, far_past(), from, now, Instant::now() + ROUND_BUDGET));
    }
    Ok(report)
}

/// Runs the five-minute round now, and with `all` the daily sweep too, without claims or a
/// time budget (tests, one-off runs).
pub fn run_now(ctx: &JobContext, all: bool) -> ReconcileReport {
    let payments = Payments::from_config(&ctx.config);
    let now = ctx.clock.now_naive();
    let no_budget = Instant::now() + Duration::from_secs(24 * 3600);
    let mut report = sweep(ctx, &payments, now - WINDOW, now - MIN_AGE, now, no_budget);
    if all {
        report.add(sweep(ctx, &payments, far_past(), now - WINDOW, now, no_budget));
    }
    report
}

/// Claims a run; a concurrent claim of the same run by another worker loses quietly.
fn claim(ctx: &JobContext, name: &str, day: NaiveDate, now: NaiveDateTime) -> anyhow::Result<bool> {
    use diesel::result::{DatabaseErrorKind, Error};
    let mut conn = ctx.db.get().map_err(|e| anyhow::anyhow!("{e}"))?;
    match write_tx(&mut conn, |conn| claim_daily_run(conn, name, day, now)) {
        Ok(claimed) => Ok(claimed),
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) => Err(anyhow::anyhow!("claim {name}: {e}")),
    }
}

fn due(t: &PaymentTransaction, now: NaiveDateTime) -> bool {
    t.checked_at.is_none_or(|at| now - at >= RECHECK_AFTER)
}

/// Pending attempts initiated in `[from, to)`, batch by batch, oldest first; `visit` returns
/// false to stop.
fn each_pending(
    ctx: &JobContext,
    from: NaiveDateTime,
    to: NaiveDateTime,
    mut visit: impl FnMut(PaymentTransaction) -> bool,
) -> anyhow::Result<()> {
    let mut cursor = from;
    let mut seen = HashSet::new();
    loop {
        // The connection goes back to the pool before the gateway is called.
        let batch = {
            let mut conn = ctx.db.get().map_err(|e| anyhow::anyhow!("{e}"))?;
            PaymentTransaction::pending_between(&mut conn, cursor, to, BATCH)?
        };
        let full = i64::try_from(batch.len()).unwrap_or(i64::MAX) >= BATCH;
        let Some(last) = batch.last().map(|t| t.initiated_at) else { return Ok(()) };
        let mut progressed = false;
        for t in batch {
            if !seen.insert(t.id.clone()) {
                continue;
            }
            progressed = true;
            if !visit(t) {
                return Ok(());
            }
        }
        if !full {
            return Ok(());
        }
        // Attempts still pending at `last` come back in the next batch (and are skipped as
        // seen); if a whole batch shares one instant, step past it.
        cursor = if progressed { last } else { last + TimeDelta::microseconds(1) };
    }
}

/// Whether some attempt in `[from, to)` is due to be asked about.
fn has_work(ctx: &JobContext, from: NaiveDateTime, to: NaiveDateTime, now: NaiveDateTime) -> anyhow::Result<bool> {
    let mut found = false;
    each_pending(ctx, from, to, |t| {
        found = due(&t, now);
        !found
    })?;
    Ok(found)
}

/// Asks about every due attempt initiated in `[from, to)`, until `deadline`.
fn sweep(
    ctx: &JobContext,
    payments: &Payments,
    from: NaiveDateTime,
    to: NaiveDateTime,
    now: NaiveDateTime,
    deadline: Instant,
) -> ReconcileReport {
    let mut report = ReconcileReport::default();
    let walked = each_pending(ctx, from, to, |t| {
        if !due(&t, now) {
            return true;
        }
        report.checked += 1;
        match payments::check(&ctx.db, &ctx.clock, payments, &t.reference) {
            Ok(TxStatus::Paid) => report.paid += 1,
            Ok(TxStatus::Failed) => report.failed += 1,
            Ok(TxStatus::Expired) => report.expired += 1,
            Ok(TxStatus::Pending) => {}
            Err(e) => {
                report.errors += 1;
                tracing::warn!(error = %e, "payment check failed; trying again later");
            }
        }
        Instant::now() < deadline
    });
    if let Err(e) = walked {
        report.errors += 1;
        tracing::error!(error = %format!("{e:#}"), "payment reconciliation stopped; trying again later");
    }
    if !report.is_empty() {
        tracing::info!(
            checked = report.checked,
            paid = report.paid,
            failed = report.failed,
            expired = report.expired,
            errors = report.errors,
            "payment reconciliation"
        );
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_five_minutes_long() {
        let at = |h, m, s| {
            NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default().and_hms_opt(h, m, s).unwrap_or_default()
        };
        assert_eq!(slot_name(at(8, 35, 0)), "payment_check@08:35");
        assert_eq!(slot_name(at(8, 39, 59)), "payment_check@08:35");
        assert_eq!(slot_name(at(8, 40, 0)), "payment_check@08:40");
        assert_eq!(slot_name(at(0, 4, 0)), "payment_check@00:00");
    }

    #[test]
    fn reports_add_up() {
        let mut r = ReconcileReport { checked: 2, paid: 1, ..Default::default() };
        r.add(ReconcileReport { checked: 3, expired: 2, errors: 1, ..Default::default() });
        assert_eq!(r, ReconcileReport { checked: 5, paid: 1, failed: 0, expired: 2, errors: 1 });
        assert!(!r.is_empty() && ReconcileReport::default().is_empty());
    }
}

//! The outbox: background work written in the transaction of the change it reports.

use crate::db::DbConn;
use crate::db::schema::outbox;
use chrono::NaiveDateTime;
use diesel::dsl::{exists, not};
use diesel::prelude::*;

/// Waiting to be run (or run again).
pub const PENDING: &str = "pending";
/// Done.
pub const SENT: &str = "sent";
/// Given up: a permanent error, or too many attempts. Only an administrator sends it again.
pub const DEAD: &str = "dead";

diesel::alias!(outbox as older: OlderOutbox);

/// The kinds whose rows keep their order per aggregate even past a dead row: the national
/// portal refuses progress that goes back in time, so a later step waits until an administrator
/// has sent the dead one again.
pub const STRICT_ORDER_KINDS: [&str; 1] = [crate::jobs::PORTAL_SYNC];

/// The rows a worker may claim at `now`: pending, due, not leased (or the lease ran out), of a
/// kind not `held`, and with no older unfinished row of the same aggregate and kind (so one
/// dossier's mails go out in order, and its portal steps too, each independently of the other;
/// "older" is by `created_at`, then `id`; "unfinished" is pending, or dead for the
/// [`STRICT_ORDER_KINDS`]). Rows without an aggregate are never held back.
macro_rules! claimable {
    ($now:expr, $held:expr) => {{
        let now: NaiveDateTime = $now;
        let held: &[&str] = $held;
        outbox::status
            .eq(PENDING)
            .and(outbox::kind.ne_all(held))
            .and(outbox::next_attempt_at.le(now))
            .and(outbox::lease_until.is_null().or(outbox::lease_until.lt(now)))
            .and(not(exists(
                older
                    .filter(older.field(outbox::aggregate_id).eq(outbox::aggregate_id))
                    .filter(older.field(outbox::kind).eq(outbox::kind))
                    .filter(older.field(outbox::status).eq(PENDING).or(
                        older.field(outbox::status).eq(DEAD).and(older.field(outbox::kind).eq_any(STRICT_ORDER_KINDS)),
                    ))
                    .filter(
                        older.field(outbox::created_at).lt(outbox::created_at).or(older
                            .field(outbox::created_at)
                            .eq(outbox::created_at)
                            .and(older.field(outbox::id).lt(outbox::id))),
                    )
                    .select(older.field(outbox::id)),
            )))
    }};
}

/// The outcome of a failed attempt, recorded by [`OutboxRow::record_failure`].
#[derive(Clone, Copy, Debug)]
pub struct Failure<'a> {
    /// Short, with no secret, address or message body.
    pub error: &'a str,
    /// When to try again (ignored when `dead`).
    pub next_attempt_at: NaiveDateTime,
    /// Give up on the row.
    pub dead: bool,
}

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

    /// One row by id.
    pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<OutboxRow> {
        outbox::table.find(id).select(OutboxRow::as_select()).first(conn)
    }

    /// Every row, oldest first (tests and the administrator's page).
    pub fn all(conn: &mut DbConn) -> QueryResult<Vec<OutboxRow>> {
        outbox::table.order((outbox::created_at.asc(), outbox::id.asc())).select(OutboxRow::as_select()).load(conn)
    }

    /// Ids of up to `limit` rows claimable at `now`, earliest due first. Others may claim them first:
    /// only [`OutboxRow::claim`] decides.
    pub fn claimable_ids(conn: &mut DbConn, now: NaiveDateTime, limit: i64, held: &[&str]) -> QueryResult<Vec<String>> {
        // Earliest due first, straight from the `outbox_due` index: ordering by creation made
        // both backends sort every pending row on each claim (574 ms per claim with a backlog of
        // 150,000 rows on SQLite, 0.5 ms this way). The order within an aggregate is the
        // filter's business, not this one's.
        outbox::table
            .filter(claimable!(now, held))
            .order(outbox::next_attempt_at.asc())
            .limit(limit)
            .select(outbox::id)
            .load(conn)
    }

    /// Takes a lease for `owner` until `until` on those of `ids` still claimable at `now`, in
    /// one statement, and answers which it got. Portable (no `FOR UPDATE SKIP LOCKED` or
    /// `RETURNING`): of workers racing for a row, only the one whose update changes it owns it
    /// — the conditional UPDATE is atomic on both backends — and the owner reads back the rows
    /// leased to it with this very `until` (run it in one transaction with the read).
    pub fn claim(
        conn: &mut DbConn,
        ids: &[String],
        owner: &str,
        now: NaiveDateTime,
        until: NaiveDateTime,
    ) -> QueryResult<Vec<String>> {
        diesel::update(outbox::table.filter(outbox::id.eq_any(ids)).filter(claimable!(now, &[])))
            .set((outbox::lease_owner.eq(owner), outbox::lease_until.eq(until)))
            .execute(conn)?;
        outbox::table
            .filter(outbox::id.eq_any(ids))
            .filter(outbox::status.eq(PENDING))
            .filter(outbox::lease_owner.eq(owner))
            .filter(outbox::lease_until.eq(until))
            .order((outbox::created_at.asc(), outbox::id.asc()))
            .select(outbox::id)
            .load(conn)
    }

    /// Extends `owner`'s lease on a pending row to `until`; `false` if the row is no longer
    /// `owner`'s (its lease ran out and another worker took it) or no longer pending.
    pub fn renew(conn: &mut DbConn, id: &str, owner: &str, until: NaiveDateTime) -> QueryResult<bool> {
        let changed = diesel::update(
            outbox::table
                .filter(outbox::id.eq(id))
                .filter(outbox::status.eq(PENDING))
                .filter(outbox::lease_owner.eq(owner)),
        )
        .set(outbox::lease_until.eq(until))
        .execute(conn)?;
        Ok(changed == 1)
    }

    /// Marks a pending row sent at `now` and clears its lease, whoever holds it: the work was
    /// done, so nobody should do it again. `false` if the row was no longer pending.
    pub fn record_sent(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
        let changed = diesel::update(outbox::table.filter(outbox::id.eq(id)).filter(outbox::status.eq(PENDING)))
            .set((
                outbox::status.eq(SENT),
                outbox::sent_at.eq(now),
                outbox::lease_owner.eq(None::<String>),
                outbox::lease_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
        Ok(changed == 1)
    }

    /// Records a failed attempt by `owner`: one more attempt, the error, the next try (or
    /// `dead`), lease cleared. `false` (nothing written) if `owner` no longer holds the row.
    pub fn record_failure(conn: &mut DbConn, id: &str, owner: &str, failure: &Failure<'_>) -> QueryResult<bool> {
        let changed = diesel::update(
            outbox::table
                .filter(outbox::id.eq(id))
                .filter(outbox::status.eq(PENDING))
                .filter(outbox::lease_owner.eq(owner)),
        )
        .set((
            outbox::status.eq(if failure.dead { DEAD } else { PENDING }),
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::last_error.eq(failure.error),
            outbox::next_attempt_at.eq(failure.next_attempt_at),
            outbox::lease_owner.eq(None::<String>),
            outbox::lease_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
        Ok(changed == 1)
    }

    /// Gives back every lease `owner` holds on pending rows (a worker stopping); returns how many.
    pub fn release_leases(conn: &mut DbConn, owner: &str) -> QueryResult<usize> {
        diesel::update(outbox::table.filter(outbox::lease_owner.eq(owner)).filter(outbox::status.eq(PENDING)))
            .set((outbox::lease_owner.eq(None::<String>), outbox::lease_until.eq(None::<NaiveDateTime>)))
            .execute(conn)
    }

    /// How many rows there are per `(kind, status)`.
    pub fn counts(conn: &mut DbConn) -> QueryResult<Vec<(String, String, i64)>> {
        outbox::table
            .group_by((outbox::kind, outbox::status))
            .select((outbox::kind, outbox::status, diesel::dsl::count_star()))
            .order((outbox::kind, outbox::status))
            .load(conn)
    }

    /// The creation time of the oldest pending row of each kind.
    pub fn oldest_pending(conn: &mut DbConn) -> QueryResult<Vec<(String, Option<NaiveDateTime>)>> {
        outbox::table
            .filter(outbox::status.eq(PENDING))
            .group_by(outbox::kind)
            .select((outbox::kind, diesel::dsl::min(outbox::created_at)))
            .load(conn)
    }

    /// Up to `limit` dead rows, oldest first, optionally of one kind.
    pub fn dead(conn: &mut DbConn, kind: Option<&str>, limit: i64) -> QueryResult<Vec<OutboxRow>> {
        let mut q = outbox::table.filter(outbox::status.eq(DEAD)).into_boxed();
        if let Some(kind) = kind {
            q = q.filter(outbox::kind.eq(kind.to_owned()));
        }
        q.order((outbox::created_at.asc(), outbox::id.asc())).limit(limit).select(OutboxRow::as_select()).load(conn)
    }

    /// The rows of one aggregate and kind, oldest first.
    pub fn of_aggregate(conn: &mut DbConn, aggregate_id: &str, kind: &str) -> QueryResult<Vec<OutboxRow>> {
        outbox::table
            .filter(outbox::aggregate_id.eq(aggregate_id))
            .filter(outbox::kind.eq(kind))
            .order((outbox::created_at.asc(), outbox::id.asc()))
            .select(OutboxRow::as_select())
            .load(conn)
    }

    /// Puts dead rows back in the queue, due at `now` with their attempts counted afresh (their
    /// last error is kept until the next attempt); `ids` none: every dead row of `kind` (or of
    /// every kind). Answers how many.
    pub fn resend(
        conn: &mut DbConn,
        ids: Option<&[String]>,
        kind: Option<&str>,
        now: NaiveDateTime,
    ) -> QueryResult<usize> {
        let mut target = outbox::table.filter(outbox::status.eq(DEAD)).into_boxed();
        if let Some(ids) = ids {
            target = target.filter(outbox::id.eq_any(ids.to_vec()));
        }
        if let Some(kind) = kind {
            target = target.filter(outbox::kind.eq(kind.to_owned()));
        }
        let chosen: Vec<String> = target.select(outbox::id).load(conn)?;
        diesel::update(outbox::table.filter(outbox::id.eq_any(&chosen)).filter(outbox::status.eq(DEAD)))
            .set((
                outbox::status.eq(PENDING),
                outbox::attempts.eq(0),
                outbox::next_attempt_at.eq(now),
                outbox::lease_owner.eq(None::<String>),
                outbox::lease_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)
    }
}

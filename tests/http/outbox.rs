//! The outbox runner against a real SMTP sink: back-off, dead letters, per-aggregate order,
//! leases under races and crashes, graceful stop, and the transactional enqueue.

use crate::mail::{Harness, sent};
use crate::support::smtp::{PERMANENT, TEMPORARY};
use crate::support::with_conn;
use chrono::TimeDelta;
use diesel::QueryResult;
use dvc_portal::db::write_tx;
use dvc_portal::integrations::mailer::{MailMessage, OutgoingMail};
use dvc_portal::jobs::{
    DEFAULT_LEASE, DEFAULT_MAX_ATTEMPTS, Job, RunOptions, RunReport, enqueue, run_pending_with, spawn_worker,
};
use dvc_portal::models::outbox::{DEAD, Failure, OutboxRow, PENDING, SENT};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// A small message whose subject names it.
fn withdrawn(code: &str) -> MailMessage {
    MailMessage::DossierWithdrawn {
        name: "Nguyễn Văn An".into(),
        code: code.into(),
        procedure_name: "Đăng ký khai sinh".into(),
        reason: "Nộp nhầm".into(),
    }
}

fn subject(code: &str) -> String {
    format!("Hồ sơ {code} đã được rút")
}

fn subjects(h: &Harness) -> Vec<String> {
    h.sink.messages().into_iter().map(|m| m.subject).collect()
}

fn report(sent: usize, retried: usize, dead: usize) -> RunReport {
    RunReport { sent, retried, dead }
}

fn one_row(h: &Harness) -> OutboxRow {
    let mut rows = h.rows();
    assert_eq!(rows.len(), 1);
    rows.remove(0)
}

#[test]
fn a_temporary_failure_is_retried_after_a_backoff_and_delivered_once() {
    let h = Harness::start();
    h.sink.fail_next(1, TEMPORARY);
    h.enqueue("an@example.vn", withdrawn("T-1"), None);
    let start = h.ctx.clock.now_naive();

    assert_eq!(h.run(), report(0, 1, 0));
    assert!(h.sink.messages().is_empty());
    let row = one_row(&h);
    assert_eq!((row.status.as_str(), row.attempts), (PENDING, 1));
    let wait = row.next_attempt_at - start;
    assert!(wait >= TimeDelta::seconds(24) && wait <= TimeDelta::seconds(36), "first back-off {wait}");
    let error = row.last_error.unwrap_or_default();
    assert!(error.contains("451"), "{error}");
    assert!(!error.contains("an@example.vn"), "the address leaked into last_error: {error}");
    assert_eq!((row.lease_owner, row.lease_until), (None, None));

    // Not due yet: nothing happens, however often the runner looks.
    assert_eq!(h.run(), RunReport::default());
    h.advance(TimeDelta::seconds(23));
    assert_eq!(h.run(), RunReport::default());
    assert_eq!(h.sink.refused(), 1);

    h.advance(TimeDelta::seconds(14));
    assert_eq!(h.run(), sent(1));
    assert_eq!(subjects(&h), [subject("T-1")]);
    let row = one_row(&h);
    assert_eq!((row.status.as_str(), row.attempts), (SENT, 1));
    assert_eq!(row.sent_at, Some(h.ctx.clock.now_naive()));
    assert_eq!(h.run(), RunReport::default());
    assert_eq!(h.sink.messages().len(), 1);
}

#[test]
fn a_permanent_failure_is_dead_at_once() {
    let h = Harness::start();
    h.sink.fail_next(1, PERMANENT);
    h.enqueue("an@example.vn", withdrawn("P-1"), None);
    assert_eq!(h.run(), report(0, 0, 1));
    let row = one_row(&h);
    assert_eq!((row.status.as_str(), row.attempts), (DEAD, 1));
    let error = row.last_error.unwrap_or_default();
    assert!(error.contains("550"), "{error}");
    assert!(!error.contains("an@example.vn"), "{error}");
    h.advance(TimeDelta::days(2));
    assert_eq!(h.run(), RunReport::default());
    assert!(h.sink.messages().is_empty());
    assert_eq!(h.sink.refused(), 1);
}

#[test]
fn an_undecodable_payload_is_dead_at_once() {
    let h = Harness::start();
    h.enqueue("an@example.vn", withdrawn("U-1"), None);
    let mut row = one_row(&h);
    with_conn(&h.ctx.db, |conn| -> QueryResult<()> {
        use diesel::prelude::*;
        use dvc_portal::db::schema::outbox;
        diesel::delete(outbox::table).execute(conn)?;
        row.payload = r#"{"kind":"email","to":"an@example.vn","message":{"template":"no_such_template"}}"#.into();
        OutboxRow::insert(conn, &row).map(drop)
    })
    .unwrap_or_else(|e| panic!("rewrite: {e}"));
    assert_eq!(h.run(), report(0, 0, 1));
    let row = one_row(&h);
    assert_eq!(row.status, DEAD);
    assert_eq!(row.last_error.as_deref(), Some("the payload cannot be decoded"));
    assert!(h.sink.messages().is_empty() && h.sink.refused() == 0);
}

#[test]
fn a_row_that_keeps_failing_is_dead_after_the_maximum_attempts() {
    let h = Harness::start();
    h.sink.fail_next(100, TEMPORARY);
    h.enqueue("an@example.vn", withdrawn("M-1"), None);
    for attempt in 1..DEFAULT_MAX_ATTEMPTS {
        assert_eq!(h.run(), report(0, 1, 0), "attempt {attempt}");
        let row = one_row(&h);
        assert_eq!((row.status.as_str(), row.attempts), (PENDING, attempt));
        let wait = row.next_attempt_at - h.ctx.clock.now_naive();
        assert!(wait <= TimeDelta::hours(1), "attempt {attempt}: {wait}");
        h.advance(TimeDelta::hours(1) + TimeDelta::seconds(1));
    }
    assert_eq!(h.run(), report(0, 0, 1));
    let row = one_row(&h);
    assert_eq!((row.status.as_str(), row.attempts), (DEAD, DEFAULT_MAX_ATTEMPTS));
    h.advance(TimeDelta::days(1));
    assert_eq!(h.run(), RunReport::default());
    assert_eq!(h.sink.refused(), usize::try_from(DEFAULT_MAX_ATTEMPTS).unwrap_or_default());
}

#[test]
fn rows_of_one_aggregate_go_in_order_without_blocking_others() {
    let h = Harness::start();
    h.sink.fail_next(1, TEMPORARY);
    h.enqueue("a@example.vn", withdrawn("A1"), Some("dossier-a"));
    h.enqueue("b@example.vn", withdrawn("B1"), Some("dossier-b"));
    h.enqueue("a@example.vn", withdrawn("A2"), Some("dossier-a"));
    h.enqueue("n@example.vn", withdrawn("N1"), None);
    h.enqueue("a@example.vn", withdrawn("A3"), Some("dossier-a"));

    // A1 is refused and waits; A2 and A3 wait behind it; B1 and N1 go.
    assert_eq!(h.run(), report(2, 1, 0));
    assert_eq!(subjects(&h), [subject("B1"), subject("N1")]);
    let pending: Vec<_> = h.rows().into_iter().filter(|r| r.status == PENDING).map(|r| r.attempts).collect();
    assert_eq!(pending, [1, 0, 0], "A2 and A3 were never tried");

    h.advance(TimeDelta::minutes(1));
    assert_eq!(h.run(), sent(3));
    assert_eq!(subjects(&h), ["B1", "N1", "A1", "A2", "A3"].map(subject));
}

#[test]
fn runners_racing_never_send_a_row_twice() {
    let h = Harness::start();
    // Small batches: many claim rounds, each a race for the same oldest rows.
    let options = RunOptions { batch: 2, ..RunOptions::default() };
    let (runners, rounds, rows) = (4, 3, 40);
    for round in 0..rounds {
        for i in 0..rows {
            h.enqueue(&format!("c{round}-{i}@example.vn"), withdrawn(&format!("R-{round}-{i}")), None);
        }
        let barrier = std::sync::Barrier::new(runners);
        let reports: Vec<RunReport> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..runners)
                .map(|_| {
                    s.spawn(|| {
                        barrier.wait();
                        run_pending_with(&h.ctx, &options).unwrap_or_else(|e| panic!("run_pending: {e:#}"))
                    })
                })
                .collect();
            handles.into_iter().map(|r| r.join().unwrap_or_else(|_| panic!("runner panicked"))).collect()
        });
        assert_eq!(reports.iter().map(|r| r.sent).sum::<usize>(), rows, "round {round}: {reports:?}");
        let messages = h.sink.messages();
        assert_eq!(messages.len(), rows * (round + 1), "round {round}: a row was sent twice");
        let recipients: BTreeSet<_> = messages.iter().flat_map(|m| m.rcpt_to.clone()).collect();
        assert_eq!(recipients.len(), messages.len());
    }
    assert!(h.rows().iter().all(|r| r.status == SENT && r.lease_owner.is_none()));
}

#[test]
fn a_worker_killed_mid_send_is_replaced_when_its_lease_runs_out() {
    let h = Harness::start();
    h.enqueue("an@example.vn", withdrawn("K-1"), None);
    let now = h.ctx.clock.now_naive();
    // The "killed" worker claims the row and sends the mail, then dies before recording it.
    let row = with_conn(&h.ctx.db, |conn| -> QueryResult<OutboxRow> {
        let ids = OutboxRow::claimable_ids(conn, now, 10, &[])?;
        assert_eq!(ids.len(), 1);
        let got = write_tx(conn, |conn| OutboxRow::claim(conn, &ids, "killed-worker", now, now + DEFAULT_LEASE))?;
        assert_eq!(got, ids);
        OutboxRow::find(conn, &ids[0])
    })
    .unwrap_or_else(|e| panic!("claim: {e}"));
    let Ok(Job::Email(mail)) = serde_json::from_str::<Job>(&row.payload) else { panic!("payload") };
    h.ctx.mailer.send_keyed(&h.ctx.config.mail_from, &mail, &row.id).unwrap_or_else(|e| panic!("send: {e}"));

    // While the lease holds, nobody else touches the row.
    assert_eq!(h.run(), RunReport::default());
    h.advance(DEFAULT_LEASE - TimeDelta::seconds(1));
    assert_eq!(h.run(), RunReport::default());

    // Once it has run out, another worker sends it: at least once, so here twice.
    h.advance(TimeDelta::seconds(2));
    assert_eq!(h.run(), sent(1));
    assert_eq!(subjects(&h), [subject("K-1"), subject("K-1")]);
    // Both copies carry the same Message-ID, so mail clients show one.
    let ids: Vec<_> = h.sink.messages().into_iter().map(|m| m.message_id).collect();
    assert_eq!(ids, [format!("{}@dichvucong.example.vn", row.id), format!("{}@dichvucong.example.vn", row.id)]);
    let row = one_row(&h);
    assert_eq!((row.status.as_str(), row.lease_owner), (SENT, None));
}

#[test]
fn a_worker_that_lost_its_lease_cannot_overwrite_the_new_owner() {
    let h = Harness::start();
    h.enqueue("an@example.vn", withdrawn("L-1"), None);
    let now = h.ctx.clock.now_naive();
    let id = with_conn(&h.ctx.db, |conn| -> QueryResult<String> {
        let id = OutboxRow::claimable_ids(conn, now, 10, &[])?.remove(0);
        let one = [id.clone()];
        assert_eq!(OutboxRow::claim(conn, &one, "slow", now, now + DEFAULT_LEASE)?, one);
        // A second claim while the lease holds gets nothing.
        assert!(OutboxRow::claim(conn, &one, "other", now, now + DEFAULT_LEASE)?.is_empty());
        Ok(id)
    })
    .unwrap_or_else(|e| panic!("claim: {e}"));
    h.advance(DEFAULT_LEASE + TimeDelta::seconds(1));
    assert_eq!(h.run(), sent(1));
    with_conn(&h.ctx.db, |conn| -> QueryResult<()> {
        let later = h.ctx.clock.now_naive();
        assert!(!OutboxRow::renew(conn, &id, "slow", later + DEFAULT_LEASE)?);
        let failure = Failure { error: "late", next_attempt_at: later, dead: false };
        assert!(!OutboxRow::record_failure(conn, &id, "slow", &failure)?);
        Ok(())
    })
    .unwrap_or_else(|e| panic!("late worker: {e}"));
    let row = one_row(&h);
    assert_eq!((row.status.as_str(), row.attempts, row.last_error), (SENT, 0, None));
}

#[test]
fn released_leases_are_free_at_once() {
    let h = Harness::start();
    h.enqueue("a@example.vn", withdrawn("F-1"), None);
    h.enqueue("b@example.vn", withdrawn("F-2"), None);
    let now = h.ctx.clock.now_naive();
    with_conn(&h.ctx.db, |conn| -> QueryResult<()> {
        let ids = OutboxRow::claimable_ids(conn, now, 10, &[])?;
        assert_eq!(OutboxRow::claim(conn, &ids, "stopping", now, now + DEFAULT_LEASE)?.len(), 2);
        assert_eq!(OutboxRow::release_leases(conn, "stopping")?, 2);
        Ok(())
    })
    .unwrap_or_else(|e| panic!("claim: {e}"));
    assert_eq!(h.run(), sent(2));
}

#[test]
fn a_rolled_back_transaction_leaves_no_outbox_row() {
    let h = Harness::start();
    let job = Job::Email(OutgoingMail { to: "an@example.vn".into(), message: withdrawn("X-1") });
    let result = with_conn(&h.ctx.db, |conn| {
        write_tx(conn, |conn| {
            enqueue(conn, &h.ctx.clock, &job, Some("dossier-x"))?;
            Err::<(), _>(diesel::result::Error::RollbackTransaction)
        })
    });
    assert!(result.is_err());
    assert!(h.rows().is_empty());
    assert_eq!(h.run(), RunReport::default());
    assert!(h.sink.messages().is_empty());
}

#[test]
fn the_background_worker_sends_and_stops_promptly() {
    let h = Harness::start();
    for i in 0..3 {
        h.enqueue(&format!("w{i}@example.vn"), withdrawn(&format!("W-{i}")), Some("dossier-w"));
    }
    // A long poll: the worker runs what is due when it starts, and `stop` must not wait for it.
    let worker = spawn_worker(h.ctx.clone(), Duration::from_secs(3600));
    let messages = h.sink.wait_for(3, Duration::from_secs(20));
    assert_eq!(messages.iter().map(|m| m.subject.clone()).collect::<Vec<_>>(), ["W-0", "W-1", "W-2"].map(subject));
    let stopping = Instant::now();
    worker.stop();
    assert!(stopping.elapsed() < Duration::from_secs(5), "stop took {:?}", stopping.elapsed());
    assert!(h.rows().iter().all(|r| r.status == SENT && r.lease_owner.is_none()));
}

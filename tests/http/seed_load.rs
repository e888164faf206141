//! `seed-load`: a small province-year through the library on the backend under test — counts,
//! codes and counters, histories, states and steps, due dates, the same rows for the same seed,
//! and the refusal to fill a database that already holds dossiers.

use crate::support::{TestDb, with_conn};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use dvc_portal::clock::to_local;
use dvc_portal::db::schema::{agencies, dossier_code_counters, dossier_events, dossier_transfers, dossiers, users};
use dvc_portal::db::{Db, DbConn};
use dvc_portal::domain::citizen::{CitizenId, Phone};
use dvc_portal::domain::dossier::{Status, Step, looks_like_dossier_code};
use dvc_portal::domain::fold::fold;
use dvc_portal::models::dossier::{Dossier, DossierEvent};
use dvc_portal::services::seed_load::{self, LoadOptions, LoadReport};
use std::collections::{BTreeMap, HashMap, HashSet};

/// `(agency code, yyMMdd, sequence)` of a dossier code.
fn parts(code: &str) -> (String, String, i32) {
    let mut it = code.rsplitn(3, '-');
    let seq = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let day = it.next().unwrap_or_default().to_owned();
    (it.next().unwrap_or_default().to_owned(), day, seq)
}

fn load(db: &Db, options: &LoadOptions) -> anyhow::Result<LoadReport> {
    with_conn(db, |conn| seed_load::run(conn, options, &mut |_| {}))
}

fn small(seed: u64, dossiers: u64) -> LoadOptions {
    LoadOptions { dossiers, seed, until: chrono::NaiveDate::from_ymd_opt(2026, 11, 24), ..LoadOptions::default() }
}

fn all_dossiers(conn: &mut DbConn) -> Vec<Dossier> {
    dossiers::table.order(dossiers::code).select(Dossier::as_select()).load(conn).unwrap_or_else(|e| panic!("{e}"))
}

fn all_events(conn: &mut DbConn) -> HashMap<String, Vec<DossierEvent>> {
    let rows: Vec<DossierEvent> = dossier_events::table
        .order((dossier_events::dossier_id, dossier_events::seq))
        .select(DossierEvent::as_select())
        .load(conn)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut by: HashMap<String, Vec<DossierEvent>> = HashMap::new();
    for e in rows {
        by.entry(e.dossier_id.clone()).or_default().push(e);
    }
    by
}

/// The step a dossier may be at in each state (DESIGN §4, `domain::dossier::transition`).
fn step_fits(status: Status, step: Option<Step>) -> bool {
    match status {
        Status::Submitted | Status::Received => step == Some(Step::OneStop),
        Status::Processing => matches!(step, Some(Step::Specialist | Step::Transferred | Step::Leader)),
        Status::SupplementRequested | Status::AwaitingPayment => {
            matches!(step, Some(Step::OneStop | Step::Specialist))
        }
        Status::Resolved => step == Some(Step::Return),
        Status::Refused | Status::Withdrawn | Status::Stopped | Status::Returned => step.is_none(),
    }
}

#[test]
fn a_small_province_year_is_consistent() {
    let test_db = TestDb::seeded();
    let db = test_db.open();
    let report = load(&db, &small(7, 2_000)).unwrap_or_else(|e| panic!("seed-load: {e:#}"));
    assert_eq!(report.dossiers, 2_000);
    assert_eq!((report.agencies, report.procedures), (100, 40));
    with_conn(&db, |conn| {
        let dossiers = all_dossiers(conn);
        let events = all_events(conn);
        assert_eq!(dossiers.len(), 2_000);
        assert_eq!(events.values().map(Vec::len).sum::<usize>() as u64, report.events);
        let transfers: i64 = dossier_transfers::table.count().get_result(conn).unwrap_or(-1);
        assert_eq!(transfers as u64, report.transfers);
        let accounts: i64 = users::table.count().get_result(conn).unwrap_or(-1);
        assert_eq!(accounts as u64, report.users);
        let agency_codes: HashMap<String, String> =
            agencies::table.select((agencies::id, agencies::code)).load(conn).unwrap_or_default().into_iter().collect();
        let counters: HashMap<(String, String), i32> = dossier_code_counters::table
            .select((dossier_code_counters::agency_code, dossier_code_counters::day, dossier_code_counters::last_seq))
            .load::<(String, String, i32)>(conn)
            .unwrap_or_default()
            .into_iter()
            .map(|(a, d, s)| ((a, d), s))
            .collect();

        let mut codes = HashSet::new();
        let mut highest: HashMap<(String, String), i32> = HashMap::new();
        let mut by_status = [0u64; 11];
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        for d in &dossiers {
            // Codes: unique, well formed, of the receiving agency and the local day of submission.
            assert!(codes.insert(d.code.clone()), "{} twice", d.code);
            assert!(looks_like_dossier_code(&d.code), "{}", d.code);
            let (agency_code, day, seq) = parts(&d.code);
            assert_eq!(Some(&agency_code), agency_codes.get(&d.agency_id), "{}", d.code);
            assert_eq!(day, to_local(d.submitted_at).format("%y%m%d").to_string(), "{}", d.code);
            let h = highest.entry((agency_code, day)).or_default();
            *h = (*h).max(seq);
            assert_eq!(d.search_text, fold(&format!("{} {}", d.code, d.applicant_name)));
            assert!(CitizenId::parse(&d.applicant_id_number, today).is_ok(), "{}", d.applicant_id_number);
            assert!(d.applicant_id_number.len() == 12);
            assert!(Phone::parse(&d.applicant_phone).is_ok(), "{}", d.applicant_phone);

            // State and step.
            let status = Status::from_code(d.status).unwrap_or_else(|| panic!("{} has state {}", d.code, d.status));
            by_status[d.status as usize] += 1;
            let step = d.handler_step.as_deref().map(|s| Step::from_code(s).unwrap_or_else(|| panic!("step {s}")));
            assert!(step_fits(status, step), "{}: state {status:?} at step {step:?}", d.code);
            assert!(d.handler_agency_id.is_some());
            if step == Some(Step::Transferred) {
                assert_ne!(d.handler_agency_id.as_deref(), Some(d.agency_id.as_str()), "{}", d.code);
            } else {
                assert_eq!(d.handler_agency_id.as_deref(), Some(d.agency_id.as_str()), "{}", d.code);
            }
            if matches!(status, Status::SupplementRequested | Status::AwaitingPayment) {
                assert!(d.paused_at.is_some() && d.resume_status.is_some() && d.status_note.is_some(), "{}", d.code);
            } else if status != Status::Withdrawn {
                // (A withdrawal during a pause keeps the pause, as `intake::withdraw` does.)
                assert!(d.paused_at.is_none() && d.resume_status.is_none(), "{}", d.code);
            }
            let finished = matches!(
                status,
                Status::Refused | Status::Withdrawn | Status::Stopped | Status::Resolved | Status::Returned
            );
            assert_eq!(d.finished_at.is_some(), finished, "{}", d.code);

            // Dates: received after submission, due after reception, all within the year.
            if let Some(received) = d.received_at {
                assert!(received >= d.submitted_at, "{}", d.code);
                let due = d.due_at.unwrap_or_else(|| panic!("{} received without a due date", d.code));
                assert!(due > received, "{}: due {due} before reception {received}", d.code);
            } else {
                assert!(d.due_at.is_none(), "{}", d.code);
                assert!(matches!(status, Status::Submitted | Status::Refused | Status::Withdrawn), "{}", d.code);
            }
            assert_eq!(to_local(d.submitted_at).format("%Y").to_string(), "2026", "{}", d.code);

            // History: seq 1..n, the first row creates the dossier, the last one gives its state.
            let history = events.get(&d.id).unwrap_or_else(|| panic!("{} has no history", d.code));
            assert!((1..=8).contains(&history.len()), "{}: {} rows", d.code, history.len());
            let seqs: Vec<i32> = history.iter().map(|e| e.seq).collect();
            assert_eq!(seqs, (1..=history.len() as i32).collect::<Vec<_>>(), "{}", d.code);
            assert_eq!(d.version as usize, history.len());
            let first = &history[0];
            assert_eq!(first.at, d.submitted_at);
            assert_eq!(first.from_status, None);
            match d.channel.as_str() {
                "truc-tuyen" => {
                    assert_eq!(first.action, "submit");
                    assert!(d.applicant_user_id.is_some());
                }
                "truc-tiep" => {
                    assert_eq!(first.action, "counter_intake");
                    assert!(d.applicant_user_id.is_none());
                }
                other => panic!("channel {other}"),
            }
            let mut last: Option<&DossierEvent> = None;
            for e in history {
                if let Some(prev) = last {
                    assert!(e.at > prev.at, "{}: row {} is not after row {}", d.code, e.seq, prev.seq);
                    assert_eq!(e.from_status, Some(prev.to_status), "{}: row {}", d.code, e.seq);
                }
                assert!(e.actor_role.is_some());
                assert_eq!(e.actor_kind == "officer", e.actor_agency_id.is_some(), "{}", d.code);
                if e.actor_kind == "officer" {
                    assert!(e.actor_id.is_some(), "{}: row {}", d.code, e.seq);
                }
                if e.action == "receive" || e.action == "counter_intake" {
                    assert_eq!(Some(e.at), d.received_at, "{}", d.code);
                    assert!(e.due_at.is_some());
                }
                last = Some(e);
            }
            let last = last.unwrap_or_else(|| panic!("{}", d.code));
            assert_eq!(last.to_status, d.status, "{}", d.code);
            assert_eq!(last.due_at, d.due_at, "{}", d.code);
            assert_eq!(d.updated_at, last.at);
        }
        // The counters continue after the highest sequence of each agency and day.
        assert_eq!(highest.len(), counters.len());
        for (key, seq) in &highest {
            assert_eq!(counters.get(key), Some(seq), "{key:?}");
        }
        assert_eq!(by_status, report.by_status);
        // Mostly returned, with every other state present.
        assert!(by_status[10] > 1_500, "{by_status:?}");
        for state in [1, 2, 3, 4, 5, 7, 8, 9] {
            assert!(by_status[state] > 0, "no dossier in state {state}: {by_status:?}");
        }
        let online = dossiers.iter().filter(|d| d.channel == "truc-tuyen").count();
        assert!((1_000..1_400).contains(&online), "{online} online");
    });
}

/// What must repeat with the seed (ids of procedures, agencies and demo staff differ between
/// databases, so they are compared through codes and names).
type Fingerprint = Vec<(String, String, i32, String, String, NaiveDateTime, Option<NaiveDateTime>, Option<String>)>;

/// Each dossier's events by (code, seq): action, time, role.
type Events = BTreeMap<(String, i32), (String, NaiveDateTime, Option<String>)>;

fn fingerprint(db: &Db) -> (Fingerprint, Events) {
    with_conn(db, |conn| {
        let dossiers = all_dossiers(conn);
        let events = all_events(conn);
        let codes: HashMap<&str, &str> = dossiers.iter().map(|d| (d.id.as_str(), d.code.as_str())).collect();
        let mut history = BTreeMap::new();
        for (id, rows) in &events {
            for e in rows {
                history.insert(
                    (codes.get(id.as_str()).copied().unwrap_or_default().to_owned(), e.seq),
                    (e.action.clone(), e.at, e.actor_role.clone()),
                );
            }
        }
        let lines = dossiers
            .into_iter()
            .map(|d| {
                (
                    d.code,
                    d.id,
                    d.status,
                    d.applicant_name,
                    d.applicant_id_number,
                    d.submitted_at,
                    d.due_at,
                    d.handler_step,
                )
            })
            .collect();
        (lines, history)
    })
}

#[test]
fn the_same_seed_gives_the_same_dossiers() {
    let (a, b, c) = (TestDb::seeded(), TestDb::seeded(), TestDb::seeded());
    let (da, db_, dc) = (a.open(), b.open(), c.open());
    load(&da, &small(42, 600)).unwrap_or_else(|e| panic!("{e:#}"));
    load(&db_, &small(42, 600)).unwrap_or_else(|e| panic!("{e:#}"));
    load(&dc, &small(43, 600)).unwrap_or_else(|e| panic!("{e:#}"));
    let (fa, fb, fc) = (fingerprint(&da), fingerprint(&db_), fingerprint(&dc));
    assert_eq!(fa.0.len(), 600);
    assert!(fa.0 == fb.0, "the same seed gave other dossiers");
    assert!(fa.1 == fb.1, "the same seed gave other histories");
    assert!(fa.0 != fc.0, "another seed gave the same dossiers");
}

#[test]
fn a_database_with_dossiers_is_refused_unless_appending() {
    let test_db = TestDb::seeded();
    let db = test_db.open();
    let limit = u64::try_from(seed_load::EXISTING_LIMIT).unwrap_or(0);
    load(&db, &small(1, limit + 1)).unwrap_or_else(|e| panic!("{e:#}"));
    let refused = load(&db, &small(1, 10)).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(refused.contains("--append") && refused.contains(&format!("{}", limit + 1)), "{refused}");
    // Appending (the same seed) adds new dossiers whose codes continue the day's counters.
    let added = load(&db, &LoadOptions { append: true, ..small(1, 300) }).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(added.dossiers, 300);
    with_conn(&db, |conn| {
        let dossiers = all_dossiers(conn);
        assert_eq!(dossiers.len() as u64, limit + 301);
        let mut highest: HashMap<(String, String), i32> = HashMap::new();
        for d in &dossiers {
            let (agency, day, seq) = parts(&d.code);
            let h = highest.entry((agency, day)).or_default();
            *h = (*h).max(seq);
        }
        let counters: HashMap<(String, String), i32> = dossier_code_counters::table
            .select((dossier_code_counters::agency_code, dossier_code_counters::day, dossier_code_counters::last_seq))
            .load::<(String, String, i32)>(conn)
            .unwrap_or_default()
            .into_iter()
            .map(|(a, d, s)| ((a, d), s))
            .collect();
        let wrong: Vec<_> = highest.iter().filter(|(k, v)| counters.get(*k) != Some(*v)).take(5).collect();
        assert!(wrong.is_empty() && highest.len() == counters.len(), "counters behind the codes: {wrong:?}");
        let accounts: i64 = users::table.count().get_result(conn).unwrap_or(-1);
        let distinct: i64 =
            users::table.select(diesel::dsl::count(users::citizen_id).aggregate_distinct()).first(conn).unwrap_or(-2);
        assert_eq!(accounts, distinct);
    });
}

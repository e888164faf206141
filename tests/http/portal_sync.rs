//! National-portal sync through the outbox, judged by portal-sim's store: every step of every
//! dossier arrives, in order, with no second effect, whatever fails in between (the portal
//! down, slow, answering garbage, refusing the data, losing a dossier, expiring its tokens, a
//! worker dying mid-send, two workers racing); and what the portal holds equals our rows field
//! by field.

use crate::accounts::signed_in_citizen;
use crate::follow_up::dossier;
use crate::intake::submit_dossier;
use crate::support::{TestApp, with_conn};
use crate::workflow::{assign, events, received_dossier};
use chrono::TimeDelta;
use diesel::prelude::*;
use dvc_portal::db::schema::{attachments, dossiers, outbox};
use dvc_portal::integrations::portal::wire::{timestamp, timestamp_or_empty};
use dvc_portal::jobs::{DEFAULT_LEASE, JobContext, RunReport, run_pending};
use dvc_portal::models::dossier::Dossier;
use dvc_portal::models::outbox::{DEAD, OutboxRow, PENDING, SENT};
use dvc_portal::models::procedure::Procedure;
use dvc_portal::services::{portal_sync, seed_load};
use dvc_portal::sim::portal::Faults;

/// The sync rows of the app, as `(status, last_error)`.
fn sync_rows(app: &TestApp) -> Vec<(String, Option<String>)> {
    outbox::table
        .filter(outbox::kind.eq("portal_sync"))
        .order((outbox::created_at, outbox::id))
        .select((outbox::status, outbox::last_error))
        .load(&mut *app.conn())
        .unwrap_or_else(|e| panic!("outbox: {e}"))
}

/// Runs the jobs until nothing is left to do now, moving the clock past every back-off.
async fn drain(app: &TestApp) -> RunReport {
    let mut total = RunReport::default();
    for _ in 0..30 {
        let r = app.run_pending_jobs().await;
        total.sent += r.sent;
        total.retried += r.retried;
        total.dead += r.dead;
        let pending = sync_rows(app).iter().filter(|(s, _)| s == PENDING).count();
        if pending == 0 {
            break;
        }
        app.clock.set(app.clock.now() + TimeDelta::hours(2));
    }
    total
}

/// Asserts that the portal holds `code` exactly as our rows say: the dossier's fields, and one
/// progress entry per history row, in order.
fn assert_portal_matches(app: &TestApp, d: &Dossier) {
    let held = app.portal.store().get(&d.code).unwrap_or_else(|| panic!("the portal lacks {}", d.code));
    let history = Dossier::events(&mut app.conn(), &d.id).unwrap_or_else(|e| panic!("{e}"));
    let procedure =
        Procedure::find(&mut app.conn(), &d.procedure_id).ok().flatten().unwrap_or_else(|| panic!("procedure"));
    let agency: String = dvc_portal::db::schema::agencies::table
        .find(&d.agency_id)
        .select(dvc_portal::db::schema::agencies::code)
        .first(&mut *app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    let p = &held.dossier;
    assert_eq!(p.ma_ho_so, d.code);
    assert_eq!(p.trang_thai_ho_so, d.status.to_string(), "{}", d.code);
    assert_eq!(p.ma_tthc, procedure.code);
    assert_eq!(p.ten_tthc, procedure.name);
    assert_eq!(p.don_vi_xu_ly, agency);
    assert_eq!(p.chu_ho_so, d.applicant_name);
    assert_eq!(p.so_giay_to_chu_ho_so, d.applicant_id_number);
    assert_eq!(p.so_dien_thoai, d.applicant_phone);
    assert_eq!(p.email, d.applicant_email.clone().unwrap_or_default());
    assert_eq!(p.ngay_nop_ho_so, timestamp(d.submitted_at));
    assert_eq!(p.ngay_hen_tra, timestamp_or_empty(d.due_at), "{}", d.code);
    let received = history.iter().any(|e| e.to_status == 2);
    assert_eq!(p.ngay_tiep_nhan, if received { timestamp_or_empty(d.received_at) } else { String::new() });
    let kenh = match d.channel.as_str() {
        "truc-tuyen" => "2",
        "buu-chinh" => "3",
        _ => "1",
    };
    assert_eq!(p.kenh_thuc_hien, kenh);
    let returned = history.iter().find(|e| e.to_status == 10).map(|e| timestamp(e.at)).unwrap_or_default();
    assert_eq!(p.ngay_tra, returned);
    let ours: Vec<(String, String)> = history.iter().map(|e| (e.to_status.to_string(), timestamp(e.at))).collect();
    let theirs: Vec<(String, String)> =
        held.progress.iter().map(|p| (p.trang_thai.clone(), p.thoi_diem_xu_ly.clone())).collect();
    assert_eq!(theirs, ours, "progress of {}", d.code);
    assert!(held.progress.iter().all(|p| p.ma_ho_so == d.code));
}

fn all_dossiers(app: &TestApp) -> Vec<Dossier> {
    dossiers::table
        .order(dossiers::code)
        .select(Dossier::as_select())
        .load(&mut *app.conn())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A province-year of `n` dossiers with their histories, queued for sync as a backfill.
fn load(app: &TestApp, n: u64) -> u64 {
    let options = seed_load::LoadOptions {
        dossiers: n,
        agencies: 12,
        procedures: 10,
        until: chrono::NaiveDate::from_ymd_opt(2026, 11, 24),
        ..seed_load::LoadOptions::default()
    };
    with_conn(&app.db, |conn| seed_load::run(conn, &options, &mut |_| {})).unwrap_or_else(|e| panic!("seed: {e:#}"));
    let queued = portal_sync::backfill(&app.db, 500).unwrap_or_else(|e| panic!("backfill: {e:#}"));
    assert_eq!(portal_sync::backfill(&app.db, 500).unwrap_or(99), 0, "a second backfill queues nothing");
    queued
}

#[tokio::test]
async fn the_officer_journey_reaches_the_portal_step_by_step_with_its_files() {
    let app = TestApp::spawn().await;
    let code = received_dossier(&app).await;
    assign(&app, &code).await;
    let report = app.run_pending_jobs().await;
    assert_eq!((report.retried, report.dead), (0, 0), "{:?}", app.dead_rows());
    assert_eq!(sync_rows(&app).iter().filter(|(s, _)| s == SENT).count(), 3, "submit, receive, assign");
    let d = dossier(&app, &code);
    assert_portal_matches(&app, &d);
    let held = app.portal.store().get(&code).unwrap_or_else(|| panic!("held"));
    assert_eq!((held.creates, held.updates), (1, 2));
    // The portal fetched each submitted paper through its signed link and got our bytes.
    let ours: Vec<(String, String)> = attachments::table
        .filter(attachments::dossier_id.eq(&d.id))
        .order(attachments::id)
        .select((attachments::id, attachments::sha256))
        .load(&mut *app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ours.len(), 3);
    for (id, sha) in &ours {
        let f = held.files.get(id).unwrap_or_else(|| panic!("file {id} not fetched"));
        assert_eq!((f.status, &f.sha256), (200, sha));
    }
    // The link works once signed; tampered or for another dossier, it does not.
    let url = &held.dossier.tai_lieu_nop[0].duong_dan_tai_tep_tin;
    let path = url.trim_start_matches(&app.jobs.config.base_url).to_owned();
    assert_eq!(app.get(&path).await.status, 200);
    let forged = path.replace("&c=", "&c=0");
    assert_eq!(app.get(&forged).await.status, 400);
    let other = path.replace(&code, "000.20.01.H56-261125-99999");
    assert_eq!(app.get(&other).await.status, 400);
    // The staff dossier page says the sync is complete.
    let desk = app.staff("xa1.motcua").await;
    let page = desk.get(&crate::workflow::dossier_url(&code)).await;
    assert!(page.html().text(".sync-status").contains("Đã gửi đủ 3/3 bước"), "{}", page.html().text(".sync-status"));
    // The simulator's own page lists it.
    let listing = reqwest::get(format!("{}/", app.portal.url())).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(listing.text().await.unwrap_or_default().contains(&code));
}

#[tokio::test]
async fn a_thousand_dossiers_changed_while_the_portal_was_down_all_arrive_in_order_once() {
    let mut app = TestApp::spawn().await;
    app.portal.go_down();
    let queued = load(&app, 1000);
    assert!(queued > 2000, "{queued} history rows");
    let report = app.run_pending_jobs().await;
    // Only each dossier's first step is tried: the later ones wait behind it.
    assert_eq!((report.sent, report.retried, report.dead), (0, 1000, 0));
    let rows = sync_rows(&app);
    assert!(rows.iter().all(|(s, _)| s == PENDING));
    assert!(
        rows.iter().any(|(_, e)| e.as_deref() == Some("national portal unavailable: connection refused")),
        "{:?}",
        rows[0]
    );
    app.portal.come_up().unwrap_or_else(|e| panic!("{e:#}"));
    let report = drain(&app).await;
    assert_eq!(report.dead, 0, "{:?}", app.dead_rows());
    assert!(sync_rows(&app).iter().all(|(s, _)| s == SENT));
    let dossiers = all_dossiers(&app);
    assert_eq!(app.portal.store().sizes(), (1000, usize::try_from(queued).unwrap_or_default()));
    for d in &dossiers {
        assert_portal_matches(&app, d);
    }
    let c = app.portal.store().counters();
    assert_eq!((c.duplicates, c.rejected), (0, 0), "{c:?}");
    assert_eq!(c.accepted, 2 * queued, "one create or update and one progress call per step");
}

#[tokio::test]
async fn a_worker_killed_mid_send_is_replaced_and_the_portal_sees_one_effect() {
    let app = TestApp::spawn().await;
    signed_in_citizen(&app, "lan@example.vn", "038190012345").await;
    let code = submit_dossier(&app).await;
    // Mail first, so only the sync row is left.
    let now = app.clock.now_naive();
    let row = with_conn(&app.db, |conn| -> QueryResult<OutboxRow> {
        let ids = OutboxRow::claimable_ids(conn, now, 10, &["email"])?;
        assert_eq!(ids.len(), 1);
        assert_eq!(OutboxRow::claim(conn, &ids, "killed-worker", now, now + DEFAULT_LEASE)?, ids);
        OutboxRow::find(conn, &ids[0])
    })
    .unwrap_or_else(|e| panic!("claim: {e}"));
    assert_eq!(row.kind, "portal_sync");
    // The doomed worker sends, then dies before recording it.
    let Ok(dvc_portal::jobs::Job::PortalSync { event_id }) = serde_json::from_str(&row.payload) else {
        panic!("payload")
    };
    let portal = app.jobs.portal.clone().unwrap_or_else(|| panic!("portal"));
    let env = portal_sync::SyncEnv {
        db: &app.db,
        clock: &app.clock,
        portal: &portal,
        signer: &app.jobs.signer,
        base_url: &app.jobs.config.base_url,
    };
    let sent = std::thread::scope(|s| s.spawn(|| portal_sync::send_event(&env, &event_id)).join());
    sent.unwrap_or_else(|_| panic!("send")).unwrap_or_else(|e| panic!("{e:?}"));
    // While the lease holds nobody touches it; once it ran out, another worker sends it again.
    let r = app.run_pending_jobs().await;
    assert_eq!(sync_rows(&app), [(PENDING.to_owned(), None)], "{r:?}");
    app.clock.set(app.clock.now() + DEFAULT_LEASE + TimeDelta::seconds(1));
    app.run_pending_jobs().await;
    assert_eq!(sync_rows(&app), [(SENT.to_owned(), None)]);
    let held = app.portal.store().get(&code).unwrap_or_else(|| panic!("held"));
    assert_eq!((held.creates, held.updates, held.progress.len()), (1, 0, 1));
    let c = app.portal.store().counters();
    assert_eq!((c.accepted, c.duplicates), (2, 2), "the repeat was answered from the portal's record");
}

#[tokio::test]
async fn an_expired_session_token_is_renewed_by_logging_in_again() {
    let app = TestApp::spawn().await;
    let code = received_dossier(&app).await;
    app.run_pending_jobs().await;
    assert_eq!(app.portal.store().counters().logins, 1);
    // Early expiry, then a token that works for one call only, then its lifetime running out.
    app.portal.expire_tokens();
    assign(&app, &code).await;
    app.portal.set_faults(Faults { token_calls: 1, ..Faults::default() });
    let r = app.run_pending_jobs().await;
    assert_eq!((r.retried, r.dead), (0, 0), "{:?}", sync_rows(&app));
    app.portal.set_faults(Faults::default());
    app.clock.set(app.clock.now() + TimeDelta::minutes(40));
    let second = submit_dossier(&app).await;
    let r = app.run_pending_jobs().await;
    assert_eq!((r.retried, r.dead), (0, 0));
    let c = app.portal.store().counters();
    assert!(c.logins >= 4, "{c:?}");
    assert!(c.expired >= 2, "{c:?}");
    assert_portal_matches(&app, &dossier(&app, &code));
    assert_portal_matches(&app, &dossier(&app, &second));
}

#[tokio::test]
async fn refused_data_goes_to_dead_letters_holds_the_later_steps_and_is_sent_again_by_an_administrator() {
    let app = TestApp::spawn().await;
    app.portal.set_faults(Faults { invalid: true, ..Faults::default() });
    let code = received_dossier(&app).await;
    let r = app.run_pending_jobs().await;
    assert_eq!(r.dead, 1);
    assert_eq!(
        sync_rows(&app).iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(),
        [DEAD, PENDING],
        "the later step waits behind the dead one"
    );
    let admin = app.staff("quantri").await;
    let ops = admin.get("/quan-tri/dong-bo").await;
    assert_eq!(ops.status, 200);
    let html = ops.html();
    assert_eq!(html.text("tr[data-kind=portal_sync] .dead"), "1");
    assert_eq!(html.text("tr[data-kind=portal_sync] .pending"), "1");
    assert!(html.text(".last-error").contains("(02)"), "{}", html.text(".last-error"));
    assert!(html.texts(".outbox-dead a.code").contains(&code));
    // Nothing to do for an officer here.
    let desk = app.staff("xa1.motcua").await;
    assert!(matches!(desk.get("/quan-tri/dong-bo").await.status, 303 | 403));
    assert!(matches!(
        desk.submit("/can-bo", "/quan-tri/dong-bo/gui-lai", &[("muc", "tat-ca")]).await.status,
        303 | 403
    ));
    assert!(app.run_pending_jobs().await.is_empty());
    // The staff dossier page says so too.
    let page = desk.get(&crate::workflow::dossier_url(&code)).await;
    assert!(page.html().text(".sync-problem").contains("bị từ chối"));

    // The cause is fixed; the administrator sends it again; both steps arrive, in order.
    app.portal.set_faults(Faults::default());
    let id: String = outbox::table
        .filter(outbox::status.eq(DEAD))
        .select(outbox::id)
        .first(&mut *app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    let res = admin.submit("/quan-tri/dong-bo", "/quan-tri/dong-bo/gui-lai", &[("muc", &id)]).await;
    assert_eq!((res.status, res.location()), (303, "/quan-tri/dong-bo?da-gui=1".to_owned()));
    let again = admin.submit("/quan-tri/dong-bo", "/quan-tri/dong-bo/gui-lai", &[("muc", &id)]).await;
    assert_eq!(again.status, 400, "nothing left to send again");
    assert!(again.text().contains("Không có mục nào"));
    let r = app.run_pending_jobs().await;
    assert_eq!((r.sent, r.dead), (2, 0));
    assert_portal_matches(&app, &dossier(&app, &code));
    let audit = admin.get("/quan-tri/nhat-ky?loai=outbox").await;
    assert!(audit.text().contains("Gửi lại"));
}

#[tokio::test]
async fn a_misbehaving_portal_means_a_clear_error_and_a_retry_never_a_lost_step() {
    let app = TestApp::spawn().await;
    signed_in_citizen(&app, "lan@example.vn", "038190012345").await;
    let code = submit_dossier(&app).await;
    app.run_pending_jobs().await;
    let cases: [(Faults, &str); 7] = [
        (Faults { down: true, ..Faults::default() }, "HTTP 503"),
        (Faults { error_500: true, ..Faults::default() }, "HTTP 500"),
        (Faults { garbage: true, ..Faults::default() }, "not JSON"),
        (Faults { html: true, ..Faults::default() }, "an HTML page instead of JSON"),
        (Faults { error_in_200: true, ..Faults::default() }, "national portal error 99"),
        (Faults { reset: true, ..Faults::default() }, "national portal unavailable: connection cut"),
        (Faults { slow_ms: 3000, ..Faults::default() }, "timeout"),
    ];
    for (faults, message) in cases {
        // A new dossier is submitted while the portal misbehaves.
        app.portal.set_faults(faults.clone());
        let fresh = submit_dossier(&app).await;
        let r = app.run_pending_jobs().await;
        assert_eq!((r.retried, r.dead), (1, 0), "{faults:?}");
        let last = sync_rows(&app).pop().unwrap_or_default();
        assert_eq!(last.0, PENDING, "{faults:?}");
        assert!(last.1.as_deref().unwrap_or_default().contains(message), "{faults:?}: {:?}", last.1);
        app.portal.set_faults(Faults::default());
        // Past the first back-off (30 s ± 20 %), within the citizen's session.
        app.clock.set(app.clock.now() + TimeDelta::minutes(1));
        let r = app.run_pending_jobs().await;
        assert_eq!((r.sent, r.dead), (1, 0), "{faults:?}");
        assert_eq!(app.portal.store().get(&fresh).map(|h| h.progress.len()), Some(1), "{faults:?}");
    }
    assert!(app.portal.store().get(&code).is_some());
    let c = app.portal.store().counters();
    assert_eq!(c.rejected, 0, "{c:?}");
}

#[tokio::test]
async fn a_dossier_the_portal_lost_is_created_again_with_its_whole_history() {
    let app = TestApp::spawn().await;
    let code = received_dossier(&app).await;
    app.run_pending_jobs().await;
    assert!(app.portal.store().remove(&code));
    assign(&app, &code).await;
    let r = app.run_pending_jobs().await;
    assert_eq!((r.retried, r.dead), (0, 0), "{:?}", sync_rows(&app));
    assert_portal_matches(&app, &dossier(&app, &code));
    assert_eq!(events(&app, &code).len(), 3);
}

#[tokio::test]
async fn without_a_portal_steps_wait_and_are_sent_once_one_is_configured() {
    let app = TestApp::spawn().await;
    let mut unconfigured = app.jobs.config.clone();
    unconfigured.portal_url = None;
    let ctx = JobContext::new(app.db.clone(), app.clock.clone(), unconfigured).unwrap_or_else(|e| panic!("{e:#}"));
    let code = received_dossier(&app).await;
    let r = tokio::task::spawn_blocking(move || run_pending(&ctx)).await.unwrap_or_else(|e| panic!("{e}"));
    let r = r.unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(r.retried + r.dead, 0);
    assert!(sync_rows(&app).iter().all(|(s, e)| s == PENDING && e.is_none()), "untouched");
    assert!(app.portal.store().get(&code).is_none());
    app.run_pending_jobs().await;
    assert_portal_matches(&app, &dossier(&app, &code));
}

#[tokio::test]
async fn an_hour_of_clock_skew_at_the_portal_changes_nothing() {
    let app = TestApp::spawn().await;
    let skewed = dvc_portal::clock::Clock::fixed(app.clock.now() + TimeDelta::hours(1));
    let sim = dvc_portal::sim::portal::start(dvc_portal::sim::portal::SimConfig::local(skewed))
        .unwrap_or_else(|e| panic!("{e:#}"));
    let mut config = app.jobs.config.clone();
    config.portal_url = Some(sim.url());
    let ctx = JobContext::new(app.db.clone(), app.clock.clone(), config).unwrap_or_else(|e| panic!("{e:#}"));
    let code = received_dossier(&app).await;
    let r = tokio::task::spawn_blocking(move || run_pending(&ctx)).await.unwrap_or_else(|e| panic!("{e}"));
    let r = r.unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!((r.retried, r.dead), (0, 0));
    assert_eq!(sim.store().get(&code).map(|h| h.progress.len()), Some(2));
}

#[tokio::test]
async fn two_workers_racing_on_a_thousand_rows_send_each_once() {
    let app = TestApp::spawn().await;
    let queued = load(&app, 300);
    assert!(queued >= 1000, "{queued}");
    let run = |ctx: JobContext| std::thread::spawn(move || run_pending(&ctx));
    let (a, b) = (run(app.jobs.clone()), run(app.jobs.clone()));
    let ra = a.join().unwrap_or_else(|_| panic!("worker a")).unwrap_or_else(|e| panic!("{e:#}"));
    let rb = b.join().unwrap_or_else(|_| panic!("worker b")).unwrap_or_else(|e| panic!("{e:#}"));
    // What one worker left behind (a row whose earlier step the other was still sending).
    let rest = drain(&app).await;
    assert_eq!(ra.dead + rb.dead + rest.dead + ra.retried + rb.retried + rest.retried, 0, "{:?}", app.dead_rows());
    let total = u64::try_from(ra.sent + rb.sent + rest.sent).unwrap_or_default();
    assert!(total >= queued, "{total} of {queued}");
    assert!(ra.sent > 0 && rb.sent > 0, "both worked: {ra:?} {rb:?}");
    let c = app.portal.store().counters();
    assert_eq!((c.duplicates, c.accepted), (0, 2 * queued), "no step sent twice: {c:?}");
    for d in all_dossiers(&app) {
        assert_portal_matches(&app, &d);
    }
}

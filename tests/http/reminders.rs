//! The daily deadline reminder: once per working day from 07:00, to each officer of the agency
//! holding dossiers due within one working day or overdue.

use crate::accounts::signed_in_citizen;
use crate::follow_up::act;
use crate::intake::submit_dossier;
use crate::support::TestApp;
use chrono::{TimeZone, Utc};
use dvc_portal::jobs::reminders::run_if_due;
use dvc_portal::services::workflow::Command;

fn at_local(app: &TestApp, (y, m, d, h, min): (i32, u32, u32, u32, u32)) {
    let local = chrono::NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(h, min, 0))
        .unwrap_or_else(|| panic!("bad date"));
    app.clock.set(Utc.from_utc_datetime(&dvc_portal::clock::to_utc(local)));
}

fn digests(app: &TestApp) -> Vec<serde_json::Value> {
    app.outbox("email").into_iter().filter(|m| m["message"]["template"] == "deadline_digest").collect()
}

#[tokio::test]
async fn officers_are_reminded_once_a_working_day_of_dossiers_due_soon_and_overdue() {
    let app = TestApp::spawn().await;
    signed_in_citizen(&app, "lan@example.vn", "038190012345").await;
    let code = submit_dossier(&app).await;
    // Received Wednesday 25/11 09:00, three working days: due Monday 30/11 09:00.
    act(&app, "xa1.motcua", &code, Command::Receive).await;
    let run = |app: &TestApp| run_if_due(&app.jobs).unwrap_or_else(|e| panic!("{e:#}"));
    // Friday 27/11 08:00: due after the next working day's same hour (Monday 08:00): nothing.
    at_local(&app, (2026, 11, 27, 8, 0));
    assert_eq!(run(&app), 0);
    assert!(digests(&app).is_empty());
    // Saturday: no reminder at all.
    at_local(&app, (2026, 11, 28, 9, 0));
    assert_eq!(run(&app), 0);
    // Monday 30/11 06:50: too early.
    at_local(&app, (2026, 11, 30, 6, 50));
    assert_eq!(run(&app), 0);
    // Monday 07:30: due today at 09:00 → one e-mail to each of the commune's three officers.
    at_local(&app, (2026, 11, 30, 7, 30));
    assert_eq!(run(&app), 3);
    let sent = digests(&app);
    let mut to: Vec<&str> = sent.iter().filter_map(|m| m["to"].as_str()).collect();
    to.sort_unstable();
    assert_eq!(
        to,
        ["xa1.chuyenvien@demo.thanhhoa.gov.vn", "xa1.lanhdao@demo.thanhhoa.gov.vn", "xa1.motcua@demo.thanhhoa.gov.vn"]
    );
    assert!(sent[0]["message"]["due_soon"][0].as_str().unwrap_or_default().starts_with(&code));
    assert_eq!(sent[0]["message"]["overdue"].as_array().map(Vec::len), Some(0));
    // Once a day, whoever asks.
    at_local(&app, (2026, 11, 30, 15, 0));
    assert_eq!(run(&app), 0);
    // Tuesday: overdue.
    at_local(&app, (2026, 12, 1, 7, 5));
    assert_eq!(run(&app), 3);
    let last = digests(&app).pop().unwrap_or_default();
    assert!(last["message"]["overdue"][0].as_str().unwrap_or_default().starts_with(&code));
    // Other agencies' officers got nothing.
    assert!(digests(&app).iter().all(|m| m["to"].as_str().unwrap_or_default().starts_with("xa1.")));
    // Delivered over SMTP by the worker.
    let report = app.run_pending_jobs().await;
    assert_eq!(report.dead, 0);
    assert!(app.smtp.messages().iter().any(|m| m.subject.contains("quá hạn") && m.text.contains(&code)));
}

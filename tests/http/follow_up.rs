//! The citizen after submission: answering a supplement request online (the clock restarts),
//! and downloading the electronic result from "Hồ sơ của tôi" or through tracking with the
//! second factor, which returns the dossier (9 → 10).

use crate::accounts::{PASSWORD, signed_in_citizen};
use crate::intake::{PDF, multipart, submit_dossier};
use crate::support::TestApp;
use chrono::{TimeZone, Utc};
use diesel::prelude::*;
use dvc_portal::models::dossier::Dossier;
use dvc_portal::models::staff::Staff;
use dvc_portal::services::intake::IncomingFile;
use dvc_portal::services::workflow::{self, Command, Env, Officer};
use reqwest::multipart::{Form, Part};

/// The workflow officer of a demo staff member.
pub fn officer(app: &TestApp, login: &str) -> Officer {
    let mut conn = app.conn();
    let staff = Staff::find_by_login(&mut conn, login).ok().flatten().unwrap_or_else(|| panic!("no staff {login}"));
    let roles = Staff::roles(&mut conn, &staff.id).unwrap_or_else(|e| panic!("roles: {e}"));
    Officer::new(&staff, &roles)
}

/// The dossier as stored.
pub fn dossier(app: &TestApp, code: &str) -> Dossier {
    Dossier::find_by_code(&mut app.conn(), code).ok().flatten().unwrap_or_else(|| panic!("no dossier {code}"))
}

/// Runs one officer action through the service, at the dossier's current version.
pub async fn act(app: &TestApp, login: &str, code: &str, command: Command) -> Dossier {
    let store = dvc_portal::files::FileStore::new(&app.jobs.config.data_dir);
    let env = Env { db: &app.db, clock: &app.clock, store: &store, base_url: "http://portal.test" };
    let version = dossier(app, code).version;
    workflow::act(env, &officer(app, login), code, version, command)
        .await
        .unwrap_or_else(|e| panic!("{login} on {code}: {e:?}"))
}

/// Signs the citizen in again (after the clock jumped past the session's idle timeout).
async fn sign_in_again(app: &TestApp) {
    let res = app.submit("/dang-nhap", "/dang-nhap", &[("email", "lan@example.vn"), ("password", PASSWORD)]).await;
    assert_eq!(res.status, 303, "{}", res.text());
}

fn local(d: &Dossier) -> String {
    d.due_at.map(|t| dvc_portal::clock::to_local(t).format("%d/%m/%Y %H:%M").to_string()).unwrap_or_default()
}

fn pdf_form(csrf: &str, version: i32, note: &str) -> Form {
    Form::new()
        .text("csrf_token", csrf.to_owned())
        .text("version", version.to_string())
        .text("note", note.to_owned())
        .part(
            "paper_1",
            Part::bytes(PDF.to_vec())
                .file_name("ban-sao.pdf")
                .mime_str("application/pdf")
                .unwrap_or_else(|e| panic!("{e}")),
        )
}

#[tokio::test]
async fn a_citizen_supplies_what_was_missing_and_the_clock_restarts() {
    let app = TestApp::spawn().await;
    signed_in_citizen(&app, "lan@example.vn", "038190012345").await;
    let code = submit_dossier(&app).await;
    // Received Wednesday 25/11/2026 09:00: three working days → Monday 30/11 09:00.
    let d = act(&app, "xa1.motcua", &code, Command::Receive).await;
    assert_eq!(local(&d), "30/11/2026 09:00");
    // Friday 27/11 10:00 the officer asks for a certified copy.
    app.clock.set(Utc.with_ymd_and_hms(2026, 11, 27, 3, 0, 0).single().unwrap_or_else(|| panic!("time")));
    let missing = "Bản sao có chứng thực giấy khai sinh của người con";
    act(&app, "xa1.motcua", &code, Command::RequestSupplement { missing: missing.into() }).await;
    sign_in_again(&app).await;
    let page = app.get(&format!("/tai-khoan/ho-so/{code}")).await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page.html().text(".notice-warning").contains(missing), "{}", page.text());
    let form_page = app.get(&format!("/tai-khoan/ho-so/{code}/bo-sung")).await;
    assert_eq!(form_page.status, 200);
    let version = dossier(&app, &code).version;
    // A stale version is refused, and nothing changes.
    let res = multipart(
        &app,
        &format!("/tai-khoan/ho-so/{code}/bo-sung"),
        pdf_form(&form_page.csrf_token(), version - 1, ""),
    )
    .await;
    assert_eq!(res.status, 400);
    assert!(res.text().contains("Hồ sơ đã được người khác xử lý"));
    assert_eq!(dossier(&app, &code).status, 5);
    // Supplied on Tuesday 01/12 14:00: the full three working days run again → Friday 04/12 14:00.
    app.clock.set(Utc.with_ymd_and_hms(2026, 12, 1, 7, 0, 0).single().unwrap_or_else(|| panic!("time")));
    sign_in_again(&app).await;
    let form_page = app.get(&format!("/tai-khoan/ho-so/{code}/bo-sung")).await;
    let res = multipart(
        &app,
        &format!("/tai-khoan/ho-so/{code}/bo-sung"),
        pdf_form(&form_page.csrf_token(), version, "Đã bổ sung bản sao"),
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.text());
    let d = dossier(&app, &code);
    assert_eq!(d.status, 2, "back at the desk, received");
    assert_eq!(local(&d), "04/12/2026 14:00");
    let events = Dossier::events(&mut app.conn(), &d.id).unwrap_or_else(|e| panic!("{e}"));
    let last = events.last().unwrap_or_else(|| panic!("no events"));
    assert_eq!((last.action.as_str(), last.actor_role.as_deref()), ("supplement", Some("cong_dan")));
    let supplied: i64 = {
        use dvc_portal::db::schema::attachments;
        attachments::table
            .filter(attachments::dossier_id.eq(&d.id))
            .filter(attachments::purpose.eq("supplement"))
            .count()
            .get_result(&mut *app.conn())
            .unwrap_or(-1)
    };
    assert_eq!(supplied, 1);
    // Nothing more to supplement: the page says so in Vietnamese.
    let again = app.get(&format!("/tai-khoan/ho-so/{code}/bo-sung")).await;
    assert_eq!(again.status, 400);
    assert!(again.text().contains("không có yêu cầu bổ sung"));
    // The law allows one supplement request.
    let store = dvc_portal::files::FileStore::new(&app.jobs.config.data_dir);
    let env = Env { db: &app.db, clock: &app.clock, store: &store, base_url: "http://portal.test" };
    let err = workflow::act(
        env,
        &officer(&app, "xa1.motcua"),
        &code,
        d.version,
        Command::RequestSupplement { missing: "Thêm".into() },
    )
    .await
    .err()
    .map(|e| format!("{e:?}"))
    .unwrap_or_default();
    assert!(err.contains("supplement_once"), "{err}");
}

async fn approved_dossier(app: &TestApp) -> String {
    signed_in_citizen(app, "lan@example.vn", "038190012345").await;
    let code = submit_dossier(app).await;
    act(app, "xa1.motcua", &code, Command::Receive).await;
    let specialist = officer(app, "xa1.chuyenvien");
    act(app, "xa1.motcua", &code, Command::Assign { specialist_id: specialist.id.clone() }).await;
    let file = IncomingFile { paper_position: 0, file_name: "trich-luc.pdf".into(), bytes: PDF.to_vec() };
    act(
        app,
        "xa1.chuyenvien",
        &code,
        Command::ProposeResult { summary: "Trích lục đăng ký nhận con".into(), files: vec![file] },
    )
    .await;
    let d = act(app, "xa1.lanhdao", &code, Command::Approve { note: String::new(), files: Vec::new() }).await;
    assert_eq!(d.status, 9);
    code
}

#[tokio::test]
async fn the_citizen_downloads_the_result_which_returns_the_dossier() {
    let app = TestApp::spawn().await;
    let code = approved_dossier(&app).await;
    let mails: Vec<_> = app
        .outbox("email")
        .into_iter()
        .filter(|m| m["message"]["template"] == "dossier_progress" && m["message"]["event"] == "approve")
        .collect();
    assert_eq!(mails.len(), 1, "the citizen is told the result is ready");
    let page = app.get(&format!("/tai-khoan/ho-so/{code}")).await;
    let links = page.html().attrs("#results-title + p + ul a, #results-title ~ ul a", "href");
    assert_eq!(links.len(), 1, "{}", page.text());
    let file = app.get(&links[0]).await;
    assert_eq!(file.status, 200);
    assert_eq!(file.bytes, PDF);
    assert!(file.header("content-disposition").starts_with("attachment"));
    let d = dossier(&app, &code);
    assert_eq!(d.status, 10, "an e-result downloaded counts as returned");
    // Someone else's account cannot download it.
    let other = app.new_browser();
    assert_eq!(other.get(&links[0]).await.status, 303, "sign-in first");
}

#[tokio::test]
async fn tracking_with_the_second_factor_gives_an_expiring_result_link() {
    let app = TestApp::spawn().await;
    let code = approved_dossier(&app).await;
    let anonymous = app.new_browser();
    let page = anonymous.get(&format!("/tra-cuu?ma={code}")).await;
    assert_eq!(page.html().count("a[href^='/tra-cuu/ket-qua/']"), 0, "no result without the second factor");
    let verified = anonymous
        .submit(&format!("/tra-cuu?ma={code}"), "/tra-cuu", &[("ma", &code), ("xac_minh", "0912345678")])
        .await;
    let links = verified.html().attrs("a[href^='/tra-cuu/ket-qua/']", "href");
    assert_eq!(links.len(), 1, "{}", verified.text());
    let tampered = links[0].replace("&c=", "&c=0");
    let res = anonymous.get(&tampered).await;
    assert_eq!(res.status, 400);
    assert!(res.text().contains("không hợp lệ hoặc đã hết hạn"));
    assert_eq!(dossier(&app, &code).status, 9, "a refused link changes nothing");
    let file = anonymous.get(&links[0]).await;
    assert_eq!(file.status, 200);
    assert_eq!(dossier(&app, &code).status, 10);
    // After 30 minutes the link no longer works.
    app.clock.set(app.clock.now() + chrono::Duration::minutes(31));
    assert_eq!(anonymous.get(&links[0]).await.status, 400);
}

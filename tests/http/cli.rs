//! The command line: a mistyped DATABASE_URL is one clear line and creates nothing.

use std::process::Command;

fn portal(args: &[&str], database_url: &str, dir: &std::path::Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dvc-portal"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("DVC_DATA_DIR", dir.join("data"))
        .env("BIND", "127.0.0.1:0")
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn mistyped_database_urls_fail_in_one_line_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for url in ["sqlite:portal.db", "sqlit://portal.db", "mysql://root@localhost/x", "portal.db"] {
        let (code, stderr) = portal(&["serve"], url, dir.path());
        assert_eq!(code, 1, "{url}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{url}: {stderr}");
        assert!(stderr.contains("DATABASE_URL"), "{url}: {stderr}");
    }
    let (code, stderr) = portal(&["serve"], "sqlite://typo/portal.db", dir.path());
    assert_eq!(code, 1);
    assert!(stderr.contains("does not exist"), "{stderr}");
    let left: Vec<_> =
        std::fs::read_dir(dir.path()).map(|d| d.flatten().map(|e| e.file_name()).collect()).unwrap_or_default();
    assert!(left.is_empty(), "stray files: {left:?}");
}

#[test]
fn the_standalone_worker_sends_mail_and_stops_on_sigterm() {
    use dvc_portal::clock::Clock;
    use dvc_portal::integrations::mailer::{MailMessage, OutgoingMail};
    use dvc_portal::jobs::{Job, enqueue};
    let test_db = crate::support::TestDb::empty();
    let db = test_db.open();
    let mut conn = db.get().unwrap_or_else(|e| panic!("{e}"));
    let mail = OutgoingMail {
        to: "dan@example.vn".into(),
        message: MailMessage::VerifyEmail { name: "Dân".into(), link: "http://127.0.0.1/x".into() },
    };
    dvc_portal::db::write_tx(&mut conn, |c| enqueue(c, &Clock::System, &Job::Email(mail), None))
        .unwrap_or_else(|e: diesel::result::Error| panic!("{e}"));
    drop(conn);
    let mail_dir = test_db.dir.path().join("mail");
    std::fs::create_dir_all(&mail_dir).unwrap_or_else(|e| panic!("{e}"));
    let child = Command::new(env!("CARGO_BIN_EXE_dvc-portal"))
        .arg("worker")
        .env("DATABASE_URL", &test_db.url)
        .env("DVC_DATA_DIR", test_db.data_dir())
        .env("DVC_SMTP_URL", format!("file://{}", mail_dir.display()))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let started = std::time::Instant::now();
    while std::fs::read_dir(&mail_dir).map(|d| d.count()).unwrap_or(0) == 0 {
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "no mail written");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success(), "{:?}", out.status);
    assert!(String::from_utf8_lossy(&out.stdout).contains("worker stopped"));
}

#[test]
fn serve_refuses_a_real_gateway_with_the_demo_key() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = Command::new(env!("CARGO_BIN_EXE_dvc-portal"))
        .args(["serve"])
        .env("DATABASE_URL", format!("sqlite://{}/portal.db", dir.path().display()))
        .env("DVC_DATA_DIR", dir.path().join("data"))
        .env("BIND", "127.0.0.1:0")
        .env("DVC_PAYGOV_URL", "https://gateway.example.vn")
        .env_remove("DVC_PAYGOV_SECRET")
        .current_dir(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("DVC_PAYGOV_SECRET"), "{stderr}");
}

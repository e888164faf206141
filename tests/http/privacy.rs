//! What never goes into a log: the logs of a whole citizen journey, from the real binary at
//! debug level, hold no e-mail address, phone, ID number, name or password.

use crate::accounts::PASSWORD;
use crate::intake::{PDF, PROCEDURE};
use diesel::prelude::*;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_full_journey_logs_no_personal_data() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(0);
    let db_path = dir.path().join("portal.db");
    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).unwrap_or_else(|e| panic!("{e}"));
    let err = log.try_clone().unwrap_or_else(|e| panic!("{e}"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_dvc-portal"))
        .args(["serve", "--demo"])
        .env("DATABASE_URL", format!("sqlite://{}", db_path.display()))
        .env("DVC_DATA_DIR", dir.path().join("data"))
        .env("DVC_REFDATA_DIR", concat!(env!("CARGO_MANIFEST_DIR"), "/refdata"))
        .env("BIND", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "debug")
        .stdout(Stdio::from(log))
        .stderr(Stdio::from(err))
        .spawn()
        .unwrap_or_else(|e| panic!("spawn: {e}"));
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    while client.get(format!("{base}/healthz")).send().await.map(|r| r.status().as_u16()).unwrap_or(0) != 200 {
        assert!(started.elapsed() < Duration::from_secs(120), "the server did not start");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let token = |html: &str| {
        let doc = crate::support::html::Doc::parse(html);
        doc.attrs("input[name=csrf_token]", "value").into_iter().next().unwrap_or_default()
    };
    let get = |path: &str| client.get(format!("{base}{path}")).send();
    let email = "tran.binh.privacy@example.vn";
    let (name, phone, id) = ("Trần Văn Bình", "0987654321", "038085012345");
    let page = get("/dang-ky").await.unwrap_or_else(|e| panic!("{e}")).text().await.unwrap_or_default();
    let res = client
        .post(format!("{base}/dang-ky"))
        .form(&[
            ("csrf_token", token(&page).as_str()),
            ("kind", "citizen"),
            ("full_name", name),
            ("citizen_id", id),
            ("phone", phone),
            ("email", email),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
            ("agree", "yes"),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(res.status().as_u16(), 303);
    // Confirm the address directly in the database, as the link would.
    {
        use dvc_portal::db::schema::users;
        let mut conn =
            diesel::SqliteConnection::establish(&db_path.display().to_string()).unwrap_or_else(|e| panic!("{e}"));
        // The server's worker writes meanwhile (the mail of the sign-up): wait for its lock as
        // the server's own connections do, instead of failing at once with "database is locked".
        diesel::connection::SimpleConnection::batch_execute(&mut conn, "PRAGMA busy_timeout = 10000")
            .unwrap_or_else(|e| panic!("{e}"));
        diesel::update(users::table)
            .set(
                users::email_verified_at
                    .eq(chrono::NaiveDate::from_ymd_opt(2026, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0))),
            )
            .execute(&mut conn)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let page = get("/dang-nhap").await.unwrap_or_else(|e| panic!("{e}")).text().await.unwrap_or_default();
    let res = client
        .post(format!("{base}/dang-nhap"))
        .form(&[("csrf_token", token(&page).as_str()), ("email", email), ("password", "sai mật khẩu")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(res.status().as_u16(), 400);
    let res = client
        .post(format!("{base}/dang-nhap"))
        .form(&[("csrf_token", token(&page).as_str()), ("email", email), ("password", PASSWORD)])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(res.status().as_u16(), 303);
    let form_page = get(&format!("/thu-tuc/{PROCEDURE}/nop"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    let doc = crate::support::html::Doc::parse(&form_page);
    let key = doc.attrs("input[name=submit_key]", "value").into_iter().next().unwrap_or_default();
    let commune =
        doc.attrs("#noi_cu_tru_commune option[value]", "value").into_iter().find(|v| !v.is_empty()).unwrap_or_default();
    let mut form = reqwest::multipart::Form::new().text("csrf_token", token(&form_page)).text("submit_key", key);
    for (k, v) in [
        ("co_quan", "000.20.01.H56"),
        ("ho_ten", name),
        ("so_dinh_danh", id),
        ("ngay_sinh", "05/09/1985"),
        ("dien_thoai", phone),
        ("noi_cu_tru_commune", commune.as_str()),
        ("noi_cu_tru_detail", "Số 9 phố Riêng Tư"),
        ("noi_dung_de_nghi", "Nội dung bí mật của công dân"),
    ] {
        form = form.text(k, v.to_owned());
    }
    for p in 0..3 {
        form = form.part(
            format!("paper_{p}"),
            reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("giay-to-rieng-tu.pdf"),
        );
    }
    let res = client
        .post(format!("{base}/thu-tuc/{PROCEDURE}/nop"))
        .multipart(form.text("action", "submit"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(res.status().as_u16(), 303, "{:?}", res.text().await);
    let code = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim_start_matches("/tai-khoan/ho-so/")
        .trim_end_matches("?moi=1")
        .to_owned();
    assert!(get(&format!("/tra-cuu?ma={code}")).await.is_ok());
    assert!(get(&format!("/thu-tuc?q={phone}")).await.is_ok());
    // Let the worker send the mails (to files) so its log lines are in too.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let _ = child.kill();
    let _ = child.wait();
    let mut logs = String::new();
    std::fs::File::open(&log_path).and_then(|mut f| f.read_to_string(&mut logs)).unwrap_or_else(|e| panic!("{e}"));
    assert!(logs.contains("request"), "the journey was logged: {logs}");
    for secret in
        [email, "tran.binh.privacy", phone, id, name, "Bình", PASSWORD, "Riêng Tư", "bí mật", "giay-to-rieng-tu"]
    {
        assert!(
            !logs.contains(secret),
            "{secret:?} appears in the logs:\n{}",
            logs.lines().filter(|l| l.contains(secret)).collect::<Vec<_>>().join("\n")
        );
    }
}

//! Load test of online intake: N citizens sign in, then each submits dossiers in a loop (open
//! the form, post it with a PDF attached) for a fixed time. Prints sign-ins per second and
//! submissions per second with latency percentiles. Used by `bench/intake.sh`.
//!
//! cargo run --release --example intake-load -- <base url> <database url> [citizens] [seconds] [pdf KB]

use dvc_portal::db::{Db, DbUrl};
use dvc_portal::models::user::User;
use std::time::{Duration, Instant};

const PROCEDURE: &str = "1.010041";
const PASSWORD: &str = "mật khẩu đo tải 2026";

fn between<'a>(html: &'a str, start: &str) -> &'a str {
    html.split_once(start).and_then(|(_, rest)| rest.split_once('"')).map_or("", |(v, _)| v)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn report(label: &str, mut lat: Vec<Duration>, errors: usize, elapsed: Duration) {
    lat.sort();
    println!(
        "{label}: {} ok, {errors} errors in {:.1} s = {:.1}/s; latency p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        lat.len(),
        elapsed.as_secs_f64(),
        lat.len() as f64 / elapsed.as_secs_f64(),
        percentile(&lat, 0.5),
        percentile(&lat, 0.9),
        percentile(&lat, 0.99),
        percentile(&lat, 1.0),
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let base = args.get(1).cloned().unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let database = args.get(2).cloned().unwrap_or_else(|| "sqlite://data/portal.db".into());
    let citizens: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(32);
    let seconds: u64 = args.get(4).and_then(|a| a.parse().ok()).unwrap_or(20);
    let pdf_kb: usize = args.get(5).and_then(|a| a.parse().ok()).unwrap_or(200);

    // Citizens with confirmed addresses, created directly (one password hash shared).
    let db = Db::connect(&DbUrl::parse(&database)?, 2)?;
    let hash = dvc_portal::services::accounts::hash_password(PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let run = uuid::Uuid::now_v7().simple().to_string();
    let now = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).unwrap_or_default();
    let mut emails = Vec::new();
    let commune: String;
    {
        let mut conn = db.get().map_err(|e| anyhow::anyhow!("{e}"))?;
        commune = dvc_portal::models::agency::Agency::find_by_code(&mut conn, "000.20.01.H56")?
            .and_then(|a| a.admin_unit_code)
            .ok_or_else(|| anyhow::anyhow!("the demo data is not loaded"))?;
        for i in 0..citizens {
            let email = format!("load-{}-{i}@example.vn", &run[20..]);
            User::insert(
                &mut conn,
                &User {
                    id: uuid::Uuid::now_v7().to_string(),
                    kind: "citizen".into(),
                    full_name: format!("Người Đo Tải {i}"),
                    citizen_id: format!("038190{i:06}"),
                    business_name: None,
                    tax_code: None,
                    phone: "0912345678".into(),
                    email: email.clone(),
                    email_lc: email.clone(),
                    address: None,
                    password_hash: hash.clone(),
                    email_verified_at: Some(now),
                    created_at: now,
                    updated_at: now,
                },
            )?;
            emails.push(email);
        }
    }
    let mut pdf = b"%PDF-1.4\n".to_vec();
    pdf.resize(pdf_kb * 1024, b' ');
    let papers: Vec<usize> = {
        let p: serde_json::Value = reqwest::get(format!("{base}/api/v1/procedures/{PROCEDURE}")).await?.json().await?;
        p["papers"]
            .as_array()
            .map(|a| a.iter().enumerate().filter(|(_, x)| x["mandatory"] == true).map(|(i, _)| i).collect())
            .unwrap_or_default()
    };

    // Sign-ins: every citizen signs in three times.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for email in emails.clone() {
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let client =
                reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build()?;
            let mut lat = Vec::new();
            let mut errors = 0;
            for _ in 0..3 {
                // Signed in, the sign-in page redirects: take the token of a page with a form.
                let page = client.get(format!("{base}/quen-mat-khau")).send().await?.text().await?;
                let token = between(&page, "name=\"csrf_token\" value=\"").to_owned();
                let t = Instant::now();
                let res = client
                    .post(format!("{base}/dang-nhap"))
                    .form(&[("csrf_token", token.as_str()), ("email", email.as_str()), ("password", PASSWORD)])
                    .send()
                    .await?;
                if res.status().as_u16() == 303 { lat.push(t.elapsed()) } else { errors += 1 }
            }
            anyhow::Ok((client, lat, errors))
        }));
    }
    let mut clients = Vec::new();
    let (mut lat, mut errors) = (Vec::new(), 0);
    for t in tasks {
        let (c, l, e) = t.await??;
        clients.push(c);
        lat.extend(l);
        errors += e;
    }
    report("sign-in", lat, errors, started.elapsed());

    // Submissions for `seconds`.
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in clients {
        let (base, pdf, papers, commune) = (base.clone(), pdf.clone(), papers.clone(), commune.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let page = client.get(format!("{base}/thu-tuc/{PROCEDURE}/nop")).send().await?.text().await?;
                let token = between(&page, "name=\"csrf_token\" value=\"").to_owned();
                let key = between(&page, "name=\"submit_key\" value=\"").to_owned();
                let mut form = reqwest::multipart::Form::new().text("csrf_token", token).text("submit_key", key);
                for (k, v) in [
                    ("co_quan", "000.20.01.H56"),
                    ("ho_ten", "Người Đo Tải"),
                    ("so_dinh_danh", "038190012345"),
                    ("ngay_sinh", "05/09/1990"),
                    ("dien_thoai", "0912345678"),
                    ("noi_cu_tru_commune", commune.as_str()),
                    ("noi_cu_tru_detail", "Số 1 đường Thử Tải"),
                    ("noi_dung_de_nghi", "Đề nghị xác nhận thông tin cư trú."),
                ] {
                    form = form.text(k, v.to_owned());
                }
                for p in &papers {
                    form = form.part(
                        format!("paper_{p}"),
                        reqwest::multipart::Part::bytes(pdf.clone()).file_name("giay-to.pdf"),
                    );
                }
                let t = Instant::now();
                let res = client
                    .post(format!("{base}/thu-tuc/{PROCEDURE}/nop"))
                    .multipart(form.text("action", "submit"))
                    .send()
                    .await?;
                let ok = res.status().as_u16() == 303
                    && res
                        .headers()
                        .get("location")
                        .and_then(|l| l.to_str().ok())
                        .is_some_and(|l| l.starts_with("/tai-khoan/ho-so/"));
                if ok { lat.push(t.elapsed()) } else { errors += 1 }
            }
            anyhow::Ok((lat, errors))
        }));
    }
    let (mut lat, mut errors) = (Vec::new(), 0);
    for t in tasks {
        let (l, e) = t.await??;
        lat.extend(l);
        errors += e;
    }
    report(&format!("submit ({pdf_kb} KB PDF per dossier)"), lat, errors, started.elapsed());
    Ok(())
}

//! Load test of the payment gateway's CONFIRM callback (`POST /api/payments/confirm`), used by
//! `bench/payments.sh`:
//!
//! 1. puts N dossiers in state 6 directly in the database, each with an open payment request and
//!    one pending attempt (as a "toàn trình" submission and the citizen's "Thanh toán" leave
//!    them), in transactions of 5,000 dossiers;
//! 2. signs one CONFIRM (paid) per attempt with the gateway's key;
//! 3. sends them from C concurrent connections until all are sent or the time is up, and prints
//!    callbacks per second, latency percentiles, non-200 answers and acknowledgements that are
//!    not `MaLoi 00` or not signed by the portal; then checks the database: every acknowledged
//!    attempt paid once, its request paid, its dossier out of state 6 with one `pay` history row,
//!    one receipt job each;
//! 4. the storm: one more pending attempt, the same signed CONFIRM sent 1,000 times at once;
//!    every answer must be 200 with `MaLoi 00`, and the database must hold exactly one payment,
//!    one `pay` history row, one paid request and one receipt job.
//!
//! Prints `RESULT: PASS` or `RESULT: FAIL` and exits 1 on FAIL.
//!
//! cargo run --release --example payments-load -- <base url> <database url> <gateway key> <partner>
//!     [callbacks 20000] [seconds 60] [connections 64] [storm 1000] [storm concurrency 256] [server pid]

use diesel::connection::SimpleConnection;
use diesel::dsl::{count, count_star};
use diesel::prelude::*;
use dvc_portal::clock::{Clock, to_local};
use dvc_portal::db::schema::{
    dossier_events, dossiers, outbox, payment_messages, payment_requests, payment_transactions,
};
use dvc_portal::db::{Db, DbConn, DbUrl, write_tx};
use dvc_portal::domain::dossier::{Action, Role, Status, dossier_code};
use dvc_portal::domain::fold::fold;
use dvc_portal::domain::money::Vnd;
use dvc_portal::domain::payment::{RequestStatus, TxStatus, lines_with_quantities, total};
use dvc_portal::integrations::paygov::wire::{self, Signed};
use dvc_portal::models::agency::Agency;
use dvc_portal::models::dossier::{Dossier, DossierEvent};
use dvc_portal::models::payment::{FeeAccount, PaymentRequest, PaymentTransaction};
use dvc_portal::models::procedure::Procedure;
use dvc_portal::models::user::User;
use rand::Rng;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Dossiers written per transaction.
const PER_TRANSACTION: usize = 5_000;
/// Rows per multi-row INSERT (28 columns × 500 stays under both backends' parameter limits).
const PER_STATEMENT: usize = 500;
const APPLICANT: &str = "Người Đo Tải Thanh Toán";

/// What a callback got back.
struct Answer {
    latency: Duration,
    status: u16,
    code: String,
    signed: bool,
}

/// A procedure paid at submission, the agency that receives it, and what it costs.
struct Target {
    procedure_id: String,
    procedure_code: String,
    agency_id: String,
    agency_code: String,
    lines: String,
    amount: i64,
    account: (String, String, String),
}

/// One attempt ready to be confirmed.
struct Attempt {
    dossier_id: String,
    transaction_id: String,
    code: String,
    reference: String,
    amount: i64,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn latencies(answers: &[Answer]) -> String {
    let mut lat: Vec<Duration> = answers.iter().map(|a| a.latency).collect();
    lat.sort();
    format!(
        "p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&lat, 0.5),
        percentile(&lat, 0.9),
        percentile(&lat, 0.99),
        percentile(&lat, 1.0)
    )
}

/// CPU seconds (user + system) of a process, from `/proc/<pid>/stat` (USER_HZ = 100).
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // After the name: state is field 3, utime field 14, stime field 15.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// The machine's CPU time so far, from the first line of `/proc/stat`: (busy, waiting for I/O),
/// in seconds (USER_HZ = 100).
fn machine_cpu() -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let ticks: Vec<f64> = stat.lines().next()?.split_whitespace().skip(1).filter_map(|t| t.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal …
    let (idle, iowait) = (*ticks.get(3)?, *ticks.get(4)?);
    let all: f64 = ticks.iter().take(8).sum();
    Some(((all - idle - iowait) / 100.0, iowait / 100.0))
}

/// The procedures of the demo catalogue whose fees are paid at submission, with their agency.
fn targets(conn: &mut DbConn) -> anyhow::Result<Vec<Target>> {
    let mut out = Vec::new();
    for p in Procedure::all(conn)?.into_iter().filter(|p| p.fee_timing == "submission") {
        let Some(agency) = p.agency_id.as_deref().map(|id| Agency::find(conn, id)).transpose()?.flatten() else {
            continue;
        };
        let rules = dvc_portal::services::payments::rules_of(conn, &p.id)?;
        let lines = lines_with_quantities(&rules, &vec![1; rules.len()]).map_err(|e| anyhow::anyhow!(e.message()))?;
        let amount = total(&lines).map_err(|e| anyhow::anyhow!(e.message()))?.0;
        if amount <= 0 {
            continue;
        }
        let account = match (&p.beneficiary_account, &p.beneficiary_bank, &p.beneficiary_name) {
            (Some(a), Some(b), Some(n)) => (a.clone(), b.clone(), n.clone()),
            _ => match FeeAccount::of_agency(conn, &agency.id)? {
                Some(FeeAccount { account: Some(a), bank: Some(b), name: Some(n) }) => (a, b, n),
                _ => continue,
            },
        };
        out.push(Target {
            procedure_id: p.id.clone(),
            procedure_code: p.code.clone(),
            agency_id: agency.id.clone(),
            agency_code: agency.code.clone(),
            lines: serde_json::to_string(&lines)?,
            amount,
            account,
        });
    }
    anyhow::ensure!(!out.is_empty(), "no procedure paid at submission with a fee account: is the demo data loaded?");
    Ok(out)
}

macro_rules! insert_all {
    ($conn:expr, $table:expr, $rows:expr) => {{
        for chunk in $rows.chunks(PER_STATEMENT) {
            dvc_portal::on_backend!($conn, |c| diesel::insert_into($table).values(chunk).execute(c))?;
        }
    }};
}

/// Writes `count` dossiers waiting for payment with their request and pending attempt (the
/// references start with `prefix`), in transactions of [`PER_TRANSACTION`].
fn seed(
    conn: &mut DbConn,
    clock: &Clock,
    targets: &[Target],
    user: &User,
    prefix: &str,
    count: usize,
) -> anyhow::Result<Vec<Attempt>> {
    let mut attempts = Vec::with_capacity(count);
    let now = clock.now_naive();
    let day = to_local(now).date();
    let day_code = day.format("%y%m%d").to_string();
    let init_time = wire::timestamp(clock.now());
    let mut start = 0;
    while start < count {
        let end = (start + PER_TRANSACTION).min(count);
        let batch = write_tx(conn, |conn| -> QueryResult<Vec<Attempt>> {
            let (mut ds, mut events, mut requests, mut txs, mut batch) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for i in start..end {
                let t = &targets[i % targets.len()];
                let seq = Dossier::next_sequence(conn, &t.agency_code, &day_code)?;
                let code = dossier_code(&t.agency_code, day, u32::try_from(seq).unwrap_or(0));
                let dossier_id = uuid::Uuid::now_v7().to_string();
                ds.push(Dossier {
                    id: dossier_id.clone(),
                    search_text: fold(&format!("{code} {APPLICANT}")),
                    code: code.clone(),
                    procedure_id: t.procedure_id.clone(),
                    agency_id: t.agency_id.clone(),
                    applicant_user_id: Some(user.id.clone()),
                    applicant_name: APPLICANT.into(),
                    applicant_id_number: user.citizen_id.clone(),
                    applicant_phone: user.phone.clone(),
                    applicant_email: Some(user.email.clone()),
                    applicant_address: None,
                    status: Status::AwaitingPayment.code(),
                    channel: "truc-tuyen".into(),
                    form_values: "[]".into(),
                    submitted_at: now,
                    received_at: None,
                    due_at: None,
                    finished_at: None,
                    status_note: None,
                    version: 2,
                    created_at: now,
                    updated_at: now,
                    handler_agency_id: Some(t.agency_id.clone()),
                    handler_step: Some("mot_cua".into()),
                    handler_staff_id: None,
                    resume_status: Some(Status::Submitted.code()),
                    paused_at: Some(now),
                    result_note: None,
                });
                events.push(DossierEvent {
                    id: uuid::Uuid::now_v7().to_string(),
                    dossier_id: dossier_id.clone(),
                    seq: 1,
                    at: now,
                    actor_kind: "citizen".into(),
                    actor_id: Some(user.id.clone()),
                    action: Action::Submit.code().into(),
                    from_status: None,
                    to_status: Status::Submitted.code(),
                    note: None,
                    actor_role: Some(Role::Citizen.code().into()),
                    actor_agency_id: None,
                    due_at: None,
                });
                events.push(DossierEvent {
                    id: uuid::Uuid::now_v7().to_string(),
                    dossier_id: dossier_id.clone(),
                    seq: 2,
                    at: now,
                    actor_kind: "system".into(),
                    actor_id: None,
                    action: Action::RequestPayment.code().into(),
                    from_status: Some(Status::Submitted.code()),
                    to_status: Status::AwaitingPayment.code(),
                    note: Some(format!("Phí, lệ phí nộp khi nộp hồ sơ trực tuyến toàn trình: {}", Vnd(t.amount))),
                    actor_role: Some(Role::System.code().into()),
                    actor_agency_id: None,
                    due_at: None,
                });
                let request_id = uuid::Uuid::now_v7().to_string();
                requests.push(PaymentRequest {
                    id: request_id.clone(),
                    dossier_id: dossier_id.clone(),
                    amount_vnd: t.amount,
                    lines: t.lines.clone(),
                    beneficiary_account: t.account.0.clone(),
                    beneficiary_bank: t.account.1.clone(),
                    beneficiary_name: t.account.2.clone(),
                    reason: "submission".into(),
                    requested_by: None,
                    status: RequestStatus::Open.code().into(),
                    paid_at: None,
                    paid_channel: None,
                    created_at: now,
                    updated_at: now,
                });
                let reference = format!("{prefix}{i:06}");
                let transaction_id = uuid::Uuid::now_v7().to_string();
                txs.push(PaymentTransaction {
                    id: transaction_id.clone(),
                    request_id,
                    dossier_id: dossier_id.clone(),
                    reference: reference.clone(),
                    amount_vnd: t.amount,
                    currency: wire::CURRENCY.into(),
                    status: TxStatus::Pending.code().into(),
                    gateway_txn_id: None,
                    bank_code: None,
                    init_time: init_time.clone(),
                    initiated_at: now,
                    pay_url: Some(format!("http://127.0.0.1:9/thanh-toan/{reference}")),
                    settled_at: None,
                    gateway_time: None,
                    checked_at: None,
                    checks: 0,
                    receipt_sha256: None,
                    beneficiary_account: t.account.0.clone(),
                    note: None,
                    updated_at: now,
                });
                batch.push(Attempt { dossier_id, transaction_id, code, reference, amount: t.amount });
            }
            insert_all!(conn, dossiers::table, ds);
            insert_all!(conn, dossier_events::table, events);
            insert_all!(conn, payment_requests::table, requests);
            insert_all!(conn, payment_transactions::table, txs);
            Ok(batch)
        })?;
        attempts.extend(batch);
        start = end;
    }
    Ok(attempts)
}

/// The gateway's signed CONFIRM of a paid attempt, as JSON.
fn confirm_body(a: &Attempt, clock: &Clock, secret: &str, partner: &str, gateway_id: String) -> anyhow::Result<String> {
    let confirm = wire::Confirm {
        loai_ban_tin: "CONFIRM".into(),
        ma_loi: wire::OK.into(),
        ma_doi_tac: partner.to_owned(),
        ma_tham_chieu: a.reference.clone(),
        so_tien: a.amount,
        ma_tien_te: wire::CURRENCY.into(),
        ma_giao_dich: gateway_id,
        ma_ngan_hang: "VCB".into(),
        thoi_gian_gd: wire::timestamp(clock.now()),
        thong_tin_giao_dich: format!("THANH TOAN HO SO {}", a.code),
        ma_xac_thuc: String::new(),
    }
    .sign(secret);
    Ok(serde_json::to_string(&confirm)?)
}

async fn post(client: &reqwest::Client, url: &str, body: String, secret: &str) -> Answer {
    let started = Instant::now();
    let sent = client.post(url).header("Content-Type", "application/json").body(body).send().await;
    let (status, ack) = match sent {
        Ok(res) => {
            let status = res.status().as_u16();
            (status, res.json::<wire::ConfirmAck>().await.ok())
        }
        Err(_) => (0, None),
    };
    Answer {
        latency: started.elapsed(),
        status,
        code: ack.as_ref().map_or_else(|| "-".to_owned(), |a| a.ma_loi.clone()),
        signed: ack.is_some_and(|a| a.verifies(secret)),
    }
}

/// What the database holds for the dossiers of `user_id` (by state) and the attempts whose
/// reference starts with `prefix`.
#[derive(Debug, Default)]
struct Census {
    dossiers: HashMap<i32, i64>,
    attempts: HashMap<String, i64>,
    requests: HashMap<String, i64>,
    pay_rows: i64,
    pay_dossiers: i64,
    messages: HashMap<String, i64>,
    alerts: i64,
}

fn census(conn: &mut DbConn, user_id: &str, prefix: &str) -> QueryResult<Census> {
    let like = format!("{prefix}%");
    let dossiers: Vec<(i32, i64)> = dossiers::table
        .filter(dossiers::applicant_user_id.eq(user_id))
        .group_by(dossiers::status)
        .select((dossiers::status, count_star()))
        .load(conn)?;
    let attempts: Vec<(String, i64)> = payment_transactions::table
        .filter(payment_transactions::reference.like(&like))
        .group_by(payment_transactions::status)
        .select((payment_transactions::status, count_star()))
        .load(conn)?;
    let requests: Vec<(String, i64)> = payment_requests::table
        .inner_join(dossiers::table)
        .filter(dossiers::applicant_user_id.eq(user_id))
        .group_by(payment_requests::status)
        .select((payment_requests::status, count_star()))
        .load(conn)?;
    let pay = || {
        dossier_events::table
            .inner_join(dossiers::table)
            .filter(dossiers::applicant_user_id.eq(user_id))
            .filter(dossier_events::action.eq(Action::Pay.code()))
    };
    let pay_rows: i64 = pay().count().get_result(conn)?;
    let pay_dossiers: i64 = pay().select(count(dossier_events::dossier_id).aggregate_distinct()).get_result(conn)?;
    let messages: Vec<(String, i64)> = payment_messages::table
        .filter(payment_messages::reference.like(&like))
        .group_by(payment_messages::outcome)
        .select((payment_messages::outcome, count_star()))
        .load(conn)?;
    let alerts: i64 = payment_messages::table
        .filter(payment_messages::reference.like(&like))
        .filter(payment_messages::alert.eq(true))
        .count()
        .get_result(conn)?;
    Ok(Census {
        dossiers: dossiers.into_iter().collect(),
        attempts: attempts.into_iter().collect(),
        requests: requests.into_iter().collect(),
        pay_rows,
        pay_dossiers,
        messages: messages.into_iter().collect(),
        alerts,
    })
}

fn jobs(conn: &mut DbConn, kind: &str) -> QueryResult<i64> {
    outbox::table.filter(outbox::kind.eq(kind)).count().get_result(conn)
}

/// Prints one invariant and remembers a failure.
fn check(failures: &mut usize, what: &str, ok: bool) {
    println!("check: {what}: {}", if ok { "ok" } else { "FAIL" });
    if !ok {
        *failures += 1;
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize| args.get(i).cloned();
    let number = |i: usize, default: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let base = arg(1).unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let database = arg(2).unwrap_or_else(|| "sqlite://data/portal.db".into());
    let secret = arg(3).unwrap_or_else(|| dvc_portal::config::DEMO_PAYGOV_SECRET.into());
    let partner = arg(4).unwrap_or_else(|| "TH-DVC".into());
    let count = number(5, 20_000);
    let seconds = number(6, 60) as u64;
    let connections = number(7, 64).max(1);
    let storm = number(8, 1_000).max(1);
    let storm_concurrency = number(9, 256).max(1);
    let server_pid = arg(10);
    let url = format!("{base}/api/payments/confirm");
    let clock = Clock::System;
    let mut failures = 0;

    // 1. The dossiers waiting for payment.
    let db = Db::connect(&DbUrl::parse(&database)?, 2)?;
    let mut conn = db.get()?;
    let run: String = {
        const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        let mut rng = rand::thread_rng();
        (0..4).map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())])).collect()
    };
    let targets = targets(&mut conn)?;
    let now = clock.now_naive();
    let email = format!("bench-pay-{}@example.vn", run.to_lowercase());
    let user = User {
        id: uuid::Uuid::now_v7().to_string(),
        kind: "citizen".into(),
        full_name: APPLICANT.into(),
        citizen_id: format!("0381900{:05}", rand::thread_rng().gen_range(0..100_000)),
        business_name: None,
        tax_code: None,
        phone: "0912345678".into(),
        email: email.clone(),
        email_lc: email,
        address: None,
        // Not a hash: this citizen never signs in.
        password_hash: "!".into(),
        email_verified_at: Some(now),
        created_at: now,
        updated_at: now,
    };
    User::insert(&mut conn, &user)?;
    let day = to_local(now).format("%y%m%d").to_string();
    // References of 19 characters (the portal's have 18, the platform takes 20): `TT`, the day,
    // `B` (or `S` for the storm), the run, the number.
    let prefix = format!("TT{day}B{run}");
    let started = Instant::now();
    let attempts = seed(&mut conn, &clock, &targets, &user, &prefix, count)?;
    for table in ["dossiers", "dossier_events", "payment_requests", "payment_transactions"] {
        conn.batch_execute(&format!("ANALYZE {table}"))?;
    }
    let codes: Vec<&str> = targets.iter().map(|t| t.procedure_code.as_str()).collect();
    println!(
        "seed: {count} dossiers in state 6, each with an open request and a pending attempt ({} procedures paid at \
         submission: {}), in {:.1} s",
        targets.len(),
        codes.join(", "),
        started.elapsed().as_secs_f64()
    );

    // 2. One signed CONFIRM per attempt.
    let started = Instant::now();
    let bodies: Vec<String> = attempts
        .iter()
        .enumerate()
        .map(|(i, a)| confirm_body(a, &clock, &secret, &partner, format!("PG{run}{i:08}")))
        .collect::<anyhow::Result<_>>()?;
    println!("sign: {} CONFIRMs signed in {:.2} s", bodies.len(), started.elapsed().as_secs_f64());
    let receipts_before = jobs(&mut conn, "payment_receipt")?;
    let emails_before = jobs(&mut conn, "email")?;

    // 3. The callbacks, from `connections` connections.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(connections.max(storm_concurrency))
        .build()?;
    let bodies = Arc::new(bodies);
    let next = Arc::new(AtomicUsize::new(0));
    let server_cpu = server_pid.as_deref().and_then(cpu_seconds);
    let own_cpu = cpu_seconds("self");
    let machine = machine_cpu();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (client, url, bodies, next, secret) =
            (client.clone(), url.clone(), bodies.clone(), next.clone(), secret.clone());
        tasks.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= bodies.len() || Instant::now() >= deadline {
                    break;
                }
                answers.push(post(&client, &url, bodies[i].clone(), &secret).await);
            }
            answers
        }));
    }
    let mut answers = Vec::new();
    for t in tasks {
        answers.extend(t.await?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let server_cpu = server_pid.as_deref().and_then(cpu_seconds).zip(server_cpu).map(|(b, a)| (b - a) / elapsed);
    let own_cpu = cpu_seconds("self").zip(own_cpu).map(|(b, a)| (b - a) / elapsed);
    let machine = machine_cpu().zip(machine).map(|(b, a)| ((b.0 - a.0) / elapsed, (b.1 - a.1) / elapsed));
    let not_200 = answers.iter().filter(|a| a.status != 200).count();
    let not_00 = answers.iter().filter(|a| a.status == 200 && a.code != wire::OK).count();
    let unsigned = answers.iter().filter(|a| a.status == 200 && !a.signed).count();
    let acked = answers.iter().filter(|a| a.status == 200 && a.code == wire::OK).count() as i64;
    println!(
        "callbacks: {} sent from {connections} connections in {elapsed:.1} s = {:.1}/s; non-200 {not_200}, MaLoi != 00 \
         {not_00}, ack not signed {unsigned}; latency {}",
        answers.len(),
        answers.len() as f64 / elapsed,
        latencies(&answers)
    );
    let mut statuses: Vec<(u16, usize)> = Vec::new();
    for a in &answers {
        match statuses.iter_mut().find(|(s, _)| *s == a.status) {
            Some((_, n)) => *n += 1,
            None => statuses.push((a.status, 1)),
        }
    }
    if not_200 > 0 || not_00 > 0 {
        let codes: Vec<String> = statuses.iter().map(|(s, n)| format!("HTTP {s}: {n}")).collect();
        println!("callbacks: answers {}", codes.join(", "));
    }
    if let (Some(c), Some((busy, iowait))) = (server_cpu, machine) {
        println!(
            "cpu: server {c:.2} cores, load generator {:.2}, the whole machine {busy:.2} busy and {iowait:.2} waiting \
             for I/O (of {} cores)",
            own_cpu.unwrap_or_default(),
            std::thread::available_parallelism().map_or(0, |n| n.get())
        );
    }

    // The database after the callbacks.
    let sent = answers.len() as i64;
    let c = census(&mut conn, &user.id, &prefix)?;
    let get = |m: &HashMap<String, i64>, k: &str| m.get(k).copied().unwrap_or_default();
    let n = count as i64;
    check(
        &mut failures,
        &format!("every callback answered 200 with MaLoi 00 and a signed ack ({acked} of {sent})"),
        acked == sent && unsigned == 0,
    );
    check(
        &mut failures,
        &format!(
            "attempts paid {} = acknowledged {acked}; still pending {} = not sent {}; nothing else ({:?})",
            get(&c.attempts, TxStatus::Paid.code()),
            get(&c.attempts, TxStatus::Pending.code()),
            n - sent,
            c.attempts
        ),
        get(&c.attempts, TxStatus::Paid.code()) == acked
            && get(&c.attempts, TxStatus::Pending.code()) == n - acked
            && c.attempts.len() <= 2,
    );
    check(
        &mut failures,
        &format!("requests paid {} = {acked} ({:?})", get(&c.requests, RequestStatus::Paid.code()), c.requests),
        get(&c.requests, RequestStatus::Paid.code()) == acked
            && get(&c.requests, RequestStatus::Open.code()) == n - acked,
    );
    let left = n - c.dossiers.get(&Status::AwaitingPayment.code()).copied().unwrap_or_default();
    check(
        &mut failures,
        &format!("dossiers out of state 6 {left} = {acked}, back at the desk (state 1) ({:?})", c.dossiers),
        left == acked && c.dossiers.get(&Status::Submitted.code()).copied().unwrap_or_default() == acked,
    );
    check(
        &mut failures,
        &format!("'pay' history rows {} on {} dossiers = {acked}", c.pay_rows, c.pay_dossiers),
        c.pay_rows == acked && c.pay_dossiers == acked,
    );
    let receipts = jobs(&mut conn, "payment_receipt")? - receipts_before;
    let emails = jobs(&mut conn, "email")? - emails_before;
    check(
        &mut failures,
        &format!("receipt jobs queued {receipts} = {acked}, citizen e-mails queued {emails}"),
        receipts == acked && emails == acked,
    );
    check(
        &mut failures,
        &format!("gateway messages recorded {:?}, alerts {}", c.messages, c.alerts),
        get(&c.messages, "paid") == acked && c.alerts == 0,
    );

    // 4. The storm: one attempt, the same CONFIRM `storm` times at once.
    let storm_prefix = format!("TT{day}S{run}");
    let storm_attempt = seed(&mut conn, &clock, &targets, &user, &storm_prefix, 1)?
        .pop()
        .ok_or_else(|| anyhow::anyhow!("no storm attempt"))?;
    let storm_gateway_id = format!("PG{run}STORM");
    let body = confirm_body(&storm_attempt, &clock, &secret, &partner, storm_gateway_id.clone())?;
    let receipts_before = jobs(&mut conn, "payment_receipt")?;
    let storm_client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(storm_concurrency)
        .build()?;
    let gate = Arc::new(tokio::sync::Barrier::new(storm + 1));
    let permits = Arc::new(tokio::sync::Semaphore::new(storm_concurrency));
    let mut tasks = Vec::new();
    for _ in 0..storm {
        let (client, url, body, secret, gate, permits) =
            (storm_client.clone(), url.clone(), body.clone(), secret.clone(), gate.clone(), permits.clone());
        tasks.push(tokio::spawn(async move {
            gate.wait().await;
            let _permit = permits.acquire().await;
            post(&client, &url, body, &secret).await
        }));
    }
    gate.wait().await;
    let started = Instant::now();
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let good = answers.iter().filter(|a| a.status == 200 && a.code == wire::OK && a.signed).count();
    println!(
        "storm: {storm} identical CONFIRMs, {storm_concurrency} in flight at once, answered in {elapsed:.2} s; 200 with \
         MaLoi 00 and a signed ack: {good} of {storm}; latency {}",
        latencies(&answers)
    );
    check(&mut failures, &format!("storm: every copy acknowledged 00 ({good} of {storm})"), good == storm);
    let t = PaymentTransaction::find_by_reference(&mut conn, &storm_attempt.reference)?;
    check(
        &mut failures,
        &format!("storm: the attempt is paid ({:?})", t.as_ref().map(|t| t.status.as_str())),
        t.is_some_and(|t| {
            t.state() == TxStatus::Paid && t.gateway_txn_id.as_deref() == Some(storm_gateway_id.as_str())
        }),
    );
    let pay_rows: i64 = dossier_events::table
        .filter(dossier_events::dossier_id.eq(&storm_attempt.dossier_id))
        .filter(dossier_events::action.eq(Action::Pay.code()))
        .count()
        .get_result(&mut conn)?;
    check(&mut failures, &format!("storm: 'pay' history rows {pay_rows} = 1"), pay_rows == 1);
    let requests = PaymentRequest::of_dossier(&mut conn, &storm_attempt.dossier_id)?;
    let statuses: Vec<&str> = requests.iter().map(|r| r.status.as_str()).collect();
    check(&mut failures, &format!("storm: one request, paid ({statuses:?})"), statuses == [RequestStatus::Paid.code()]);
    let d = Dossier::find(&mut conn, &storm_attempt.dossier_id)?;
    let (state, version) = (d.as_ref().map(|d| d.status), d.as_ref().map(|d| d.version));
    check(
        &mut failures,
        &format!("storm: the dossier left state 6 once (state {state:?}, version {version:?})"),
        d.is_some_and(|d| d.status == Status::Submitted.code() && d.version == 3),
    );
    let receipts = jobs(&mut conn, "payment_receipt")? - receipts_before;
    let this_receipt: i64 = outbox::table
        .filter(outbox::kind.eq("payment_receipt"))
        .filter(outbox::payload.like(format!("%{}%", storm_attempt.transaction_id)))
        .count()
        .get_result(&mut conn)?;
    check(
        &mut failures,
        &format!("storm: receipt jobs queued {receipts}, for this attempt {this_receipt} = 1"),
        receipts == 1 && this_receipt == 1,
    );
    let s = census(&mut conn, &user.id, &storm_prefix)?;
    let repeats = storm as i64 - 1;
    check(
        &mut failures,
        &format!("storm: messages {:?} = one paid, {repeats} repeats; alerts {}", s.messages, s.alerts),
        get(&s.messages, "paid") == 1 && get(&s.messages, "repeat") == repeats && s.alerts == 0,
    );

    println!("RESULT: {}", if failures == 0 { "PASS".to_owned() } else { format!("FAIL ({failures} checks)") });
    if failures > 0 {
        std::process::exit(1);
    }
    Ok(())
}

//! Online payment of fees (level 4) through paygov-sim, over real HTTP both ways: the citizen's
//! flow, and the CONFIRM callback under attack (reference/integrations.md §A5–A6).

use crate::accounts::signed_in_citizen;
use crate::follow_up::dossier;
use crate::intake::{PROCEDURE, submit_dossier};
use crate::support::TestApp;
use diesel::prelude::*;
use dvc_portal::db::schema::{dossier_events, payment_messages, payment_requests, payment_transactions, procedures};
use dvc_portal::integrations::paygov::wire::{self, Signed};
use dvc_portal::models::payment::{PaymentRequest, PaymentTransaction};

/// The demo procedure of the intake tests has two fees: lệ phí 15.000 đ per case and phí
/// 8.000 đ per copy (no quantity field: one copy). Made "toàn trình" here: 23.000 đ at
/// submission.
const OWED: i64 = 15_000 + 8_000;

fn fees_at_submission(app: &TestApp) {
    diesel::update(procedures::table.filter(procedures::code.eq(PROCEDURE)))
        .set(procedures::fee_timing.eq("submission"))
        .execute(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
}

/// A citizen submits a dossier whose fees are due at submission; its code.
async fn submitted_unpaid(app: &TestApp) -> String {
    fees_at_submission(app);
    signed_in_citizen(app, "lan@example.vn", "038190012345").await;
    submit_dossier(app).await
}

fn requests(app: &TestApp, dossier_id: &str) -> Vec<PaymentRequest> {
    PaymentRequest::of_dossier(&mut app.conn(), dossier_id).unwrap_or_else(|e| panic!("{e}"))
}

fn attempts(app: &TestApp, dossier_id: &str) -> Vec<PaymentTransaction> {
    PaymentTransaction::of_dossier(&mut app.conn(), dossier_id).unwrap_or_else(|e| panic!("{e}"))
}

fn events(app: &TestApp, dossier_id: &str, action: &str) -> i64 {
    dossier_events::table
        .filter(dossier_events::dossier_id.eq(dossier_id))
        .filter(dossier_events::action.eq(action))
        .count()
        .get_result(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn alerts(app: &TestApp, outcome: &str) -> i64 {
    payment_messages::table
        .filter(payment_messages::outcome.eq(outcome))
        .filter(payment_messages::alert.eq(true))
        .count()
        .get_result(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Clicks "Thanh toán" on the dossier page; the gateway's page URL and the attempt's reference.
async fn click_pay(app: &TestApp, code: &str) -> (String, String) {
    let res =
        app.submit(&format!("/tai-khoan/ho-so/{code}"), &format!("/tai-khoan/ho-so/{code}/thanh-toan"), &[]).await;
    assert_eq!(res.status, 303, "{}", res.text());
    let url = res.location();
    assert!(url.starts_with(&app.sim().url()), "{url}");
    let d = dossier(app, code);
    let reference = attempts(app, &d.id).last().map(|t| t.reference.clone()).unwrap_or_default();
    (url, reference)
}

/// A CONFIRM as the gateway would sign it.
fn confirm_for(app: &TestApp, t: &PaymentTransaction, code: &str, gateway_id: &str) -> wire::Confirm {
    wire::Confirm {
        loai_ban_tin: "CONFIRM".into(),
        ma_loi: code.into(),
        ma_doi_tac: app.jobs.config.paygov_partner.clone(),
        ma_tham_chieu: t.reference.clone(),
        so_tien: t.amount_vnd,
        ma_tien_te: "VND".into(),
        ma_giao_dich: gateway_id.into(),
        ma_ngan_hang: "VCB".into(),
        thoi_gian_gd: wire::timestamp(app.clock.now()),
        thong_tin_giao_dich: "THANH TOAN".into(),
        ma_xac_thuc: String::new(),
    }
    .sign(&app.jobs.config.paygov_secret)
}

async fn post_confirm(app: &TestApp, body: &str) -> (u16, serde_json::Value) {
    let res = reqwest::Client::new()
        .post(format!("{}/api/payments/confirm", app.jobs.config.base_url))
        .header("Content-Type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or_else(|e| panic!("{e}")))
}

#[tokio::test]
async fn a_toan_trinh_dossier_waits_for_payment_then_is_paid_online() {
    let app = TestApp::spawn_with_paygov().await;
    let code = submitted_unpaid(&app).await;
    let d = dossier(&app, &code);
    assert_eq!(d.status, 6, "waiting for payment before the desk sees it");
    assert_eq!(d.resume_status, Some(1));
    let reqs = requests(&app, &d.id);
    assert_eq!(reqs.len(), 1);
    assert_eq!((reqs[0].amount_vnd, reqs[0].status.as_str()), (OWED, "cho-thanh-toan"));
    let mails: Vec<_> =
        app.outbox("email").into_iter().filter(|m| m["message"]["event"] == "request_payment").collect();
    assert_eq!(mails.len(), 1, "the citizen is told what to pay");
    let page = app.get(&format!("/tai-khoan/ho-so/{code}")).await;
    assert!(page.html().text("section.payments").contains("23.000 đ"), "{}", page.text());
    assert!(page.text().contains("Thanh toán trực tuyến"));
    // The page's form may post on to the gateway (CSP form-action), and only there.
    let csp = page.header("content-security-policy");
    assert!(csp.contains(&format!("form-action 'self' {}", app.sim().url().trim_end_matches('/'))), "{csp}");

    // Thanh toán → INIT → the gateway's page (Vietnamese), pay there.
    let (url, reference) = click_pay(&app, &code).await;
    let gateway_page = reqwest::get(&url).await.unwrap_or_else(|e| panic!("{e}"));
    let body = gateway_page.text().await.unwrap_or_default();
    assert!(body.contains("23.000 đ") && body.contains("Thanh toán"), "{body}");
    // Clicking again while the first page is open reuses the same attempt.
    let (again, _) = click_pay(&app, &code).await;
    assert_eq!(again, url);
    assert_eq!(attempts(&app, &d.id).len(), 1);
    app.sim().pay(&reference, "VCB").unwrap_or_else(|e| panic!("{e:#}"));

    // Until the CONFIRM arrives, the return page only says it is being confirmed.
    let back = app.get(&format!("/thanh-toan/ket-qua?ma={reference}")).await;
    assert_eq!(back.status, 200);
    assert!(back.text().contains("Đang xác nhận thanh toán"), "{}", back.text());
    assert_eq!(dossier(&app, &code).status, 6, "the browser's return is never trusted");

    assert_eq!(app.sim().deliver_all_now(), 1);
    let d = dossier(&app, &code);
    assert_eq!(d.status, 1, "back to the desk's queue");
    assert_eq!(requests(&app, &d.id)[0].status, "da-thanh-toan");
    let t = &attempts(&app, &d.id)[0];
    assert_eq!(t.status, "thanh-cong");
    assert!(t.gateway_txn_id.as_deref().is_some_and(|g| !g.is_empty()));
    assert_eq!(events(&app, &d.id, "pay"), 1);
    let back = app.get(&format!("/thanh-toan/ket-qua?ma={reference}")).await;
    assert!(back.text().contains("Thanh toán thành công"), "{}", back.text());

    // The worker fetches the e-receipt; the citizen downloads it, nobody else can.
    let report = app.run_pending_jobs().await;
    assert_eq!(report.dead, 0, "{:?}", app.dead_rows());
    let t = &attempts(&app, &d.id)[0];
    assert!(t.receipt_sha256.is_some(), "receipt stored");
    let receipt = app.get(&format!("/tai-khoan/ho-so/{code}/bien-lai/{}", t.id)).await;
    assert_eq!(receipt.status, 200);
    assert_eq!(receipt.header("content-type"), "application/pdf");
    let other = app.new_browser();
    let stranger = other.get(&format!("/tai-khoan/ho-so/{code}/bien-lai/{}", t.id)).await;
    assert_ne!(stranger.status, 200);
}

#[tokio::test]
async fn forged_and_malformed_callbacks_are_refused_and_never_pay() {
    let app = TestApp::spawn_with_paygov().await;
    let code = submitted_unpaid(&app).await;
    let (_, reference) = click_pay(&app, &code).await;
    let d = dossier(&app, &code);
    let t = PaymentTransaction::find_by_reference(&mut app.conn(), &reference)
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("t"));

    // Signed with another key.
    let mut forged = confirm_for(&app, &t, "00", "PG-FORGED");
    forged = forged.sign("not-the-secret");
    let (status, ack) = post_confirm(&app, &serde_json::to_string(&forged).unwrap_or_default()).await;
    assert_eq!((status, ack["MaLoi"].as_str()), (200, Some("97")), "{ack}");
    // A correct signature over altered fields: the amount changed after signing.
    let mut altered = confirm_for(&app, &t, "00", "PG-1");
    altered.so_tien = 1;
    let (_, ack) = post_confirm(&app, &serde_json::to_string(&altered).unwrap_or_default()).await;
    assert_eq!(ack["MaLoi"], "97");
    // A separator smuggled into a signed field.
    let mut smuggled = confirm_for(&app, &t, "00", "PG-1");
    smuggled.thong_tin_giao_dich = "A|B".into();
    let smuggled = smuggled.sign(&app.jobs.config.paygov_secret);
    let (_, ack) = post_confirm(&app, &serde_json::to_string(&smuggled).unwrap_or_default()).await;
    assert_eq!(ack["MaLoi"], "97");
    // Correctly signed, but the wrong amount / unknown reference / another partner.
    let mut wrong_amount = confirm_for(&app, &t, "00", "PG-1");
    wrong_amount.so_tien = OWED - 1000;
    let (_, ack) = post_confirm(
        &app,
        &serde_json::to_string(&wrong_amount.sign(&app.jobs.config.paygov_secret)).unwrap_or_default(),
    )
    .await;
    assert_eq!(ack["MaLoi"], "04", "{ack}");
    let mut unknown = confirm_for(&app, &t, "00", "PG-1");
    unknown.ma_tham_chieu = "TT000000NOSUCHREF".into();
    let (_, ack) =
        post_confirm(&app, &serde_json::to_string(&unknown.sign(&app.jobs.config.paygov_secret)).unwrap_or_default())
            .await;
    assert_eq!(ack["MaLoi"], "01");
    let mut partner = confirm_for(&app, &t, "00", "PG-1");
    partner.ma_doi_tac = "OTHER".into();
    let (_, ack) =
        post_confirm(&app, &serde_json::to_string(&partner.sign(&app.jobs.config.paygov_secret)).unwrap_or_default())
            .await;
    assert_eq!(ack["MaLoi"], "05");
    // Not JSON at all: a precise JSON error.
    let (status, ack) = post_confirm(&app, "{not json").await;
    assert_eq!((status, ack["MaLoi"].as_str()), (400, Some("99")));

    // Nothing was paid, and each refusal is an alert for the finance officer.
    assert_eq!(dossier(&app, &code).status, 6);
    assert_eq!(requests(&app, &d.id)[0].status, "cho-thanh-toan");
    assert_eq!(attempts(&app, &d.id)[0].status, "khoi-tao");
    assert_eq!(events(&app, &d.id, "pay"), 0);
    assert_eq!(alerts(&app, "bad_signature"), 3);
    assert_eq!((alerts(&app, "wrong_amount"), alerts(&app, "unknown"), alerts(&app, "wrong_partner")), (1, 1, 1));
    assert_eq!(alerts(&app, "malformed"), 1);
}

#[tokio::test]
async fn a_repeated_or_concurrent_confirm_has_one_effect_and_a_late_failure_changes_nothing() {
    let app = TestApp::spawn_with_paygov().await;
    let code = submitted_unpaid(&app).await;
    let (_, reference) = click_pay(&app, &code).await;
    let d = dossier(&app, &code);
    let t = PaymentTransaction::find_by_reference(&mut app.conn(), &reference)
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("t"));
    let body = serde_json::to_string(&confirm_for(&app, &t, "00", "PG-777")).unwrap_or_default();
    // Fifty at the same moment, then the same again later.
    let answers = futures_util::future::join_all((0..50).map(|_| post_confirm(&app, &body))).await;
    for (status, ack) in &answers {
        assert_eq!((*status, ack["MaLoi"].as_str()), (200, Some("00")), "{ack}");
    }
    let (_, again) = post_confirm(&app, &body).await;
    assert_eq!(again["MaLoi"], "00");
    // The acknowledgement is signed with our key.
    let ack: wire::ConfirmAck = serde_json::from_value(again).unwrap_or_else(|e| panic!("{e}"));
    assert!(ack.verifies(&app.jobs.config.paygov_secret));
    assert_eq!(events(&app, &d.id, "pay"), 1, "one effect");
    let paid_mails = app.outbox("email").into_iter().filter(|m| m["message"]["event"] == "pay").count();
    assert_eq!(paid_mails, 1);
    let receipts = app.outbox("payment_receipt").len();
    assert_eq!(receipts, 1);
    // The same gateway id may not pay another attempt.
    let count: i64 = payment_transactions::table
        .filter(payment_transactions::gateway_txn_id.eq("PG-777"))
        .count()
        .get_result(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(count, 1);
    // A "failed" after "paid": acknowledged, ignored, logged.
    let late = serde_json::to_string(&confirm_for(&app, &t, "24", "PG-777")).unwrap_or_default();
    let (_, ack) = post_confirm(&app, &late).await;
    assert_eq!(ack["MaLoi"], "00");
    assert_eq!(attempts(&app, &d.id)[0].status, "thanh-cong");
    assert_eq!(requests(&app, &d.id)[0].status, "da-thanh-toan");
    assert_eq!(alerts(&app, "conflict"), 1);
    let paid: i64 = payment_requests::table
        .filter(payment_requests::status.eq("da-thanh-toan"))
        .count()
        .get_result(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(paid, 1);
}

#[tokio::test]
async fn the_gateways_own_callback_retried_after_faults_settles_once() {
    let app = TestApp::spawn_with_paygov().await;
    let code = submitted_unpaid(&app).await;
    let (_, reference) = click_pay(&app, &code).await;
    let d = dossier(&app, &code);
    // The first delivery is badly signed, then correctly: refused once, then paid once.
    app.sim().set_faults(dvc_portal::sim::paygov::Faults {
        bad_signature: true,
        duplicate_callback: true,
        ..Default::default()
    });
    app.sim().pay(&reference, "CTG").unwrap_or_else(|e| panic!("{e:#}"));
    app.sim().deliver_all_now();
    assert_eq!(dossier(&app, &code).status, 6, "a badly signed CONFIRM does not pay");
    app.sim().deliver_all_now();
    assert_eq!(dossier(&app, &code).status, 1);
    assert_eq!(events(&app, &d.id, "pay"), 1);
    let sim_t = app.sim().transaction(&reference).unwrap_or_else(|| panic!("sim lost it"));
    assert_eq!(attempts(&app, &d.id)[0].gateway_txn_id.as_deref(), sim_t.gateway_id.as_deref());
}

#[tokio::test]
async fn a_dropped_callback_is_settled_by_query_and_a_cancelled_payment_can_be_retried() {
    let app = TestApp::spawn_with_paygov().await;
    let code = submitted_unpaid(&app).await;
    let d = dossier(&app, &code);
    // Cancelled at the gateway: failed here, the dossier still waits, a new attempt is allowed.
    let (_, first) = click_pay(&app, &code).await;
    app.sim().cancel(&first).unwrap_or_else(|e| panic!("{e:#}"));
    app.sim().deliver_all_now();
    assert_eq!(attempts(&app, &d.id)[0].status, "that-bai");
    assert_eq!(dossier(&app, &code).status, 6);
    // Paid on the second attempt, but the gateway never calls back.
    app.sim().set_faults(dvc_portal::sim::paygov::Faults { drop_callback: true, ..Default::default() });
    let (_, second) = click_pay(&app, &code).await;
    assert_ne!(first, second);
    app.sim().pay(&second, "BIDV").unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(app.sim().deliver_all_now(), 0);
    let waiting = app.get(&format!("/thanh-toan/ket-qua?ma={second}")).await;
    assert!(waiting.text().contains("Đang xác nhận"));
    // A minute later the return page asks the gateway (QUERY) and shows the truth.
    app.clock.set(app.clock.now() + chrono::TimeDelta::minutes(1));
    let settled = app.get(&format!("/thanh-toan/ket-qua?ma={second}")).await;
    assert!(settled.text().contains("Thanh toán thành công"), "{}", settled.text());
    assert_eq!(dossier(&app, &code).status, 1);
    assert_eq!(events(&app, &d.id, "pay"), 1);
}

#[tokio::test]
async fn a_gateway_that_is_down_leaves_the_dossier_waiting_with_a_clear_message() {
    let app = TestApp::spawn_with_paygov().await;
    let code = submitted_unpaid(&app).await;
    app.sim().set_faults(dvc_portal::sim::paygov::Faults { api_error: true, ..Default::default() });
    let res =
        app.submit(&format!("/tai-khoan/ho-so/{code}"), &format!("/tai-khoan/ho-so/{code}/thanh-toan"), &[]).await;
    assert_eq!(res.status, 400, "{}", res.text());
    assert!(res.text().contains("Cổng thanh toán tạm thời chưa phản hồi"), "{}", res.text());
    let d = dossier(&app, &code);
    assert_eq!(d.status, 6);
    assert_eq!(attempts(&app, &d.id)[0].status, "that-bai");
    // Another citizen cannot start a payment of this dossier.
    let other = second_citizen(&app).await;
    let res = other.submit("/tai-khoan/ho-so", &format!("/tai-khoan/ho-so/{code}/thanh-toan"), &[]).await;
    assert_eq!(res.status, 404);
}

/// Another citizen, signed in on a browser of their own.
async fn second_citizen(app: &TestApp) -> crate::support::Browser {
    let b = app.new_browser();
    let res = b.submit("/dang-ky", "/dang-ky", &crate::accounts::registration("binh@example.vn", "038190054321")).await;
    assert_eq!(res.status, 303, "{}", res.text());
    let link = crate::accounts::verify_link(app, "binh@example.vn");
    assert_eq!(b.get(&link).await.status, 200);
    let res = b
        .submit("/dang-nhap", "/dang-nhap", &[("email", "binh@example.vn"), ("password", crate::accounts::PASSWORD)])
        .await;
    assert_eq!(res.status, 303, "{}", res.text());
    b
}

#[tokio::test]
async fn money_that_arrives_after_the_fee_was_paid_at_the_desk_is_kept_for_a_refund() {
    let app = TestApp::spawn_with_paygov().await;
    let code = submitted_unpaid(&app).await;
    let (_, reference) = click_pay(&app, &code).await;
    // Meanwhile the citizen paid in cash at the desk.
    let d = crate::follow_up::act(
        &app,
        "xa1.motcua",
        &code,
        dvc_portal::services::workflow::Command::PayAtDesk { receipt_no: "BL-0042".into() },
    )
    .await;
    assert_eq!(d.status, 1);
    assert_eq!(requests(&app, &d.id)[0].paid_channel.as_deref(), Some("truc-tiep"));
    // Then the online payment is confirmed too: recorded, not applied twice, flagged.
    let t = PaymentTransaction::find_by_reference(&mut app.conn(), &reference)
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("t"));
    let (_, ack) =
        post_confirm(&app, &serde_json::to_string(&confirm_for(&app, &t, "00", "PG-2")).unwrap_or_default()).await;
    assert_eq!(ack["MaLoi"], "00");
    assert_eq!(attempts(&app, &d.id)[0].status, "thanh-cong");
    assert_eq!(events(&app, &d.id, "pay"), 1, "the dossier moved once");
    assert_eq!(alerts(&app, "double_payment"), 1);
}

#[tokio::test]
async fn withdrawing_cancels_the_fees_and_an_officer_cannot_pay_twice() {
    let app = TestApp::spawn_with_paygov().await;
    let code = submitted_unpaid(&app).await;
    let form = app.get(&format!("/tai-khoan/ho-so/{code}/rut")).await;
    assert_eq!(form.status, 200, "{}", form.text());
    let res = app
        .submit(
            &format!("/tai-khoan/ho-so/{code}/rut"),
            &format!("/tai-khoan/ho-so/{code}/rut"),
            &[("reason", "Nộp nhầm thủ tục")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text());
    let d = dossier(&app, &code);
    assert_eq!(d.status, 7);
    assert_eq!(requests(&app, &d.id)[0].status, "huy");
    // Nothing is left to pay: the button is gone and a forged click is refused.
    let page = app.get(&format!("/tai-khoan/ho-so/{code}")).await;
    assert!(!page.text().contains("Thanh toán trực tuyến"));
    let res = app.submit("/tai-khoan/ho-so", &format!("/tai-khoan/ho-so/{code}/thanh-toan"), &[]).await;
    assert_eq!(res.status, 400);
    assert!(res.text().contains("không có khoản phí, lệ phí đang chờ nộp"), "{}", res.text());
}

#[tokio::test]
async fn an_old_message_replayed_and_malformed_bodies_get_precise_answers() {
    let app = TestApp::spawn_with_paygov().await;
    let code = submitted_unpaid(&app).await;
    let (_, reference) = click_pay(&app, &code).await;
    let d = dossier(&app, &code);
    let t = PaymentTransaction::find_by_reference(&mut app.conn(), &reference)
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("t"));
    // Correctly signed, but dated two days before the attempt began: a replay.
    let mut old = confirm_for(&app, &t, "00", "PG-OLD");
    old.thoi_gian_gd = wire::timestamp(app.clock.now() - chrono::TimeDelta::days(2));
    let (status, ack) =
        post_confirm(&app, &serde_json::to_string(&old.sign(&app.jobs.config.paygov_secret)).unwrap_or_default()).await;
    assert_eq!((status, ack["MaLoi"].as_str()), (200, Some("98")), "{ack}");
    // A field missing, a number as a string, a string as a number: 400 with MaLoi 99.
    let good = serde_json::to_value(confirm_for(&app, &t, "00", "PG-9")).unwrap_or_default();
    let mut missing = good.clone();
    missing.as_object_mut().map(|o| o.remove("MaGiaoDich"));
    let mut amount_as_text = good.clone();
    amount_as_text["SoTien"] = serde_json::json!("23000");
    let mut code_as_number = good.clone();
    code_as_number["MaLoi"] = serde_json::json!(0);
    for bad in [missing, amount_as_text, code_as_number] {
        let (status, ack) = post_confirm(&app, &bad.to_string()).await;
        assert_eq!((status, ack["MaLoi"].as_str()), (400, Some("99")), "{bad}: {ack}");
        assert!(ack["MoTaLoi"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // A 10 MB body is refused from its Content-Length, before it is read: the answer comes
    // while the gateway is still sending (read over a raw socket, as a client that sends and
    // listens at once would).
    let answer = {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let host = app.jobs.config.base_url.trim_start_matches("http://").to_owned();
        let mut socket = tokio::net::TcpStream::connect(&host).await.unwrap_or_else(|e| panic!("{e}"));
        let head = format!(
            "POST /api/payments/confirm HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            10 * 1024 * 1024
        );
        socket.write_all(head.as_bytes()).await.unwrap_or_else(|e| panic!("{e}"));
        socket.write_all(&[b' '; 4096]).await.unwrap_or_else(|e| panic!("{e}"));
        let mut answer = Vec::new();
        let _ = socket.read_to_end(&mut answer).await;
        String::from_utf8_lossy(&answer).into_owned()
    };
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("content-type: application/json"), "{answer}");
    // None of it paid anything; the well-formed one still can.
    assert_eq!(dossier(&app, &code).status, 6);
    assert_eq!(alerts(&app, "bad_time"), 1);
    assert_eq!(alerts(&app, "malformed"), 3);
    let (_, ack) = post_confirm(&app, &good.to_string()).await;
    assert_eq!(ack["MaLoi"], "00");
    assert_eq!(events(&app, &d.id, "pay"), 1);
}

#[tokio::test]
async fn money_for_a_dossier_withdrawn_meanwhile_is_recorded_and_flagged_to_the_officer() {
    let app = TestApp::spawn_with_paygov().await;
    let code = submitted_unpaid(&app).await;
    let (_, reference) = click_pay(&app, &code).await;
    let res = app
        .submit(
            &format!("/tai-khoan/ho-so/{code}/rut"),
            &format!("/tai-khoan/ho-so/{code}/rut"),
            &[("reason", "Không cần nữa")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text());
    let t = PaymentTransaction::find_by_reference(&mut app.conn(), &reference)
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("t"));
    let (_, ack) =
        post_confirm(&app, &serde_json::to_string(&confirm_for(&app, &t, "00", "PG-W")).unwrap_or_default()).await;
    assert_eq!(ack["MaLoi"], "00", "acknowledged: the gateway must stop retrying");
    let d = dossier(&app, &code);
    assert_eq!(d.status, 7, "still withdrawn");
    assert_eq!(attempts(&app, &d.id)[0].status, "thanh-cong", "the money is on record");
    assert_eq!(alerts(&app, "double_payment"), 1);
    let desk = app.staff("xa1.motcua").await;
    let page = desk.get(&format!("/can-bo/ho-so/{code}")).await;
    assert_eq!(page.status, 200);
    assert!(page.html().text("section.payments").contains("cần hoàn trả"), "{}", page.text());
}

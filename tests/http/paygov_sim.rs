//! paygov-sim on its own, over HTTP: the portal's calls through the real `Gateway` client, the
//! citizen's payment page, and `CONFIRM` callbacks to a small stand-in of the portal's endpoint
//! (a thread on a std `TcpListener`) under each fault. No database.

use crate::support::html::Doc;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use dvc_portal::clock::Clock;
use dvc_portal::integrations::paygov::wire::{self, Signed};
use dvc_portal::integrations::paygov::{Gateway, GatewayConfig, GatewayError};
use dvc_portal::sim::paygov::{DeliveryState, Faults, SimConfig, SimHandle, TxState, start};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const PARTNER: &str = "TH-DVC";
const SECRET: &str = "portal-key";
const CALLBACK_SECRET: &str = "gateway-key";
const RETURN_URL: &str = "http://127.0.0.1:9/thanh-toan/ket-qua";
const HOUR: Duration = Duration::from_secs(3600);

/// 25/11/2026 09:00 in Hà Nội.
fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 2, 0, 0).single().unwrap_or_else(|| panic!("bad time"))
}

/// One `CONFIRM` the stand-in portal received.
#[derive(Clone, Debug)]
struct Received {
    confirm: wire::Confirm,
    raw: String,
}

/// A stand-in for the portal's `POST /api/payments/confirm`: records every body; answers 500
/// to the first `fail_first` requests, then like a strict portal (97 for a bad signature, 04 for
/// an amount other than 133.000 đ, else a signed 00).
struct Portal {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
    fail_first: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    port: u16,
}

impl Portal {
    fn start(fail_first: usize) -> Portal {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_else(|e| panic!("{e}"));
        let received = Arc::new(Mutex::new(Vec::new()));
        let fail = Arc::new(AtomicUsize::new(fail_first));
        let stop = Arc::new(AtomicBool::new(false));
        let (r, f, s) = (received.clone(), fail.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let (r, f) = (r.clone(), f.clone());
                if let Ok(stream) = stream {
                    std::thread::spawn(move || answer(stream, &r, &f));
                }
            }
        });
        let url = format!("http://127.0.0.1:{port}/api/payments/confirm");
        Portal { url, received, fail_first: fail, stop, port }
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn answer(stream: TcpStream, received: &Mutex<Vec<Received>>, fail_first: &AtomicUsize) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let raw = String::from_utf8_lossy(&body).into_owned();
    let Ok(confirm) = serde_json::from_str::<wire::Confirm>(&raw) else { return };
    if let Ok(mut r) = received.lock() {
        r.push(Received { confirm: confirm.clone(), raw });
    }
    let failing = fail_first.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
    let (status, json) = if failing {
        ("500 Internal Server Error", "{}".to_owned())
    } else {
        let code = if !confirm.verifies(CALLBACK_SECRET) {
            wire::BAD_SIGNATURE
        } else if confirm.so_tien != 133_000 {
            wire::WRONG_AMOUNT
        } else {
            wire::OK
        };
        let ack = wire::ConfirmAck {
            ma_loi: code.into(),
            mo_ta_loi: if code == wire::OK { "Thành công".into() } else { "Từ chối".into() },
            ma_doi_tac: PARTNER.into(),
            ma_tham_chieu: confirm.ma_tham_chieu.clone(),
            thoi_gian_gd: "20261125090500".into(),
            ma_xac_thuc: String::new(),
        }
        .sign(SECRET);
        ("200 OK", serde_json::to_string(&ack).unwrap_or_default())
    };
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}",
        json.len()
    );
}

/// A simulator whose clock stands still and whose callbacks are due only an hour after each
/// settlement (then hourly, three attempts): nothing is delivered unless a test asks.
fn sim(portal: &Portal) -> (SimHandle, Clock) {
    let clock = Clock::fixed(start_time());
    let mut config = SimConfig::local(&portal.url, PARTNER, SECRET, clock.clone());
    config.callback_secret = CALLBACK_SECRET.into();
    config.retry = vec![HOUR, HOUR, HOUR];
    (start(config).unwrap_or_else(|e| panic!("start: {e:#}")), clock)
}

fn gateway(sim: &SimHandle, partner: &str, secret: &str, timeout: Duration) -> Gateway {
    Gateway::new(GatewayConfig {
        url: sim.url(),
        partner: partner.into(),
        secret: secret.into(),
        callback_secret: CALLBACK_SECRET.into(),
        token: None,
        timeout,
    })
}

fn portal_client(sim: &SimHandle) -> Gateway {
    gateway(sim, PARTNER, SECRET, Duration::from_secs(5))
}

fn init_request(reference: &str, time: &str) -> wire::InitRequest {
    let fee = |kind: &str, code: &str, name: &str, amount| wire::FeeItem {
        loai_phi_le_phi: kind.into(),
        ma_phi_le_phi: code.into(),
        ten_phi_le_phi: name.into(),
        so_tien: amount,
    };
    wire::InitRequest {
        loai_ban_tin: "INIT".into(),
        phien_ban: wire::VERSION.into(),
        ma_doi_tac: PARTNER.into(),
        ma_tham_chieu: reference.into(),
        so_tien: "133000".into(),
        loai_hinh_thanh_toan: "PAY".into(),
        ma_kenh_thanh_toan: "1".into(),
        ma_thiet_bi: "1".into(),
        ngon_ngu: "vi-VN".into(),
        ma_tien_te: wire::CURRENCY.into(),
        ma_ngan_hang: "PAYMENT".into(),
        thong_tin_giao_dich: "THANH TOAN HO SO 000.00.01.H56-261125-0001".into(),
        thoi_gian_gd: time.into(),
        ip: "127.0.0.1".into(),
        thong_tin_bien_lai: wire::ReceiptInfo {
            ma_dich_vu: "2".into(),
            ma_tthc: "1.000893".into(),
            ten_tthc: "Cấp bản sao trích lục hộ tịch".into(),
            ma_don_vi: "000.00.01.H56".into(),
            ten_don_vi: "Sở Tư pháp".into(),
            ma_ho_so: "000.00.01.H56-261125-0001".into(),
            tk_thu_huong: "3511.0.1234567".into(),
            ma_nh_thu_huong: "KBNN".into(),
            ten_tk_thu_huong: "Sở Tư pháp tỉnh".into(),
            noi_dung_thanh_toan: "Nộp phí, lệ phí hồ sơ 000.00.01.H56-261125-0001".into(),
            ho_ten_nguoi_nop: "Nguyễn Thị Hằng".into(),
            phi_le_phi: vec![
                fee("2", "LP1", "Lệ phí cấp bản sao", 100_000),
                fee("1", "P1", "Phí cung cấp thông tin", 33_000),
            ],
        },
        url_tra_ve: Some(RETURN_URL.into()),
        ma_xac_thuc: String::new(),
    }
}

/// Opens a transaction through the portal's client; answers its payment page's URL.
fn open(sim: &SimHandle, reference: &str) -> String {
    portal_client(sim).init(init_request(reference, "20261125090000")).unwrap_or_else(|e| panic!("INIT: {e}"))
}

fn browser() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn get(url: &str) -> (u16, String) {
    let res = browser().get(url).send().unwrap_or_else(|e| panic!("GET {url}: {e}"));
    (res.status().as_u16(), res.text().unwrap_or_default())
}

/// Submits the payment form of `page` with `fields` (the token is read from the page).
fn submit(page: &str, fields: &[(&str, &str)]) -> reqwest::blocking::Response {
    let (_, html) = get(page);
    let token = Doc::parse(&html).attrs("input[name=token]", "value").pop().unwrap_or_default();
    let mut form: Vec<(&str, &str)> = vec![("token", &token)];
    form.extend_from_slice(fields);
    browser().post(page).form(&form).send().unwrap_or_else(|e| panic!("POST {page}: {e}"))
}

fn post_json(url: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
    let res = browser().post(url).json(body).send().unwrap_or_else(|e| panic!("POST {url}: {e}"));
    (res.status().as_u16(), res.json().unwrap_or_default())
}

fn delivery(sim: &SimHandle, reference: &str) -> dvc_portal::sim::paygov::Delivery {
    sim.transaction(reference).and_then(|t| t.callback).unwrap_or_else(|| panic!("no callback for {reference}"))
}

fn later(clock: &Clock, by: Duration) {
    clock.set(clock.now() + TimeDelta::from_std(by).unwrap_or_default());
}

#[test]
fn init_refuses_bad_signature_duplicates_wrong_partner_and_malformed_messages() {
    let portal = Portal::start(0);
    let (sim, _) = sim(&portal);
    let url = open(&sim, "TT1");
    assert!(url.starts_with(&format!("{}/thanh-toan/", sim.url())), "{url}");

    let refused = |g: Gateway, reference: &str| match g
        .init(wire::InitRequest { ma_doi_tac: g.config().partner.clone(), ..init_request(reference, "20261125090000") })
    {
        Err(GatewayError::Refused { code, message }) => {
            assert!(!message.is_empty(), "a Vietnamese description");
            code
        }
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(refused(gateway(&sim, PARTNER, "not-the-key", HOUR), "TT2"), wire::BAD_SIGNATURE);
    assert_eq!(refused(portal_client(&sim), "TT1"), "02", "a reference is used once");
    assert_eq!(refused(gateway(&sim, "OTHER", SECRET, HOUR), "TT3"), wire::WRONG_PARTNER);
    let mut no_amount = init_request("TT4", "20261125090000");
    no_amount.so_tien = "0".into();
    let (status, answer) = post_json(&format!("{}/api/init", sim.url()), &serde_json::json!(no_amount.sign(SECRET)));
    assert_eq!((status, answer["MaLoi"].as_str()), (200, Some(wire::OTHER)));
    let res = browser().post(format!("{}/api/init", sim.url())).body("{not json").send();
    assert_eq!(res.map(|r| r.status().as_u16()).ok(), Some(400));
    let kept = sim.transactions();
    assert_eq!(kept.iter().map(|t| t.reference.as_str()).collect::<Vec<_>>(), ["TT1"], "nothing overwritten");
    assert_eq!(kept[0].amount, 133_000);
}

#[test]
fn a_payment_from_init_to_receipt_and_statement() {
    let portal = Portal::start(0);
    let (sim, _) = sim(&portal);
    let gateway = portal_client(&sim);
    let page = open(&sim, "TT20261125A1");
    let _pending = open(&sim, "TT20261125B2");
    gateway.init(init_request("TT20261124C3", "20261124235959")).unwrap_or_else(|e| panic!("{e}"));

    // The citizen's page.
    let (status, html) = get(&page);
    assert_eq!(status, 200);
    let doc = Doc::parse(&html);
    assert_eq!(doc.attrs("html", "lang"), ["vi"]);
    assert_eq!(doc.text("h1"), "Thanh toán phí, lệ phí");
    assert!(doc.text("header").contains("Cổng thanh toán mô phỏng — không dùng tiền thật"));
    assert_eq!(doc.text("tfoot .total"), "133.000 đ");
    assert!(doc.texts("tbody td").contains(&"100.000 đ".to_owned()));
    assert!(html.contains("000.00.01.H56-261125-0001") && html.contains("Sở Tư pháp tỉnh"));
    assert_eq!(doc.text("fieldset legend"), "Chọn ngân hàng");
    assert_eq!(doc.count("fieldset input[type=radio][name=bank]"), 6);
    for id in doc.attrs("input[type=radio]", "id") {
        assert_eq!(doc.count(&format!("label[for={id}]")), 1, "{id} has a label");
    }
    assert_eq!(doc.texts("form button"), ["Thanh toán", "Hủy"]);
    assert_eq!(doc.count("main"), 1);
    assert_eq!(doc.count("script"), 0);

    // A forged post and a post without a bank change nothing.
    let forged = browser().post(&page).form(&[("token", "x"), ("action", "pay"), ("bank", "VCB")]).send();
    assert_eq!(forged.map(|r| r.status().as_u16()).ok(), Some(403));
    let no_bank = submit(&page, &[("action", "pay")]);
    assert_eq!(no_bank.status().as_u16(), 400);
    let doc = Doc::parse(&no_bank.text().unwrap_or_default());
    assert_eq!(doc.text(".error-summary a"), "Hãy chọn ngân hàng để thanh toán");

    // Pay: back to the portal.
    let paid = submit(&page, &[("action", "pay"), ("bank", "VCB")]);
    assert_eq!(paid.status().as_u16(), 303);
    let location = paid.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default().to_owned();
    assert_eq!(location, format!("{RETURN_URL}?ma=TT20261125A1"));
    let (_, html) = get(&page);
    assert_eq!(Doc::parse(&html).text("h1"), "Thanh toán thành công");

    // The CONFIRM, signed with the gateway's key.
    assert_eq!(sim.flush(), 0, "not due before its hour");
    assert_eq!(sim.deliver_all_now(), 1);
    let received = portal.received();
    assert_eq!(received.len(), 1);
    let confirm = &received[0].confirm;
    assert!(confirm.verifies(CALLBACK_SECRET) && !confirm.verifies(SECRET));
    assert_eq!((confirm.ma_loi.as_str(), confirm.so_tien, confirm.ma_ngan_hang.as_str()), ("00", 133_000, "VCB"));
    assert_eq!(confirm.ma_tham_chieu, "TT20261125A1");
    assert_eq!(confirm.thoi_gian_gd, "20261125090000");
    let d = delivery(&sim, "TT20261125A1");
    assert_eq!((d.state, d.attempts), (DeliveryState::Acknowledged, 1));

    // QUERY: paid; the other is pending; an unknown one is refused.
    let answer = gateway.query("TT20261125A1", "20261125090000").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((answer.trang_thai_gd.as_str(), answer.so_tien), (wire::STATE_PAID, 133_000));
    assert_eq!(answer.ma_giao_dich, confirm.ma_giao_dich);
    let pending = gateway.query("TT20261125B2", "20261125090000").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((pending.trang_thai_gd.as_str(), pending.ma_giao_dich.as_str()), (wire::STATE_PENDING, ""));
    match gateway.query("NOPE", "20261125090000") {
        Err(GatewayError::Refused { code, .. }) => assert_eq!(code, wire::UNKNOWN_REFERENCE),
        other => panic!("{other:?}"),
    }

    // GET_BILL: the receipt of the paid one only.
    let pdf = gateway.bill("TT20261125A1", "20261125090000").unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&pdf);
    assert!(pdf.starts_with(b"%PDF-") && text.trim_end().ends_with("%%EOF"));
    assert!(text.contains("/Count 1") && text.contains("/FontFile2"));
    assert!(text.contains(&format!("MaGiaoDich={}", confirm.ma_giao_dich)), "the receipt names the transaction");
    assert!(matches!(gateway.bill("TT20261125B2", "20261125090000"), Err(GatewayError::Unavailable(_))));
    let raw = browser()
        .post(format!("{}/api/bill", sim.url()))
        .json(
            &wire::QueryRequest {
                loai_ban_tin: "GET_BILL".into(),
                phien_ban: wire::VERSION.into(),
                ma_doi_tac: PARTNER.into(),
                ma_tham_chieu: "TT20261125B2".into(),
                thoi_gian_gd: "20261125090000".into(),
                ma_xac_thuc: String::new(),
            }
            .sign(SECRET),
        )
        .send()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(raw.status().as_u16(), 404);
    assert_eq!(raw.json::<serde_json::Value>().unwrap_or_default()["MaLoi"], "01");

    // DOI_SOAT of the day: paid and pending, not the day before's.
    let statement = gateway.statement("20261125", "20261125235900").unwrap_or_else(|e| panic!("{e}"));
    let entries: Vec<(&str, &str)> =
        statement.giao_dich.iter().map(|e| (e.ma_tham_chieu.as_str(), e.trang_thai_gd.as_str())).collect();
    assert_eq!(entries, [("TT20261125A1", "1"), ("TT20261125B2", "3")]);
    assert_eq!(statement.giao_dich[0].tk_thu_huong, "3511.0.1234567");
    let before = gateway.statement("20261124", "20261125235900").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(before.giao_dich.len(), 1);
}

#[test]
fn a_refused_callback_is_retried_on_schedule_then_given_up() {
    let portal = Portal::start(1);
    let (sim, clock) = sim(&portal);
    open(&sim, "R1");
    sim.pay("R1", "BIDV").unwrap_or_else(|e| panic!("{e:#}"));
    later(&clock, HOUR);
    assert_eq!(sim.flush(), 1);
    let d = delivery(&sim, "R1");
    assert_eq!((d.state, d.attempts, d.last_answer.as_deref()), (DeliveryState::Queued, 1, Some("HTTP 500")));
    assert_eq!(sim.flush(), 0, "the next attempt is an hour later");
    later(&clock, HOUR);
    assert_eq!(sim.flush(), 1);
    assert_eq!(delivery(&sim, "R1").state, DeliveryState::Acknowledged);
    assert_eq!(portal.received().len(), 2);
    assert_eq!(portal.received()[0].raw, portal.received()[1].raw, "the same message again");

    // A portal that never answers well: three attempts, then undelivered, visible in /sim.
    portal.fail_first.store(usize::MAX, Ordering::SeqCst);
    open(&sim, "R2");
    sim.cancel("R2").unwrap_or_else(|e| panic!("{e:#}"));
    for _ in 0..3 {
        later(&clock, HOUR);
        assert_eq!(sim.flush(), 1);
    }
    later(&clock, HOUR);
    assert_eq!(sim.flush(), 0);
    let (status, list) = {
        let res = browser().get(format!("{}/sim/transactions", sim.url())).send().unwrap_or_else(|e| panic!("{e}"));
        (res.status().as_u16(), res.json::<serde_json::Value>().unwrap_or_default())
    };
    assert_eq!(status, 200);
    let r2 = list.as_array().and_then(|l| l.iter().find(|t| t["reference"] == "R2")).cloned().unwrap_or_default();
    assert_eq!((r2["state"].as_str(), r2["callback"]["state"].as_str()), (Some("failed"), Some("gave_up")));
    assert_eq!(r2["callback"]["attempts"], 3);
    assert_eq!(portal.received().last().map(|r| r.confirm.ma_loi.clone()).as_deref(), Some("24"));
}

#[test]
fn bad_signature_and_wrong_amount_spoil_only_the_first_attempt() {
    let portal = Portal::start(0);
    let (sim, clock) = sim(&portal);
    open(&sim, "S1");
    open(&sim, "S2");
    sim.set_faults(Faults { bad_signature: true, ..Faults::default() });
    sim.pay("S1", "VCB").unwrap_or_else(|e| panic!("{e:#}"));
    sim.set_faults(Faults { wrong_amount: true, ..Faults::default() });
    sim.pay("S2", "TCB").unwrap_or_else(|e| panic!("{e:#}"));
    sim.set_faults(Faults::default());
    assert_eq!(sim.deliver_all_now(), 2);
    let first = portal.received();
    let s1 = first.iter().find(|r| r.confirm.ma_tham_chieu == "S1").map(|r| r.confirm.clone());
    let s2 = first.iter().find(|r| r.confirm.ma_tham_chieu == "S2").map(|r| r.confirm.clone());
    assert!(s1.is_some_and(|c| !c.verifies(CALLBACK_SECRET) && c.so_tien == 133_000));
    assert!(s2.is_some_and(|c| c.verifies(CALLBACK_SECRET) && c.so_tien == 134_000));
    assert!(delivery(&sim, "S1").last_answer.is_some_and(|a| a.contains("MaLoi 97")));
    assert!(delivery(&sim, "S2").last_answer.is_some_and(|a| a.contains("MaLoi 04")));
    later(&clock, HOUR);
    assert_eq!(sim.flush(), 2);
    let retries = &portal.received()[2..];
    assert!(retries.iter().all(|r| r.confirm.verifies(CALLBACK_SECRET) && r.confirm.so_tien == 133_000));
    assert_eq!(delivery(&sim, "S1").state, DeliveryState::Acknowledged);
    assert_eq!(delivery(&sim, "S2").state, DeliveryState::Acknowledged);
}

#[test]
fn a_duplicated_callback_arrives_twice_with_the_same_body() {
    let portal = Portal::start(0);
    let (sim, _) = sim(&portal);
    open(&sim, "D1");
    sim.set_faults(Faults { duplicate_callback: true, ..Faults::default() });
    sim.pay("D1", "MB").unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(sim.deliver_all_now(), 1);
    let received = portal.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].raw, received[1].raw);
    let d = delivery(&sim, "D1");
    assert_eq!((d.state, d.attempts, d.requests), (DeliveryState::Acknowledged, 1, 2));
}

#[test]
fn leave_pending_holds_the_outcome_until_settled_and_drop_callback_suppresses_it() {
    let portal = Portal::start(0);
    let (sim, _) = sim(&portal);
    let gateway = portal_client(&sim);
    let (status, faults) = post_json(&format!("{}/sim/faults", sim.url()), &serde_json::json!({"leave_pending": true}));
    assert_eq!(
        (status, faults["leave_pending"].as_bool(), faults["api_error"].as_bool()),
        (200, Some(true), Some(false))
    );
    let page = open(&sim, "P1");
    assert_eq!(submit(&page, &[("action", "pay"), ("bank", "CTG")]).status().as_u16(), 303);
    let (_, html) = get(&page);
    assert_eq!(Doc::parse(&html).text("h1"), "Giao dịch đang chờ ngân hàng xác nhận");
    let query = |r: &str| gateway.query(r, "20261125090000").map(|a| a.trang_thai_gd).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(query("P1"), wire::STATE_PENDING);
    assert_eq!(sim.deliver_all_now(), 0, "no CONFIRM while pending");
    assert_eq!(sim.transaction("P1").map(|t| (t.state, t.held)), Some((TxState::Pending, true)));

    let settle =
        |r: &str, paid: bool| post_json(&format!("{}/sim/settle/{r}", sim.url()), &serde_json::json!({"paid": paid}));
    assert_eq!(settle("P1", true).0, 200);
    assert_eq!(settle("P1", false).0, 409, "settled once");
    assert_eq!(settle("NOPE", true).0, 404);
    assert_eq!(query("P1"), wire::STATE_PAID);
    let (status, flushed) = post_json(&format!("{}/sim/deliver-all", sim.url()), &serde_json::json!({}));
    assert_eq!((status, flushed["attempted"].as_u64()), (200, Some(1)));
    assert_eq!(portal.received().last().map(|r| r.confirm.ma_ngan_hang.clone()).as_deref(), Some("CTG"));

    // Held, then settled as failed while callbacks are dropped: QUERY is the only way to know.
    open(&sim, "P2");
    sim.pay("P2", "VBA").unwrap_or_else(|e| panic!("{e:#}"));
    sim.set_faults(Faults { drop_callback: true, ..Faults::default() });
    assert_eq!(settle("P2", false).0, 200);
    assert_eq!(query("P2"), wire::STATE_FAILED);
    assert_eq!(delivery(&sim, "P2").state, DeliveryState::Dropped);
    assert_eq!(sim.deliver_all_now(), 0);
    let (status, flushed) = post_json(&format!("{}/sim/flush", sim.url()), &serde_json::json!({}));
    assert_eq!((status, flushed["attempted"].as_u64()), (200, Some(0)));
    assert_eq!(portal.received().len(), 1);
}

#[test]
fn a_cancelled_payment_fails_and_has_no_receipt() {
    let portal = Portal::start(0);
    let (sim, _) = sim(&portal);
    let page = open(&sim, "C1");
    let res = submit(&page, &[("action", "cancel")]);
    assert_eq!(res.status().as_u16(), 303);
    let (_, html) = get(&page);
    assert_eq!(Doc::parse(&html).text("h1"), "Giao dịch đã bị hủy");
    assert_eq!(sim.deliver_all_now(), 1);
    let confirm = portal.received().pop().map(|r| r.confirm).unwrap_or_else(|| panic!("no CONFIRM"));
    assert_eq!((confirm.ma_loi.as_str(), confirm.verifies(CALLBACK_SECRET)), ("24", true));
    let gateway = portal_client(&sim);
    let state = gateway.query("C1", "20261125090000").map(|a| a.trang_thai_gd).unwrap_or_default();
    assert_eq!(state, wire::STATE_FAILED);
    assert!(gateway.bill("C1", "20261125090000").is_err());
    let (status, _) = get(&format!("{}/thanh-toan/unknown", sim.url()));
    assert_eq!(status, 404);
}

#[test]
fn api_error_and_slowness_make_the_gateway_unavailable() {
    let portal = Portal::start(0);
    let (sim, _) = sim(&portal);
    open(&sim, "E1");
    sim.set_faults(Faults { api_error: true, ..Faults::default() });
    let gateway = portal_client(&sim);
    assert!(matches!(gateway.query("E1", "20261125090000"), Err(GatewayError::Unavailable(_))));
    assert!(matches!(gateway.init(init_request("E2", "20261125090000")), Err(GatewayError::Unavailable(_))));
    sim.set_faults(Faults { slow_ms: 1500, ..Faults::default() });
    let impatient = gateway_with_timeout(&sim, Duration::from_millis(300));
    assert!(matches!(impatient.query("E1", "20261125090000"), Err(GatewayError::Unavailable(_))));
    sim.set_faults(Faults::default());
    assert!(gateway.query("E1", "20261125090000").is_ok());
}

fn gateway_with_timeout(sim: &SimHandle, timeout: Duration) -> Gateway {
    gateway(sim, PARTNER, SECRET, timeout)
}

#[test]
fn the_delivery_thread_delivers_unattended() {
    let portal = Portal::start(0);
    let mut config = SimConfig::local(&portal.url, PARTNER, SECRET, Clock::fixed(start_time()));
    config.callback_secret = CALLBACK_SECRET.into();
    let sim = start(config).unwrap_or_else(|e| panic!("{e:#}"));
    open(&sim, "U1");
    sim.pay("U1", "VCB").unwrap_or_else(|e| panic!("{e:#}"));
    // The default schedule's first attempt is due at once: the thread sends it within its poll.
    for _ in 0..100 {
        if delivery(&sim, "U1").state == DeliveryState::Acknowledged {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(delivery(&sim, "U1").state, DeliveryState::Acknowledged);
    assert_eq!(portal.received().len(), 1, "delivered once");
    assert_eq!(sim.flush(), 0);
    sim.stop();
}

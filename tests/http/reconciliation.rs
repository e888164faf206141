//! Reconciliation of online payments (đối soát): the job that asks the gateway about attempts
//! still pending (a lost CONFIRM is settled, an old attempt expires), and the finance officer's
//! report of a day, both sides side by side, its CSV and "Kiểm tra lại", within their scope.

use crate::accounts::signed_in_citizen;
use crate::follow_up::{act, dossier};
use crate::intake::submit_dossier;
use crate::support::{Browser, Page, TestApp};
use chrono::Duration;
use dvc_portal::jobs::reconcile::{self, ReconcileReport};
use dvc_portal::models::payment::PaymentTransaction;
use dvc_portal::models::staff::{Staff, roles};
use dvc_portal::services::workflow::Command;
use dvc_portal::sim::paygov::Faults;

/// The commune's fee account (demo data: `3511.` and the agency code).
const ACCOUNT: &str = "3511.000.20.01.H56";

/// A dossier of the commune 000.20.01.H56 whose fees (23.000 đ) the citizen — signed in in the
/// app's default browser — has started to pay: the gateway's page is open. Answers the dossier
/// code and the attempt's `MaThamChieu`.
async fn attempt(app: &TestApp) -> (String, String) {
    let code = submit_dossier(app).await;
    act(app, "xa1.motcua", &code, Command::RequestPayment { quantities: vec![1, 1] }).await;
    let page = format!("/tai-khoan/ho-so/{code}");
    let res = app.submit(&page, &format!("{page}/thanh-toan"), &[]).await;
    assert_eq!(res.status, 303, "{}", res.text());
    assert!(res.location().starts_with(&app.sim().url()), "{}", res.location());
    let d = dossier(app, &code);
    let attempts = PaymentTransaction::of_dossier(&mut app.conn(), &d.id).unwrap_or_else(|e| panic!("{e}"));
    let reference = attempts.last().map(|t| t.reference.clone()).unwrap_or_else(|| panic!("no attempt"));
    (code, reference)
}

async fn app_with_citizen() -> TestApp {
    let app = TestApp::spawn_with_paygov().await;
    signed_in_citizen(&app, "lan@example.vn", "038190012345").await;
    app
}

fn state_of(app: &TestApp, reference: &str) -> String {
    PaymentTransaction::find_by_reference(&mut app.conn(), reference)
        .ok()
        .flatten()
        .map(|t| t.status)
        .unwrap_or_else(|| panic!("no attempt {reference}"))
}

async fn run_now(app: &TestApp, all: bool) -> ReconcileReport {
    let ctx = app.jobs.clone();
    tokio::task::spawn_blocking(move || reconcile::run_now(&ctx, all)).await.unwrap_or_else(|e| panic!("{e}"))
}

async fn run_if_due(app: &TestApp) -> ReconcileReport {
    let ctx = app.jobs.clone();
    tokio::task::spawn_blocking(move || reconcile::run_if_due(&ctx))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("{e:#}"))
}

fn later(app: &TestApp, by: Duration) {
    app.clock.set(app.clock.now() + by);
}

fn drop_callbacks(app: &TestApp) {
    app.sim().set_faults(Faults { drop_callback: true, ..Faults::default() });
}

/// The row of a reference on the report.
fn row_text(page: &Page, reference: &str) -> String {
    page.html().text(&format!("tr[data-reference=\"{reference}\"]"))
}

#[tokio::test]
async fn a_payment_whose_confirm_was_lost_is_settled_by_the_job_after_15_minutes() {
    let app = app_with_citizen().await;
    let (code, reference) = attempt(&app).await;
    drop_callbacks(&app);
    app.sim().pay(&reference, "VCB").unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(app.sim().deliver_all_now(), 0, "the CONFIRM is lost");
    assert_eq!(state_of(&app, &reference), "khoi-tao");

    // Younger than 15 minutes: left to the callback.
    assert_eq!(run_now(&app, true).await, ReconcileReport::default());
    later(&app, Duration::minutes(16));
    let report = run_now(&app, false).await;
    assert_eq!(report, ReconcileReport { checked: 1, paid: 1, ..Default::default() });
    assert_eq!(state_of(&app, &reference), "thanh-cong");
    let d = dossier(&app, &code);
    assert_eq!(d.status, 1, "paid: back in the desk's queue");
    // Nothing pending any more.
    assert_eq!(run_now(&app, true).await, ReconcileReport::default());
    assert_eq!(app.outbox("payment_receipt").len(), 1, "the e-receipt is fetched later");
}

#[tokio::test]
async fn pending_attempts_are_asked_about_once_per_slot_and_expire_after_the_expiry() {
    let app = app_with_citizen().await;
    let (_, fresh) = attempt(&app).await;
    later(&app, Duration::minutes(20));
    // The round of this slot runs once, whatever the number of workers; an attempt asked about
    // in the last 5 minutes is skipped.
    let (one, two) = tokio::join!(run_if_due(&app), run_if_due(&app));
    assert_eq!(one.checked + two.checked, 1, "{one:?} {two:?}");
    assert_eq!(one.errors + two.errors, 0);
    assert_eq!(run_if_due(&app).await, ReconcileReport::default());
    assert_eq!(run_now(&app, false).await, ReconcileReport::default(), "checked less than 5 minutes ago");
    later(&app, Duration::minutes(5));
    assert_eq!(run_if_due(&app).await, ReconcileReport { checked: 1, ..Default::default() });
    assert_eq!(state_of(&app, &fresh), "khoi-tao", "the gateway has no outcome yet");

    // Past the expiry (24 h), still pending at the gateway: het-han.
    later(&app, Duration::hours(24));
    assert_eq!(run_now(&app, false).await, ReconcileReport { checked: 1, expired: 1, ..Default::default() });
    assert_eq!(state_of(&app, &fresh), "het-han");
}

#[tokio::test]
async fn attempts_older_than_three_days_wait_for_the_daily_sweep() {
    let app = app_with_citizen().await;
    let (_, old) = attempt(&app).await;
    later(&app, Duration::days(4));
    assert_eq!(run_now(&app, false).await, ReconcileReport::default(), "outside the rounds' window");
    // 09:00 Vietnam time, four days later: the day's sweep runs once.
    assert_eq!(run_if_due(&app).await, ReconcileReport { checked: 1, expired: 1, ..Default::default() });
    assert_eq!(state_of(&app, &old), "het-han");
    assert_eq!(run_if_due(&app).await, ReconcileReport::default());
}

/// tinh.ketoan, the provincial finance officer.
async fn province_finance(app: &TestApp) -> Browser {
    app.staff("tinh.ketoan").await
}

#[tokio::test]
async fn the_report_lists_both_sides_flags_differences_and_rechecks() {
    let app = app_with_citizen().await;
    // A: paid at the gateway, its CONFIRM lost. B: paid and confirmed. C: still open.
    let (code_a, a) = attempt(&app).await;
    let (_, b) = attempt(&app).await;
    let (_, c) = attempt(&app).await;
    drop_callbacks(&app);
    app.sim().pay(&a, "VCB").unwrap_or_else(|e| panic!("{e:#}"));
    app.sim().set_faults(Faults { wrong_amount: true, ..Faults::default() });
    app.sim().pay(&b, "BIDV").unwrap_or_else(|e| panic!("{e:#}"));
    // The first CONFIRM of B names a wrong amount (refused, an alert); the second is right.
    assert_eq!(app.sim().deliver_all_now(), 1);
    assert_eq!(state_of(&app, &b), "khoi-tao");
    assert_eq!(app.sim().deliver_all_now(), 1);
    assert_eq!(state_of(&app, &b), "thanh-cong");

    let finance = province_finance(&app).await;
    let page = finance.get("/can-bo/doi-soat").await;
    assert_eq!(page.status, 200, "{}", page.text());
    let doc = page.html();
    assert_eq!(doc.attrs("input#ngay", "value"), vec!["2026-11-25"], "today by default");
    assert!(doc.text("h2").contains(ACCOUNT), "{:?}", doc.texts("h2"));
    assert_eq!(doc.count("tbody tr[data-reference]"), 3);
    let row_a = row_text(&page, &a);
    assert!(row_a.contains(&code_a), "{row_a}");
    assert!(row_a.contains("23.000 đ") && row_a.contains("Đang xác nhận") && row_a.contains("Thành công"), "{row_a}");
    assert!(row_a.contains("Lệch: trạng thái khác nhau"), "{row_a}");
    assert_eq!(doc.count(&format!("tr.row-mismatch[data-reference=\"{a}\"] .overdue-text")), 1, "in colour too");
    assert!(row_text(&page, &b).contains("Khớp"), "{}", row_text(&page, &b));
    assert!(row_text(&page, &c).contains("Chưa có kết quả"), "{}", row_text(&page, &c));
    assert!(row_text(&page, &c).contains("Khớp"), "pending on both sides");
    // Only the finance officer's role: no link to the staff dossier page.
    assert_eq!(doc.count(&format!("tr[data-reference=\"{a}\"] td.dossier a")), 0);
    // Totals per account: one paid here, two at the gateway.
    assert_eq!(doc.text("dd.ours-paid"), "1 giao dịch, 23.000 đ");
    assert_eq!(doc.text("dd.theirs-paid"), "2 giao dịch, 46.000 đ");
    assert!(doc.text("dd.mismatched").contains("1 giao dịch lệch"));
    // "Kiểm tra lại" on the pending lines only.
    assert_eq!(doc.count(&format!("form[action=\"/can-bo/doi-soat/kiem-tra/{a}\"]")), 1);
    assert_eq!(doc.count(&format!("form[action=\"/can-bo/doi-soat/kiem-tra/{b}\"]")), 0);
    // The day's alerts: B's wrong amount.
    assert!(doc.text("section.alerts").contains("Sai số tiền"), "{}", doc.text("section.alerts"));
    assert!(doc.text("section.alerts").contains(&b));
    // The navigation leads here.
    assert_eq!(doc.texts("nav.site-nav a[href=\"/can-bo/doi-soat\"]"), vec!["Đối soát thanh toán"]);

    // Kiểm tra lại: QUERY settles A; back to the report with a notice.
    let res = finance
        .submit(
            "/can-bo/doi-soat",
            &format!("/can-bo/doi-soat/kiem-tra/{a}"),
            &[("ngay", "2026-11-25"), ("tai_khoan", "")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text());
    assert!(res.location().starts_with("/can-bo/doi-soat?ngay=2026-11-25"), "{}", res.location());
    assert_eq!(state_of(&app, &a), "thanh-cong");
    let page = finance.get(&res.location()).await;
    assert!(
        page.html()
            .text("#thong-bao")
            .contains(&format!("Đã kiểm tra lại giao dịch {a}: trạng thái hiện tại «Thành công»"))
    );
    assert!(row_text(&page, &a).contains("Khớp"), "{}", row_text(&page, &a));
    assert_eq!(page.html().text("dd.ours-paid"), "2 giao dịch, 46.000 đ");
    // Without the CSRF token: refused.
    assert_eq!(finance.post_raw(&format!("/can-bo/doi-soat/kiem-tra/{c}"), &[]).await.status, 400);

    // One account only; an unknown one lists nothing.
    let page = finance.get(&format!("/can-bo/doi-soat?ngay=25/11/2026&tai_khoan={ACCOUNT}")).await;
    assert_eq!(page.html().count("tbody tr[data-reference]"), 3);
    let page = finance.get("/can-bo/doi-soat?ngay=2026-11-25&tai_khoan=9999").await;
    assert_eq!(page.html().count("tbody tr[data-reference]"), 0);
    // Another day: nothing.
    let page = finance.get("/can-bo/doi-soat?ngay=2026-11-24").await;
    assert_eq!(page.status, 200);
    assert!(page.html().text(".empty").contains("Không có giao dịch"), "{}", page.text());

    // The gateway is down: the portal's side with a notice, never a 500.
    app.sim().set_faults(Faults { api_error: true, ..Faults::default() });
    let page = finance.get("/can-bo/doi-soat?ngay=2026-11-25").await;
    assert_eq!(page.status, 200, "{}", page.text());
    let doc = page.html();
    assert!(doc.text(".gateway-notice").contains("Không kết nối được cổng thanh toán"), "{}", page.text());
    assert_eq!(doc.count("tbody tr[data-reference]"), 3);
    assert!(row_text(&page, &c).contains("Chưa đối chiếu"));
    assert_eq!(doc.text("dd.theirs-paid"), "Chưa đối chiếu");
}

#[tokio::test]
async fn bad_days_are_explained_in_vietnamese() {
    let app = TestApp::spawn_with_paygov().await;
    let finance = province_finance(&app).await;
    for bad in ["hom-qua", "1999-12-31", "2101-01-01", "31/02/2026", "2026-13-01"] {
        let page = finance.get(&format!("/can-bo/doi-soat?ngay={bad}")).await;
        assert_eq!(page.status, 400, "{bad}");
        let doc = page.html();
        assert_eq!(doc.attrs(".error-summary a", "href"), vec!["#ngay"], "{bad}");
        assert!(doc.text(".error-summary").contains("ngày") || doc.text(".error-summary").contains("Ngày"), "{bad}");
        assert_eq!(finance.get(&format!("/can-bo/doi-soat.csv?ngay={bad}")).await.status, 400, "{bad}");
    }
}

#[tokio::test]
async fn the_csv_has_a_bom_a_vietnamese_header_and_the_same_lines() {
    let app = app_with_citizen().await;
    let (code, a) = attempt(&app).await;
    drop_callbacks(&app);
    app.sim().pay(&a, "VCB").unwrap_or_else(|e| panic!("{e:#}"));
    let finance = province_finance(&app).await;
    let res = finance.get("/can-bo/doi-soat.csv?ngay=2026-11-25&tai_khoan=").await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert!(res.header("content-type").starts_with("text/csv"), "{}", res.header("content-type"));
    assert_eq!(res.header("content-disposition"), "attachment; filename=\"doi-soat-2026-11-25.csv\"");
    assert!(res.bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with a byte-order mark");
    let mut reader = csv::Reader::from_reader(&res.bytes[3..]);
    let header: Vec<String> = reader.headers().unwrap_or_else(|e| panic!("{e}")).iter().map(str::to_owned).collect();
    assert_eq!(
        header,
        vec![
            "Tài khoản thụ hưởng",
            "Mã tham chiếu",
            "Mã hồ sơ",
            "Thời điểm khởi tạo",
            "Số tiền (Cổng DVC)",
            "Trạng thái (Cổng DVC)",
            "Mã giao dịch (Cổng DVC)",
            "Số tiền (cổng thanh toán)",
            "Trạng thái (cổng thanh toán)",
            "Mã giao dịch (cổng thanh toán)",
            "Kết quả đối chiếu",
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap_or_else(|e| panic!("{e}"))).collect();
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!((&r[0], &r[1], &r[2]), (ACCOUNT, a.as_str(), code.as_str()));
    assert_eq!(&r[3], "25/11/2026 09:00");
    assert_eq!((&r[4], &r[5], &r[7], &r[8]), ("23000", "Đang xác nhận", "23000", "Thành công"));
    assert!(!r[9].is_empty(), "the gateway's id");
    assert!(r[10].starts_with("Lệch: trạng thái khác nhau"), "{}", &r[10]);
}

#[tokio::test]
async fn finance_officers_see_only_their_scope_and_others_are_kept_out() {
    let app = app_with_citizen().await;
    let (code, a) = attempt(&app).await;
    let path = "/can-bo/doi-soat?ngay=2026-11-25";

    // A department's finance officer: the commune's attempt is not theirs.
    let stc = app.staff("stc.ketoan").await;
    let page = stc.get(path).await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(page.html().count("tbody tr[data-reference]"), 0);
    assert!(!page.text().contains(&a));
    let res = stc.submit(path, &format!("/can-bo/doi-soat/kiem-tra/{a}"), &[]).await;
    assert_eq!(res.status, 404);
    let res = stc.submit(path, "/can-bo/doi-soat/kiem-tra/TT261125NOSUCHREF", &[]).await;
    assert_eq!(res.status, 404);
    assert_eq!(stc.get("/can-bo/doi-soat.csv?ngay=2026-11-25").await.text().lines().count(), 1, "the header only");

    // Staff without the finance role: 403; signed out: the staff sign-in page and back.
    for login in ["stc.motcua", "xa1.motcua"] {
        let b = app.staff(login).await;
        assert_eq!(b.get(path).await.status, 403, "{login}");
        assert_eq!(b.get("/can-bo/doi-soat.csv").await.status, 403, "{login}");
        assert!(!b.get("/can-bo").await.text().contains("Đối soát thanh toán"), "{login}: no navigation entry");
    }
    let res = app.new_browser().get(path).await;
    assert_eq!(res.status, 303);
    assert_eq!(res.location(), "/can-bo/dang-nhap?tiep=/can-bo/doi-soat%3Fngay%3D2026-11-25");
    assert_eq!(app.get(path).await.status, 303, "a citizen is not staff");

    // The commune's one-stop officer, also made its finance officer: sees the line, with a link
    // to the dossier they may open, and may check it again.
    {
        let mut conn = app.conn();
        let s = Staff::find_by_login(&mut conn, "xa1.motcua").ok().flatten().unwrap_or_else(|| panic!("no staff"));
        Staff::set_roles(&mut conn, &s.id, &[roles::ONE_STOP.to_owned(), roles::FINANCE.to_owned()])
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let xa = app.staff("xa1.motcua").await;
    let page = xa.get(path).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let doc = page.html();
    assert_eq!(
        doc.attrs(&format!("tr[data-reference=\"{a}\"] td.dossier a"), "href"),
        vec![format!("/can-bo/ho-so/{code}")]
    );
    let res = xa.submit(path, &format!("/can-bo/doi-soat/kiem-tra/{a}"), &[("ngay", ""), ("tai_khoan", ACCOUNT)]).await;
    assert_eq!(res.status, 303, "{}", res.text());
    assert!(res.location().contains("ket_qua=khoi-tao"), "{}", res.location());
    assert!(res.location().contains("ngay=2026-11-25"), "the attempt's day: {}", res.location());
}

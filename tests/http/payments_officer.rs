//! Officer-side payments: requesting fees (the quantities prefilled from the e-form, refused
//! when wrong, once while waiting), recording a desk payment, the fees panel and the e-receipt
//! for staff; the administrator's fee settings on procedures and agencies.

use crate::admin::{admin, audit_of, form_fields, post_fields, set, summary};
use crate::follow_up::dossier;
use crate::intake::PDF;
use crate::support::{Page, TestApp};
use crate::workflow::{act, act_at, assign, dossier_url, events, progress_mails, received_dossier, set_local};
use dvc_portal::domain::payment::FeeLine;
use dvc_portal::models::agency::Agency;
use dvc_portal::models::payment::{FeeAccount, PaymentRequest, PaymentTransaction};
use dvc_portal::models::procedure::Procedure;

/// The slugs of the two fee actions.
const REQUEST: &str = "yeu-cau-nop-phi";
const PAY: &str = "thu-phi-truc-tiep";

/// The fees of 1.001022 (the dossiers of `received_dossier`): 15.000 đ per registration and
/// 8.000 đ per copy of the extract.
const PER_REGISTRATION: i64 = 15_000;
const PER_COPY: i64 = 8_000;

fn requests(app: &TestApp, code: &str) -> Vec<PaymentRequest> {
    let d = dossier(app, code);
    PaymentRequest::of_dossier(&mut app.conn(), &d.id).unwrap_or_else(|e| panic!("requests: {e}"))
}

fn refusal(page: &Page) -> String {
    page.html().text(".error-summary")
}

#[tokio::test]
async fn the_desk_asks_for_fees_once_and_records_the_cash_payment() {
    let app = TestApp::spawn().await;
    let code = received_dossier(&app).await;
    let desk = app.staff("xa1.motcua").await;

    // One number per fee rule, labelled with its unit amount, prefilled from the e-form (no
    // quantity field: one unit each).
    let page = desk.get(&dossier_url(&code)).await;
    let doc = page.html();
    let form = format!("form[action='{}/{REQUEST}']", dossier_url(&code));
    assert_eq!(doc.attrs(&format!("{form} input[type=number]"), "name"), ["so_luong-0", "so_luong-1"]);
    assert_eq!(doc.attrs(&format!("{form} input[type=number]"), "value"), ["1", "1"]);
    let labels = doc.texts(&format!("{form} label"));
    assert!(labels[0].ends_with("(15.000 đ/việc)"), "{labels:?}");
    assert!(labels[1].ends_with("(8.000 đ/bản)"), "{labels:?}");
    assert!(doc.text(&format!("{form} .hint")).contains("không tính vào thời hạn giải quyết"));
    assert_eq!(doc.count(&format!("form[action$='/{PAY}']")), 0, "nothing to record yet");
    assert_eq!(doc.count("section.payments"), 0, "no fees panel before a request");

    // Wrong quantities: the page again with the input and a message per field; nothing stored.
    let before = dossier(&app, &code);
    let res = act(&desk, &code, REQUEST, &[("so_luong-0", "một"), ("so_luong-1", "")]).await;
    assert_eq!(res.status, 422, "{}", res.text());
    let text = refusal(&res);
    assert!(text.contains("Số lượng là số nguyên từ 0 đến 10000"), "{text}");
    assert!(text.contains("Vui lòng nhập số lượng của khoản thu"), "{text}");
    assert_eq!(res.html().attrs("#yeu-cau-nop-phi-so_luong-0", "value"), ["một"], "the input is kept");
    assert_eq!(res.html().attrs("#yeu-cau-nop-phi-so_luong-0", "aria-invalid"), ["true"]);
    let res = act(&desk, &code, REQUEST, &[("so_luong-0", "-1"), ("so_luong-1", "2.5")]).await;
    assert_eq!(res.status, 422);
    let res = act(&desk, &code, REQUEST, &[("so_luong-0", "0")]).await;
    assert_eq!(res.status, 422, "a missing input");
    let res = act(&desk, &code, REQUEST, &[("so_luong-0", "0"), ("so_luong-1", "0")]).await;
    assert_eq!(res.status, 422);
    assert!(refusal(&res).contains("ít nhất một khoản phí, lệ phí"), "{}", refusal(&res));
    assert_eq!(dossier(&app, &code), before);
    assert!(requests(&app, &code).is_empty());

    // One registration and two copies: 15.000 + 2 × 8.000 đ; the clock pauses, the citizen is told.
    let res = act(&desk, &code, REQUEST, &[("so_luong-0", "1"), ("so_luong-1", "2")]).await;
    assert_eq!(res.status, 303, "{}", res.text());
    let waiting = dossier(&app, &code);
    assert_eq!((waiting.status, waiting.resume_status), (6, Some(2)));
    assert!(waiting.paused_at.is_some());
    let asked = requests(&app, &code);
    assert_eq!(asked.len(), 1);
    let total = PER_REGISTRATION + 2 * PER_COPY;
    assert_eq!(
        (asked[0].amount_vnd, asked[0].status.as_str(), asked[0].reason.as_str()),
        (total, "cho-thanh-toan", "officer")
    );
    let lines: Vec<FeeLine> = serde_json::from_str(&asked[0].lines).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(lines.iter().map(|l| (l.quantity, l.amount.0)).collect::<Vec<_>>(), [(1, 15_000), (2, 16_000)]);
    let last = events(&app, &code).pop().unwrap_or_else(|| panic!("no history"));
    assert_eq!((last.action.as_str(), last.to_status), ("request_payment", 6));
    assert_eq!(progress_mails(&app, &code), ["receive", "request_payment"]);
    let report = app.run_pending_jobs().await;
    assert_eq!((report.dead, report.retried), (0, 0));
    let mail = app
        .smtp
        .messages()
        .into_iter()
        .find(|m| m.subject.contains("chờ nộp phí"))
        .unwrap_or_else(|| panic!("no «chờ nộp phí» mail"));
    assert_eq!(mail.to, "lan@example.vn");
    assert!(mail.subject.contains(&code));
    assert!(mail.text.contains("31.000 đ"), "{}", mail.text);

    // The page shows the request; a second one is refused while the first waits.
    let page = desk.get(&dossier_url(&code)).await;
    assert!(page.html().text("section.payments").contains("31.000 đ"));
    assert!(page.html().text("section.payments").contains("Chờ thanh toán"));
    assert_eq!(page.html().count(&format!("form[action$='/{REQUEST}']")), 0);
    let res = act_at(&desk, &code, REQUEST, waiting.version, &[("so_luong-0", "1"), ("so_luong-1", "0")]).await;
    assert_eq!(res.status, 409);
    assert!(refusal(&res).contains("«Chờ thực hiện nghĩa vụ tài chính»"), "{}", refusal(&res));
    assert_eq!(requests(&app, &code).len(), 1);
    assert_eq!(dossier(&app, &code), waiting);

    // The next day the citizen pays in cash at the desk: a receipt number is needed.
    set_local(&app, (2026, 11, 26, 9, 0));
    let desk = app.staff("xa1.motcua").await;
    let res = act(&desk, &code, PAY, &[("receipt_no", "  ")]).await;
    assert_eq!(res.status, 422);
    assert!(refusal(&res).contains("Vui lòng nhập số biên lai thu phí, lệ phí"), "{}", refusal(&res));
    assert_eq!(dossier(&app, &code), waiting);
    let res = act(&desk, &code, PAY, &[("receipt_no", "0001234")]).await;
    assert_eq!(res.status, 303, "{}", res.text());
    let resumed = dossier(&app, &code);
    assert_eq!((resumed.status, resumed.resume_status, resumed.paused_at), (2, None, None));
    assert!(resumed.due_at > waiting.due_at, "the day waiting for fees is not counted");
    let paid = requests(&app, &code);
    assert_eq!((paid[0].status.as_str(), paid[0].paid_channel.as_deref()), ("da-thanh-toan", Some("truc-tiep")));
    let last = events(&app, &code).pop().unwrap_or_else(|| panic!("no history"));
    assert_eq!((last.action.as_str(), last.from_status, last.to_status), ("pay", Some(6), 2));
    assert!(last.note.unwrap_or_default().contains("biên lai số 0001234"));
    assert_eq!(progress_mails(&app, &code), ["receive", "request_payment", "pay"]);
    let page = desk.get(&dossier_url(&code)).await;
    assert!(page.html().text("section.payments").contains("nộp trực tiếp tại Bộ phận Một cửa"));
    let history = page.html().texts("table.history-table tbody tr td:nth-child(2)");
    assert!(history.ends_with(&["Yêu cầu thực hiện nghĩa vụ tài chính".into(), "Đã thanh toán phí, lệ phí".into()]));
}

/// A paid attempt with a stored e-receipt on the open request of `code`, as the gateway
/// settlement would leave it; returns its id.
fn paid_attempt_with_receipt(app: &TestApp, code: &str) -> String {
    let d = dossier(app, code);
    let request = PaymentRequest::open_of_dossier(&mut app.conn(), &d.id)
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no open request"));
    let sha =
        dvc_portal::files::FileStore::new(&app.jobs.config.data_dir).put(PDF).unwrap_or_else(|e| panic!("store: {e}"));
    let now = app.clock.now_naive();
    let t = PaymentTransaction {
        id: uuid::Uuid::now_v7().to_string(),
        request_id: request.id.clone(),
        dossier_id: d.id.clone(),
        reference: "TT261125TESTRCPT01".into(),
        amount_vnd: request.amount_vnd,
        currency: "VND".into(),
        status: "thanh-cong".into(),
        gateway_txn_id: Some("GD0000001".into()),
        bank_code: Some("NCB".into()),
        init_time: "20261125090000".into(),
        initiated_at: now,
        pay_url: None,
        settled_at: Some(now),
        gateway_time: None,
        checked_at: None,
        checks: 0,
        receipt_sha256: Some(sha),
        beneficiary_account: request.beneficiary_account,
        note: None,
        updated_at: now,
    };
    PaymentTransaction::insert(&mut app.conn(), &t).unwrap_or_else(|e| panic!("insert: {e}"));
    t.id
}

#[tokio::test]
async fn a_specialist_asks_for_fees_and_other_agencies_get_not_found() {
    let app = TestApp::spawn().await;
    let code = received_dossier(&app).await;
    assign(&app, &code).await;
    let specialist = app.staff("xa1.chuyenvien").await;
    let res = act(&specialist, &code, REQUEST, &[("so_luong-0", "1"), ("so_luong-1", "0")]).await;
    assert_eq!(res.status, 303, "{}", res.text());
    let waiting = dossier(&app, &code);
    assert_eq!((waiting.status, waiting.handler_step.as_deref()), (6, Some("chuyen_vien")));
    assert_eq!(requests(&app, &code)[0].amount_vnd, PER_REGISTRATION);
    // Only the desk takes cash.
    let page = specialist.get(&dossier_url(&code)).await;
    assert_eq!(page.html().count(&format!("form[action$='/{PAY}']")), 0);

    // Staff of another agency: "not found" for both actions and the receipt, nothing changes.
    let id = paid_attempt_with_receipt(&app, &code);
    let stranger = app.staff("stc.motcua").await;
    let res = act_at(&stranger, &code, PAY, waiting.version, &[("receipt_no", "99")]).await;
    assert_eq!(res.status, 404, "{}", res.text());
    let res = act_at(&stranger, &code, REQUEST, waiting.version, &[("so_luong-0", "1"), ("so_luong-1", "1")]).await;
    assert_eq!(res.status, 404, "{}", res.text());
    let receipt = format!("{}/bien-lai/{id}", dossier_url(&code));
    assert_eq!(stranger.get(&receipt).await.status, 404);
    assert_eq!(dossier(&app, &code), waiting);
    assert_eq!(requests(&app, &code).len(), 1);

    // The agency's own staff download it from the fees panel.
    let desk = app.staff("xa1.motcua").await;
    let page = desk.get(&dossier_url(&code)).await;
    assert_eq!(page.html().attrs("section.payments a[href*='/bien-lai/']", "href"), std::slice::from_ref(&receipt));
    let file = desk.get(&receipt).await;
    assert_eq!(file.status, 200);
    assert_eq!(file.header("content-type"), "application/pdf");
    assert_eq!(file.bytes, PDF);
    assert_eq!(desk.get(&format!("{}/bien-lai/khong-co", dossier_url(&code))).await.status, 404);
    assert_eq!(app.new_browser().get(&receipt).await.status, 303, "sign-in first");

    // The desk records the payment: back to the specialist's step.
    let res = act(&desk, &code, PAY, &[("receipt_no", "0005678")]).await;
    assert_eq!(res.status, 303, "{}", res.text());
    let back = dossier(&app, &code);
    assert_eq!((back.status, back.handler_step.as_deref()), (4, Some("chuyen_vien")));
    assert_eq!(requests(&app, &code)[0].paid_channel.as_deref(), Some("truc-tiep"));
}

const BIRTH: &str = "1.001193";
const BIRTH_EDIT: &str = "/quan-tri/thu-tuc/1.001193";

fn procedure(app: &TestApp, code: &str) -> Procedure {
    Procedure::find_by_code(&mut app.conn(), code).ok().flatten().unwrap_or_else(|| panic!("procedure {code}"))
}

/// The form index of the fee row whose description starts with `start`.
fn fee_row(fields: &[(String, String)], start: &str) -> String {
    fields
        .iter()
        .find(|(k, v)| k.starts_with("fee-") && k.ends_with("-description") && v.starts_with(start))
        .map(|(k, _)| k.trim_end_matches("-description").to_owned())
        .unwrap_or_else(|| panic!("no fee row «{start}»"))
}

#[tokio::test]
async fn an_administrator_sets_when_fees_are_due_their_account_quantities_and_conditions() {
    let app = TestApp::spawn().await;
    let admin = admin(&app).await;
    let page = admin.get(BIRTH_EDIT).await;
    assert_eq!(page.status, 200);
    let mut fields = form_fields(&page, BIRTH_EDIT);
    let (free, copy) = (fee_row(&fields, "Miễn lệ phí"), fee_row(&fields, "Phí cấp bản sao"));
    assert_eq!(page.html().attrs(&format!("#{copy}-quantity_field"), "value"), ["so_ban_sao"], "from the catalogue");
    assert_eq!(page.html().attrs("#fee_timing option[selected]", "value"), ["submission"], "level 4 with a fee");

    // Refusals: a condition without "=", an option the field does not have, a text field as
    // quantity, and an account without its bank and holder. Nothing is saved.
    let mut bad = fields.clone();
    set(&mut bad, &format!("{free}-when"), "quan_he");
    set(&mut bad, &format!("{copy}-when"), "quan_he=chu");
    set(&mut bad, &format!("{copy}-quantity_field"), "ho_ten");
    set(&mut bad, "beneficiary_account", "0123456789");
    let res = post_fields(&admin, BIRTH_EDIT, BIRTH_EDIT, &bad).await;
    assert_eq!(res.status, 422);
    let messages = summary(&res).join("\n");
    assert!(messages.contains("Điều kiện áp dụng có dạng tên_trường=giá_trị"), "{messages}");
    assert!(messages.contains("Trường «quan_he» không có lựa chọn «chu»"), "{messages}");
    assert!(messages.contains("không có trường số «ho_ten»"), "{messages}");
    assert!(messages.contains("Vui lòng nhập đủ số tài khoản, mã ngân hàng và tên chủ tài khoản"), "{messages}");
    assert_eq!(res.html().attrs(&format!("#{free}-when"), "value"), ["quan_he"], "the input is kept");
    for shape in ["@kenh=buu-dien", "=me", "Quan Hệ=me", "@can-bo=khong"] {
        let mut bad = fields.clone();
        set(&mut bad, &format!("{free}-when"), shape);
        let res = post_fields(&admin, BIRTH_EDIT, BIRTH_EDIT, &bad).await;
        assert_eq!(res.status, 422, "{shape}");
        assert!(summary(&res).join("\n").contains("Điều kiện áp dụng có dạng"), "{shape}");
    }
    assert!(audit_of(&app, "procedure").is_empty());

    // Saved, and shown again after a reload.
    set(&mut fields, "fee_timing", "request");
    set(&mut fields, "beneficiary_account", "1140 0012 3456");
    set(&mut fields, "beneficiary_bank", "ctg");
    set(&mut fields, "beneficiary_name", "Ủy ban nhân dân xã Mẫu");
    set(&mut fields, &format!("{free}-when"), "quan_he=me");
    set(&mut fields, &format!("{copy}-when"), "@kenh=truc-tuyen");
    let res = post_fields(&admin, BIRTH_EDIT, BIRTH_EDIT, &fields).await;
    assert_eq!(res.status, 303, "{:?}", summary(&res));
    let p = procedure(&app, BIRTH);
    assert_eq!(p.fee_timing, "request");
    assert_eq!(
        (p.beneficiary_account.as_deref(), p.beneficiary_bank.as_deref(), p.beneficiary_name.as_deref()),
        (Some("114000123456"), Some("CTG"), Some("Ủy ban nhân dân xã Mẫu"))
    );
    let fees = Procedure::fees(&mut app.conn(), &p.id).unwrap_or_else(|e| panic!("{e}"));
    let stored: Vec<_> =
        fees.iter().map(|f| (f.quantity_field.as_deref(), f.when_field.as_deref(), f.when_value.as_deref())).collect();
    assert_eq!(stored, [(None, Some("quan_he"), Some("me")), (Some("so_ban_sao"), Some("@kenh"), Some("truc-tuyen"))]);
    let page = admin.get(BIRTH_EDIT).await;
    let doc = page.html();
    assert_eq!(doc.attrs("#fee_timing option[selected]", "value"), ["request"]);
    assert_eq!(doc.attrs("#beneficiary_bank", "value"), ["CTG"]);
    assert_eq!(doc.attrs(&format!("#{free}-when"), "value"), ["quan_he=me"]);
    assert_eq!(doc.attrs(&format!("#{copy}-when"), "value"), ["@kenh=truc-tuyen"]);
    assert_eq!(doc.attrs(&format!("#{copy}-quantity_field"), "value"), ["so_ban_sao"]);
    let audit = audit_of(&app, "procedure");
    assert_eq!(audit.len(), 1);
    let before: serde_json::Value =
        serde_json::from_str(audit[0].before_json.as_deref().unwrap_or("{}")).unwrap_or_default();
    let after: serde_json::Value =
        serde_json::from_str(audit[0].after_json.as_deref().unwrap_or("{}")).unwrap_or_default();
    assert_eq!((before["fee_timing"].as_str(), after["fee_timing"].as_str()), (Some("submission"), Some("request")));
    assert_eq!(before["beneficiary"], serde_json::Value::Null);
    assert_eq!(after["beneficiary"], "Ủy ban nhân dân xã Mẫu – 114000123456 – CTG");
    assert!(after["fees"][1].as_str().unwrap_or_default().ends_with("× so_ban_sao, khi @kenh=truc-tuyen"), "{after}");

    // Saved again unchanged: no audit entry. Then the account is removed (all three cleared).
    let res = post_fields(&admin, BIRTH_EDIT, BIRTH_EDIT, &form_fields(&page, BIRTH_EDIT)).await;
    assert_eq!(res.status, 303, "{:?}", summary(&res));
    assert_eq!(audit_of(&app, "procedure").len(), 1);
    let mut fields = form_fields(&page, BIRTH_EDIT);
    for k in ["beneficiary_account", "beneficiary_bank", "beneficiary_name"] {
        set(&mut fields, k, "");
    }
    let res = post_fields(&admin, BIRTH_EDIT, BIRTH_EDIT, &fields).await;
    assert_eq!(res.status, 303, "{:?}", summary(&res));
    let p = procedure(&app, BIRTH);
    assert_eq!((p.beneficiary_account, p.beneficiary_bank, p.beneficiary_name), (None, None, None));
}

#[tokio::test]
async fn an_administrator_sets_an_agencys_fee_account_all_or_nothing() {
    let app = TestApp::spawn().await;
    let admin = admin(&app).await;
    let edit = "/quan-tri/co-quan/000.00.02.H56";
    let agency =
        Agency::find_by_code(&mut app.conn(), "000.00.02.H56").ok().flatten().unwrap_or_else(|| panic!("Sở Tài chính"));
    let account = |app: &TestApp| {
        FeeAccount::of_agency(&mut app.conn(), &agency.id).ok().flatten().unwrap_or_else(|| panic!("account"))
    };
    let seeded = account(&app);
    let page = admin.get(edit).await;
    assert_eq!(page.html().attrs("#fee_account", "value"), [seeded.account.clone().unwrap_or_default()]);
    assert_eq!(page.html().attrs("#fee_bank", "value"), [seeded.bank.clone().unwrap_or_default()]);

    let mut fields = form_fields(&page, edit);
    set(&mut fields, "fee_bank", "");
    set(&mut fields, "fee_account", "12 34");
    let res = post_fields(&admin, edit, edit, &fields).await;
    assert_eq!(res.status, 422);
    let messages = summary(&res).join("\n");
    assert!(messages.contains("Vui lòng nhập đủ số tài khoản, mã ngân hàng và tên chủ tài khoản"), "{messages}");
    assert_eq!(account(&app), seeded);

    set(&mut fields, "fee_account", "1140-0099-8877");
    set(&mut fields, "fee_bank", "970415");
    set(&mut fields, "fee_account_name", "Sở Tài chính tỉnh Thanh Hóa");
    let res = post_fields(&admin, edit, edit, &fields).await;
    assert_eq!(res.status, 303, "{:?}", summary(&res));
    let saved = account(&app);
    assert_eq!(
        (saved.account.as_deref(), saved.bank.as_deref(), saved.name.as_deref()),
        (Some("1140-0099-8877"), Some("970415"), Some("Sở Tài chính tỉnh Thanh Hóa"))
    );
    assert_eq!(admin.get(edit).await.html().attrs("#fee_account", "value"), ["1140-0099-8877"]);
    let audit = audit_of(&app, "agency");
    assert_eq!(audit.len(), 1, "a change of the account alone is audited");
    let after: serde_json::Value =
        serde_json::from_str(audit[0].after_json.as_deref().unwrap_or("{}")).unwrap_or_default();
    assert_eq!(after["fee_account"], "Sở Tài chính tỉnh Thanh Hóa – 1140-0099-8877 – 970415");

    for k in ["fee_account", "fee_bank", "fee_account_name"] {
        set(&mut fields, k, "");
    }
    let res = post_fields(&admin, edit, edit, &fields).await;
    assert_eq!(res.status, 303, "{:?}", summary(&res));
    let cleared = account(&app);
    assert_eq!((cleared.account, cleared.bank, cleared.name), (None, None, None));
}

//! Online payment of fees (level 4): what a dossier owes, the citizen's attempts at the gateway,
//! the gateway's CONFIRM callback and QUERY answers, and the e-receipt.
//!
//! Rules (DESIGN.md §6, reference/integrations.md §A5), each tested in `tests/http/payments.rs`:
//! - a callback's signature is checked (constant time) before anything else is looked at;
//! - unknown reference, wrong partner, amount or currency: refused, recorded as an alert, never
//!   paid; a repeated CONFIRM is acknowledged with no second effect, also when two arrive at
//!   once (the update is guarded by the attempt's state; the gateway's id is unique);
//! - a late "failed" after "paid" changes nothing and is an alert;
//! - the payment, the dossier leaving state 6, its history row and the citizen's e-mail commit
//!   in one transaction, before the gateway gets its acknowledgement;
//! - the browser's return from the gateway only displays; the state comes from CONFIRM or QUERY.
//!
//! Calls to the gateway are blocking and made outside any transaction: the web layer runs these
//! functions in `web::block`, the worker on its own threads.

use crate::clock::Clock;
use crate::db::{Db, DbConn};
use crate::domain::catalogue::FeeKind;
use crate::domain::dossier::{Action, Role, Status};
use crate::domain::form::{FormValues, Value};
use crate::domain::money::Vnd;
use crate::domain::payment::{FeeLine, FeeRule, RequestStatus, Settlement, TxStatus, Verdict, assess, settle, total};
use crate::error::AppError;
use crate::files::FileStore;
use crate::integrations::paygov::wire::{self, Signed};
use crate::integrations::paygov::{Gateway, GatewayConfig, GatewayError};
use crate::jobs::{Job, enqueue};
use crate::models::agency::Agency;
use crate::models::dossier::Dossier;
use crate::models::payment::{FeeAccount, PaymentMessage, PaymentRequest, PaymentTransaction};
use crate::models::procedure::Procedure;
use crate::services::workflow::{Actor, Officer, record, resume_after_payment};
use chrono::{NaiveDateTime, TimeDelta};
use rand::Rng;

/// A pending attempt younger than this is reused when the citizen clicks "Thanh toán" again,
/// so that one fee is not paid twice through two open payment pages.
pub const REUSE_PENDING: TimeDelta = TimeDelta::minutes(15);
/// How far a CONFIRM's `ThoiGianGD` may lie before the INIT (clock skew).
const CLOCK_SKEW: TimeDelta = TimeDelta::minutes(15);

/// What the payment functions need from the application.
#[derive(Clone, Debug)]
pub struct Payments {
    /// The gateway, if one is configured.
    pub gateway: Option<Gateway>,
    /// The portal's public address (return URL, links in mail).
    pub base_url: String,
    /// After how long an unsettled attempt expires.
    pub expiry: TimeDelta,
}

impl Payments {
    /// From the configuration.
    pub fn from_config(config: &crate::config::Config) -> Payments {
        Payments {
            gateway: config.gateway().map(Gateway::new),
            base_url: config.base_url.clone(),
            expiry: TimeDelta::minutes(config.payment_expiry_minutes),
        }
    }
}

/// The beneficiary of a procedure's fees for a dossier of `agency_id`: the procedure's own
/// account, else the agency's.
fn beneficiary(conn: &mut DbConn, p: &Procedure, agency_id: &str) -> Result<(String, String, String), AppError> {
    if let (Some(a), Some(b), Some(n)) = (&p.beneficiary_account, &p.beneficiary_bank, &p.beneficiary_name) {
        return Ok((a.clone(), b.clone(), n.clone()));
    }
    match FeeAccount::of_agency(conn, agency_id)? {
        Some(FeeAccount { account: Some(a), bank: Some(b), name: Some(n) }) => Ok((a, b, n)),
        _ => Err(AppError::bad_request(
            "no_beneficiary",
            "Cơ quan giải quyết chưa khai báo tài khoản thu phí, lệ phí. Vui lòng liên hệ quản trị hệ thống.",
        )),
    }
}

/// The fee rules of a procedure, in order.
pub fn rules_of(conn: &mut DbConn, procedure_id: &str) -> Result<Vec<FeeRule>, AppError> {
    Ok(Procedure::fees(conn, procedure_id)?
        .into_iter()
        .map(|f| FeeRule {
            kind: FeeKind::parse(&f.kind).unwrap_or(FeeKind::LePhi),
            description: f.description,
            amount: Vnd(f.amount_vnd),
            per_unit: f.per_unit,
            quantity_field: f.quantity_field,
            when: f.when_field.zip(f.when_value),
        })
        .collect())
}

/// What a dossier owes under its procedure's rules, read from its form and channel (`@kenh`).
pub fn assess_dossier(conn: &mut DbConn, d: &Dossier) -> Result<Vec<FeeLine>, AppError> {
    let rules = rules_of(conn, &d.procedure_id)?;
    let values: FormValues = serde_json::from_str(&d.form_values).unwrap_or_default();
    let value_of = |name: &str| -> Option<String> {
        if name == "@kenh" {
            return Some(d.channel.clone());
        }
        values.get(name).and_then(|v| match v {
            Value::Number(n) => Some(n.to_string()),
            Value::Choice { value, .. } => Some(value.clone()),
            Value::Text(t) => Some(t.clone()),
            _ => None,
        })
    };
    assess(&rules, &value_of).map_err(|e| AppError::bad_request("fees", e.message()))
}

fn new_request(
    conn: &mut DbConn,
    d: &Dossier,
    p: &Procedure,
    lines: &[FeeLine],
    reason: &str,
    by: Option<&str>,
    now: NaiveDateTime,
) -> Result<PaymentRequest, AppError> {
    let amount = total(lines).map_err(|e| AppError::bad_request("fees", e.message()))?;
    let (account, bank, name) = beneficiary(conn, p, &d.agency_id)?;
    let request = PaymentRequest {
        id: uuid::Uuid::now_v7().to_string(),
        dossier_id: d.id.clone(),
        amount_vnd: amount.0,
        lines: serde_json::to_string(lines).map_err(|e| AppError::Internal(e.into()))?,
        beneficiary_account: account,
        beneficiary_bank: bank,
        beneficiary_name: name,
        reason: reason.to_owned(),
        requested_by: by.map(str::to_owned),
        status: RequestStatus::Open.code().to_owned(),
        paid_at: None,
        paid_channel: None,
        created_at: now,
        updated_at: now,
    };
    PaymentRequest::insert(conn, &request)?;
    Ok(request)
}

/// The facts of a payment request for the citizen's e-mail.
pub fn request_facts(r: &PaymentRequest) -> Vec<(String, String)> {
    let lines: Vec<FeeLine> = serde_json::from_str(&r.lines).unwrap_or_default();
    let mut facts: Vec<(String, String)> = lines
        .iter()
        .map(|l| (l.description.clone(), format!("{} × {} = {}", l.unit_amount, l.quantity, l.amount)))
        .collect();
    facts.push(("Tổng số tiền phải nộp".to_owned(), Vnd(r.amount_vnd).to_string()));
    facts
}

/// At submission, in the submission's transaction: a "toàn trình" procedure whose fees are due
/// now puts the new dossier in state 6 with a payment request. Returns the request, if any.
pub fn request_at_submission(
    conn: &mut DbConn,
    clock: &Clock,
    base_url: &str,
    d: &mut Dossier,
    p: &Procedure,
) -> Result<Option<PaymentRequest>, AppError> {
    if p.fee_timing != "submission" {
        return Ok(None);
    }
    let lines = assess_dossier(conn, d)?;
    if lines.is_empty() {
        return Ok(None);
    }
    let now = clock.now_naive();
    let request = new_request(conn, d, p, &lines, "submission", None, now)?;
    let from = crate::services::workflow::position_of(d)?;
    let to = crate::domain::dossier::transition(from, Action::RequestPayment, Role::System, None)
        .map_err(|r| AppError::bad_request("wrong_state", r.message()))?;
    let next = Dossier {
        status: to.status.code(),
        resume_status: Some(from.status.code()),
        paused_at: Some(now),
        version: d.version + 1,
        updated_at: now,
        ..d.clone()
    };
    if Dossier::update_guarded(conn, &next, d.version)? == 0 {
        return Err(crate::services::workflow::stale());
    }
    let note = format!("Phí, lệ phí nộp khi nộp hồ sơ trực tuyến toàn trình: {}", Vnd(request.amount_vnd));
    record(conn, &next, now, &Actor::system(), Action::RequestPayment, Some(from.status), to.status, Some(&note))?;
    let link = format!("{base_url}/tai-khoan/ho-so/{}", next.code);
    crate::services::workflow::notify(conn, clock, &next, "request_payment", request_facts(&request), link)?;
    *d = next;
    Ok(Some(request))
}

/// An officer asks for fees (inside the officer action's transaction): one quantity per fee
/// rule of the procedure.
pub fn request_by_officer(
    conn: &mut DbConn,
    d: &Dossier,
    p: &Procedure,
    officer: &Officer,
    quantities: &[i64],
    now: NaiveDateTime,
) -> Result<PaymentRequest, AppError> {
    let rules = rules_of(conn, &p.id)?;
    if quantities.len() != rules.len() {
        return Err(AppError::bad_request("stale", "Biểu phí của thủ tục vừa thay đổi. Vui lòng tải lại trang."));
    }
    let lines = crate::domain::payment::lines_with_quantities(&rules, quantities)
        .map_err(|e| AppError::Invalid(vec![("quantities".into(), e.message())]))?;
    if lines.is_empty() {
        return Err(AppError::Invalid(vec![(
            "quantities".into(),
            "Vui lòng nhập số lượng cho ít nhất một khoản phí, lệ phí có số tiền lớn hơn 0.".into(),
        )]));
    }
    new_request(conn, d, p, &lines, "officer", Some(&officer.id), now)
}

/// A fresh `MaThamChieu`: `TT`, the day, 10 random characters (18 in all, under the platform's
/// 20).
fn new_reference(now: NaiveDateTime) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let tail: String = (0..10).map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())])).collect();
    format!("TT{}{tail}", crate::clock::to_local(now).format("%y%m%d"))
}

/// The citizen clicks "Thanh toán": records a new attempt (or reuses a recent pending one),
/// sends INIT, and answers the gateway's page to redirect to. Blocking.
pub fn start(
    db: &Db,
    clock: &Clock,
    payments: &Payments,
    user_id: &str,
    code: &str,
    ip: &str,
) -> Result<String, AppError> {
    let gateway = payments.gateway.as_ref().ok_or_else(|| {
        AppError::bad_request(
            "no_gateway",
            "Thanh toán trực tuyến chưa được cấu hình. Ông/Bà vui lòng nộp phí, lệ phí tại Bộ phận Một cửa.",
        )
    })?;
    let now = clock.now_naive();
    let prepared = db.write_now(|conn| -> Result<Result<wire::InitRequest, String>, AppError> {
        let d = Dossier::find_by_code(conn, code)?
            .filter(|d| d.applicant_user_id.as_deref() == Some(user_id))
            .ok_or(AppError::NotFound("hồ sơ"))?;
        let request = PaymentRequest::open_of_dossier(conn, &d.id)?
            .filter(|_| d.status == Status::AwaitingPayment.code())
            .ok_or_else(|| {
                AppError::bad_request("nothing_to_pay", "Hồ sơ này không có khoản phí, lệ phí đang chờ nộp.")
            })?;
        let attempts = PaymentTransaction::of_request(conn, &request.id)?;
        if let Some(url) = attempts
            .iter()
            .rev()
            .find(|t| t.state() == TxStatus::Pending && now - t.initiated_at < REUSE_PENDING)
            .and_then(|t| t.pay_url.clone())
        {
            return Ok(Err(url));
        }
        let p = Procedure::find(conn, &d.procedure_id)?.ok_or(AppError::NotFound("thủ tục hành chính"))?;
        let agency = Agency::find(conn, &d.agency_id)?.ok_or(AppError::NotFound("cơ quan"))?;
        let reference = new_reference(now);
        let init_time = wire::timestamp(clock.now());
        PaymentTransaction::insert(
            conn,
            &PaymentTransaction {
                id: uuid::Uuid::now_v7().to_string(),
                request_id: request.id.clone(),
                dossier_id: d.id.clone(),
                reference: reference.clone(),
                amount_vnd: request.amount_vnd,
                currency: wire::CURRENCY.to_owned(),
                status: TxStatus::Pending.code().to_owned(),
                gateway_txn_id: None,
                bank_code: None,
                init_time: init_time.clone(),
                initiated_at: now,
                pay_url: None,
                settled_at: None,
                gateway_time: None,
                checked_at: None,
                checks: 0,
                receipt_sha256: None,
                beneficiary_account: request.beneficiary_account.clone(),
                note: None,
                updated_at: now,
            },
        )?;
        let lines: Vec<FeeLine> = serde_json::from_str(&request.lines).unwrap_or_default();
        Ok(Ok(wire::InitRequest {
            loai_ban_tin: "INIT".into(),
            phien_ban: wire::VERSION.into(),
            ma_doi_tac: gateway.config().partner.clone(),
            ma_tham_chieu: reference.clone(),
            so_tien: request.amount_vnd.to_string(),
            loai_hinh_thanh_toan: "PAY".into(),
            ma_kenh_thanh_toan: "1".into(),
            ma_thiet_bi: "1".into(),
            ngon_ngu: "vi-VN".into(),
            ma_tien_te: wire::CURRENCY.into(),
            ma_ngan_hang: "PAYMENT".into(),
            thong_tin_giao_dich: format!("THANH TOAN HO SO {}", d.code),
            thoi_gian_gd: init_time,
            ip: ip.replace('|', ""),
            thong_tin_bien_lai: wire::ReceiptInfo {
                ma_dich_vu: "2".into(),
                ma_tthc: p.code.clone(),
                ten_tthc: p.name.chars().take(250).collect(),
                ma_don_vi: agency.code.clone(),
                ten_don_vi: agency.name.clone(),
                ma_ho_so: d.code.clone(),
                tk_thu_huong: request.beneficiary_account.clone(),
                ma_nh_thu_huong: request.beneficiary_bank.clone(),
                ten_tk_thu_huong: request.beneficiary_name.clone(),
                noi_dung_thanh_toan: format!("Nộp phí, lệ phí hồ sơ {}", d.code),
                ho_ten_nguoi_nop: d.applicant_name.clone(),
                phi_le_phi: lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| wire::FeeItem {
                        loai_phi_le_phi: if l.kind == "phi" { "1".into() } else { "2".into() },
                        ma_phi_le_phi: format!("{}-{}", p.code, i + 1),
                        ten_phi_le_phi: l.description.clone(),
                        so_tien: l.amount.0,
                    })
                    .collect(),
            },
            url_tra_ve: Some(format!("{}/thanh-toan/ket-qua", payments.base_url)),
            ma_xac_thuc: String::new(),
        }))
    })?;
    let init = match prepared {
        Err(existing_url) => return Ok(existing_url),
        Ok(init) => init,
    };
    let reference = init.ma_tham_chieu.clone();
    let answer = gateway.init(init);
    let now = clock.now_naive();
    // The refusal is the function's answer, not the transaction's: the failed attempt is
    // committed either way.
    db.write_now(|conn| -> Result<Result<String, AppError>, AppError> {
        let t = PaymentTransaction::find_by_reference(conn, &reference)?.ok_or(AppError::NotFound("giao dịch"))?;
        match answer {
            Ok(url) => {
                PaymentTransaction::set_pay_url(conn, &t.id, &url, now)?;
                tracing::info!(payment.reference = %reference, "payment initiated");
                Ok(Ok(url))
            }
            Err(e) => {
                tracing::warn!(payment.reference = %reference, error = %e, "payment INIT failed");
                let note = format!("Khởi tạo không thành công: {e}");
                PaymentTransaction::settle_pending(conn, &t.id, TxStatus::Failed, None, None, None, Some(&note), now)?;
                Ok(Err(AppError::bad_request(
                    "gateway_unavailable",
                    "Cổng thanh toán tạm thời chưa phản hồi. Ông/Bà vui lòng thử lại sau ít phút; \
                     chưa có khoản tiền nào bị trừ.",
                )))
            }
        }
    })?
}

/// What we did with a gateway message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handled {
    /// `MaLoi` of our acknowledgement.
    pub code: &'static str,
    /// In words.
    pub message: String,
    /// The stored outcome.
    pub outcome: &'static str,
}

impl Handled {
    fn ok(outcome: &'static str, message: &str) -> Handled {
        Handled { code: wire::OK, message: message.to_owned(), outcome }
    }

    fn refused(code: &'static str, outcome: &'static str, message: &str) -> Handled {
        Handled { code, message: message.to_owned(), outcome }
    }
}

/// The CONFIRM callback (`POST /api/payments/confirm`), whole: parse, verify the signature
/// before anything else, then settle in one transaction that also records the message; answers
/// the HTTP status and the signed acknowledgement. A database failure answers 503 with nothing
/// recorded, so the gateway retries.
pub fn confirm(db: &Db, clock: &Clock, payments: &Payments, body: &[u8]) -> (u16, wire::ConfirmAck) {
    let Some(config) = payments.gateway.as_ref().map(Gateway::config) else {
        return (503, ack_unsigned("Thanh toán trực tuyến chưa được cấu hình."));
    };
    let now = clock.now_naive();
    let raw = String::from_utf8_lossy(body).chars().take(4000).collect::<String>();
    let message: wire::Confirm = match serde_json::from_slice(body) {
        Ok(m) => m,
        Err(e) => {
            let handled = Handled::refused(wire::OTHER, "malformed", &format!("Bản tin không đúng định dạng: {e}"));
            return finish_refusal(db, now, config, None, None, &raw, handled, 400);
        }
    };
    let reference = message.ma_tham_chieu.clone();
    // 1. The signature, before anything is looked up.
    if message.loai_ban_tin != "CONFIRM" || !message.verifies(&config.callback_secret) {
        let handled = Handled::refused(wire::BAD_SIGNATURE, "bad_signature", "Chữ ký (MaXacThuc) không hợp lệ.");
        return finish_refusal(db, now, config, Some(&reference), Some(&message.ma_giao_dich), &raw, handled, 200);
    }
    // 2. Our partner code.
    if message.ma_doi_tac != config.partner {
        let handled = Handled::refused(wire::WRONG_PARTNER, "wrong_partner", "Mã đối tác (MaDoiTac) không đúng.");
        return finish_refusal(db, now, config, Some(&reference), Some(&message.ma_giao_dich), &raw, handled, 200);
    }
    let verdict = if message.ma_loi == wire::OK { Verdict::Paid } else { Verdict::Failed };
    let settled = db.write_now(|conn| {
        let handled = apply(
            conn,
            clock,
            payments,
            &Gateways {
                reference: &message.ma_tham_chieu,
                amount: message.so_tien,
                currency: &message.ma_tien_te,
                gateway_id: &message.ma_giao_dich,
                bank: &message.ma_ngan_hang,
                time: &message.thoi_gian_gd,
                verdict,
            },
        )?;
        store_message(conn, now, "confirm", Some(&reference), Some(&message.ma_giao_dich), &raw, &handled)?;
        Ok::<_, AppError>(handled)
    });
    match settled {
        Ok(handled) => {
            log_handled(&reference, &handled);
            (200, ack(config, &reference, clock, &handled))
        }
        Err(e) => {
            tracing::error!(payment.reference = %reference, error = %e, "payment callback not recorded");
            (503, ack_unsigned("Hệ thống tạm thời không ghi nhận được, vui lòng gửi lại."))
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn finish_refusal(
    db: &Db,
    now: NaiveDateTime,
    config: &GatewayConfig,
    reference: Option<&str>,
    gateway_id: Option<&str>,
    raw: &str,
    handled: Handled,
    status: u16,
) -> (u16, wire::ConfirmAck) {
    let stored = db.write_now(|conn| store_message(conn, now, "confirm", reference, gateway_id, raw, &handled));
    if let Err(e) = stored {
        tracing::error!(error = %e, "refused payment callback not recorded");
    }
    log_handled(reference.unwrap_or(""), &handled);
    let mut a = wire::ConfirmAck {
        ma_loi: handled.code.to_owned(),
        mo_ta_loi: handled.message,
        ma_doi_tac: config.partner.clone(),
        ma_tham_chieu: reference.unwrap_or_default().replace('|', ""),
        thoi_gian_gd: wire::timestamp(now.and_utc()),
        ma_xac_thuc: String::new(),
    };
    a = a.sign(&config.secret);
    (status, a)
}

fn ack(config: &GatewayConfig, reference: &str, clock: &Clock, handled: &Handled) -> wire::ConfirmAck {
    wire::ConfirmAck {
        ma_loi: handled.code.to_owned(),
        mo_ta_loi: handled.message.clone(),
        ma_doi_tac: config.partner.clone(),
        ma_tham_chieu: reference.to_owned(),
        thoi_gian_gd: wire::timestamp(clock.now()),
        ma_xac_thuc: String::new(),
    }
    .sign(&config.secret)
}

fn ack_unsigned(message: &str) -> wire::ConfirmAck {
    wire::ConfirmAck {
        ma_loi: wire::OTHER.into(),
        mo_ta_loi: message.into(),
        ma_doi_tac: String::new(),
        ma_tham_chieu: String::new(),
        thoi_gian_gd: String::new(),
        ma_xac_thuc: String::new(),
    }
}

fn log_handled(reference: &str, h: &Handled) {
    if h.code == wire::OK && !matches!(h.outcome, "conflict" | "late_payment" | "double_payment") {
        tracing::info!(payment.reference = %reference, outcome = h.outcome, "payment message handled");
    } else {
        tracing::warn!(payment.reference = %reference, outcome = h.outcome, code = h.code, "payment alert");
    }
}

fn store_message(
    conn: &mut DbConn,
    now: NaiveDateTime,
    source: &str,
    reference: Option<&str>,
    gateway_id: Option<&str>,
    raw: &str,
    h: &Handled,
) -> Result<(), AppError> {
    let alert = h.code != wire::OK || matches!(h.outcome, "conflict" | "late_payment" | "double_payment");
    PaymentMessage::insert(
        conn,
        &PaymentMessage {
            id: uuid::Uuid::now_v7().to_string(),
            received_at: now,
            source: source.to_owned(),
            reference: reference.map(|r| r.chars().take(64).collect()),
            gateway_txn_id: gateway_id.filter(|g| !g.is_empty()).map(|g| g.chars().take(64).collect()),
            outcome: h.outcome.to_owned(),
            alert,
            detail: h.message.clone(),
            body: raw.to_owned(),
        },
    )?;
    Ok(())
}

/// What the gateway says of one transaction (from a CONFIRM or a QUERY answer, both verified).
struct Gateways<'a> {
    reference: &'a str,
    amount: i64,
    currency: &'a str,
    gateway_id: &'a str,
    bank: &'a str,
    time: &'a str,
    verdict: Verdict,
}

/// Applies a verified gateway statement inside the caller's transaction.
fn apply(conn: &mut DbConn, clock: &Clock, payments: &Payments, g: &Gateways<'_>) -> Result<Handled, AppError> {
    let now = clock.now_naive();
    let Some(t) = PaymentTransaction::find_by_reference(conn, g.reference)? else {
        return Ok(Handled::refused(wire::UNKNOWN_REFERENCE, "unknown", "Không tìm thấy giao dịch (MaThamChieu)."));
    };
    if g.amount != t.amount_vnd || g.currency != t.currency {
        let note = format!("Cảnh báo: bản tin báo {} {}, khác số tiền đã khởi tạo", g.amount, g.currency);
        PaymentTransaction::set_note(conn, &t.id, &note, now)?;
        return Ok(Handled::refused(
            wire::WRONG_AMOUNT,
            "wrong_amount",
            "Số tiền hoặc loại tiền không khớp giao dịch.",
        ));
    }
    if g.verdict != Verdict::Pending {
        let Some(at) = wire::parse_timestamp(g.time) else {
            return Ok(Handled::refused(wire::BAD_TIME, "bad_time", "Thời gian giao dịch không đúng định dạng."));
        };
        let at = at.naive_utc();
        if at < t.initiated_at - CLOCK_SKEW || at > t.initiated_at + payments.expiry + CLOCK_SKEW {
            return Ok(Handled::refused(wire::BAD_TIME, "bad_time", "Thời gian giao dịch nằm ngoài khung cho phép."));
        }
    }
    if g.verdict == Verdict::Paid && g.gateway_id.trim().is_empty() {
        return Ok(Handled::refused(wire::OTHER, "malformed", "Thiếu mã giao dịch của cổng thanh toán (MaGiaoDich)."));
    }
    if g.verdict == Verdict::Paid
        && let Some(other) = PaymentTransaction::find_by_gateway_id(conn, g.gateway_id)?
        && other.id != t.id
    {
        return Ok(Handled::refused(
            wire::CONFLICT,
            "conflict",
            "Mã giao dịch (MaGiaoDich) đã dùng cho giao dịch khác.",
        ));
    }
    match settle(t.state(), g.verdict) {
        Settlement::Nothing => Ok(Handled::ok("pending", "Giao dịch đang chờ xác nhận.")),
        Settlement::Repeat => {
            if g.verdict == Verdict::Paid && t.gateway_txn_id.as_deref() != Some(g.gateway_id) {
                return Ok(Handled::refused(wire::CONFLICT, "conflict", "Giao dịch đã được ghi nhận với mã khác."));
            }
            Ok(Handled::ok("repeat", "Giao dịch đã được ghi nhận trước đó."))
        }
        Settlement::Conflict => {
            let note = "Cảnh báo: cổng thanh toán báo không thành công sau khi đã báo thành công; giữ nguyên.";
            PaymentTransaction::set_note(conn, &t.id, note, now)?;
            Ok(Handled::ok("conflict", "Giao dịch đã thành công; bản tin báo lỗi đến sau được bỏ qua."))
        }
        Settlement::MoveTo(TxStatus::Failed) | Settlement::MoveTo(TxStatus::Expired) => {
            let note = "Cổng thanh toán báo giao dịch không thành công (người nộp hủy hoặc ngân hàng từ chối)";
            if PaymentTransaction::settle_pending(
                conn,
                &t.id,
                TxStatus::Failed,
                None,
                None,
                Some(g.time),
                Some(note),
                now,
            )? == 0
            {
                return apply(conn, clock, payments, g);
            }
            Ok(Handled::ok("failed", "Đã ghi nhận giao dịch không thành công."))
        }
        Settlement::MoveTo(_) | Settlement::LatePayment => {
            let late = t.state() != TxStatus::Pending;
            let changed = if late {
                mark_paid_late(conn, &t, g, now)?
            } else {
                PaymentTransaction::settle_pending(
                    conn,
                    &t.id,
                    TxStatus::Paid,
                    Some(g.gateway_id),
                    Some(g.bank),
                    Some(g.time),
                    None,
                    now,
                )?
            };
            if changed == 0 {
                // Another message settled it in the meantime: decide again on what it wrote.
                return apply(conn, clock, payments, g);
            }
            paid(conn, clock, payments, &t, late)
        }
    }
}

fn mark_paid_late(
    conn: &mut DbConn,
    t: &PaymentTransaction,
    g: &Gateways<'_>,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let note = format!(
        "Cảnh báo: cổng thanh toán xác nhận thành công sau khi giao dịch đã ở trạng thái «{}»",
        t.state().label()
    );
    Ok(PaymentTransaction::mark_paid_late(conn, &t.id, &t.status, g.gateway_id, g.bank, g.time, &note, now)?)
}

/// The attempt is paid: settle its request and move the dossier on, and fetch the receipt later.
fn paid(
    conn: &mut DbConn,
    clock: &Clock,
    payments: &Payments,
    t: &PaymentTransaction,
    late: bool,
) -> Result<Handled, AppError> {
    let now = clock.now_naive();
    enqueue(conn, clock, &Job::PaymentReceipt { transaction_id: t.id.clone() }, None)?;
    if PaymentRequest::mark_paid(conn, &t.request_id, "truc-tuyen", now)? == 0 {
        // Paid twice (two attempts, or at the desk meanwhile), or after the dossier ended: the
        // money is kept on record and the finance officer refunds it.
        let note =
            "Cảnh báo: khoản phí này không còn chờ nộp (đã nộp bằng cách khác hoặc hồ sơ đã dừng); cần hoàn trả.";
        PaymentTransaction::set_note(conn, &t.id, note, now)?;
        return Ok(Handled::ok("double_payment", "Đã ghi nhận; khoản phí không còn chờ nộp, sẽ được hoàn trả."));
    }
    let d = Dossier::find(conn, &t.dossier_id)?.ok_or(AppError::NotFound("hồ sơ"))?;
    if d.status == Status::AwaitingPayment.code() {
        let note = format!("Đã thanh toán trực tuyến {} (mã tham chiếu {})", Vnd(t.amount_vnd), t.reference);
        resume_after_payment(conn, clock, &payments.base_url, &d, &Actor::system(), &note)?;
    }
    Ok(Handled::ok(if late { "late_payment" } else { "paid" }, "Đã ghi nhận thanh toán thành công."))
}

/// Asks the gateway about one attempt (QUERY) and applies the answer; an attempt the gateway
/// still has pending (or does not know) past the expiry becomes `het-han`. Blocking. Returns
/// the attempt's state afterwards.
pub fn check(db: &Db, clock: &Clock, payments: &Payments, reference: &str) -> Result<TxStatus, AppError> {
    let gateway = payments
        .gateway
        .as_ref()
        .ok_or_else(|| AppError::bad_request("no_gateway", "Chưa cấu hình cổng thanh toán."))?;
    // No connection is held during the call to the gateway.
    let t = {
        let mut conn = db.get()?;
        PaymentTransaction::find_by_reference(&mut conn, reference)?.ok_or(AppError::NotFound("giao dịch"))?
    };
    let answer = gateway.query(&t.reference, &t.init_time);
    let now = clock.now_naive();
    db.write_now(|conn| {
        PaymentTransaction::mark_checked(conn, &t.id, now)?;
        let expired = now - t.initiated_at > payments.expiry;
        match &answer {
            Ok(a) => {
                let verdict = match a.trang_thai_gd.as_str() {
                    wire::STATE_PAID => Verdict::Paid,
                    wire::STATE_FAILED => Verdict::Failed,
                    _ => Verdict::Pending,
                };
                let raw = serde_json::to_string(a).unwrap_or_default();
                let handled = apply(
                    conn,
                    clock,
                    payments,
                    &Gateways {
                        reference: &a.ma_tham_chieu,
                        amount: a.so_tien,
                        currency: &a.ma_tien_te,
                        gateway_id: &a.ma_giao_dich,
                        bank: &a.ma_ngan_hang,
                        time: &a.thoi_gian_gd,
                        verdict,
                    },
                )?;
                if handled.outcome != "pending" && handled.outcome != "repeat" {
                    store_message(conn, now, "query", Some(&t.reference), Some(&a.ma_giao_dich), &raw, &handled)?;
                }
                if verdict == Verdict::Pending && expired {
                    expire(conn, &t, now)?;
                }
            }
            Err(GatewayError::Refused { code, .. }) if code == wire::UNKNOWN_REFERENCE && expired => {
                expire(conn, &t, now)?;
            }
            Err(e) => {
                tracing::warn!(payment.reference = %t.reference, error = %e, "payment QUERY failed");
                if let GatewayError::BadAnswer(_) = e {
                    let handled =
                        Handled::refused(wire::BAD_SIGNATURE, "bad_answer", &format!("Trả lời QUERY bị từ chối: {e}"));
                    store_message(conn, now, "query", Some(&t.reference), None, "", &handled)?;
                }
            }
        }
        let after = PaymentTransaction::find_by_reference(conn, &t.reference)?.map_or(TxStatus::Pending, |t| t.state());
        Ok(after)
    })
}

fn expire(conn: &mut DbConn, t: &PaymentTransaction, now: NaiveDateTime) -> Result<(), AppError> {
    let note = "Quá thời hạn thanh toán mà cổng thanh toán chưa xác nhận";
    PaymentTransaction::settle_pending(conn, &t.id, TxStatus::Expired, None, None, None, Some(note), now)?;
    Ok(())
}

/// Fetches and stores the e-receipt of a paid attempt (the `PaymentReceipt` job). Blocking;
/// idempotent.
pub fn fetch_receipt(
    db: &Db,
    clock: &Clock,
    payments: &Payments,
    files: &FileStore,
    transaction_id: &str,
) -> Result<(), String> {
    let gateway = payments.gateway.as_ref().ok_or("no gateway configured")?;
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let t =
        PaymentTransaction::find(&mut conn, transaction_id).map_err(|e| e.to_string())?.ok_or("no such transaction")?;
    if t.receipt_sha256.is_some() || t.state() != TxStatus::Paid {
        return Ok(());
    }
    let pdf = gateway.bill(&t.reference, &t.init_time).map_err(|e| e.to_string())?;
    let sha = files.put(&pdf).map_err(|e| format!("store: {e}"))?;
    PaymentTransaction::set_receipt(&mut conn, &t.id, &sha, clock.now_naive()).map_err(|e| e.to_string())?;
    Ok(())
}

/// A dossier's payment requests with their attempts, for the citizen's and the officer's pages.
pub fn of_dossier(
    conn: &mut DbConn,
    dossier_id: &str,
) -> Result<Vec<(PaymentRequest, Vec<PaymentTransaction>)>, AppError> {
    let mut out = Vec::new();
    for r in PaymentRequest::of_dossier(conn, dossier_id)? {
        let attempts = PaymentTransaction::of_request(conn, &r.id)?;
        out.push((r, attempts));
    }
    Ok(out)
}

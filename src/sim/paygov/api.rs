//! The gateway's API, as the portal calls it: `INIT`, `QUERY`, `GET_BILL` and `DOI_SOAT`, each
//! a signed JSON POST. A refusal is HTTP 200 with its `MaLoi` (except `GET_BILL`, whose answer
//! is otherwise a PDF); a body that is not the message's JSON is HTTP 400.

use super::faults::Faults;
use super::store::{SimTransaction, StoreError, TxState};
use super::{Shared, receipt};
use crate::integrations::paygov::wire::{self, Signed};
use actix_web::http::header;
use actix_web::web::{self, Bytes, Data};
use actix_web::{HttpResponse, Responder};
use serde_json::json;
use std::time::Duration;

/// `MaLoi`: `MaThamChieu` already used by another `INIT`.
pub const DUPLICATE_REFERENCE: &str = "02";
/// `MaLoi` of a `CONFIRM` for a transaction the citizen cancelled.
pub const CANCELLED: &str = "24";

/// The API routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/init", web::post().to(init))
        .route("/api/query", web::post().to(query))
        .route("/api/bill", web::post().to(bill))
        .route("/api/statement", web::post().to(statement));
}

/// Waits `slow_ms`, then answers the faults in force.
pub async fn slow_down(sim: &Shared) -> Faults {
    let faults = sim.faults();
    if faults.slow_ms > 0 {
        actix_web::rt::time::sleep(Duration::from_millis(faults.slow_ms)).await;
    }
    faults
}

/// A JSON error: `MaLoi` and `MoTaLoi` with an HTTP status.
pub fn error(status: actix_web::http::StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({ "MaLoi": code, "MoTaLoi": message }))
}

async fn api_faults(sim: &Shared) -> Option<HttpResponse> {
    let faults = slow_down(sim).await;
    faults.api_error.then(|| {
        use actix_web::http::StatusCode;
        error(StatusCode::INTERNAL_SERVER_ERROR, wire::OTHER, "Lỗi hệ thống cổng thanh toán (mô phỏng)")
    })
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, HttpResponse> {
    serde_json::from_slice(body).map_err(|_| {
        error(actix_web::http::StatusCode::BAD_REQUEST, wire::OTHER, "Bản tin không đúng định dạng JSON của hợp đồng")
    })
}

fn refuse(code: &str, message: &str) -> wire::InitAnswer {
    wire::InitAnswer { ma_loi: code.into(), mo_ta_loi: message.into(), url_thanh_toan: None }
}

fn valid_reference(reference: &str) -> bool {
    !reference.is_empty()
        && reference.len() <= 64
        && reference.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn amount(digits: &str) -> Option<i64> {
    if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<i64>().ok().filter(|a| *a > 0)
}

fn random_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// Opens the transaction an `INIT` asks for, or says why not.
pub fn open(sim: &Shared, r: wire::InitRequest) -> wire::InitAnswer {
    if !r.verifies(&sim.secret) {
        return refuse(wire::BAD_SIGNATURE, "Sai chữ ký bản tin (MaXacThuc)");
    }
    if r.loai_ban_tin != "INIT" {
        return refuse(wire::OTHER, "Loại bản tin phải là INIT");
    }
    if r.ma_doi_tac != sim.partner {
        return refuse(wire::WRONG_PARTNER, "Mã đối tác không đúng");
    }
    if !valid_reference(&r.ma_tham_chieu) {
        return refuse(wire::OTHER, "Mã tham chiếu không hợp lệ");
    }
    let Some(total) = amount(&r.so_tien) else {
        return refuse(wire::OTHER, "Số tiền phải là số nguyên dương");
    };
    if r.ma_tien_te != wire::CURRENCY {
        return refuse(wire::OTHER, "Chỉ nhận thanh toán bằng đồng Việt Nam (VND)");
    }
    if wire::parse_timestamp(&r.thoi_gian_gd).is_none() {
        return refuse(wire::OTHER, "Thời gian giao dịch không đúng định dạng yyyyMMddHHmmss");
    }
    let fees = &r.thong_tin_bien_lai.phi_le_phi;
    if !fees.is_empty() && fees.iter().map(|f| f.so_tien).sum::<i64>() != total {
        return refuse(wire::OTHER, "Tổng các khoản phí, lệ phí khác số tiền thanh toán");
    }
    let page_id = random_id();
    let transaction = SimTransaction {
        reference: r.ma_tham_chieu,
        page_id: page_id.clone(),
        partner: r.ma_doi_tac,
        amount: total,
        currency: r.ma_tien_te,
        info: r.thong_tin_giao_dich,
        init_time: r.thoi_gian_gd,
        receipt: r.thong_tin_bien_lai,
        return_url: r.url_tra_ve.filter(|u| u.starts_with("http://") || u.starts_with("https://")),
        state: TxState::Pending,
        gateway_id: None,
        bank: None,
        settled_at: None,
        held: false,
        callback: None,
        form_token: random_id(),
    };
    let reference = transaction.reference.clone();
    match sim.store.open(transaction) {
        Err(_) => refuse(DUPLICATE_REFERENCE, "Mã tham chiếu đã được sử dụng cho giao dịch khác"),
        Ok(()) => {
            tracing::info!(reference = %reference, amount = total, "paygov-sim: transaction opened");
            wire::InitAnswer {
                ma_loi: wire::OK.into(),
                mo_ta_loi: "Thành công".into(),
                url_thanh_toan: Some(format!("{}/thanh-toan/{page_id}", sim.public_url)),
            }
        }
    }
}

async fn init(sim: Data<Shared>, body: Bytes) -> HttpResponse {
    if let Some(down) = api_faults(&sim).await {
        return down;
    }
    match parse::<wire::InitRequest>(&body) {
        Ok(request) => HttpResponse::Ok().json(open(&sim, request)),
        Err(bad) => bad,
    }
}

/// The signed answer to a `QUERY`.
pub fn answer_query(sim: &Shared, r: &wire::QueryRequest) -> wire::QueryAnswer {
    let refusal = |code: &str, message: &str| wire::QueryAnswer {
        ma_loi: code.into(),
        mo_ta_loi: message.into(),
        ma_doi_tac: r.ma_doi_tac.clone(),
        ma_tham_chieu: r.ma_tham_chieu.clone(),
        so_tien: 0,
        ma_tien_te: wire::CURRENCY.into(),
        ma_giao_dich: String::new(),
        ma_ngan_hang: String::new(),
        thoi_gian_gd: wire::timestamp(sim.clock.now()),
        trang_thai_gd: String::new(),
        ma_xac_thuc: String::new(),
    };
    let answer = if !r.verifies(&sim.secret) {
        refusal(wire::BAD_SIGNATURE, "Sai chữ ký bản tin (MaXacThuc)")
    } else if r.loai_ban_tin != "QUERY" {
        refusal(wire::OTHER, "Loại bản tin phải là QUERY")
    } else if r.ma_doi_tac != sim.partner {
        refusal(wire::WRONG_PARTNER, "Mã đối tác không đúng")
    } else {
        match sim.store.get(&r.ma_tham_chieu).filter(|t| t.partner == r.ma_doi_tac) {
            None => refusal(wire::UNKNOWN_REFERENCE, "Không tìm thấy giao dịch"),
            Some(t) => wire::QueryAnswer {
                ma_loi: wire::OK.into(),
                mo_ta_loi: "Thành công".into(),
                ma_doi_tac: t.partner.clone(),
                ma_tham_chieu: t.reference.clone(),
                so_tien: t.amount,
                ma_tien_te: t.currency.clone(),
                ma_giao_dich: t.gateway_id.clone().unwrap_or_default(),
                ma_ngan_hang: if t.state == TxState::Pending {
                    String::new()
                } else {
                    t.bank.clone().unwrap_or_default()
                },
                thoi_gian_gd: t.outcome_time(),
                trang_thai_gd: t.state.code().into(),
                ma_xac_thuc: String::new(),
            },
        }
    };
    answer.sign(&sim.callback_secret)
}

async fn query(sim: Data<Shared>, body: Bytes) -> HttpResponse {
    if let Some(down) = api_faults(&sim).await {
        return down;
    }
    match parse::<wire::QueryRequest>(&body) {
        Ok(request) => HttpResponse::Ok().json(answer_query(&sim, &request)),
        Err(bad) => bad,
    }
}

/// The paid transaction a `GET_BILL` names, or the error to answer.
fn billed(sim: &Shared, r: &wire::QueryRequest) -> Result<SimTransaction, HttpResponse> {
    use actix_web::http::StatusCode;
    if !r.verifies(&sim.secret) {
        return Err(error(StatusCode::FORBIDDEN, wire::BAD_SIGNATURE, "Sai chữ ký bản tin (MaXacThuc)"));
    }
    if r.loai_ban_tin != "GET_BILL" {
        return Err(error(StatusCode::BAD_REQUEST, wire::OTHER, "Loại bản tin phải là GET_BILL"));
    }
    if r.ma_doi_tac != sim.partner {
        return Err(error(StatusCode::FORBIDDEN, wire::WRONG_PARTNER, "Mã đối tác không đúng"));
    }
    let found = sim.store.get(&r.ma_tham_chieu).filter(|t| t.partner == r.ma_doi_tac);
    found.filter(|t| t.state == TxState::Paid).ok_or_else(|| {
        error(
            StatusCode::NOT_FOUND,
            wire::UNKNOWN_REFERENCE,
            "Không có biên lai: giao dịch chưa thanh toán hoặc không tồn tại",
        )
    })
}

async fn bill(sim: Data<Shared>, body: Bytes) -> HttpResponse {
    if let Some(down) = api_faults(&sim).await {
        return down;
    }
    let transaction = match parse::<wire::QueryRequest>(&body).and_then(|r| billed(&sim, &r)) {
        Ok(t) => t,
        Err(refusal) => return refusal,
    };
    let reference = transaction.reference.clone();
    match web::block(move || receipt::render(&transaction)).await {
        Ok(Ok(pdf)) => HttpResponse::Ok()
            .content_type("application/pdf")
            .insert_header((header::CONTENT_DISPOSITION, format!("inline; filename=\"{reference}.pdf\"")))
            .body(pdf),
        Ok(Err(e)) => {
            tracing::error!(reference = %reference, error = %format!("{e:#}"), "paygov-sim: receipt failed");
            error(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR, wire::OTHER, "Không lập được biên lai")
        }
        Err(_) => error(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR, wire::OTHER, "Không lập được biên lai"),
    }
}

fn valid_day(day: &str) -> bool {
    day.len() == 8 && chrono::NaiveDate::parse_from_str(day, "%Y%m%d").is_ok()
}

/// The signed answer to a `DOI_SOAT`: every transaction of the partner whose `INIT` was on that
/// day (Vietnam time), whatever its state.
pub fn answer_statement(sim: &Shared, r: &wire::StatementRequest) -> wire::StatementAnswer {
    let code = if !r.verifies(&sim.secret) {
        wire::BAD_SIGNATURE
    } else if r.loai_ban_tin != "DOI_SOAT" || !valid_day(&r.ngay) {
        wire::OTHER
    } else if r.ma_doi_tac != sim.partner {
        wire::WRONG_PARTNER
    } else {
        wire::OK
    };
    let entries = if code == wire::OK {
        let on_day = |t: &SimTransaction| t.partner == r.ma_doi_tac && t.init_time.starts_with(&r.ngay);
        let entry = |t: SimTransaction| wire::StatementEntry {
            ma_giao_dich: t.gateway_id.clone().unwrap_or_default(),
            so_tien: t.amount,
            thoi_gian_gd: t.outcome_time(),
            trang_thai_gd: t.state.code().into(),
            tk_thu_huong: t.receipt.tk_thu_huong,
            ma_tham_chieu: t.reference,
        };
        sim.store.list().into_iter().filter(on_day).map(entry).collect()
    } else {
        Vec::new()
    };
    wire::StatementAnswer {
        ma_loi: code.into(),
        ma_doi_tac: r.ma_doi_tac.clone(),
        ngay: r.ngay.clone(),
        giao_dich: entries,
        ma_xac_thuc: String::new(),
    }
    .sign(&sim.callback_secret)
}

async fn statement(sim: Data<Shared>, body: Bytes) -> impl Responder {
    if let Some(down) = api_faults(&sim).await {
        return down;
    }
    match parse::<wire::StatementRequest>(&body) {
        Ok(request) => HttpResponse::Ok().json(answer_statement(&sim, &request)),
        Err(bad) => bad,
    }
}

/// Why [`Shared::pay`] or a settlement was refused, in words for a JSON error.
pub fn store_error_message(e: &StoreError) -> &'static str {
    match e {
        StoreError::Duplicate => "Mã tham chiếu đã được sử dụng",
        StoreError::Unknown => "Không tìm thấy giao dịch",
        StoreError::Settled => "Giao dịch đã có kết quả",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_positive_whole_numbers() {
        assert_eq!(amount("133000"), Some(133_000));
        for bad in ["", "0", "-5", "13.000", "1e5", " 5", "9999999999999999"] {
            assert_eq!(amount(bad), None, "{bad}");
        }
    }

    #[test]
    fn references_are_short_and_plain() {
        assert!(valid_reference("TT20261125A1B2C3D4"));
        for bad in ["", "a b", "x|y", "é", &"A".repeat(65)] {
            assert!(!valid_reference(bad), "{bad}");
        }
    }

    #[test]
    fn days_are_calendar_dates() {
        assert!(valid_day("20261125"));
        assert!(!valid_day("20261325") && !valid_day("2026-11-25") && !valid_day(""));
    }
}

//! The citizen's payment page: what is paid to whom, a choice of bank, "Thanh toán" or "Hủy";
//! then back to the portal's return URL (or the outcome, shown on the same address). No
//! JavaScript; the form carries a per-transaction token against cross-site posts.

use super::api::slow_down;
use super::banks::{self, BANKS};
use super::store::{SimTransaction, TxState};
use super::{Shared, receipt};
use crate::domain::money::Vnd;
use actix_web::http::{StatusCode, header};
use actix_web::web::{self, Bytes, Data, Path};
use actix_web::{HttpResponse, Responder};
use askama::Template;
use serde::Deserialize;
use subtle::ConstantTimeEq;

/// The page routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/thanh-toan/{id}", web::get().to(show)).route("/thanh-toan/{id}", web::post().to(submit));
}

/// One fee line as shown.
pub struct FeeRow {
    /// "Phí" or "Lệ phí".
    pub kind: &'static str,
    /// Its name.
    pub name: String,
    /// `133.000 đ`.
    pub amount: String,
}

/// One bank radio button.
pub struct BankOption {
    /// Its code (the value).
    pub code: &'static str,
    /// Its name (the label).
    pub name: &'static str,
    /// Chosen.
    pub checked: bool,
}

/// `GET /thanh-toan/{id}` of a pending transaction: the form.
#[derive(Template)]
#[template(path = "sim/pay.html")]
pub struct PayPage<'a> {
    /// The transaction.
    pub t: &'a SimTransaction,
    /// The fee lines.
    pub fees: Vec<FeeRow>,
    /// The total.
    pub total: String,
    /// The banks.
    pub banks: Vec<BankOption>,
    /// The error of the bank choice, if the form came back.
    pub error: Option<&'static str>,
}

/// The outcome of a transaction that is no longer open for payment.
#[derive(Template)]
#[template(path = "sim/outcome.html")]
pub struct OutcomePage<'a> {
    /// The transaction.
    pub t: &'a SimTransaction,
    /// Heading.
    pub heading: &'static str,
    /// Explanation.
    pub message: &'static str,
    /// `ok`, `failed` or `pending` (a CSS class; the heading says it in words).
    pub tone: &'static str,
    /// The total.
    pub total: String,
    /// The bank's name.
    pub bank: Option<String>,
    /// When settled, Vietnam time.
    pub settled: Option<String>,
    /// Back to the portal.
    pub back: Option<String>,
}

/// No such transaction.
#[derive(Template)]
#[template(path = "sim/not_found.html")]
pub struct NotFoundPage;

fn html(status: StatusCode, page: Result<String, askama::Error>) -> HttpResponse {
    match page {
        Ok(body) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header(("X-Frame-Options", "DENY"))
            .body(body),
        Err(e) => {
            tracing::error!(error = %e, "paygov-sim: page did not render");
            HttpResponse::InternalServerError().content_type("text/plain; charset=utf-8").body("Lỗi hệ thống")
        }
    }
}

/// Where the browser goes back to: `UrlTraVe` with `ma=<MaThamChieu>`.
pub fn return_address(t: &SimTransaction) -> Option<String> {
    let url = t.return_url.as_deref()?;
    let separator = if url.contains('?') { '&' } else { '?' };
    let query = serde_urlencoded::to_string([("ma", t.reference.as_str())]).unwrap_or_default();
    Some(format!("{url}{separator}{query}"))
}

fn pay_page(t: &SimTransaction, chosen: Option<&str>, error: Option<&'static str>) -> HttpResponse {
    let fees = t
        .receipt
        .phi_le_phi
        .iter()
        .map(|f| FeeRow {
            kind: if f.loai_phi_le_phi == "2" { "Lệ phí" } else { "Phí" },
            name: f.ten_phi_le_phi.clone(),
            amount: Vnd(f.so_tien).to_string(),
        })
        .collect();
    let banks = BANKS.iter().map(|(code, name)| BankOption { code, name, checked: chosen == Some(*code) }).collect();
    let page = PayPage { t, fees, total: Vnd(t.amount).to_string(), banks, error };
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    html(status, page.render())
}

fn outcome_page(t: &SimTransaction) -> HttpResponse {
    let (heading, message, tone) = match (t.state, t.held) {
        (TxState::Paid, _) => (
            "Thanh toán thành công",
            "Kết quả được gửi về Cổng Dịch vụ công; hãy quay lại Cổng để theo dõi hồ sơ.",
            "ok",
        ),
        (TxState::Failed, _) => (
            "Giao dịch đã bị hủy",
            "Không có khoản tiền nào được trừ. Bạn có thể thanh toán lại từ Cổng Dịch vụ công.",
            "failed",
        ),
        (TxState::Pending, _) => (
            "Giao dịch đang chờ ngân hàng xác nhận",
            "Kết quả sẽ được gửi về Cổng Dịch vụ công ngay khi ngân hàng xác nhận. Bạn không cần thanh toán lại.",
            "pending",
        ),
    };
    let page = OutcomePage {
        t,
        heading,
        message,
        tone,
        total: Vnd(t.amount).to_string(),
        bank: t.bank.as_deref().map(|b| format!("{} ({b})", banks::name(b).unwrap_or(b))),
        settled: t.settled_at.map(receipt::local_time),
        back: return_address(t),
    };
    html(StatusCode::OK, page.render())
}

fn not_found() -> HttpResponse {
    html(StatusCode::NOT_FOUND, NotFoundPage.render())
}

async fn show(sim: Data<Shared>, id: Path<String>) -> HttpResponse {
    slow_down(&sim).await;
    match sim.store.by_page(&id) {
        None => not_found(),
        Some(t) if t.state == TxState::Pending && !t.held => pay_page(&t, None, None),
        Some(t) => outcome_page(&t),
    }
}

/// The payment form.
#[derive(Deserialize)]
struct PayForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    bank: Option<String>,
}

async fn submit(sim: Data<Shared>, id: Path<String>, body: Bytes) -> impl Responder {
    slow_down(&sim).await;
    let Some(t) = sim.store.by_page(&id) else { return not_found() };
    let Ok(form) = serde_urlencoded::from_bytes::<PayForm>(&body) else {
        return HttpResponse::BadRequest().content_type("text/plain; charset=utf-8").body("Biểu mẫu không hợp lệ");
    };
    if !bool::from(form.token.as_bytes().ct_eq(t.form_token.as_bytes())) {
        return HttpResponse::Forbidden()
            .content_type("text/plain; charset=utf-8")
            .body("Phiên thanh toán không hợp lệ: hãy mở lại trang thanh toán.");
    }
    if t.state != TxState::Pending || t.held {
        return outcome_page(&t);
    }
    let bank = form.bank.as_deref().filter(|b| banks::name(b).is_some());
    let settled = match (form.action.as_str(), bank) {
        ("cancel", bank) => sim.cancel(&t.reference, bank),
        ("pay", Some(bank)) => sim.pay(&t.reference, bank),
        ("pay", None) => return pay_page(&t, None, Some("Hãy chọn ngân hàng để thanh toán")),
        _ => return HttpResponse::BadRequest().content_type("text/plain; charset=utf-8").body("Thao tác không hợp lệ"),
    };
    match settled {
        Ok(t) => {
            let to = return_address(&t).unwrap_or_else(|| format!("/thanh-toan/{}", t.page_id));
            HttpResponse::SeeOther().insert_header((header::LOCATION, to)).finish()
        }
        Err(_) => match sim.store.get(&t.reference) {
            Some(now) => outcome_page(&now),
            None => not_found(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_return_address_names_the_reference() {
        let mut t = crate::sim::paygov::receipt_fixture();
        assert_eq!(return_address(&t), None);
        t.return_url = Some("http://portal/thanh-toan/ket-qua".into());
        assert_eq!(return_address(&t).as_deref(), Some("http://portal/thanh-toan/ket-qua?ma=TT20261125A1B2C3D4"));
        t.return_url = Some("http://portal/kq?x=1".into());
        assert_eq!(return_address(&t).as_deref(), Some("http://portal/kq?x=1&ma=TT20261125A1B2C3D4"));
    }

    #[test]
    fn the_form_shows_amounts_banks_and_the_simulator_warning() {
        let mut t = crate::sim::paygov::receipt_fixture();
        t.state = TxState::Pending;
        let banks = BANKS.iter().map(|(code, name)| BankOption { code, name, checked: false }).collect();
        let fees =
            vec![FeeRow { kind: "Lệ phí", name: "Lệ phí cấp bản sao".into(), amount: "133.000 đ".into() }];
        let page = PayPage { t: &t, fees, total: Vnd(133_000).to_string(), banks, error: None };
        let body = page.render().unwrap_or_default();
        for expected in
            ["lang=\"vi\"", "133.000 đ", "<legend", "Vietcombank", "Thanh toán", "Hủy", "không dùng tiền thật"]
        {
            assert!(body.contains(expected), "{expected} missing");
        }
        assert!(!body.contains("<script"), "no JavaScript");
    }
}

//! The "Phí, lệ phí" panel of a dossier, shared by the citizen's and the staff's dossier pages
//! (`templates/_partials/payments.html`): each payment request with its lines and its attempts.

use crate::db::DbConn;
use crate::domain::money::Vnd;
use crate::domain::payment::{FeeLine, RequestStatus, TxStatus};
use crate::error::AppError;
use crate::web::render::local_time;

/// One attempt at the gateway.
pub struct AttemptView {
    /// `MaThamChieu`.
    pub reference: String,
    /// State code (`khoi-tao`, …), for the CSS class.
    pub status: &'static str,
    /// State in words.
    pub status_label: &'static str,
    /// When started.
    pub initiated: String,
    /// Bank, once paid.
    pub bank: Option<String>,
    /// The gateway's transaction id, once paid.
    pub gateway_id: Option<String>,
    /// The attempt's id, when its e-receipt is stored.
    pub receipt_id: Option<String>,
    /// Why it failed, or an alert (shown to staff only).
    pub note: Option<String>,
}

/// One payment request.
pub struct RequestView {
    /// State code, for the CSS class.
    pub status: &'static str,
    /// State in words.
    pub status_label: &'static str,
    /// `(what, unit amount, quantity, amount)`.
    pub lines: Vec<(String, String, i64, String)>,
    /// The total.
    pub amount: String,
    /// "Tên – số tài khoản – ngân hàng".
    pub beneficiary: String,
    /// When asked.
    pub created: String,
    /// When paid, and how.
    pub paid: Option<String>,
    /// Its attempts, oldest first.
    pub attempts: Vec<AttemptView>,
    /// Still waiting for payment.
    pub open: bool,
}

/// The panel.
pub struct PaymentPanel {
    /// Requests, oldest first.
    pub requests: Vec<RequestView>,
    /// A payment is being confirmed (an attempt is pending).
    pub confirming: bool,
}

impl PaymentPanel {
    /// The panel of a dossier.
    pub fn load(conn: &mut DbConn, dossier_id: &str) -> Result<PaymentPanel, AppError> {
        let mut confirming = false;
        let requests = crate::services::payments::of_dossier(conn, dossier_id)?
            .into_iter()
            .map(|(r, attempts)| {
                let status = RequestStatus::parse(&r.status).unwrap_or(RequestStatus::Open);
                let lines: Vec<FeeLine> = serde_json::from_str(&r.lines).unwrap_or_default();
                let open = status == RequestStatus::Open;
                let attempts: Vec<AttemptView> = attempts
                    .into_iter()
                    .map(|t| {
                        let state = t.state();
                        confirming |= open && state == TxStatus::Pending;
                        AttemptView {
                            status: state.code(),
                            status_label: state.label(),
                            initiated: local_time(&t.initiated_at),
                            bank: t.bank_code,
                            gateway_id: t.gateway_txn_id,
                            receipt_id: t.receipt_sha256.is_some().then(|| t.id.clone()),
                            note: t.note,
                            reference: t.reference,
                        }
                    })
                    .collect();
                RequestView {
                    status: status.code(),
                    status_label: status.label(),
                    lines: lines
                        .into_iter()
                        .map(|l| (l.description, l.unit_amount.to_string(), l.quantity, l.amount.to_string()))
                        .collect(),
                    amount: Vnd(r.amount_vnd).to_string(),
                    beneficiary: format!("{} – {} – {}", r.beneficiary_name, r.beneficiary_account, r.beneficiary_bank),
                    created: local_time(&r.created_at),
                    paid: r.paid_at.as_ref().map(|at| {
                        let how = if r.paid_channel.as_deref() == Some("truc-tiep") {
                            "nộp trực tiếp tại Bộ phận Một cửa"
                        } else {
                            "thanh toán trực tuyến"
                        };
                        format!("{} ({how})", local_time(at))
                    }),
                    attempts,
                    open,
                }
            })
            .collect();
        Ok(PaymentPanel { requests, confirming })
    }

    /// Whether there is anything to show.
    pub fn is_empty(&self) -> bool {
        self.requests.is_empty()
    }

    /// Whether a request waits for payment.
    pub fn has_open(&self) -> bool {
        self.requests.iter().any(|r| r.open)
    }
}

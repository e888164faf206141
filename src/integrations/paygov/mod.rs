//! The client of the Paygov-style payment gateway (the national payment platform's contract,
//! [`wire`]): `INIT`, `QUERY`, `GET_BILL` and `DOI_SOAT`, over HTTP with a bounded timeout.
//! Blocking: call it from a worker thread or `web::block`, never inside a database transaction.
//!
//! Every answer we act on is verified: a `QUERY` answer must be signed with the gateway's key
//! and name the reference we asked about, a receipt must be a PDF.

pub mod wire;

use std::time::Duration;
use wire::Signed;

/// Where the gateway is and the keys we share with it.
#[derive(Clone, Debug)]
pub struct GatewayConfig {
    /// Base URL; the endpoints are `/api/init`, `/api/query`, `/api/bill`, `/api/statement`.
    pub url: String,
    /// `MaDoiTac`.
    pub partner: String,
    /// The key of the messages we send (and of our acknowledgements).
    pub secret: String,
    /// The key of the messages the gateway sends (CONFIRM, QUERY answers, statements); the
    /// same as `secret` unless the gateway issued one per direction.
    pub callback_secret: String,
    /// `Authorization: Bearer …`, if the gateway asks for one.
    pub token: Option<String>,
    /// How long one call may take.
    pub timeout: Duration,
}

/// Why a call to the gateway did not give a usable answer.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// Not reachable, timed out, or answered with an HTTP error: try again later.
    #[error("gateway unavailable: {0}")]
    Unavailable(String),
    /// Answered something we cannot accept (bad signature, wrong reference, not JSON, not a
    /// PDF): an alert, not a retry.
    #[error("gateway answer refused: {0}")]
    BadAnswer(String),
    /// Answered with an error code.
    #[error("gateway error {code}: {message}")]
    Refused {
        /// `MaLoi`.
        code: String,
        /// `MoTaLoi`.
        message: String,
    },
}

/// A gateway client. It holds only its settings: the HTTP client is made for each call, on the
/// calling (blocking) thread — calls are rare (a click on "Thanh toán", a reconciliation round),
/// and a blocking client must never be created or dropped on an async runtime's thread.
#[derive(Clone, Debug)]
pub struct Gateway {
    config: GatewayConfig,
}

impl Gateway {
    /// A client for `config`.
    pub fn new(config: GatewayConfig) -> Gateway {
        Gateway { config }
    }

    /// The configuration.
    pub fn config(&self) -> &GatewayConfig {
        &self.config
    }

    fn post(&self, path: &str, body: &impl serde::Serialize) -> Result<reqwest::blocking::Response, GatewayError> {
        let url = format!("{}{path}", self.config.url.trim_end_matches('/'));
        let http = reqwest::blocking::Client::builder()
            .timeout(self.config.timeout)
            .connect_timeout(self.config.timeout.min(Duration::from_secs(5)))
            .build()
            .map_err(|e| GatewayError::Unavailable(format!("client: {e}")))?;
        let mut req = http.post(&url).json(body);
        if let Some(token) = &self.config.token {
            req = req.bearer_auth(token);
        }
        let res = req.send().map_err(|e| GatewayError::Unavailable(without_url(&e)))?;
        if !res.status().is_success() {
            return Err(GatewayError::Unavailable(format!("HTTP {}", res.status().as_u16())));
        }
        Ok(res)
    }

    /// Opens a transaction; the message is signed here. Answers the payment page's URL.
    pub fn init(&self, request: wire::InitRequest) -> Result<String, GatewayError> {
        let request = request.sign(&self.config.secret);
        let answer: wire::InitAnswer =
            self.post("/api/init", &request)?.json().map_err(|e| GatewayError::BadAnswer(format!("INIT: {e}")))?;
        if answer.ma_loi != wire::OK {
            return Err(GatewayError::Refused { code: answer.ma_loi, message: answer.mo_ta_loi });
        }
        let url = answer.url_thanh_toan.filter(|u| u.starts_with("http://") || u.starts_with("https://"));
        url.ok_or_else(|| GatewayError::BadAnswer("INIT: no payment URL".into()))
    }

    fn query_message(&self, kind: &str, reference: &str, init_time: &str) -> wire::QueryRequest {
        wire::QueryRequest {
            loai_ban_tin: kind.into(),
            phien_ban: wire::VERSION.into(),
            ma_doi_tac: self.config.partner.clone(),
            ma_tham_chieu: reference.into(),
            thoi_gian_gd: init_time.into(),
            ma_xac_thuc: String::new(),
        }
        .sign(&self.config.secret)
    }

    /// What the gateway knows of a transaction (`init_time` is the `ThoiGianGD` of its INIT).
    /// The answer is verified before it is returned.
    pub fn query(&self, reference: &str, init_time: &str) -> Result<wire::QueryAnswer, GatewayError> {
        let answer: wire::QueryAnswer = self
            .post("/api/query", &self.query_message("QUERY", reference, init_time))?
            .json()
            .map_err(|e| GatewayError::BadAnswer(format!("QUERY: {e}")))?;
        if !answer.verifies(&self.config.callback_secret) {
            return Err(GatewayError::BadAnswer("QUERY: signature does not verify".into()));
        }
        if answer.ma_loi != wire::OK {
            return Err(GatewayError::Refused { code: answer.ma_loi, message: answer.mo_ta_loi });
        }
        if answer.ma_tham_chieu != reference || answer.ma_doi_tac != self.config.partner {
            return Err(GatewayError::BadAnswer("QUERY: answer names another transaction".into()));
        }
        Ok(answer)
    }

    /// The e-receipt (a PDF) of a paid transaction.
    pub fn bill(&self, reference: &str, init_time: &str) -> Result<Vec<u8>, GatewayError> {
        let bytes = self
            .post("/api/bill", &self.query_message("GET_BILL", reference, init_time))?
            .bytes()
            .map_err(|e| GatewayError::Unavailable(without_url(&e)))?;
        if !bytes.starts_with(b"%PDF-") {
            return Err(GatewayError::BadAnswer("GET_BILL: not a PDF".into()));
        }
        Ok(bytes.to_vec())
    }

    /// The gateway's transactions of one day (`yyyyMMdd`), verified.
    pub fn statement(&self, day: &str, now: &str) -> Result<wire::StatementAnswer, GatewayError> {
        let request = wire::StatementRequest {
            loai_ban_tin: "DOI_SOAT".into(),
            phien_ban: wire::VERSION.into(),
            ma_doi_tac: self.config.partner.clone(),
            ngay: day.into(),
            thoi_gian_gd: now.into(),
            ma_xac_thuc: String::new(),
        }
        .sign(&self.config.secret);
        let answer: wire::StatementAnswer = self
            .post("/api/statement", &request)?
            .json()
            .map_err(|e| GatewayError::BadAnswer(format!("DOI_SOAT: {e}")))?;
        if !answer.verifies(&self.config.callback_secret) {
            return Err(GatewayError::BadAnswer("DOI_SOAT: signature does not verify".into()));
        }
        if answer.ma_loi != wire::OK {
            return Err(GatewayError::Refused { code: answer.ma_loi, message: String::new() });
        }
        if answer.ngay != day || answer.ma_doi_tac != self.config.partner {
            return Err(GatewayError::BadAnswer("DOI_SOAT: answer for another day or partner".into()));
        }
        Ok(answer)
    }
}

/// A transport error without the URL (it may carry a token in a query string elsewhere; keep
/// logs free of it).
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connection refused"
    } else if e.is_decode() {
        "bad body"
    } else {
        "transport error"
    };
    kind.to_owned()
}

//! The one error type of the web layer, and its policy.
//!
//! Policy:
//! - Every error a user can cause has its own variant with a stable `code` (for logs, tests and
//!   API clients), a Vietnamese message that says what to do, and an HTTP status.
//! - Anything unexpected is `Internal(anyhow::Error)`: logged once, here, with its context chain
//!   (never a request body or citizen data), and shown as a plain 500 page with the request id.
//! - Handlers never build error pages themselves: the response carries an [`ErrorInfo`] and the
//!   error middleware (`web::middleware::render_errors`) renders it as an HTML page in the layout,
//!   or as JSON under `/api/`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

/// What the error renderer needs: a stable code and a Vietnamese message.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ErrorInfo {
    /// Stable machine-readable code, e.g. `not_found`.
    pub code: &'static str,
    /// Vietnamese explanation for the user.
    pub message: String,
}

impl ErrorInfo {
    /// The default information for a status produced outside our handlers (routing, extractors).
    pub fn for_status(status: StatusCode) -> Self {
        let (code, message) = match status.as_u16() {
            400 => ("bad_request", "Yêu cầu không hợp lệ. Vui lòng kiểm tra lại thông tin đã nhập."),
            403 => ("forbidden", "Bạn không có quyền truy cập trang này."),
            404 => ("not_found", "Không tìm thấy trang bạn yêu cầu. Đường dẫn có thể đã thay đổi hoặc không tồn tại."),
            405 => ("method_not_allowed", "Phương thức yêu cầu không được hỗ trợ cho địa chỉ này."),
            413 => ("payload_too_large", "Dữ liệu gửi lên vượt quá dung lượng cho phép."),
            415 => ("unsupported_media_type", "Định dạng dữ liệu gửi lên không được hỗ trợ."),
            429 => ("too_many_requests", "Bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau ít phút."),
            503 => ("unavailable", "Hệ thống đang bận. Vui lòng thử lại sau ít phút."),
            s if s >= 500 => ("internal", "Đã có lỗi trong hệ thống. Chúng tôi đã ghi nhận và sẽ khắc phục sớm."),
            _ => ("error", "Yêu cầu không thực hiện được."),
        };
        ErrorInfo { code, message: message.to_owned() }
    }
}

/// Errors a handler can return.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The thing asked for does not exist (or the user may not know it exists).
    #[error("not found: {0}")]
    NotFound(&'static str),
    /// The request is malformed; the message says what is wrong, in Vietnamese.
    #[error("bad request: {message}")]
    BadRequest {
        /// Stable code.
        code: &'static str,
        /// Vietnamese message.
        message: String,
    },
    /// Form input that does not parse: `(field name, Vietnamese message)` in form order. Handlers
    /// re-render the form with these; elsewhere it is a 400.
    #[error("invalid input")]
    Invalid(Vec<(String, String)>),
    /// The page needs a signed-in citizen: redirect to sign-in, then back to `next`.
    #[error("sign-in required")]
    LoginRequired {
        /// Where to return after signing in.
        next: String,
    },
    /// A form came without the right CSRF token (stale page, expired session, forgery).
    #[error("CSRF token missing or wrong")]
    Csrf,
    /// The user may not do this.
    #[error("forbidden")]
    Forbidden,
    /// The database pool had no free connection in time.
    #[error("database unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// Anything unexpected.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// A 400 with a code and message.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        AppError::BadRequest { code, message: message.into() }
    }

    /// The code and message shown to the user.
    pub fn info(&self) -> ErrorInfo {
        match self {
            AppError::NotFound(what) => ErrorInfo {
                code: "not_found",
                message: format!("Không tìm thấy {what}. Vui lòng kiểm tra lại đường dẫn hoặc mã đã nhập."),
            },
            AppError::BadRequest { code, message } => ErrorInfo { code, message: message.clone() },
            AppError::Invalid(errors) => ErrorInfo {
                code: "invalid_input",
                message: errors.first().map_or_else(|| "Dữ liệu không hợp lệ.".to_owned(), |(_, m)| m.clone()),
            },
            AppError::LoginRequired { .. } => {
                ErrorInfo { code: "login_required", message: "Vui lòng đăng nhập để tiếp tục.".to_owned() }
            }
            AppError::Csrf => ErrorInfo {
                code: "csrf",
                message: "Biểu mẫu đã hết hạn hoặc không hợp lệ (có thể do phiên làm việc đã kết thúc). \
                          Vui lòng quay lại trang trước, tải lại trang và gửi lại."
                    .to_owned(),
            },
            AppError::Forbidden => ErrorInfo::for_status(StatusCode::FORBIDDEN),
            AppError::Unavailable(_) => ErrorInfo::for_status(StatusCode::SERVICE_UNAVAILABLE),
            AppError::Internal(_) => ErrorInfo::for_status(StatusCode::INTERNAL_SERVER_ERROR),
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        AppError::Internal(anyhow::Error::new(e).context("database query"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Internal(anyhow::anyhow!("blocking pool: {e}"))
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest { .. } | AppError::Invalid(_) | AppError::Csrf => StatusCode::BAD_REQUEST,
            AppError::LoginRequired { .. } => StatusCode::SEE_OTHER,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            AppError::Internal(e) => tracing::error!(error = format!("{e:#}"), "internal error"),
            AppError::Unavailable(e) => {
                tracing::warn!(error = format!("{e:#}"), "database unavailable")
            }
            _ => {}
        }
        if let AppError::LoginRequired { next } = self {
            let page = if ["/can-bo", "/lanh-dao", "/quan-tri"].iter().any(|p| next.starts_with(p)) {
                "/can-bo/dang-nhap"
            } else {
                "/dang-nhap"
            };
            let target = format!("{page}?tiep={}", crate::web::render::encode_component(next));
            return HttpResponse::SeeOther().insert_header((actix_web::http::header::LOCATION, target)).finish();
        }
        let mut res = HttpResponse::new(self.status_code());
        res.extensions_mut().insert(self.info());
        res
    }
}

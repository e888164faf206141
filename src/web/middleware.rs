//! Cross-cutting HTTP concerns: security headers, the error pages, and the request span.

use super::render::{PageCtx, Rendered};
use super::state::AppState;
use crate::error::ErrorInfo;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{DefaultHeaders, ErrorHandlerResponse};
use actix_web::{Error, HttpMessage, HttpResponse, web};
use askama::Template;
use tracing::Span;
use tracing_actix_web::{RequestId, RootSpanBuilder};

/// The CSP directives before `form-action` (pages that post to another origin, such as the
/// payment gateway, append their own `form-action`).
pub const CSP_BASE: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self';";

/// The CSP of every page: forms post to this site only.
pub fn csp(form_action: &str) -> String {
    format!("{CSP_BASE} form-action 'self'{form_action}; frame-ancestors 'none'")
}

/// Headers on every response: a strict CSP (no inline script or style), no sniffing, no framing,
/// no referrer leaks across origins.
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::CONTENT_SECURITY_POLICY, csp("")))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "strict-origin-when-cross-origin"))
        .add(("Permissions-Policy", "camera=(), microphone=(), geolocation=()"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
}

/// The error page, in the layout.
#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage<'a> {
    ctx: PageCtx,
    status: u16,
    title: &'a str,
    message: &'a str,
    request_id: String,
}

fn title_for(status: u16) -> &'static str {
    match status {
        400 => "Yêu cầu không hợp lệ",
        403 => "Không có quyền truy cập",
        404 => "Không tìm thấy trang",
        405 => "Phương thức không được hỗ trợ",
        413 => "Dữ liệu quá lớn",
        429 => "Quá nhiều yêu cầu",
        503 => "Hệ thống tạm thời bận",
        s if s >= 500 => "Lỗi hệ thống",
        _ => "Không thực hiện được yêu cầu",
    }
}

/// Renders every error response that is not already a finished page: an HTML page in the
/// layout, or a JSON body `{"error": {"code", "message", "request_id"}}` under `/api/` and
/// `/healthz`.
pub fn render_errors<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    if res.response().extensions().get::<Rendered>().is_some() {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let info = res.response().extensions().get::<ErrorInfo>().cloned().unwrap_or_else(|| ErrorInfo::for_status(status));
    let (req, old) = res.into_parts();
    let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string()).unwrap_or_default();
    let mut new = HttpResponse::build(status);
    for (name, value) in old.headers() {
        if name == header::ALLOW || name == header::RETRY_AFTER || name == header::WWW_AUTHENTICATE {
            new.insert_header((name.clone(), value.clone()));
        }
    }
    let path = req.path();
    let new = if path.starts_with("/api/") || path == "/api" || path == "/healthz" {
        new.json(serde_json::json!({"error": {"code": info.code, "message": info.message, "request_id": request_id}}))
    } else {
        let province =
            req.app_data::<web::Data<AppState>>().map(|s| s.config.province_name.clone()).unwrap_or_default();
        let page = ErrorPage {
            ctx: PageCtx::new(&req, &province, None),
            status: status.as_u16(),
            title: title_for(status.as_u16()),
            message: &info.message,
            request_id,
        };
        match page.render() {
            Ok(html) => new
                .insert_header((header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")))
                .body(html),
            Err(_) => new.content_type("text/plain; charset=utf-8").body(info.message.clone()),
        }
    };
    Ok(ErrorHandlerResponse::Response(ServiceResponse::new(req, new).map_into_right_body()))
}

/// The root span of each request: method, path without the query string (queries may carry
/// search terms or codes, never logged), the request id, and the status at the end.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let request_id = request.extensions().get::<RequestId>().map(|id| id.to_string()).unwrap_or_default();
        tracing::info_span!(
            "http",
            method = %request.method(),
            path = %request.match_pattern().unwrap_or_else(|| "(unmatched)".to_owned()),
            request_id = %request_id,
            status = tracing::field::Empty,
        )
    }

    fn on_request_end<B: actix_web::body::MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let status = match outcome {
            Ok(res) => res.status().as_u16(),
            Err(e) => e.as_response_error().status_code().as_u16(),
        };
        span.record("status", status);
        if status >= 500 {
            tracing::warn!(parent: &span, "request failed");
        } else {
            tracing::info!(parent: &span, "request");
        }
    }
}

//! CSRF protection: every form carries a token that must match the session's (or, before
//! sign-in, the anonymous cookie's). `CsrfForm<T>` is the only way handlers read a form body, so
//! a handler cannot forget the check.

use super::auth::{CSRF_COOKIE, FreshCsrf, Viewer, csrf_cookie};
use super::state::AppState;
use crate::error::AppError;
use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;
use subtle::ConstantTimeEq;

/// Largest urlencoded form body accepted (long text fields are refused by their own rules with a
/// clear message, below this).
pub const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// Gives a browser without one an anonymous CSRF cookie, so forms shown before sign-in can be
/// protected too.
pub async fn ensure_csrf_cookie(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let fresh = req.cookie(CSRF_COOKIE).is_none_or(|c| c.value().len() != 64).then(crate::signing::random_token);
    if let Some(token) = &fresh {
        req.extensions_mut().insert(FreshCsrf(token.clone()));
    }
    let secure = req.app_data::<web::Data<AppState>>().is_some_and(|s| s.config.secure_cookies);
    let mut res = next.call(req).await?;
    if let Some(token) = fresh {
        let _ = res.response_mut().add_cookie(&csrf_cookie(&token, secure));
    }
    Ok(res)
}

#[derive(Deserialize)]
struct Token {
    #[serde(default)]
    csrf_token: String,
}

/// A urlencoded form whose CSRF token was checked, with the viewer who sent it.
pub struct CsrfForm<T> {
    /// The decoded form.
    pub form: T,
    /// Who sent it.
    pub viewer: Viewer,
}

fn matches(expected: &str, got: &str) -> bool {
    !expected.is_empty() && expected.len() == got.len() && bool::from(expected.as_bytes().ct_eq(got.as_bytes()))
}

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let viewer = Viewer::from_request(req, payload);
        let body = web::Bytes::from_request(req, payload);
        let content_type_ok =
            req.content_type().is_empty() || req.content_type() == "application/x-www-form-urlencoded";
        Box::pin(async move {
            let viewer = viewer.await?;
            let body = body.await.map_err(|_| {
                AppError::bad_request("form_too_large", "Dữ liệu gửi lên quá lớn hoặc bị gián đoạn. Vui lòng thử lại.")
            })?;
            if !content_type_ok {
                return Err(AppError::bad_request("form_type", "Định dạng biểu mẫu không được hỗ trợ."));
            }
            let token: Token = serde_urlencoded::from_bytes(&body).map_err(|_| AppError::Csrf)?;
            let ok = matches(&viewer.csrf, &token.csrf_token)
                || viewer.stale.as_ref().is_some_and(|s| matches(&s.csrf, &token.csrf_token));
            if !ok {
                return Err(AppError::Csrf);
            }
            let form = serde_urlencoded::from_bytes(&body).map_err(|_| {
                AppError::bad_request("form_invalid", "Biểu mẫu gửi lên không đúng định dạng. Vui lòng tải lại trang.")
            })?;
            Ok(CsrfForm { form, viewer })
        })
    }
}

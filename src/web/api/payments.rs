//! `POST /api/payments/confirm`: the payment gateway's CONFIRM callback. Anonymous by nature;
//! trusted only through the message's signature, which `services::payments::confirm` checks
//! before anything else. The body is read raw (at most 16 KiB) so a malformed message still gets
//! a precise JSON answer.

use crate::services::payments;
use crate::web::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

/// The largest CONFIRM body accepted.
pub const MAX_BODY: usize = 16 * 1024;

/// Records the callback (committed before answering) and answers the signed acknowledgement.
pub async fn confirm(state: web::Data<AppState>, body: web::Bytes) -> HttpResponse {
    if body.len() > MAX_BODY {
        let mut res =
            HttpResponse::PayloadTooLarge().json(serde_json::json!({"MaLoi": "99", "MoTaLoi": "Bản tin quá lớn."}));
        res.extensions_mut().insert(crate::web::render::Rendered);
        return res;
    }
    let (db, clock) = (state.db.clone(), state.clock.clone());
    let settings = payments::Payments::from_config(&state.config);
    let answered = web::block(move || payments::confirm(&db, &clock, &settings, &body)).await;
    match answered {
        Ok((status, ack)) => {
            let mut res = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
                .insert_header(("Cache-Control", "no-store"))
                .json(ack);
            // The acknowledgement is the answer, also on a 400: no error page replaces it.
            res.extensions_mut().insert(crate::web::render::Rendered);
            res
        }
        Err(_) => HttpResponse::ServiceUnavailable().json(
            serde_json::json!({"MaLoi": "99", "MoTaLoi": "Hệ thống tạm thời không ghi nhận được, vui lòng gửi lại."}),
        ),
    }
}

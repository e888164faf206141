//! `/sim/*`: the simulator's controls, for the demo and the tests only (no authentication: bind
//! to 127.0.0.1). `GET`/`POST /sim/faults`, `POST /sim/settle/{reference}`, `POST /sim/flush`,
//! `POST /sim/deliver-all`, `GET /sim/transactions`.

use super::api::{error, store_error_message};
use super::faults::Faults;
use super::store::{Due, SimTransaction, StoreError};
use super::{Shared, banks};
use crate::integrations::paygov::wire;
use actix_web::http::StatusCode;
use actix_web::web::{self, Bytes, Data, Path};
use actix_web::{HttpResponse, Responder};
use serde::Deserialize;
use serde_json::json;

/// The control routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sim/faults", web::get().to(get_faults))
        .route("/sim/faults", web::post().to(set_faults))
        .route("/sim/settle/{reference}", web::post().to(settle_route))
        .route("/sim/flush", web::post().to(flush))
        .route("/sim/deliver-all", web::post().to(deliver_all))
        .route("/sim/transactions", web::get().to(transactions));
}

async fn get_faults(sim: Data<Shared>) -> impl Responder {
    HttpResponse::Ok().json(sim.faults())
}

async fn set_faults(sim: Data<Shared>, body: Bytes) -> HttpResponse {
    match serde_json::from_slice::<Faults>(&body) {
        Ok(faults) => {
            tracing::info!(?faults, "paygov-sim: faults set");
            sim.set_faults(faults);
            HttpResponse::Ok().json(sim.faults())
        }
        Err(e) => error(StatusCode::BAD_REQUEST, wire::OTHER, &format!("Cấu hình lỗi không hợp lệ: {e}")),
    }
}

/// Settles a pending transaction (one held by `leave_pending`, or never paid): paid through
/// `bank` (default: the one the citizen chose, else VCB) or failed; queues its `CONFIRM`
/// under the faults in force.
pub fn settle(sim: &Shared, reference: &str, paid: bool, bank: Option<&str>) -> Result<SimTransaction, StoreError> {
    let chosen = sim.store.get(reference).ok_or(StoreError::Unknown)?.bank;
    let bank = bank.map(str::to_owned).or(chosen).or_else(|| paid.then(|| "VCB".to_owned()));
    let t = sim.store.settle(reference, paid, bank.as_deref(), sim.clock.now(), &sim.faults())?;
    tracing::info!(reference, gateway_id = t.gateway_id.as_deref(), paid, "paygov-sim: settled by /sim/settle");
    Ok(t)
}

/// The body of `POST /sim/settle/{reference}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settlement {
    paid: bool,
    #[serde(default)]
    bank: Option<String>,
}

async fn settle_route(sim: Data<Shared>, reference: Path<String>, body: Bytes) -> HttpResponse {
    let settlement = match serde_json::from_slice::<Settlement>(&body) {
        Ok(s) => s,
        Err(_) => return error(StatusCode::BAD_REQUEST, wire::OTHER, "Cần {\"paid\": true|false}"),
    };
    if settlement.bank.as_deref().is_some_and(|b| banks::name(b).is_none()) {
        return error(StatusCode::BAD_REQUEST, wire::OTHER, "Mã ngân hàng không hợp lệ");
    }
    match settle(&sim, &reference, settlement.paid, settlement.bank.as_deref()) {
        Ok(t) => HttpResponse::Ok().json(t),
        Err(e @ StoreError::Unknown) => error(StatusCode::NOT_FOUND, wire::UNKNOWN_REFERENCE, store_error_message(&e)),
        Err(e) => error(StatusCode::CONFLICT, wire::CONFLICT, store_error_message(&e)),
    }
}

async fn deliver(sim: Data<Shared>, which: Due) -> HttpResponse {
    match web::block(move || sim.deliver(which)).await {
        Ok(attempted) => HttpResponse::Ok().json(json!({ "attempted": attempted })),
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, wire::OTHER, "Lỗi hệ thống"),
    }
}

async fn flush(sim: Data<Shared>) -> HttpResponse {
    deliver(sim, Due::Now).await
}

async fn deliver_all(sim: Data<Shared>) -> HttpResponse {
    deliver(sim, Due::All).await
}

async fn transactions(sim: Data<Shared>) -> impl Responder {
    HttpResponse::Ok().json(sim.store.list())
}

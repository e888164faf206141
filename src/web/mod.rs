//! The HTTP layer: the one route table, grouped by audience.

pub mod api;
pub mod assets;
pub mod middleware;
pub mod public;
pub mod render;
pub mod state;

use actix_web::web;

/// Every route of the portal.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api")
            .app_data(web::QueryConfig::default().error_handler(api::query_error))
            .app_data(web::PathConfig::default().error_handler(api::path_error))
            .route("/v1/procedures", web::get().to(api::procedures::list))
            .route("/v1/procedures/{code}", web::get().to(api::procedures::show))
            .default_service(web::to(api::not_found)),
    )
    .route("/healthz", web::get().to(api::health::healthz))
    .route("/static/{file:.*}", web::get().to(assets::serve))
    .route("/", web::get().to(public::home::show))
    .route("/thu-tuc", web::get().to(public::catalogue::list))
    .route("/thu-tuc/{code}", web::get().to(public::catalogue::show))
    .route("/thu-tuc/{code}/bieu-mau/{file}", web::get().to(public::catalogue::download_form))
    .default_service(web::to(public::not_found));
}

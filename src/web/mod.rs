//! The HTTP layer: the one route table, grouped by audience.

pub mod admin;
pub mod api;
pub mod assets;
pub mod auth;
pub mod csrf;
pub mod form_state;
pub mod leader;
pub mod middleware;
pub mod officer;
pub mod payment_panel;
pub mod public;
pub mod render;
pub mod state;
pub mod upload;

use actix_web::web;

/// Every route of the portal.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api")
            .app_data(web::QueryConfig::default().error_handler(api::query_error))
            .app_data(web::PathConfig::default().error_handler(api::path_error))
            .service(
                web::resource("/payments/confirm")
                    .app_data(web::PayloadConfig::new(api::payments::MAX_BODY))
                    .route(web::post().to(api::payments::confirm)),
            )
            .route("/v1/procedures", web::get().to(api::procedures::list))
            .route("/v1/procedures/{code}", web::get().to(api::procedures::show))
            .route("/v1/files/{id}", web::get().to(api::files::download))
            .default_service(web::to(api::not_found)),
    )
    .route("/healthz", web::get().to(api::health::healthz))
    .route("/static/{file:.*}", web::get().to(assets::serve))
    .route("/", web::get().to(public::home::show))
    .route("/thu-tuc", web::get().to(public::catalogue::list))
    .route("/thu-tuc/{code}", web::get().to(public::catalogue::show))
    .route("/thu-tuc/{code}/bieu-mau/{file}", web::get().to(public::catalogue::download_form))
    .route("/dang-ky", web::get().to(public::account::register_form))
    .route("/dang-ky", web::post().to(public::account::register))
    .route("/dang-ky/kiem-tra-email", web::get().to(public::account::check_email))
    .route("/xac-nhan-email", web::get().to(public::account::verify_email))
    .route("/xac-nhan-email/gui-lai", web::post().to(public::account::resend_verification))
    .route("/dang-nhap", web::get().to(public::account::login_form))
    .route("/dang-nhap", web::post().to(public::account::login))
    .route("/dang-xuat", web::post().to(public::account::logout))
    .route("/quen-mat-khau", web::get().to(public::account::forgot_form))
    .route("/quen-mat-khau", web::post().to(public::account::forgot))
    .route("/quen-mat-khau/dat-lai", web::get().to(public::account::reset_form))
    .route("/quen-mat-khau/dat-lai", web::post().to(public::account::reset))
    .route("/tai-khoan", web::get().to(public::account::profile))
    .route("/tai-khoan", web::post().to(public::account::update_profile))
    .route("/tai-khoan/ho-so", web::get().to(public::dossiers::list))
    .route("/tai-khoan/ho-so/{code}", web::get().to(public::dossiers::show))
    .route("/tai-khoan/ho-so/{code}/rut", web::get().to(public::dossiers::withdraw_form))
    .route("/tai-khoan/ho-so/{code}/rut", web::post().to(public::dossiers::withdraw))
    .route("/tai-khoan/ho-so/{code}/bo-sung", web::get().to(public::follow_up::supplement_form))
    .route("/tai-khoan/ho-so/{code}/bo-sung", web::post().to(public::follow_up::supplement))
    .route("/tai-khoan/ho-so/{code}/ket-qua/{id}", web::get().to(public::follow_up::download))
    .route("/tra-cuu/ket-qua/{id}", web::get().to(public::follow_up::download_signed))
    .route("/tai-khoan/ho-so/{code}/thanh-toan", web::post().to(public::payments::start))
    .route("/tai-khoan/ho-so/{code}/bien-lai/{id}", web::get().to(public::payments::receipt))
    .route("/thanh-toan/ket-qua", web::get().to(public::payments::returned))
    .route("/tai-khoan/ban-nhap/{id}/xoa", web::post().to(public::dossiers::delete_draft))
    .route("/tai-khoan/tep/{id}", web::get().to(public::dossiers::attachment))
    .route("/thu-tuc/{code}/nop", web::get().to(public::intake::show))
    .route("/thu-tuc/{code}/nop", web::post().to(public::intake::post))
    .route("/tra-cuu", web::get().to(public::tracking::show))
    .route("/tra-cuu", web::post().to(public::tracking::verify))
    // Leaders (leader/).
    .route("/lanh-dao", web::get().to(leader::home))
    // Staff (officer/).
    .route("/can-bo/dang-nhap", web::get().to(officer::account::login_form))
    .route("/can-bo/dang-nhap", web::post().to(officer::account::login))
    .route("/can-bo/dang-xuat", web::post().to(officer::account::logout))
    .route("/can-bo", web::get().to(officer::queues::show))
    .route("/can-bo/tiep-nhan", web::get().to(officer::counter::form))
    .route("/can-bo/tiep-nhan", web::post().to(officer::counter::submit))
    .route("/can-bo/ho-so/{code}", web::get().to(officer::dossier::show))
    .route("/can-bo/ho-so/{code}/tep/{id}", web::get().to(officer::files::download))
    .route("/can-bo/ho-so/{code}/tep/{id}/xem", web::get().to(officer::files::preview))
    .route("/can-bo/ho-so/{code}/phieu/{kind}", web::get().to(officer::slips::show))
    .route("/can-bo/ho-so/{code}/ghi-chu", web::post().to(officer::actions::note))
    .route("/can-bo/ho-so/{code}/bien-lai/{id}", web::get().to(officer::payments::receipt))
    .route("/can-bo/doi-soat", web::get().to(officer::reconciliation::report))
    .route("/can-bo/doi-soat.csv", web::get().to(officer::reconciliation::csv))
    .route("/can-bo/doi-soat/kiem-tra/{reference}", web::post().to(officer::reconciliation::recheck))
    .route("/can-bo/ho-so/{code}/{action:trinh-ket-qua|phe-duyet}", web::post().to(officer::actions::act_with_files))
    .route("/can-bo/ho-so/{code}/{action}", web::post().to(officer::actions::act))
    // Administration (admin/).
    .route("/can-bo/kich-hoat", web::get().to(admin::invitation::form))
    .route("/can-bo/kich-hoat", web::post().to(admin::invitation::activate))
    .route("/quan-tri", web::get().to(admin::index))
    .route("/quan-tri/dong-bo", web::get().to(admin::operations::show))
    .route("/quan-tri/dong-bo/gui-lai", web::post().to(admin::operations::resend))
    .route("/quan-tri/co-quan", web::get().to(admin::agencies::list))
    .route("/quan-tri/co-quan/moi", web::get().to(admin::agencies::new_form))
    .route("/quan-tri/co-quan/moi", web::post().to(admin::agencies::create))
    .route("/quan-tri/co-quan/{code}", web::get().to(admin::agencies::edit_form))
    .route("/quan-tri/co-quan/{code}", web::post().to(admin::agencies::update))
    .route("/quan-tri/can-bo", web::get().to(admin::staff::list))
    .route("/quan-tri/can-bo/moi", web::get().to(admin::staff::new_form))
    .route("/quan-tri/can-bo/moi", web::post().to(admin::staff::create))
    .route("/quan-tri/can-bo/{username}", web::get().to(admin::staff::edit_form))
    .route("/quan-tri/can-bo/{username}", web::post().to(admin::staff::update))
    .route("/quan-tri/can-bo/{username}/gui-loi-moi", web::post().to(admin::staff::resend))
    .route("/quan-tri/thu-tuc", web::get().to(admin::procedures::list))
    .route("/quan-tri/thu-tuc/moi", web::get().to(admin::procedures::new_form))
    .route("/quan-tri/thu-tuc/moi", web::post().to(admin::procedures::create))
    .route("/quan-tri/thu-tuc/{code}", web::get().to(admin::procedures::edit_form))
    .route("/quan-tri/thu-tuc/{code}", web::post().to(admin::procedures::update))
    .route("/quan-tri/ngay-nghi", web::get().to(admin::holidays::list))
    .route("/quan-tri/ngay-nghi", web::post().to(admin::holidays::add))
    .route("/quan-tri/ngay-nghi/{day}", web::get().to(admin::holidays::edit_form))
    .route("/quan-tri/ngay-nghi/{day}", web::post().to(admin::holidays::update))
    .route("/quan-tri/ngay-nghi/{day}/xoa", web::post().to(admin::holidays::delete))
    .route("/quan-tri/nhat-ky", web::get().to(admin::audit::list))
    .default_service(web::to(public::not_found));
}

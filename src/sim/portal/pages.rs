//! portal-sim's read-only page (`GET /`), its JSON (`GET /sim/store`) and its controls
//! (`/sim/faults`, `/sim/expire-tokens`, `/sim/forget/{code}`; no authentication: bind to
//! 127.0.0.1).

use super::Shared;
use super::api::{control_error, store_json};
use super::faults::Faults;
use super::store::Counters;
use actix_web::http::StatusCode;
use actix_web::web::{self, Bytes, Data, Path};
use actix_web::{HttpResponse, Responder};
use askama::Template;

/// The page and control routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(list))
        .route("/sim/store", web::get().to(store_json))
        .route("/sim/faults", web::get().to(get_faults))
        .route("/sim/faults", web::post().to(set_faults))
        .route("/sim/expire-tokens", web::post().to(expire_tokens))
        .route("/sim/forget/{code}", web::post().to(forget));
}

/// One dossier on the page.
pub struct Row {
    /// `MaHoSo`.
    pub code: String,
    /// `TenTTHC`.
    pub procedure: String,
    /// `TrangThaiHoSo` with its name.
    pub status: String,
    /// `DonViXuLy`.
    pub agency: String,
    /// `NgayHenTra` as received.
    pub due: String,
    /// Files fetched of those given.
    pub files: String,
    /// (time, state, what) of each progress entry.
    pub progress: Vec<(String, String, String)>,
}

/// `GET /`.
#[derive(Template)]
#[template(path = "sim/portal/list.html")]
pub struct ListPage {
    /// The dossiers.
    pub dossiers: Vec<Row>,
    /// How many progress entries in all.
    pub progress_total: usize,
    /// The counters.
    pub counters: Counters,
}

fn state_name(code: &str) -> String {
    let name = code
        .parse::<i32>()
        .ok()
        .and_then(crate::domain::dossier::Status::from_code)
        .map(|s| s.label())
        .unwrap_or("không rõ");
    format!("{code} — {name}")
}

async fn list(sim: Data<Shared>) -> HttpResponse {
    let dossiers: Vec<Row> = sim
        .store
        .all()
        .into_values()
        .map(|h| {
            let given = h.dossier.tai_lieu_nop.len() + h.dossier.danh_sach_giay_to_ket_qua.len();
            let ok = h.files.values().filter(|f| f.status == 200).count();
            Row {
                code: h.dossier.ma_ho_so.clone(),
                procedure: h.dossier.ten_tthc.clone(),
                status: state_name(&h.dossier.trang_thai_ho_so),
                agency: h.dossier.don_vi_xu_ly.clone(),
                due: h.dossier.ngay_hen_tra.clone(),
                files: format!("{ok}/{given}"),
                progress: h
                    .progress
                    .iter()
                    .map(|p| (p.thoi_diem_xu_ly.clone(), state_name(&p.trang_thai), p.noi_dung_xu_ly.clone()))
                    .collect(),
            }
        })
        .collect();
    let page = ListPage {
        progress_total: dossiers.iter().map(|d| d.progress.len()).sum(),
        dossiers,
        counters: sim.store.counters(),
    };
    match page.render() {
        Ok(html) => HttpResponse::Ok().content_type("text/html; charset=utf-8").body(html),
        Err(_) => control_error(StatusCode::INTERNAL_SERVER_ERROR, "cannot render the page"),
    }
}

async fn get_faults(sim: Data<Shared>) -> impl Responder {
    HttpResponse::Ok().json(sim.faults())
}

async fn set_faults(sim: Data<Shared>, body: Bytes) -> HttpResponse {
    match serde_json::from_slice::<Faults>(&body) {
        Ok(faults) => {
            tracing::info!(?faults, "portal-sim: faults set");
            sim.set_faults(faults);
            HttpResponse::Ok().json(sim.faults())
        }
        Err(e) => control_error(StatusCode::BAD_REQUEST, &format!("invalid faults: {e}")),
    }
}

async fn expire_tokens(sim: Data<Shared>) -> HttpResponse {
    let n = sim.expire_tokens();
    HttpResponse::Ok().json(serde_json::json!({ "expired": n }))
}

async fn forget(sim: Data<Shared>, code: Path<String>) -> HttpResponse {
    if sim.store.remove(&code) {
        HttpResponse::Ok().json(serde_json::json!({ "forgotten": code.into_inner() }))
    } else {
        control_error(StatusCode::NOT_FOUND, "no such dossier")
    }
}

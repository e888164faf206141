//! The national portal's endpoints as portal-sim answers them: `POST /auth` (a session token
//! that expires) and `POST /integration` (`DongBoHoSoMC`, `CapNhatTienDoHoSoMC`, `TraCuuHoSo`),
//! with the portal's checks, deduplication by idempotency key, and the faults in force.

use super::Shared;
use super::store::{Fetched, validate_dossier, validate_progress};
use crate::integrations::portal::wire::{self, Answer, DossierItem, Envelope, ProgressItem};
use actix_web::http::StatusCode;
use actix_web::web::{self, Bytes, Data};
use actix_web::{HttpResponse, Responder};
use sha2::{Digest, Sha256};

/// The API routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/auth", web::post().to(auth)).route("/integration", web::post().to(integration));
}

fn answer(code: &str, message: impl Into<String>) -> Answer {
    Answer { error_code: code.to_owned(), message: message.into(), data: None }
}

/// The answer that a fault dictates, if any (after its delay).
async fn faulty(sim: &Shared) -> Option<HttpResponse> {
    let f = sim.faults();
    if f.slow_ms > 0 {
        actix_web::rt::time::sleep(std::time::Duration::from_millis(f.slow_ms)).await;
    }
    if f.down {
        return Some(
            HttpResponse::ServiceUnavailable()
                .content_type("text/html; charset=utf-8")
                .body("<!DOCTYPE html><html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"),
        );
    }
    if f.error_500 {
        return Some(HttpResponse::InternalServerError().json(answer(wire::INTERNAL, "Lỗi hệ thống")));
    }
    if f.garbage {
        return Some(HttpResponse::Ok().content_type("application/json").body("\u{1}\u{2}garbage{{"));
    }
    if f.html {
        return Some(
            HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body("<!DOCTYPE html><html><body>Đăng nhập hệ thống</body></html>"),
        );
    }
    if f.reset {
        let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
            Ok(Bytes::from_static(b"{\"error_code\":\"0")),
            Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by portal-sim")),
        ];
        return Some(HttpResponse::Ok().content_type("application/json").streaming(futures_util::stream::iter(chunks)));
    }
    None
}

async fn auth(sim: Data<Shared>, body: Bytes) -> HttpResponse {
    if let Some(res) = faulty(&sim).await {
        return res;
    }
    let Ok(login) = serde_json::from_slice::<wire::Login>(&body) else {
        return HttpResponse::BadRequest().json(answer(wire::INVALID, "Yêu cầu đăng nhập không hợp lệ"));
    };
    if login.username != sim.username || login.password != sim.password {
        return HttpResponse::Ok().json(wire::LoginAnswer {
            session: String::new(),
            error_code: "-1".into(),
            message: "Sai tài khoản hoặc mật khẩu".into(),
        });
    }
    sim.store.count_login();
    let session = sim.new_session();
    HttpResponse::Ok().json(wire::LoginAnswer { session, error_code: wire::OK.into(), message: "Thành công".into() })
}

async fn integration(sim: Data<Shared>, body: Bytes) -> HttpResponse {
    if let Some(res) = faulty(&sim).await {
        return res;
    }
    let envelope = match serde_json::from_slice::<Envelope>(&body) {
        Ok(e) => e,
        Err(e) => return HttpResponse::BadRequest().json(answer(wire::INVALID, format!("Yêu cầu không hợp lệ: {e}"))),
    };
    if !sim.use_session(&envelope.session) {
        sim.store.count_expired();
        return HttpResponse::Ok().json(answer(wire::SESSION_EXPIRED, "Phiên làm việc không hợp lệ hoặc đã hết hạn"));
    }
    if sim.faults().error_in_200 {
        return HttpResponse::Ok().json(answer(wire::INTERNAL, "Lỗi xử lý dữ liệu"));
    }
    if let Some(key) = &envelope.request_id
        && let Some(previous) = sim.store.answered(key)
    {
        return HttpResponse::Ok().json(previous);
    }
    let result = match envelope.service.as_str() {
        wire::SYNC_DOSSIER => sync(&sim, &envelope).await,
        wire::PUSH_PROGRESS => progress(&sim, &envelope),
        wire::LOOKUP => lookup(&sim, &envelope),
        other => Err((wire::INVALID, format!("Dịch vụ {other:?} không tồn tại"))),
    };
    let reply = match result {
        Ok(a) => {
            if let Some(key) = &envelope.request_id {
                sim.store.remember(key, &a);
            }
            a
        }
        Err((code, message)) => {
            if code == wire::INVALID {
                sim.store.count_rejected();
            }
            tracing::info!(service = %envelope.service, code, "portal-sim: refused");
            answer(code, message)
        }
    };
    HttpResponse::Ok().json(reply)
}

type Outcome = Result<Answer, (&'static str, String)>;

async fn sync(sim: &Data<Shared>, envelope: &Envelope) -> Outcome {
    let items: Vec<DossierItem> = serde_json::from_value(envelope.data.clone())
        .map_err(|e| (wire::INVALID, format!("Dữ liệu hồ sơ không đúng cấu trúc: {e}")))?;
    if items.is_empty() {
        return Err((wire::INVALID, "Không có hồ sơ nào trong yêu cầu".into()));
    }
    let updating = match envelope.is_updating.as_deref() {
        Some("True") => true,
        Some("False") => false,
        _ => return Err((wire::INVALID, "isUpdating phải là True hoặc False".into())),
    };
    for item in &items {
        validate_dossier(item).map_err(|m| (wire::INVALID, m))?;
    }
    if sim.faults().invalid {
        return Err((wire::INVALID, "Dữ liệu không hợp lệ (lỗi mô phỏng)".into()));
    }
    let files: Vec<(String, String, String)> = items
        .iter()
        .flat_map(|i| {
            let submitted = i.tai_lieu_nop.iter().map(|f| (f.tep_dinh_kem_id.clone(), f.duong_dan_tai_tep_tin.clone()));
            let results =
                i.danh_sach_giay_to_ket_qua.iter().map(|f| (f.giay_to_id.clone(), f.duong_dan_tep_tin_ket_qua.clone()));
            submitted.chain(results).map(|(id, url)| (i.ma_ho_so.clone(), id, url)).collect::<Vec<_>>()
        })
        .collect();
    sim.store.sync(items, updating)?;
    // The portal fetches the files it is given; a failed fetch is recorded, not refused.
    let todo: Vec<_> = files.into_iter().filter(|(code, id, _)| !sim.store.has_fetched(code, id)).collect();
    if !todo.is_empty() {
        let fetched = web::block(move || todo.into_iter().map(|(code, id, url)| (code, fetch(&id, &url))).collect())
            .await
            .unwrap_or_else(|_| Vec::new());
        for (code, f) in fetched {
            sim.store.record_fetch(&code, f);
        }
    }
    Ok(answer(wire::OK, "Thành công"))
}

fn fetch(id: &str, url: &str) -> Fetched {
    let got = reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .and_then(|c| c.get(url).send())
        .and_then(|r| {
            let status = r.status().as_u16();
            r.bytes().map(|b| (status, b))
        });
    match got {
        Ok((status, bytes)) => {
            Fetched { id: id.to_owned(), status, size: bytes.len(), sha256: hex::encode(Sha256::digest(&bytes)) }
        }
        Err(_) => Fetched { id: id.to_owned(), status: 0, size: 0, sha256: String::new() },
    }
}

fn progress(sim: &Data<Shared>, envelope: &Envelope) -> Outcome {
    let items: Vec<ProgressItem> = serde_json::from_value(envelope.data.clone())
        .map_err(|e| (wire::INVALID, format!("Dữ liệu tiến độ không đúng cấu trúc: {e}")))?;
    if items.is_empty() {
        return Err((wire::INVALID, "Không có tiến độ nào trong yêu cầu".into()));
    }
    for item in &items {
        validate_progress(item).map_err(|m| (wire::INVALID, m))?;
    }
    if sim.faults().invalid {
        return Err((wire::INVALID, "Dữ liệu không hợp lệ (lỗi mô phỏng)".into()));
    }
    sim.store.progress(items)?;
    Ok(answer(wire::OK, "Thành công"))
}

fn lookup(sim: &Data<Shared>, envelope: &Envelope) -> Outcome {
    let code = envelope.mahoso.clone().unwrap_or_default();
    let held = sim.store.get(&code).ok_or((wire::NOT_FOUND, format!("Không tìm thấy hồ sơ {code}")))?;
    let data = serde_json::to_value(&held).map_err(|e| (wire::INTERNAL, e.to_string()))?;
    Ok(Answer { error_code: wire::OK.into(), message: "Thành công".into(), data: Some(data) })
}

/// A JSON error for the control routes.
pub fn control_error(status: StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(serde_json::json!({ "error": message }))
}

/// `GET /sim/store`: everything held, for tests and people.
pub async fn store_json(sim: Data<Shared>) -> impl Responder {
    HttpResponse::Ok().json(serde_json::json!({
        "counters": sim.store.counters(),
        "dossiers": sim.store.all(),
    }))
}

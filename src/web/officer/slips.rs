//! Printable slips of a dossier (`/can-bo/ho-so/{code}/phieu/{kind}`), after the forms of
//! Circular 03/2025/TT-VPCP (Appendix I) for Decree 118/2025/NĐ-CP: Mẫu 01 the receipt with the
//! appointment (Art. 17(1)), Mẫu 02 the supplement request (Art. 17(2)(c), asked once, 19(5)),
//! Mẫu 03 the refusal (Art. 17(2)), Mẫu 04 the apology with the new appointment (Art. 19(6), given
//! once, at least one day before the due date). A slip that does not apply yet is "not found".

use super::dossier::load;
use crate::clock::to_local;
use crate::domain::catalogue::TimeLimitUnit;
use crate::error::AppError;
use crate::models::dossier::DossierEvent;
use crate::queries::officer::StaffDossier;
use crate::web::auth::{Officer, Viewer};
use crate::web::render::{PageCtx, page};
use crate::web::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDateTime;

/// `templates/officer/slip.html`: one of the four slips.
#[derive(Template)]
#[template(path = "officer/slip.html")]
pub struct SlipPage {
    ctx: PageCtx,
    /// `tiep-nhan`, `bo-sung`, `tu-choi` or `xin-loi`.
    kind: &'static str,
    form_no: &'static str,
    title: &'static str,
    name: &'static str,
    agency_name: String,
    parent: String,
    agency: String,
    agency_address: String,
    agency_phone: String,
    place_date: String,
    code: String,
    applicant: String,
    address: String,
    phone: String,
    email: String,
    procedure: String,
    papers: Vec<String>,
    time_limit: String,
    received: String,
    due: String,
    result_how: String,
    lines: Vec<String>,
    old_due: String,
    new_due: String,
    officer: String,
}

/// `09 giờ 00 phút, ngày 25 tháng 11 năm 2026` (local time).
fn long_time(at: &NaiveDateTime) -> String {
    to_local(*at).format("%H giờ %M phút, ngày %d tháng %m năm %Y").to_string()
}

/// `ngày 25 tháng 11 năm 2026` (local date).
fn long_date(at: &NaiveDateTime) -> String {
    to_local(*at).format("ngày %d tháng %m năm %Y").to_string()
}

fn last_event<'a>(sd: &'a StaffDossier, actions: &[&str]) -> Option<&'a DossierEvent> {
    sd.events.iter().rev().find(|e| actions.contains(&e.action.as_str()))
}

fn actor_name(sd: &StaffDossier, e: Option<&DossierEvent>) -> String {
    e.and_then(|e| e.actor_id.as_deref()).map(|id| sd.staff_name(id).to_owned()).unwrap_or_default()
}

/// The papers received: what the desk ticked at the counter, or the papers filed online.
fn papers_received(sd: &StaffDossier) -> Vec<String> {
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(&sd.dossier.form_values)
        && let Some(serde_json::Value::Array(items)) = map.get("giay_to_da_nhan")
    {
        return items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect();
    }
    sd.papers
        .iter()
        .filter_map(|p| {
            let n = sd.attachments.iter().filter(|a| a.purpose == "paper" && a.paper_position == p.position).count();
            (n > 0).then(|| format!("{} (bản điện tử, {n} tệp)", p.name))
        })
        .collect()
}

/// A list typed as lines or separated by semicolons (the workflow stores reasons on one line).
fn lines(text: &str) -> Vec<String> {
    text.split(['\n', ';']).map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

/// Builds the slip `kind` of the dossier, if it applies.
fn slip(ctx: PageCtx, province: &str, sd: &StaffDossier, kind: &str) -> Option<SlipPage> {
    let d = &sd.dossier;
    let agency = sd.agency(&d.agency_id)?;
    let parent = agency.parent_id.as_deref().and_then(|p| sd.agency(p)).map(|p| p.name.to_uppercase());
    let unit = TimeLimitUnit::parse(&sd.procedure.time_limit_unit).map_or("", TimeLimitUnit::label);
    let mut s = SlipPage {
        ctx,
        kind: "",
        form_no: "",
        title: "",
        name: "",
        agency_name: agency.name.clone(),
        parent: parent.unwrap_or_default(),
        agency: agency.name.to_uppercase(),
        agency_address: agency.address.clone().unwrap_or_default(),
        agency_phone: agency.phone.clone().unwrap_or_default(),
        place_date: String::new(),
        code: d.code.clone(),
        applicant: d.applicant_name.clone(),
        address: d.applicant_address.clone().unwrap_or_default(),
        phone: d.applicant_phone.clone(),
        email: d.applicant_email.clone().unwrap_or_default(),
        procedure: sd.procedure.name.clone(),
        papers: Vec::new(),
        time_limit: format!("{:02} {unit}", sd.procedure.time_limit_value),
        received: d.received_at.as_ref().map(long_time).unwrap_or_default(),
        due: String::new(),
        result_how: String::new(),
        lines: Vec::new(),
        old_due: String::new(),
        new_due: String::new(),
        officer: String::new(),
    };
    let dated = |at: &NaiveDateTime| format!("{province}, {}", long_date(at));
    match kind {
        "tiep-nhan" => {
            let received = d.received_at?;
            let event = last_event(sd, &["receive", "counter_intake"]);
            s.kind = "tiep-nhan";
            s.form_no = "Mẫu số 01";
            s.title = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ";
            s.name = "Giấy tiếp nhận hồ sơ và hẹn trả kết quả";
            s.place_date = dated(&received);
            s.papers = papers_received(sd);
            s.due = event.and_then(|e| e.due_at).or(d.due_at).as_ref().map(long_time).unwrap_or_default();
            s.result_how = if d.applicant_user_id.is_some() {
                format!(
                    "Nhận kết quả trực tuyến tại mục «Hồ sơ của tôi» trên Cổng Dịch vụ công tỉnh {province}, \
                     hoặc trực tiếp tại Bộ phận Một cửa của {}.",
                    agency.name
                )
            } else {
                format!("Trực tiếp tại Bộ phận Một cửa của {}.", agency.name)
            };
            s.officer = actor_name(sd, event);
        }
        "bo-sung" => {
            let event = last_event(sd, &["request_supplement"])?;
            s.kind = "bo-sung";
            s.form_no = "Mẫu số 02";
            s.title = "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ";
            s.name = "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ";
            s.place_date = dated(&event.at);
            s.lines = lines(event.note.as_deref().unwrap_or_default());
            s.officer = actor_name(sd, Some(event));
        }
        "tu-choi" => {
            let event = last_event(sd, &["refuse"])?;
            s.kind = "tu-choi";
            s.form_no = "Mẫu số 03";
            s.title = "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ";
            s.name = "Phiếu từ chối tiếp nhận giải quyết hồ sơ";
            s.place_date = dated(&event.at);
            s.lines = lines(event.note.as_deref().unwrap_or_default());
            s.officer = actor_name(sd, Some(event));
        }
        "xin-loi" => {
            let ext = sd.extensions.first()?;
            s.kind = "xin-loi";
            s.form_no = "Mẫu số 04";
            s.title = "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT";
            s.name = "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết";
            s.place_date = dated(&ext.at);
            s.old_due = long_time(&ext.old_due_at);
            s.new_due = long_time(&ext.new_due_at);
            s.lines = lines(&ext.reason);
            s.officer = sd.staff_name(&ext.staff_id).to_owned();
        }
        _ => return None,
    }
    Some(s)
}

/// `GET /can-bo/ho-so/{code}/phieu/{kind}`.
pub async fn show(
    req: HttpRequest,
    officer: Officer,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (code, kind) = path.into_inner();
    let staff = officer.0;
    let loaded = load(&state, &staff, code).await?;
    let ctx = PageCtx::new(&req, &state.config.province_name, Some(&Viewer::of_staff(&staff)));
    let slip = slip(ctx, &state.config.province_name, &loaded.sd, &kind).ok_or(AppError::NotFound("phiếu"))?;
    page(&slip)
}

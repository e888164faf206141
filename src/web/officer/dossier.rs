//! The staff dossier page (`/can-bo/ho-so/{code}`): applicant, form values, files, deadlines,
//! history, transfers, extensions, the notes thread, the fees panel and one form per action the
//! officer may take now.

use super::actions::{self, ActionForm};
use super::files::previewable;
use super::payments::{self, Fees};
use super::queues::{DueBadge, channel_label, due_badge};
use crate::domain::calendar::Calendar;
use crate::domain::catalogue::TimeLimitUnit;
use crate::domain::dossier::{Action, Role, Status, Step, action_label};
use crate::domain::form::FormValues;
use crate::error::AppError;
use crate::models::dossier::Attachment;
use crate::models::staff::Staff;
use crate::queries::officer::{self as q, StaffDossier};
use crate::services::admin::operations::SyncStatus;
use crate::services::workflow::{self, calendar_for};
use crate::web::auth::{Officer, SessionStaff, Viewer};
use crate::web::form_state::FormState;
use crate::web::render::{PageCtx, local_time, page_with_status};
use crate::web::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use std::collections::BTreeMap;

/// What the page loads from the database.
pub struct Loaded {
    /// The dossier and its surroundings.
    pub sd: StaffDossier,
    /// The officer's agency calendar.
    pub cal: Calendar,
    /// The agency's specialists (assignment).
    pub specialists: Vec<Staff>,
    /// The actions the officer may take now.
    pub allowed: Vec<Action>,
    /// Whether they may extend the due date.
    pub may_extend: bool,
    /// Fees: the payment requests, and the quantities a new request starts from.
    pub fees: Fees,
    /// Its sync to the national portal.
    pub sync: SyncStatus,
}

/// Loads a dossier the officer may see (another agency's answers "not found").
pub async fn load(state: &AppState, staff: &SessionStaff, code: String) -> Result<Loaded, AppError> {
    let officer = workflow::Officer::new(&staff.staff, &staff.roles);
    state
        .db
        .run(move |conn| {
            let d = workflow::find_visible(conn, &officer, &code)?;
            let sd = q::staff_dossier(conn, d)?.ok_or(AppError::NotFound("hồ sơ"))?;
            let cal = calendar_for(conn, &officer.agency_id)?;
            let specialists = q::specialists(conn, &officer.agency_id)?;
            let allowed = workflow::allowed_actions(&officer, &sd.dossier);
            let may_extend = workflow::may_extend(&officer, &sd.dossier, !sd.extensions.is_empty());
            let fees = payments::load(conn, &sd.dossier, &allowed)?;
            let sync = crate::services::admin::operations::sync_status(conn, &sd.dossier.id)?;
            Ok(Loaded { sd, cal, specialists, allowed, may_extend, fees, sync })
        })
        .await
}

/// The national-portal sync status in one sentence, and whether it needs attention.
fn sync_sentence(s: &SyncStatus) -> (String, bool) {
    let total = s.sent + s.pending + s.dead;
    let last = s.last_sent_at.map(|t| format!(" (lần gần nhất lúc {})", local_time(&t))).unwrap_or_default();
    let error = s.last_error.as_deref().map(|e| format!(" Lỗi gần nhất: {e}")).unwrap_or_default();
    if s.dead > 0 {
        let text = format!(
            "Đã gửi {}/{total} bước lên Cổng DVC quốc gia{last}; {} bước bị từ chối, chờ quản trị viên gửi lại.{error}",
            s.sent, s.dead
        );
        (text, true)
    } else if s.pending > 0 {
        (
            format!(
                "Đã gửi {}/{total} bước lên Cổng DVC quốc gia{last}; {} bước đang chờ gửi.{error}",
                s.sent, s.pending
            ),
            false,
        )
    } else {
        (format!("Đã gửi đủ {total}/{total} bước lên Cổng DVC quốc gia{last}."), false)
    }
}

/// What was posted, when the page is drawn again after a refused action.
#[derive(Default)]
pub struct Posted {
    /// The action's slug (`tu-choi`, …, `ghi-chu`).
    pub slug: String,
    /// The inputs and the messages per field.
    pub f: FormState,
    /// A message about the whole action (wrong state, stale page…).
    pub problem: Option<String>,
}

/// A file on the page.
pub struct FileView {
    id: String,
    name: String,
    paper: String,
    size: String,
    at: String,
    by: String,
    previewable: bool,
}

/// Files of one purpose.
pub struct FileGroup {
    title: &'static str,
    files: Vec<FileView>,
}

/// A history line.
pub struct EventView {
    at: String,
    action: &'static str,
    actor: String,
    role: &'static str,
    agency: String,
    status: &'static str,
    note: String,
    due: String,
}

/// A transfer line.
pub struct TransferView {
    from: String,
    to: String,
    sent: String,
    sent_by: String,
    note: String,
    returned: String,
    reply: String,
}

/// An extension line.
pub struct ExtensionView {
    at: String,
    by: String,
    old_due: String,
    new_due: String,
    reason: String,
}

/// A note.
pub struct NoteView {
    at: String,
    author: String,
    body: String,
}

/// `templates/officer/dossier.html`.
#[derive(Template)]
#[template(path = "officer/dossier.html")]
pub struct DossierPage {
    ctx: PageCtx,
    code: String,
    version: i32,
    status_code: i32,
    status: &'static str,
    status_note: String,
    step: &'static str,
    holder: String,
    holder_staff: String,
    procedure_code: String,
    procedure_name: String,
    time_limit: String,
    agency: String,
    channel: &'static str,
    applicant: Vec<(&'static str, String)>,
    deadlines: Vec<(&'static str, String)>,
    badge: Option<DueBadge>,
    result_note: String,
    values: Vec<(String, String)>,
    files: Vec<FileGroup>,
    history: Vec<EventView>,
    transfers: Vec<TransferView>,
    extensions: Vec<ExtensionView>,
    notes: Vec<NoteView>,
    forms: Vec<ActionForm>,
    slips: Vec<(&'static str, &'static str)>,
    posted: Posted,
    fresh: bool,
    /// The fees panel (`_partials/payments.html`).
    payments: crate::web::payment_panel::PaymentPanel,
    /// Prefix of e-receipt links.
    receipt_base: String,
    /// Staff view of the fees panel (references and notes shown).
    staff: bool,
    /// The national-portal sync: a sentence, and whether something is wrong.
    sync: (String, bool),
}

impl DossierPage {
    /// The value typed in a field of the form that was posted.
    fn val(&self, slug: &str, name: &str) -> &str {
        if self.posted.slug == slug { self.posted.f.value(name) } else { "" }
    }

    /// The message for a field of the form that was posted.
    fn err(&self, slug: &str, name: &str) -> Option<&str> {
        if self.posted.slug == slug { self.posted.f.error(name) } else { None }
    }

    /// What an input shows: what was posted, else its prefilled value.
    fn shown<'a>(&'a self, slug: &str, field: &'a actions::FieldSpec) -> &'a str {
        if self.posted.slug == slug { self.posted.f.value(&field.name) } else { &field.value }
    }
}

/// The form values as label and text: an e-form's answers, or what the desk wrote at the
/// counter (papers received, note).
pub fn form_lines(json: &str) -> Vec<(String, String)> {
    if let Ok(values) = serde_json::from_str::<FormValues>(json) {
        return values.display();
    }
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(json) else { return Vec::new() };
    map.iter()
        .filter_map(|(k, v)| {
            let label = match k.as_str() {
                "giay_to_da_nhan" => "Giấy tờ đã nhận".to_owned(),
                "ghi_chu" => "Ghi chú khi tiếp nhận".to_owned(),
                other => other.to_owned(),
            };
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join("; "),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            (!text.is_empty()).then_some((label, text))
        })
        .collect()
}

/// A size in words: `12 KB`, `1,5 MB`.
fn size_text(bytes: i64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} KB", (bytes + 1023) / 1024)
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0)).replace('.', ",")
    }
}

const PURPOSES: [(&str, &str); 4] = [
    ("paper", "Giấy tờ nộp trực tuyến"),
    ("scan", "Bản quét giấy tờ nhận trực tiếp"),
    ("supplement", "Giấy tờ bổ sung"),
    ("result", "Kết quả giải quyết"),
];

fn file_groups(sd: &StaffDossier) -> Vec<FileGroup> {
    let paper_name =
        |pos: i32| sd.papers.iter().find(|p| p.position == pos).map(|p| p.name.clone()).unwrap_or_default();
    PURPOSES
        .iter()
        .map(|(purpose, title)| FileGroup {
            title,
            files: sd
                .attachments
                .iter()
                .filter(|a| a.purpose == *purpose)
                .map(|a: &Attachment| FileView {
                    id: a.id.clone(),
                    name: a.file_name.clone(),
                    paper: if *purpose == "result" { String::new() } else { paper_name(a.paper_position) },
                    size: size_text(a.size_bytes),
                    at: local_time(&a.created_at),
                    by: a.staff_id.as_deref().map_or_else(|| "Công dân".to_owned(), |s| sd.staff_name(s).to_owned()),
                    previewable: previewable(&a.content_type),
                })
                .collect(),
        })
        .filter(|g| !g.files.is_empty())
        .collect()
}

fn history(sd: &StaffDossier) -> Vec<EventView> {
    let agency = |id: &Option<String>| id.as_deref().and_then(|i| sd.agency(i)).map(|a| a.short_name.clone());
    sd.events
        .iter()
        .map(|e| EventView {
            at: local_time(&e.at),
            action: action_label(&e.action),
            actor: match e.actor_kind.as_str() {
                "officer" => e.actor_id.as_deref().map(|id| sd.staff_name(id).to_owned()).unwrap_or_default(),
                "citizen" => sd.dossier.applicant_name.clone(),
                _ => "Hệ thống".to_owned(),
            },
            role: e.actor_role.as_deref().and_then(Role::from_code).map_or("", Role::label),
            agency: agency(&e.actor_agency_id).unwrap_or_default(),
            status: Status::from_code(e.to_status).map_or("", Status::label),
            note: e.note.clone().unwrap_or_default(),
            due: e.due_at.as_ref().map(local_time).unwrap_or_default(),
        })
        .collect()
}

/// The slips that apply to the dossier now, as `(kind, title)`.
pub fn slips_of(sd: &StaffDossier) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    if sd.dossier.received_at.is_some() {
        out.push(("tiep-nhan", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"));
    }
    if sd.events.iter().any(|e| e.action == "request_supplement") {
        out.push(("bo-sung", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"));
    }
    if sd.events.iter().any(|e| e.action == "refuse") {
        out.push(("tu-choi", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"));
    }
    if !sd.extensions.is_empty() {
        out.push(("xin-loi", "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"));
    }
    out
}

fn deadlines(sd: &StaffDossier) -> Vec<(&'static str, String)> {
    let d = &sd.dossier;
    let mut out = vec![("Ngày nộp", local_time(&d.submitted_at))];
    out.extend(d.received_at.as_ref().map(|t| ("Ngày tiếp nhận", local_time(t))));
    out.extend(d.due_at.as_ref().map(|t| ("Hạn trả kết quả", local_time(t))));
    out.extend(d.paused_at.as_ref().map(|t| ("Tạm dừng tính hạn từ", local_time(t))));
    out.extend(d.finished_at.as_ref().map(|t| ("Thời điểm hoàn thành", local_time(t))));
    out
}

/// The page of a loaded dossier.
pub fn view(
    req: &HttpRequest,
    state: &AppState,
    staff: &SessionStaff,
    loaded: Loaded,
    posted: Posted,
    fresh: bool,
) -> DossierPage {
    let now = state.clock.now_naive();
    let Loaded { sd, cal, specialists, allowed, may_extend, fees, sync } = loaded;
    let d = &sd.dossier;
    let unit = TimeLimitUnit::parse(&sd.procedure.time_limit_unit).map_or("", TimeLimitUnit::label);
    let holder_id = d.handler_agency_id.clone().unwrap_or_else(|| d.agency_id.clone());
    let mut applicant = vec![
        ("Họ và tên", d.applicant_name.clone()),
        ("Số định danh cá nhân", d.applicant_id_number.clone()),
        ("Số điện thoại", d.applicant_phone.clone()),
    ];
    applicant.extend(d.applicant_email.clone().filter(|e| !e.is_empty()).map(|e| ("Thư điện tử", e)));
    applicant.extend(d.applicant_address.clone().map(|a| ("Địa chỉ", a)));
    DossierPage {
        ctx: PageCtx::new(req, &state.config.province_name, Some(&Viewer::of_staff(staff))),
        forms: actions::forms(
            &allowed,
            may_extend,
            &actions::Choices {
                specialists: &specialists,
                agencies: &sd.agencies,
                own_agency: &staff.agency.id,
                fees: &fees.choices,
            },
        ),
        payments: fees.panel,
        receipt_base: format!("/can-bo/ho-so/{}/bien-lai", d.code),
        sync: sync_sentence(&sync),
        staff: true,
        code: d.code.clone(),
        version: d.version,
        status_code: d.status,
        status: Status::from_code(d.status).map_or("", Status::label),
        status_note: d.status_note.clone().unwrap_or_default(),
        step: d.handler_step.as_deref().and_then(Step::from_code).map_or("", Step::label),
        holder: sd.agency(&holder_id).map(|a| a.name.clone()).unwrap_or_default(),
        holder_staff: d.handler_staff_id.as_deref().map(|s| sd.staff_name(s).to_owned()).unwrap_or_default(),
        procedure_code: sd.procedure.code.clone(),
        procedure_name: sd.procedure.name.clone(),
        time_limit: format!("{} {unit}", sd.procedure.time_limit_value),
        agency: sd.agency(&d.agency_id).map(|a| a.name.clone()).unwrap_or_default(),
        channel: channel_label(&d.channel),
        applicant,
        deadlines: deadlines(&sd),
        badge: due_badge(&cal, now, d),
        result_note: d.result_note.clone().unwrap_or_default(),
        values: form_lines(&d.form_values),
        files: file_groups(&sd),
        history: history(&sd),
        transfers: sd
            .transfers
            .iter()
            .map(|t| TransferView {
                from: sd.agency(&t.from_agency_id).map(|a| a.short_name.clone()).unwrap_or_default(),
                to: sd.agency(&t.to_agency_id).map(|a| a.short_name.clone()).unwrap_or_default(),
                sent: local_time(&t.sent_at),
                sent_by: sd.staff_name(&t.sent_by).to_owned(),
                note: t.note.clone(),
                returned: t.returned_at.as_ref().map(local_time).unwrap_or_default(),
                reply: t.reply_note.clone().unwrap_or_default(),
            })
            .collect(),
        extensions: sd
            .extensions
            .iter()
            .map(|e| ExtensionView {
                at: local_time(&e.at),
                by: sd.staff_name(&e.staff_id).to_owned(),
                old_due: local_time(&e.old_due_at),
                new_due: local_time(&e.new_due_at),
                reason: e.reason.clone(),
            })
            .collect(),
        notes: sd
            .notes
            .iter()
            .map(|n| NoteView {
                at: local_time(&n.at),
                author: sd.staff_name(&n.staff_id).to_owned(),
                body: n.body.clone(),
            })
            .collect(),
        slips: slips_of(&sd),
        posted,
        fresh,
    }
}

/// Draws the page again after a refused action: 422 for input to correct, 409 for an action
/// the dossier's state (or another officer's change) no longer allows.
pub async fn refused(
    req: &HttpRequest,
    state: &AppState,
    staff: &SessionStaff,
    code: String,
    slug: &str,
    values: BTreeMap<String, String>,
    error: AppError,
) -> Result<HttpResponse, AppError> {
    let (status, posted) = match error {
        AppError::Invalid(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Posted { slug: slug.to_owned(), f: FormState::new(values, errors), problem: None },
        ),
        AppError::BadRequest { message, .. } => (
            StatusCode::CONFLICT,
            Posted { slug: slug.to_owned(), f: FormState::new(values, Vec::new()), problem: Some(message) },
        ),
        other => return Err(other),
    };
    let loaded = load(state, staff, code).await?;
    page_with_status(status, &view(req, state, staff, loaded, posted, false))
}

/// `?moi=1` right after counter intake.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShowQuery {
    moi: String,
}

/// `GET /can-bo/ho-so/{code}`.
pub async fn show(
    req: HttpRequest,
    officer: Officer,
    state: web::Data<AppState>,
    code: web::Path<String>,
    query: web::Query<ShowQuery>,
) -> Result<HttpResponse, AppError> {
    let staff = officer.0;
    let loaded = load(&state, &staff, code.into_inner()).await?;
    page_with_status(StatusCode::OK, &view(&req, &state, &staff, loaded, Posted::default(), query.moi == "1"))
}

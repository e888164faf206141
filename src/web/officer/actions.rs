//! The officer's actions on a dossier (`POST /can-bo/ho-so/{code}/{action}`): one form per
//! action the officer may take now, each turned into a [`Command`] for `workflow::act`; and the
//! notes thread (`POST /can-bo/ho-so/{code}/ghi-chu`). A refused action draws the dossier page
//! again with the message and the officer's input.

use super::dossier::refused;
use super::queues::parse_date;
use crate::domain::dossier::Action;
use crate::error::AppError;
use crate::models::agency::Agency;
use crate::models::staff::Staff;
use crate::services::intake::IncomingFile;
use crate::services::workflow::{self, Command, Env};
use crate::web::auth::{Officer, SessionStaff, Viewer};
use crate::web::csrf::CsrfForm;
use crate::web::render::see_other;
use crate::web::state::AppState;
use crate::web::upload;
use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveTime;
use std::collections::BTreeMap;

/// One input of an action form.
pub struct FieldSpec {
    /// Input name.
    pub name: &'static str,
    /// Label.
    pub label: &'static str,
    /// `textarea`, `text`, `select` or `file`.
    pub widget: &'static str,
    /// Hint under the label ("" for none).
    pub hint: &'static str,
    /// Choices of a select: `(value, label)`.
    pub options: Vec<(String, String)>,
}

/// One action form on the dossier page.
pub struct ActionForm {
    /// URL segment (`tiep-nhan`, `tu-choi`, …).
    pub slug: &'static str,
    /// Title.
    pub label: &'static str,
    /// What the action does, in a sentence.
    pub intro: &'static str,
    /// Whether it uploads files.
    pub multipart: bool,
    /// Whether it ends or refuses the dossier (drawn as a warning).
    pub warning: bool,
    /// The inputs.
    pub fields: Vec<FieldSpec>,
}

/// `(action, slug, title, intro)` of every action with a form, in page order.
const ACTIONS: [(Action, &str, &str, &str); 11] = [
    (Action::Receive, "tiep-nhan", "Tiếp nhận hồ sơ", "Hồ sơ đầy đủ, hợp lệ: tiếp nhận và tính ngày hẹn trả kết quả."),
    (Action::Assign, "giao-chuyen-vien", "Chuyển chuyên viên xử lý", "Giao hồ sơ cho một chuyên viên của cơ quan."),
    (Action::Transfer, "chuyen-lien-thong", "Chuyển liên thông", "Gửi hồ sơ đến cơ quan khác để phối hợp giải quyết."),
    (
        Action::ReturnTransfer,
        "tra-lien-thong",
        "Trả hồ sơ liên thông",
        "Gửi lại ý kiến, kết quả xử lý cho cơ quan đã chuyển.",
    ),
    (
        Action::ProposeResult,
        "trinh-ket-qua",
        "Trình lãnh đạo phê duyệt",
        "Đề xuất kết quả giải quyết kèm dự thảo văn bản.",
    ),
    (Action::SendBack, "tra-lai", "Trả lại chuyên viên", "Yêu cầu chuyên viên xem xét, sửa đổi đề xuất."),
    (Action::Approve, "phe-duyet", "Phê duyệt kết quả", "Phê duyệt kết quả giải quyết; công dân được thông báo."),
    (Action::ReturnResult, "tra-ket-qua", "Trả kết quả", "Đã giao kết quả cho công dân."),
    (
        Action::RequestSupplement,
        "yeu-cau-bo-sung",
        "Yêu cầu bổ sung, hoàn thiện hồ sơ",
        "Nêu đầy đủ một lần các giấy tờ, nội dung cần bổ sung (chỉ được yêu cầu một lần).",
    ),
    (Action::Refuse, "tu-choi", "Từ chối tiếp nhận", "Hồ sơ không đủ điều kiện tiếp nhận: nêu rõ lý do."),
    (Action::Stop, "dung-xu-ly", "Dừng xử lý hồ sơ", "Dừng giải quyết hồ sơ và thông báo lý do cho công dân."),
];

/// The slug of the extension form.
pub const EXTEND: &str = "gia-han";

fn text(name: &'static str, label: &'static str, hint: &'static str) -> FieldSpec {
    FieldSpec { name, label, widget: "textarea", hint, options: Vec::new() }
}

fn files(label: &'static str) -> FieldSpec {
    FieldSpec {
        name: "files",
        label,
        widget: "file",
        hint: "PDF, JPEG, PNG hoặc DOCX; có thể chọn nhiều tệp.",
        options: Vec::new(),
    }
}

fn fields_of(action: Action, specialists: &[Staff], agencies: &[Agency], own_agency: &str) -> Vec<FieldSpec> {
    match action {
        Action::Refuse => vec![text("reason", "Lý do từ chối", "Ghi trên Phiếu từ chối gửi công dân.")],
        Action::RequestSupplement => {
            vec![text(
                "missing",
                "Giấy tờ, nội dung cần bổ sung",
                "Liệt kê đủ một lần, mỗi giấy tờ một dòng (hoặc cách nhau bằng dấu chấm phẩy); ghi trên Phiếu yêu cầu bổ sung.",
            )]
        }
        Action::Assign => vec![FieldSpec {
            name: "specialist_id",
            label: "Chuyên viên",
            widget: "select",
            hint: "",
            options: specialists.iter().map(|s| (s.id.clone(), s.full_name.clone())).collect(),
        }],
        Action::Transfer => vec![
            FieldSpec {
                name: "to_agency_id",
                label: "Cơ quan phối hợp",
                widget: "select",
                hint: "",
                options: agencies
                    .iter()
                    .filter(|a| a.id != own_agency)
                    .map(|a| (a.id.clone(), a.name.clone()))
                    .collect(),
            },
            text("note", "Nội dung đề nghị phối hợp", ""),
        ],
        Action::ReturnTransfer => vec![text("reply", "Ý kiến, kết quả xử lý của cơ quan", "")],
        Action::ProposeResult => {
            vec![text("summary", "Tóm tắt kết quả đề xuất", ""), files("Dự thảo văn bản kết quả")]
        }
        Action::SendBack => vec![text("note", "Ý kiến chỉ đạo", "")],
        Action::Approve => vec![
            text("note", "Ý kiến phê duyệt (không bắt buộc)", ""),
            files("Văn bản kết quả đã ký (nếu chưa có trong hồ sơ)"),
        ],
        Action::Stop => vec![text("reason", "Lý do dừng xử lý", "")],
        _ => Vec::new(),
    }
}

/// The forms of the actions the officer may take now, then the extension if allowed.
pub fn forms(
    allowed: &[Action],
    may_extend: bool,
    specialists: &[Staff],
    agencies: &[Agency],
    own_agency: &str,
) -> Vec<ActionForm> {
    let mut out: Vec<ActionForm> = ACTIONS
        .iter()
        .filter(|(a, ..)| allowed.contains(a))
        .map(|(a, slug, label, intro)| ActionForm {
            slug,
            label,
            intro,
            multipart: matches!(a, Action::ProposeResult | Action::Approve),
            warning: matches!(a, Action::Refuse | Action::Stop),
            fields: fields_of(*a, specialists, agencies, own_agency),
        })
        .collect();
    if may_extend {
        out.push(ActionForm {
            slug: EXTEND,
            label: "Gia hạn, hẹn lại ngày trả kết quả",
            intro: "Chỉ được hẹn lại một lần, trước hạn ít nhất 01 ngày; công dân nhận văn bản xin lỗi.",
            multipart: false,
            warning: false,
            fields: vec![
                FieldSpec {
                    name: "new_due",
                    label: "Ngày hẹn trả mới",
                    widget: "text",
                    hint: "Ngày/tháng/năm, ví dụ 04/12/2026.",
                    options: Vec::new(),
                },
                FieldSpec {
                    name: "new_due_time",
                    label: "Giờ hẹn trả",
                    widget: "text",
                    hint: "Giờ:phút, ví dụ 16:30 (để trống: 17:00).",
                    options: Vec::new(),
                },
                text("reason", "Lý do chậm trễ", "Ghi trong văn bản xin lỗi gửi công dân."),
            ],
        });
    }
    out
}

fn extend_command(values: &BTreeMap<String, String>) -> Result<Command, AppError> {
    let get = |k: &str| values.get(k).map_or("", |s| s.trim());
    let mut errors = Vec::new();
    let date = parse_date(get("new_due"));
    if date.is_none() {
        errors.push(("new_due".to_owned(), "Vui lòng nhập ngày hẹn trả mới theo dạng ngày/tháng/năm.".to_owned()));
    }
    let time = match get("new_due_time") {
        "" => NaiveTime::from_hms_opt(17, 0, 0),
        t => NaiveTime::parse_from_str(t, "%H:%M").ok(),
    };
    if time.is_none() {
        errors
            .push(("new_due_time".to_owned(), "Vui lòng nhập giờ hẹn trả theo dạng giờ:phút, ví dụ 16:30.".to_owned()));
    }
    if get("reason").is_empty() {
        errors.push(("reason".to_owned(), "Vui lòng nêu lý do gia hạn để gửi thư xin lỗi công dân.".to_owned()));
    }
    match (date, time) {
        (Some(d), Some(t)) if errors.is_empty() => {
            Ok(Command::Extend { new_due_local: d.and_time(t), reason: get("reason").to_owned() })
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

/// The command of a posted form.
fn command(slug: &str, values: &BTreeMap<String, String>, files: Vec<IncomingFile>) -> Result<Command, AppError> {
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    Ok(match slug {
        "tiep-nhan" => Command::Receive,
        "tu-choi" => Command::Refuse { reason: get("reason") },
        "yeu-cau-bo-sung" => Command::RequestSupplement { missing: get("missing") },
        "giao-chuyen-vien" => Command::Assign { specialist_id: get("specialist_id") },
        "chuyen-lien-thong" => Command::Transfer { to_agency_id: get("to_agency_id"), note: get("note") },
        "tra-lien-thong" => Command::ReturnTransfer { reply: get("reply") },
        "trinh-ket-qua" => Command::ProposeResult { summary: get("summary"), files },
        "tra-lai" => Command::SendBack { note: get("note") },
        "phe-duyet" => Command::Approve { note: get("note"), files },
        "dung-xu-ly" => Command::Stop { reason: get("reason") },
        "tra-ket-qua" => Command::ReturnResult,
        EXTEND => extend_command(values)?,
        _ => return Err(AppError::NotFound("thao tác")),
    })
}

/// Runs a posted action and answers: back to the dossier, or the page again with the reason.
async fn run(
    req: &HttpRequest,
    state: &AppState,
    staff: &SessionStaff,
    code: String,
    slug: &str,
    values: BTreeMap<String, String>,
    files: Vec<IncomingFile>,
) -> Result<HttpResponse, AppError> {
    let officer = workflow::Officer::new(&staff.staff, &staff.roles);
    let env = Env { db: &state.db, clock: &state.clock, store: &state.files, base_url: &state.config.base_url };
    let outcome = match (command(slug, &values, files), values.get("version").and_then(|v| v.trim().parse().ok())) {
        (Err(e), _) => Err(e),
        (Ok(_), None) => Err(workflow::stale()),
        (Ok(cmd), Some(version)) => workflow::act(env, &officer, &code, version, cmd).await,
    };
    match outcome {
        Ok(d) => Ok(see_other(&format!("/can-bo/ho-so/{}", d.code))),
        Err(e) => refused(req, state, staff, code, slug, values, e).await,
    }
}

/// `POST /can-bo/ho-so/{code}/{action}` (urlencoded forms).
pub async fn act(
    req: HttpRequest,
    officer: Officer,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: CsrfForm<BTreeMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (code, slug) = path.into_inner();
    run(&req, &state, &officer.0, code, &slug, form.form, Vec::new()).await
}

/// `POST /can-bo/ho-so/{code}/trinh-ket-qua` and `/phe-duyet` (multipart, with result files).
pub async fn act_with_files(
    req: HttpRequest,
    officer: Officer,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let (code, slug) = path.into_inner();
    let staff = officer.0;
    let declared = req.headers().get("content-length").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    let viewer = Viewer::of_staff(&staff);
    let form =
        upload::read(payload, &viewer, state.config.max_file_bytes, state.config.max_dossier_bytes, declared).await?;
    let values = form.posted.values;
    if let Some((_, message)) = form.errors.into_iter().next() {
        let error = AppError::Invalid(vec![("files".to_owned(), message)]);
        return refused(&req, &state, &staff, code, &slug, values, error).await;
    }
    run(&req, &state, &staff, code, &slug, values, form.posted.files).await
}

/// `POST /can-bo/ho-so/{code}/ghi-chu`: a note between staff.
pub async fn note(
    req: HttpRequest,
    officer: Officer,
    state: web::Data<AppState>,
    code: web::Path<String>,
    form: CsrfForm<BTreeMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (code, staff) = (code.into_inner(), officer.0);
    let who = workflow::Officer::new(&staff.staff, &staff.roles);
    let body = form.form.get("body").cloned().unwrap_or_default();
    match workflow::add_note(&state.db, &state.clock, &who, &code, &body).await {
        Ok(()) => Ok(see_other(&format!("/can-bo/ho-so/{code}#ghi-chu"))),
        Err(e) => refused(&req, &state, &staff, code, "ghi-chu", form.form, e).await,
    }
}

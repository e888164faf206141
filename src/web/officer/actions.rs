//! The officer's actions on a dossier (`POST /can-bo/ho-so/{code}/{action}`): one form per
//! action the officer may take now, each turned into a [`Command`] for `workflow::act`; and the
//! notes thread (`POST /can-bo/ho-so/{code}/ghi-chu`). A refused action draws the dossier page
//! again with the message and the officer's input.
//!
//! Fees: "Yêu cầu nộp phí, lệ phí" has one quantity per fee rule of the procedure (inputs
//! `so_luong-<i>`, in the rules' order), prefilled with what the e-form says; "Ghi nhận nộp phí
//! tại Bộ phận Một cửa" records a cash payment with its receipt number.

use super::dossier::refused;
use super::queues::parse_date;
use crate::domain::dossier::Action;
use crate::domain::payment::MAX_QUANTITY;
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
    pub name: String,
    /// Label.
    pub label: String,
    /// `textarea`, `text`, `number`, `select` or `file`.
    pub widget: &'static str,
    /// Hint under the label ("" for none).
    pub hint: &'static str,
    /// Choices of a select: `(value, label)`.
    pub options: Vec<(String, String)>,
    /// The value drawn before anything was posted (a prefilled quantity), or "".
    pub value: String,
}

impl FieldSpec {
    fn new(name: &str, label: &str, widget: &'static str, hint: &'static str) -> FieldSpec {
        FieldSpec {
            name: name.to_owned(),
            label: label.to_owned(),
            widget,
            hint,
            options: Vec::new(),
            value: String::new(),
        }
    }
}

/// One fee rule of the dossier's procedure on the payment request form: its label and the
/// quantity the dossier's e-form gives (0 when the rule does not apply).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeeChoice {
    /// "Lệ phí … (8.000 đ/bản)".
    pub label: String,
    /// The prefilled quantity.
    pub quantity: i64,
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

/// The slug of the payment request form.
pub const REQUEST_PAYMENT: &str = "yeu-cau-nop-phi";
/// The slug of the desk payment form.
pub const PAY_AT_DESK: &str = "thu-phi-truc-tiep";

/// `(action, slug, title, intro)` of every action with a form, in page order.
const ACTIONS: [(Action, &str, &str, &str); 13] = [
    (Action::Receive, "tiep-nhan", "Tiếp nhận hồ sơ", "Hồ sơ đầy đủ, hợp lệ: tiếp nhận và tính ngày hẹn trả kết quả."),
    (
        Action::Pay,
        PAY_AT_DESK,
        "Ghi nhận nộp phí tại Bộ phận Một cửa",
        "Công dân đã nộp phí, lệ phí bằng tiền mặt tại Bộ phận Một cửa: ghi số biên lai; hồ sơ được tiếp tục giải quyết.",
    ),
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
    (
        Action::RequestPayment,
        REQUEST_PAYMENT,
        "Yêu cầu nộp phí, lệ phí",
        "Xác nhận số lượng của từng khoản thu; công dân được thông báo số tiền phải nộp. Thời gian thực hiện nghĩa \
         vụ tài chính không tính vào thời hạn giải quyết (Nghị định 118/2025/NĐ-CP).",
    ),
    (Action::Refuse, "tu-choi", "Từ chối tiếp nhận", "Hồ sơ không đủ điều kiện tiếp nhận: nêu rõ lý do."),
    (Action::Stop, "dung-xu-ly", "Dừng xử lý hồ sơ", "Dừng giải quyết hồ sơ và thông báo lý do cho công dân."),
];

/// The slug of the extension form.
pub const EXTEND: &str = "gia-han";

fn text(name: &str, label: &str, hint: &'static str) -> FieldSpec {
    FieldSpec::new(name, label, "textarea", hint)
}

fn files(label: &str) -> FieldSpec {
    FieldSpec::new("files", label, "file", "PDF, JPEG, PNG hoặc DOCX; có thể chọn nhiều tệp.")
}

/// The input name of the quantity of the `i`-th fee rule.
pub fn quantity_input(i: usize) -> String {
    format!("so_luong-{i}")
}

/// What a page needs to draw the forms.
pub struct Choices<'a> {
    /// The agency's specialists (assignment).
    pub specialists: &'a [Staff],
    /// Every agency (transfers).
    pub agencies: &'a [Agency],
    /// The officer's agency.
    pub own_agency: &'a str,
    /// The procedure's fee rules with their prefilled quantities (payment request).
    pub fees: &'a [FeeChoice],
}

fn fields_of(action: Action, c: &Choices<'_>) -> Vec<FieldSpec> {
    let (specialists, agencies, own_agency) = (c.specialists, c.agencies, c.own_agency);
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
            options: specialists.iter().map(|s| (s.id.clone(), s.full_name.clone())).collect(),
            ..FieldSpec::new("specialist_id", "Chuyên viên", "select", "")
        }],
        Action::Transfer => vec![
            FieldSpec {
                options: agencies
                    .iter()
                    .filter(|a| a.id != own_agency)
                    .map(|a| (a.id.clone(), a.name.clone()))
                    .collect(),
                ..FieldSpec::new("to_agency_id", "Cơ quan phối hợp", "select", "")
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
        Action::RequestPayment => c
            .fees
            .iter()
            .enumerate()
            .map(|(i, fee)| FieldSpec {
                value: fee.quantity.to_string(),
                ..FieldSpec::new(&quantity_input(i), &fee.label, "number", "Nhập 0 nếu không thu khoản này.")
            })
            .collect(),
        Action::Pay => vec![FieldSpec::new(
            "receipt_no",
            "Số biên lai thu phí, lệ phí",
            "text",
            "Ghi đúng số trên biên lai đã giao cho người nộp.",
        )],
        _ => Vec::new(),
    }
}

/// The forms of the actions the officer may take now, then the extension if allowed. A
/// procedure without fee rules offers no payment request.
pub fn forms(allowed: &[Action], may_extend: bool, choices: &Choices<'_>) -> Vec<ActionForm> {
    let mut out: Vec<ActionForm> = ACTIONS
        .iter()
        .filter(|(a, ..)| allowed.contains(a))
        .filter(|(a, ..)| *a != Action::RequestPayment || !choices.fees.is_empty())
        .map(|(a, slug, label, intro)| ActionForm {
            slug,
            label,
            intro,
            multipart: matches!(a, Action::ProposeResult | Action::Approve),
            warning: matches!(a, Action::Refuse | Action::Stop),
            fields: fields_of(*a, choices),
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
                FieldSpec::new("new_due", "Ngày hẹn trả mới", "text", "Ngày/tháng/năm, ví dụ 04/12/2026."),
                FieldSpec::new("new_due_time", "Giờ hẹn trả", "text", "Giờ:phút, ví dụ 16:30 (để trống: 17:00)."),
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

/// The quantities of a posted payment request: one whole number from 0 to [`MAX_QUANTITY`] per
/// fee rule, each refusal on its input.
fn quantities(values: &BTreeMap<String, String>, rules: usize) -> Result<Vec<i64>, AppError> {
    let mut errors = Vec::new();
    let mut out = Vec::with_capacity(rules);
    for i in 0..rules {
        let name = quantity_input(i);
        let text = values.get(&name).map_or("", |v| v.trim());
        match text.parse::<i64>() {
            Ok(n) if (0..=MAX_QUANTITY).contains(&n) => out.push(n),
            _ if text.is_empty() => {
                errors.push((name, "Vui lòng nhập số lượng của khoản thu (nhập 0 nếu không thu).".to_owned()))
            }
            _ => errors.push((name, format!("Số lượng là số nguyên từ 0 đến {MAX_QUANTITY}."))),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(AppError::Invalid(errors)) }
}

/// The command of a posted form; `fee_rules` is the number of fee rules of the dossier's
/// procedure (payment requests only).
fn command(
    slug: &str,
    values: &BTreeMap<String, String>,
    files: Vec<IncomingFile>,
    fee_rules: usize,
) -> Result<Command, AppError> {
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
        REQUEST_PAYMENT => Command::RequestPayment { quantities: quantities(values, fee_rules)? },
        PAY_AT_DESK => Command::PayAtDesk { receipt_no: get("receipt_no") },
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
    let fee_rules = if slug == REQUEST_PAYMENT { fee_rule_count(state, &officer, &code).await? } else { 0 };
    let env = Env { db: &state.db, clock: &state.clock, store: &state.files, base_url: &state.config.base_url };
    let posted = command(slug, &values, files, fee_rules);
    let outcome = match (posted, values.get("version").and_then(|v| v.trim().parse().ok())) {
        (Err(e), _) => Err(e),
        (Ok(_), None) => Err(workflow::stale()),
        (Ok(cmd), Some(version)) => workflow::act(env, &officer, &code, version, cmd).await,
    };
    match outcome {
        Ok(d) => Ok(see_other(&format!("/can-bo/ho-so/{}", d.code))),
        Err(AppError::Invalid(errors)) if slug == REQUEST_PAYMENT => {
            // A message about the quantities as a whole is shown on the first of them.
            let errors = errors
                .into_iter()
                .map(|(field, message)| (if field == "quantities" { quantity_input(0) } else { field }, message))
                .collect();
            refused(req, state, staff, code, slug, values, AppError::Invalid(errors)).await
        }
        Err(e) => refused(req, state, staff, code, slug, values, e).await,
    }
}

/// How many fee rules the procedure of a dossier the officer may see has ("not found"
/// otherwise).
async fn fee_rule_count(state: &AppState, officer: &workflow::Officer, code: &str) -> Result<usize, AppError> {
    let (officer, code) = (officer.clone(), code.to_owned());
    state
        .db
        .run(move |conn| {
            let d = workflow::find_visible(conn, &officer, &code)?;
            Ok(crate::services::payments::rules_of(conn, &d.procedure_id)?.len())
        })
        .await
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

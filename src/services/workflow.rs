//! The one-stop workflow: every action on a dossier after submission, by officers, leaders, the
//! citizen (supplement, e-result download) and the system. One function, [`act`], runs every
//! officer action in one transaction: it checks the agency scope, asks the transition table,
//! updates the dossier only if nobody changed it since the officer's page was drawn (the
//! version column), moves the legal clock, appends the history row and enqueues the citizen's
//! e-mail. If any of those fails, nothing is changed.

use crate::clock::{Clock, to_local, to_utc};
use crate::db::{Db, DbConn};
use crate::domain::calendar::{Calendar, DayOverrides, OfficeHours};
use crate::domain::catalogue::TimeLimitUnit;
use crate::domain::dossier::{Action, Position, Role, Status, Step, dossier_code, initial, transition};
use crate::domain::fold::{clean, fold};
use crate::error::AppError;
use crate::files::{FileKind, FileStore};
use crate::integrations::mailer::{MailMessage, OutgoingMail};
use crate::jobs::{Job, enqueue};
use crate::models::agency::Agency;
use crate::models::dossier::{Attachment, Dossier, DossierEvent};
use crate::models::holiday::Holiday;
use crate::models::payment::PaymentRequest;
use crate::models::procedure::Procedure;
use crate::models::staff::{Staff, roles};
use crate::models::workflow::{Extension, Note, Transfer};
use crate::services::intake::{IncomingFile, safe_file_name, write_retrying};
use chrono::NaiveDateTime;

/// What every workflow action needs from the application.
#[derive(Clone, Copy)]
pub struct Env<'a> {
    /// The database.
    pub db: &'a Db,
    /// Now.
    pub clock: &'a Clock,
    /// Uploaded files.
    pub store: &'a FileStore,
    /// The portal's public address, for links in e-mails.
    pub base_url: &'a str,
}

/// The longest reason, note or request text, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;

/// A staff member acting on dossiers.
#[derive(Clone, Debug)]
pub struct Officer {
    /// Staff id.
    pub id: String,
    /// Their agency.
    pub agency_id: String,
    /// The dossier roles they hold.
    pub roles: Vec<Role>,
}

impl Officer {
    /// From a staff row and its role codes.
    pub fn new(staff: &Staff, role_codes: &[String]) -> Officer {
        let roles = role_codes.iter().filter_map(|r| Role::from_code(r)).filter(|r| *r != Role::Citizen).collect();
        Officer { id: staff.id.clone(), agency_id: staff.agency_id.clone(), roles }
    }
}

/// Who did something, as written in a history row.
#[derive(Clone, Debug)]
pub struct Actor {
    /// `citizen`, `officer` or `system`.
    pub kind: &'static str,
    /// The user or staff id.
    pub id: Option<String>,
    /// The role acted in.
    pub role: Role,
    /// The staff member's agency.
    pub agency_id: Option<String>,
}

impl Actor {
    /// A citizen.
    pub fn citizen(user_id: &str) -> Actor {
        Actor { kind: "citizen", id: Some(user_id.to_owned()), role: Role::Citizen, agency_id: None }
    }

    /// An officer acting in `role`.
    pub fn officer(officer: &Officer, role: Role) -> Actor {
        Actor { kind: "officer", id: Some(officer.id.clone()), role, agency_id: Some(officer.agency_id.clone()) }
    }

    /// The portal itself.
    pub fn system() -> Actor {
        Actor { kind: "system", id: None, role: Role::System, agency_id: None }
    }
}

/// One officer action with its inputs.
#[derive(Clone, Debug)]
pub enum Command {
    /// Receive an online dossier (1→2).
    Receive,
    /// Refuse it at intake with a reason (1→3).
    Refuse {
        /// Why.
        reason: String,
    },
    /// Ask the citizen for what is missing (→5).
    RequestSupplement {
        /// What is missing.
        missing: String,
    },
    /// Hand to a specialist of the agency (2→4).
    Assign {
        /// The specialist.
        specialist_id: String,
    },
    /// Send to another agency for its part.
    Transfer {
        /// The other agency.
        to_agency_id: String,
        /// What is asked.
        note: String,
    },
    /// Send back to the agency that transferred it.
    ReturnTransfer {
        /// The answer.
        reply: String,
    },
    /// Propose the result to the leader.
    ProposeResult {
        /// The result in a few words.
        summary: String,
        /// The draft result files.
        files: Vec<IncomingFile>,
    },
    /// Send the proposal back to the specialist.
    SendBack {
        /// What to change.
        note: String,
    },
    /// Approve the result (4→9), with the signed result files.
    Approve {
        /// An optional note.
        note: String,
        /// The result files.
        files: Vec<IncomingFile>,
    },
    /// Stop processing with a reason (→8).
    Stop {
        /// Why.
        reason: String,
    },
    /// Hand over the result (9→10).
    ReturnResult,
    /// Ask for fees (→6, clock paused): one quantity per fee rule of the procedure, in order.
    RequestPayment {
        /// Units of each fee rule (0 leaves it out).
        quantities: Vec<i64>,
    },
    /// Record fees paid in cash at the desk (6→ back), with the receipt number.
    PayAtDesk {
        /// Số biên lai.
        receipt_no: String,
    },
    /// Extend the due date, sending the apology letter.
    Extend {
        /// The new due date, local time.
        new_due_local: NaiveDateTime,
        /// Why (told to the citizen).
        reason: String,
    },
}

impl Command {
    /// The action of the transition table (none for an extension, which moves no state).
    pub fn action(&self) -> Option<Action> {
        Some(match self {
            Command::Receive => Action::Receive,
            Command::Refuse { .. } => Action::Refuse,
            Command::RequestSupplement { .. } => Action::RequestSupplement,
            Command::Assign { .. } => Action::Assign,
            Command::Transfer { .. } => Action::Transfer,
            Command::ReturnTransfer { .. } => Action::ReturnTransfer,
            Command::ProposeResult { .. } => Action::ProposeResult,
            Command::SendBack { .. } => Action::SendBack,
            Command::Approve { .. } => Action::Approve,
            Command::Stop { .. } => Action::Stop,
            Command::ReturnResult => Action::ReturnResult,
            Command::RequestPayment { .. } => Action::RequestPayment,
            Command::PayAtDesk { .. } => Action::Pay,
            Command::Extend { .. } => return None,
        })
    }
}

/// What an officer may do from the dossier page, in display order.
pub const OFFICER_ACTIONS: [Action; 13] = [
    Action::Receive,
    Action::Pay,
    Action::Assign,
    Action::Transfer,
    Action::ReturnTransfer,
    Action::ProposeResult,
    Action::SendBack,
    Action::Approve,
    Action::ReturnResult,
    Action::RequestSupplement,
    Action::RequestPayment,
    Action::Refuse,
    Action::Stop,
];

/// The position stored on a dossier row.
pub fn position_of(d: &Dossier) -> Result<Position, AppError> {
    let status = Status::from_code(d.status)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("dossier {} has state {}", d.id, d.status)))?;
    Ok(Position::new(status, d.handler_step.as_deref().and_then(Step::from_code)))
}

/// Whether the officer's agency may see the dossier: it received it, holds it now, or was
/// consulted on it (liên thông). Anyone else gets "not found".
pub fn visible(conn: &mut DbConn, officer: &Officer, d: &Dossier) -> Result<bool, AppError> {
    Ok(d.agency_id == officer.agency_id
        || d.handler_agency_id.as_deref() == Some(officer.agency_id.as_str())
        || Transfer::reached(conn, &d.id, &officer.agency_id)?)
}

/// The role in which the officer may take `action` on the dossier now, if any: the table must
/// allow it for one of their roles, the dossier must be held by their agency, and a specialist
/// step assigned to someone else is theirs only.
pub fn role_for(officer: &Officer, d: &Dossier, action: Action) -> Option<Role> {
    let from = position_of(d).ok()?;
    if d.handler_agency_id.as_deref().unwrap_or(d.agency_id.as_str()) != officer.agency_id {
        return None;
    }
    officer.roles.iter().copied().find(|role| {
        transition(from, action, *role, None).is_ok()
            && !(*role == Role::Specialist
                && from.step == Some(Step::Specialist)
                && d.handler_staff_id.as_deref().is_some_and(|s| s != officer.id))
    })
}

/// The actions the officer may take on the dossier now.
pub fn allowed_actions(officer: &Officer, d: &Dossier) -> Vec<Action> {
    OFFICER_ACTIONS.into_iter().filter(|a| role_for(officer, d, *a).is_some()).collect()
}

/// Whether the officer may extend the due date now: the dossier is held by their agency and
/// being processed, has a due date and was never extended (Decree 118/2025/NĐ-CP Art. 19(6):
/// the new appointment may be given only once).
pub fn may_extend(officer: &Officer, d: &Dossier, extended_before: bool) -> bool {
    // The responsible (receiving) agency extends, while it holds the dossier.
    let held = d.handler_agency_id.as_deref().unwrap_or(d.agency_id.as_str()) == officer.agency_id
        && d.agency_id == officer.agency_id;
    held && !extended_before
        && d.due_at.is_some()
        && matches!(Status::from_code(d.status), Some(Status::Received | Status::Processing))
        && officer.roles.iter().any(|r| matches!(r, Role::Specialist | Role::Leader))
}

/// The working calendar of an agency: the holidays table and its office hours.
pub fn calendar_for(conn: &mut DbConn, agency_id: &str) -> Result<Calendar, AppError> {
    let days = Holiday::all(conn)?;
    let overrides = DayOverrides::from_rows(days.iter().map(|h| (h.day, h.kind.as_str())));
    let hours = Agency::find(conn, agency_id)?
        .and_then(|a| a.office_hours)
        .and_then(|h| OfficeHours::parse(&h).ok())
        .unwrap_or_default();
    Ok(Calendar::new(overrides, hours))
}

pub(crate) fn limit_of(p: &Procedure) -> Result<(u32, TimeLimitUnit), AppError> {
    let unit = TimeLimitUnit::parse(&p.time_limit_unit)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("procedure {} has unit {}", p.code, p.time_limit_unit)))?;
    Ok((u32::try_from(p.time_limit_value).unwrap_or(1), unit))
}

pub(crate) fn calendar_error(e: crate::domain::calendar::CalendarError) -> AppError {
    AppError::bad_request("calendar", e.message())
}

/// The due date (UTC) of a dossier received at `at` (UTC).
pub fn due_from(cal: &Calendar, procedure: &Procedure, at: NaiveDateTime) -> Result<NaiveDateTime, AppError> {
    let (limit, unit) = limit_of(procedure)?;
    let start = cal.reception_start(to_local(at)).map_err(calendar_error)?;
    Ok(to_utc(cal.due(start, limit, unit).map_err(calendar_error)?))
}

/// Cleans free text line by line (NFC, spaces collapsed) and keeps its line breaks, so that a
/// list of missing papers stays a list; empty lines are dropped.
fn clean_lines(text: &str) -> String {
    text.lines().map(clean).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")
}

fn required_text(field: &str, text: &str, missing: &str) -> Result<String, AppError> {
    let text = clean_lines(text);
    if text.is_empty() {
        return Err(AppError::Invalid(vec![(field.into(), missing.into())]));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(AppError::Invalid(vec![(field.into(), format!("Nội dung dài tối đa {MAX_TEXT_CHARS} ký tự."))]));
    }
    Ok(text)
}

/// The answer when the page was drawn before someone else's action.
pub fn stale() -> AppError {
    AppError::bad_request("stale", "Hồ sơ đã được người khác xử lý. Vui lòng tải lại trang để xem trạng thái mới nhất.")
}

/// Appends a history row: who, in which role and agency, when, from, to, the note, and the due
/// date after the step.
#[allow(clippy::too_many_arguments)]
pub fn record(
    conn: &mut DbConn,
    dossier: &Dossier,
    at: NaiveDateTime,
    actor: &Actor,
    action: Action,
    from: Option<Status>,
    to: Status,
    note: Option<&str>,
) -> Result<DossierEvent, AppError> {
    record_code(conn, dossier, at, actor, action.code(), from, to, note)
}

#[allow(clippy::too_many_arguments)]
fn record_code(
    conn: &mut DbConn,
    dossier: &Dossier,
    at: NaiveDateTime,
    actor: &Actor,
    action: &str,
    from: Option<Status>,
    to: Status,
    note: Option<&str>,
) -> Result<DossierEvent, AppError> {
    let event = Dossier::append_event(
        conn,
        DossierEvent {
            id: uuid::Uuid::now_v7().to_string(),
            dossier_id: dossier.id.clone(),
            seq: 0,
            at,
            actor_kind: actor.kind.to_owned(),
            actor_id: actor.id.clone(),
            action: action.to_owned(),
            from_status: from.map(Status::code),
            to_status: to.code(),
            note: note.map(str::to_owned),
            actor_role: Some(actor.role.code().to_owned()),
            actor_agency_id: actor.agency_id.clone(),
            due_at: dossier.due_at,
        },
    )?;
    // Every history row reaches the national portal, in order, from this same transaction.
    crate::services::portal_sync::enqueue_event(conn, &event)?;
    Ok(event)
}

/// Enqueues the citizen's e-mail about a step, if the dossier has an address.
pub fn notify(
    conn: &mut DbConn,
    clock: &Clock,
    dossier: &Dossier,
    event: &str,
    facts: Vec<(String, String)>,
    link: String,
) -> Result<(), AppError> {
    let Some(to) = dossier.applicant_email.clone().filter(|e| !e.is_empty()) else { return Ok(()) };
    let procedure_name = Procedure::find(conn, &dossier.procedure_id)?.map(|p| p.name).unwrap_or_default();
    let mail = OutgoingMail {
        to,
        message: MailMessage::DossierProgress {
            name: dossier.applicant_name.clone(),
            code: dossier.code.clone(),
            procedure_name,
            event: event.to_owned(),
            facts,
            link,
        },
    };
    enqueue(conn, clock, &Job::Email(mail), Some(&dossier.id))?;
    Ok(())
}

/// A citizen e-mail decided inside a transition: event, facts, link.
type Notice = (&'static str, Vec<(String, String)>, String);

fn due_fact(due: Option<NaiveDateTime>) -> Vec<(String, String)> {
    due.map(|d| vec![("Ngày hẹn trả kết quả".to_owned(), to_local(d).format("%H:%M ngày %d/%m/%Y").to_string())])
        .unwrap_or_default()
}

/// A file already written to the store, waiting to be attached in the transaction.
#[derive(Clone, Debug)]
pub struct StoredFile {
    /// Sanitised name.
    pub file_name: String,
    /// Type from the bytes.
    pub kind: FileKind,
    /// Store address.
    pub sha256: String,
    /// Size.
    pub size: i64,
    /// Paper position (0 for results and scans without one).
    pub paper_position: i32,
}

/// Writes uploaded files to the store (outside any transaction); refuses unknown types.
pub async fn store_files(store: &FileStore, files: Vec<IncomingFile>) -> Result<Vec<StoredFile>, AppError> {
    let mut out = Vec::new();
    for f in files {
        let Some(kind) = FileKind::sniff(&f.bytes) else {
            return Err(AppError::Invalid(vec![(
                "files".into(),
                format!(
                    "Tệp «{}» không phải PDF, JPEG, PNG, DOC hoặc DOCX.",
                    safe_file_name(&f.file_name, FileKind::Pdf)
                ),
            )]));
        };
        let store = store.clone();
        let bytes = f.bytes;
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        let sha = actix_web::web::block(move || store.put(&bytes))
            .await?
            .map_err(|e| AppError::Internal(anyhow::anyhow!("storing a file: {e}")))?;
        out.push(StoredFile {
            file_name: safe_file_name(&f.file_name, kind),
            kind,
            sha256: sha,
            size,
            paper_position: f.paper_position,
        });
    }
    Ok(out)
}

fn attach(
    conn: &mut DbConn,
    dossier_id: &str,
    files: &[StoredFile],
    purpose: &str,
    user_id: Option<&str>,
    staff_id: Option<&str>,
    at: NaiveDateTime,
) -> Result<(), AppError> {
    for f in files {
        Attachment::insert(
            conn,
            &Attachment {
                id: uuid::Uuid::now_v7().to_string(),
                owner_user_id: user_id.map(str::to_owned),
                draft_id: None,
                dossier_id: Some(dossier_id.to_owned()),
                paper_position: f.paper_position,
                file_name: f.file_name.clone(),
                content_type: f.kind.content_type().to_owned(),
                sha256: f.sha256.clone(),
                size_bytes: f.size,
                created_at: at,
                purpose: purpose.to_owned(),
                staff_id: staff_id.map(str::to_owned),
            },
        )?;
    }
    Ok(())
}

/// Finds a dossier the officer may see, or "not found" (never "forbidden", so that codes of
/// other agencies' dossiers cannot be probed).
pub fn find_visible(conn: &mut DbConn, officer: &Officer, code: &str) -> Result<Dossier, AppError> {
    let d = Dossier::find_by_code(conn, code)?.ok_or(AppError::NotFound("hồ sơ"))?;
    if !visible(conn, officer, &d)? {
        return Err(AppError::NotFound("hồ sơ"));
    }
    Ok(d)
}

/// Runs one officer action on the dossier `code` as it was at `version`.
pub async fn act(
    env: Env<'_>,
    officer: &Officer,
    code: &str,
    version: i32,
    command: Command,
) -> Result<Dossier, AppError> {
    let command = validate(command)?;
    let files = match &command {
        Command::ProposeResult { files, .. } | Command::Approve { files, .. } => {
            store_files(env.store, files.clone()).await?
        }
        _ => Vec::new(),
    };
    let (clock, base_url, officer, code) =
        (env.clock.clone(), env.base_url.to_owned(), officer.clone(), code.to_owned());
    env.db.write(move |conn| act_tx(conn, &clock, &base_url, &officer, &code, version, &command, &files)).await
}

/// Checks the free-text inputs before anything is stored.
fn validate(command: Command) -> Result<Command, AppError> {
    Ok(match command {
        Command::Refuse { reason } => Command::Refuse {
            reason: required_text("reason", &reason, "Vui lòng nêu rõ lý do từ chối tiếp nhận.")?,
        },
        Command::RequestSupplement { missing } => Command::RequestSupplement {
            missing: required_text("missing", &missing, "Vui lòng liệt kê giấy tờ cần bổ sung, hoàn thiện.")?,
        },
        Command::Transfer { to_agency_id, note } => Command::Transfer {
            to_agency_id,
            note: required_text("note", &note, "Vui lòng ghi nội dung đề nghị cơ quan phối hợp xử lý.")?,
        },
        Command::ReturnTransfer { reply } => Command::ReturnTransfer {
            reply: required_text("reply", &reply, "Vui lòng ghi ý kiến, kết quả xử lý của cơ quan mình.")?,
        },
        Command::ProposeResult { summary, files } => Command::ProposeResult {
            summary: required_text("summary", &summary, "Vui lòng tóm tắt kết quả giải quyết đề xuất.")?,
            files,
        },
        Command::SendBack { note } => Command::SendBack {
            note: required_text("note", &note, "Vui lòng ghi ý kiến chỉ đạo khi trả lại.")?,
        },
        Command::Stop { reason } => {
            Command::Stop { reason: required_text("reason", &reason, "Vui lòng nêu rõ lý do dừng xử lý.")? }
        }
        Command::Extend { new_due_local, reason } => Command::Extend {
            new_due_local,
            reason: required_text("reason", &reason, "Vui lòng nêu lý do gia hạn để gửi thư xin lỗi công dân.")?,
        },
        Command::PayAtDesk { receipt_no } => Command::PayAtDesk {
            receipt_no: required_text("receipt_no", &receipt_no, "Vui lòng nhập số biên lai thu phí, lệ phí.")?,
        },
        Command::Approve { note, files } => {
            let note = clean(&note);
            if note.chars().count() > MAX_TEXT_CHARS {
                return Err(AppError::Invalid(vec![(
                    "note".into(),
                    format!("Nội dung dài tối đa {MAX_TEXT_CHARS} ký tự."),
                )]));
            }
            Command::Approve { note, files }
        }
        other => other,
    })
}

#[allow(clippy::too_many_arguments)]
fn act_tx(
    conn: &mut DbConn,
    clock: &Clock,
    base_url: &str,
    officer: &Officer,
    code: &str,
    version: i32,
    command: &Command,
    files: &[StoredFile],
) -> Result<Dossier, AppError> {
    let d = find_visible(conn, officer, code)?;
    if d.version != version {
        return Err(stale());
    }
    let now = clock.now_naive();
    let Some(action) = command.action() else {
        let Command::Extend { new_due_local, reason } = command else { return Err(AppError::Forbidden) };
        return extend_tx(conn, clock, base_url, officer, d, *new_due_local, reason, now);
    };
    let from = position_of(&d)?;
    let Some(role) = role_for(officer, &d, action) else {
        let held = d.handler_agency_id.as_deref().unwrap_or(d.agency_id.as_str()) == officer.agency_id;
        return Err(
            match transition(from, action, Role::System, None).or_else(|_| {
                [Role::OneStop, Role::Specialist, Role::Leader]
                    .into_iter()
                    .find_map(|r| transition(from, action, r, None).ok())
                    .ok_or(crate::domain::dossier::Refusal { from: from.status, action })
            }) {
                Err(refusal) => AppError::bad_request("wrong_state", refusal.message()),
                Ok(_) if !held => AppError::bad_request("not_holder", "Hồ sơ đang do cơ quan khác xử lý."),
                Ok(_) => AppError::bad_request(
                    "not_your_role",
                    "Tài khoản của Ông/Bà không có vai trò thực hiện thao tác này ở bước hiện tại của hồ sơ.",
                ),
            },
        );
    };
    let to = transition(from, action, role, None).map_err(|r| AppError::bad_request("wrong_state", r.message()))?;
    let procedure = Procedure::find(conn, &d.procedure_id)?.ok_or(AppError::NotFound("thủ tục hành chính"))?;
    let actor = Actor::officer(officer, role);
    let mut next = Dossier {
        status: to.status.code(),
        handler_step: to.step.map(|s| s.code().to_owned()),
        version: d.version + 1,
        updated_at: now,
        ..d.clone()
    };
    let mut note: Option<String> = None;
    let mut mail: Option<Notice> = None;
    let track = format!("{base_url}/tra-cuu?ma={}", d.code);
    let mine = format!("{base_url}/tai-khoan/ho-so/{}", d.code);
    match command {
        Command::Receive => {
            let cal = calendar_for(conn, &d.agency_id)?;
            next.received_at = Some(now);
            next.due_at = Some(due_from(&cal, &procedure, now)?);
            mail = Some(("receive", due_fact(next.due_at), track));
        }
        Command::Refuse { reason } => {
            PaymentRequest::cancel_open(conn, &d.id, now)?;
            next.status_note = Some(reason.clone());
            next.finished_at = Some(now);
            note = Some(reason.clone());
            mail = Some(("refuse", vec![("Lý do".into(), reason.clone())], track));
        }
        Command::RequestSupplement { missing } => {
            // Decree 118/2025/NĐ-CP Art. 11(2)(c) and 17(2)(a): a supplement may be asked once,
            // listing everything at once.
            let events = Dossier::events(conn, &d.id)?;
            if events.iter().any(|e| e.action == Action::RequestSupplement.code()) {
                return Err(AppError::bad_request(
                    "supplement_once",
                    "Hồ sơ này đã được yêu cầu bổ sung một lần. Theo Nghị định 118/2025/NĐ-CP (Điều 11 khoản 2 điểm c), \
                     chỉ được yêu cầu bổ sung, hoàn thiện hồ sơ một lần.",
                ));
            }
            next.status_note = Some(missing.clone());
            next.resume_status = Some(from.status.code());
            next.paused_at = Some(now);
            note = Some(missing.clone());
            let link = if d.applicant_user_id.is_some() { format!("{mine}/bo-sung") } else { track };
            mail =
                Some(("request_supplement", vec![("Giấy tờ cần bổ sung, hoàn thiện".into(), missing.clone())], link));
        }
        Command::Assign { specialist_id } => {
            let ok = Staff::of_agency_with_role(conn, &officer.agency_id, roles::SPECIALIST)?
                .iter()
                .any(|s| &s.id == specialist_id);
            if !ok {
                return Err(AppError::Invalid(vec![(
                    "specialist_id".into(),
                    "Vui lòng chọn một chuyên viên của cơ quan mình.".into(),
                )]));
            }
            next.handler_staff_id = Some(specialist_id.clone());
            let name = Staff::find(conn, specialist_id)?.map(|s| s.full_name).unwrap_or_default();
            note = Some(format!("Giao chuyên viên {name}"));
        }
        Command::Transfer { to_agency_id, note: ask } => {
            let target = Agency::find(conn, to_agency_id)?.filter(|a| a.id != officer.agency_id).ok_or_else(|| {
                AppError::Invalid(vec![(
                    "to_agency_id".into(),
                    "Cơ quan nhận liên thông không tồn tại hoặc là chính cơ quan đang xử lý.".into(),
                )])
            })?;
            Transfer::insert(
                conn,
                &Transfer {
                    id: uuid::Uuid::now_v7().to_string(),
                    dossier_id: d.id.clone(),
                    from_agency_id: officer.agency_id.clone(),
                    to_agency_id: target.id.clone(),
                    sent_by: officer.id.clone(),
                    sent_at: now,
                    note: ask.clone(),
                    returned_by: None,
                    returned_at: None,
                    reply_note: None,
                },
            )?;
            next.handler_agency_id = Some(target.id.clone());
            next.handler_staff_id = None;
            note = Some(format!("Chuyển {}: {ask}", target.name));
        }
        Command::ReturnTransfer { reply } => {
            let open = Transfer::open_of_dossier(conn, &d.id)?
                .ok_or_else(|| AppError::bad_request("no_transfer", "Hồ sơ không có yêu cầu liên thông đang mở."))?;
            Transfer::close(conn, &open.id, &officer.id, now, reply)?;
            next.handler_agency_id = Some(open.from_agency_id.clone());
            next.handler_staff_id = Some(open.sent_by.clone());
            note = Some(reply.clone());
        }
        Command::ProposeResult { summary, .. } => {
            attach(conn, &d.id, files, "result", None, Some(&officer.id), now)?;
            next.result_note = Some(summary.clone());
            note = Some(summary.clone());
        }
        Command::SendBack { note: n } => note = Some(n.clone()),
        Command::Approve { note: n, .. } => {
            attach(conn, &d.id, files, "result", None, Some(&officer.id), now)?;
            let has_result = next.result_note.is_some()
                || Attachment::of_dossier(conn, &d.id)?.iter().any(|a| a.purpose == "result");
            if !has_result {
                return Err(AppError::Invalid(vec![(
                    "files".into(),
                    "Vui lòng tải lên văn bản kết quả giải quyết trước khi phê duyệt.".into(),
                )]));
            }
            next.finished_at = Some(now);
            note = (!n.is_empty()).then(|| n.clone());
            let mut facts = Vec::new();
            if let Some(r) = &next.result_note {
                facts.push(("Kết quả".to_owned(), r.clone()));
            }
            mail = Some(("approve", facts, if d.applicant_user_id.is_some() { mine } else { track }));
        }
        Command::Stop { reason } => {
            PaymentRequest::cancel_open(conn, &d.id, now)?;
            next.status_note = Some(reason.clone());
            next.finished_at = Some(now);
            note = Some(reason.clone());
            mail = Some(("stop", vec![("Lý do".into(), reason.clone())], track));
        }
        Command::ReturnResult => {
            next.finished_at = next.finished_at.or(Some(now));
            mail = Some(("return_result", Vec::new(), track));
        }
        Command::RequestPayment { quantities } => {
            let request =
                crate::services::payments::request_by_officer(conn, &d, &procedure, officer, quantities, now)?;
            next.resume_status = Some(from.status.code());
            next.paused_at = Some(now);
            let facts = crate::services::payments::request_facts(&request);
            note = Some(format!("Số tiền phải nộp: {}", crate::domain::money::Vnd(request.amount_vnd)));
            let link = if d.applicant_user_id.is_some() { mine } else { track };
            mail = Some(("request_payment", facts, link));
        }
        Command::PayAtDesk { receipt_no } => {
            let request = PaymentRequest::open_of_dossier(conn, &d.id)?
                .ok_or_else(|| AppError::bad_request("no_payment", "Hồ sơ không có khoản phí, lệ phí đang chờ nộp."))?;
            if PaymentRequest::mark_paid(conn, &request.id, "truc-tiep", now)? == 0 {
                return Err(stale());
            }
            let note = format!("Nộp trực tiếp tại Bộ phận Một cửa, biên lai số {receipt_no}");
            return resume_after_payment(conn, clock, base_url, &d, &actor, &note);
        }
        Command::Extend { .. } => return Err(AppError::Forbidden),
    }
    if Dossier::update_guarded(conn, &next, d.version)? == 0 {
        return Err(stale());
    }
    record(conn, &next, now, &actor, action, Some(from.status), to.status, note.as_deref())?;
    if let Some((event, facts, link)) = mail {
        notify(conn, clock, &next, event, facts, link)?;
    }
    Ok(next)
}

#[allow(clippy::too_many_arguments)]
fn extend_tx(
    conn: &mut DbConn,
    clock: &Clock,
    base_url: &str,
    officer: &Officer,
    d: Dossier,
    new_due_local: NaiveDateTime,
    reason: &str,
    now: NaiveDateTime,
) -> Result<Dossier, AppError> {
    let extended_before = !Extension::of_dossier(conn, &d.id)?.is_empty();
    if extended_before {
        return Err(AppError::bad_request(
            "extend_once",
            "Hồ sơ này đã được hẹn lại ngày trả kết quả một lần. Theo Nghị định 118/2025/NĐ-CP (Điều 19 khoản 6), \
             chỉ được hẹn lại một lần.",
        ));
    }
    if !may_extend(officer, &d, extended_before) {
        return Err(AppError::bad_request(
            "cannot_extend",
            "Chỉ chuyên viên hoặc lãnh đạo của cơ quan đang xử lý mới gia hạn được hồ sơ đang giải quyết.",
        ));
    }
    let old_due = d.due_at.ok_or_else(|| AppError::bad_request("no_due", "Hồ sơ chưa có ngày hẹn trả."))?;
    let new_due = to_utc(new_due_local);
    if new_due <= old_due || new_due <= now {
        return Err(AppError::Invalid(vec![(
            "new_due".into(),
            "Ngày hẹn trả mới phải sau ngày hẹn trả hiện tại và sau thời điểm hiện tại.".into(),
        )]));
    }
    let cal = calendar_for(conn, d.handler_agency_id.as_deref().unwrap_or(&d.agency_id))?;
    if !cal.is_working_day(new_due_local.date()) {
        return Err(AppError::Invalid(vec![("new_due".into(), "Ngày hẹn trả mới phải là ngày làm việc.".into())]));
    }
    Extension::insert(
        conn,
        &Extension {
            id: uuid::Uuid::now_v7().to_string(),
            dossier_id: d.id.clone(),
            staff_id: officer.id.clone(),
            at: now,
            old_due_at: old_due,
            new_due_at: new_due,
            reason: reason.to_owned(),
        },
    )?;
    let next = Dossier { due_at: Some(new_due), version: d.version + 1, updated_at: now, ..d.clone() };
    if Dossier::update_guarded(conn, &next, d.version)? == 0 {
        return Err(stale());
    }
    let status = position_of(&d)?.status;
    let role = officer.roles.iter().copied().find(|r| *r == Role::Leader).unwrap_or(Role::Specialist);
    record_code(conn, &next, now, &Actor::officer(officer, role), "extend", Some(status), status, Some(reason))?;
    let mut facts = vec![("Lý do chậm trễ".to_owned(), reason.to_owned())];
    facts.push(("Ngày hẹn trả cũ".to_owned(), to_local(old_due).format("%H:%M ngày %d/%m/%Y").to_string()));
    facts.extend(due_fact(Some(new_due)).into_iter().map(|(_, v)| ("Ngày hẹn trả mới".to_owned(), v)));
    notify(conn, clock, &next, "extend", facts, format!("{base_url}/tra-cuu?ma={}", d.code))?;
    Ok(next)
}

/// Adds a note between staff.
pub async fn add_note(db: &Db, clock: &Clock, officer: &Officer, code: &str, body: &str) -> Result<(), AppError> {
    let body = required_text("body", body, "Vui lòng nhập nội dung ghi chú.")?;
    let (clock, officer, code) = (clock.clone(), officer.clone(), code.to_owned());
    db.write(move |conn| {
        let d = find_visible(conn, &officer, &code)?;
        Note::insert(
            conn,
            &Note {
                id: uuid::Uuid::now_v7().to_string(),
                dossier_id: d.id,
                staff_id: officer.id.clone(),
                at: clock.now_naive(),
                body: body.clone(),
            },
        )?;
        Ok(())
    })
    .await
}

/// A walk-in dossier recorded at the desk.
#[derive(Clone, Debug, Default)]
pub struct CounterInput {
    /// The procedure code.
    pub procedure_code: String,
    /// Applicant's full name.
    pub name: String,
    /// 12-digit ID number.
    pub id_number: String,
    /// Mobile.
    pub phone: String,
    /// E-mail (optional).
    pub email: String,
    /// Address.
    pub address: String,
    /// Positions of the papers received.
    pub papers: Vec<i32>,
    /// A note on what was received.
    pub note: String,
    /// Scanned files.
    pub files: Vec<IncomingFile>,
}

/// Records a walk-in dossier: received at once (state 2, channel "trực tiếp"), with its due
/// date, receipt, history row and (if an address is given) the citizen's e-mail, in one
/// transaction (Decree 118/2025/NĐ-CP Art. 17(1)).
pub async fn counter_intake(env: Env<'_>, officer: &Officer, input: CounterInput) -> Result<Dossier, AppError> {
    use crate::domain::citizen::{CitizenId, Email, Phone};
    if !officer.roles.contains(&Role::OneStop) {
        return Err(AppError::Forbidden);
    }
    let mut errors = Vec::new();
    let name = clean(&input.name);
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(("name".to_owned(), "Vui lòng nhập họ và tên người nộp (tối đa 200 ký tự).".to_owned()));
    }
    let today = to_local(env.clock.now_naive()).date();
    let id_number = match CitizenId::parse(&input.id_number, today) {
        Ok(id) => id.as_str().to_owned(),
        Err(e) => {
            errors.push(("id_number".to_owned(), e.message().to_owned()));
            String::new()
        }
    };
    let phone = match Phone::parse(&input.phone) {
        Ok(p) => p.as_str().to_owned(),
        Err(e) => {
            errors.push(("phone".to_owned(), e.to_string()));
            String::new()
        }
    };
    let email = if input.email.trim().is_empty() {
        None
    } else {
        match Email::parse(&input.email) {
            Ok(e) => Some(e.as_str().to_owned()),
            Err(e) => {
                errors.push(("email".to_owned(), e.to_string()));
                None
            }
        }
    };
    let address = clean(&input.address);
    let note = clean(&input.note);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let files = store_files(env.store, input.files.clone()).await?;
    let (clock, base_url, officer) = (env.clock.clone(), env.base_url.to_owned(), officer.clone());
    let procedure_code = input.procedure_code.trim().to_owned();
    let papers = input.papers.clone();
    write_retrying(env.db, move |conn| {
        let procedure = Procedure::find_by_code(conn, &procedure_code)?.ok_or_else(|| {
            AppError::Invalid(vec![("procedure".into(), "Vui lòng chọn thủ tục hành chính có trong danh mục.".into())])
        })?;
        let agency = Agency::find(conn, &officer.agency_id)?.ok_or(AppError::Forbidden)?;
        let start = initial(Action::CounterIntake).ok_or(AppError::Forbidden)?;
        let now = clock.now_naive();
        let day = to_local(now).date();
        let seq = Dossier::next_sequence(conn, &agency.code, &day.format("%y%m%d").to_string())?;
        let code = dossier_code(&agency.code, day, u32::try_from(seq).unwrap_or(0));
        let cal = calendar_for(conn, &agency.id)?;
        let paper_rows = Procedure::papers(conn, &procedure.id)?;
        let received: Vec<String> =
            paper_rows.iter().filter(|p| papers.contains(&p.position)).map(|p| p.name.clone()).collect();
        let values = serde_json::json!({ "giay_to_da_nhan": received, "ghi_chu": note });
        let dossier = Dossier {
            id: uuid::Uuid::now_v7().to_string(),
            code: code.clone(),
            procedure_id: procedure.id.clone(),
            agency_id: agency.id.clone(),
            applicant_user_id: None,
            applicant_name: name.clone(),
            applicant_id_number: id_number.clone(),
            applicant_phone: phone.clone(),
            applicant_email: email.clone(),
            applicant_address: (!address.is_empty()).then(|| address.clone()),
            status: start.status.code(),
            channel: "truc-tiep".into(),
            form_values: values.to_string(),
            submitted_at: now,
            received_at: Some(now),
            due_at: Some(due_from(&cal, &procedure, now)?),
            finished_at: None,
            status_note: None,
            version: 1,
            created_at: now,
            updated_at: now,
            handler_agency_id: Some(agency.id.clone()),
            handler_step: start.step.map(|s| s.code().to_owned()),
            handler_staff_id: None,
            resume_status: None,
            paused_at: None,
            result_note: None,
            search_text: fold(&format!("{code} {name}")),
        };
        Dossier::insert(conn, &dossier)?;
        attach(conn, &dossier.id, &files, "scan", None, Some(&officer.id), now)?;
        let actor = Actor::officer(&officer, Role::OneStop);
        record(conn, &dossier, now, &actor, Action::CounterIntake, None, start.status, None)?;
        notify(
            conn,
            &clock,
            &dossier,
            "counter_intake",
            due_fact(dossier.due_at),
            format!("{base_url}/tra-cuu?ma={code}"),
        )?;
        Ok(dossier)
    })
    .await
}

/// The due date when a pause (supplement, payment) ends at `now`: the remaining time continues
/// from `now`, or the full time limit restarts when `restart`. None when the clock had not
/// started (the dossier was paused before reception).
pub fn due_after_pause(
    conn: &mut DbConn,
    d: &Dossier,
    procedure: &Procedure,
    now: NaiveDateTime,
    restart: bool,
) -> Result<Option<NaiveDateTime>, AppError> {
    let (Some(due), Some(paused)) = (d.due_at, d.paused_at) else { return Ok(None) };
    let cal = calendar_for(conn, d.handler_agency_id.as_deref().unwrap_or(&d.agency_id))?;
    let (limit, unit) = limit_of(procedure)?;
    let resumed =
        cal.resume(to_local(paused), to_local(now), to_local(due), restart, limit, unit).map_err(calendar_error)?;
    Ok(Some(to_utc(resumed)))
}

/// Fees paid (online or at the desk): the dossier leaves state 6 for where it was, the clock
/// resumes (or restarts, as the procedure says), with its history row and the citizen's
/// e-mail — in the caller's transaction, after the payment request was marked paid.
pub fn resume_after_payment(
    conn: &mut DbConn,
    clock: &Clock,
    base_url: &str,
    d: &Dossier,
    actor: &Actor,
    note: &str,
) -> Result<Dossier, AppError> {
    let from = position_of(d)?;
    let resume = d.resume_status.and_then(Status::from_code).map(|s| Position::new(s, from.step));
    let to = transition(from, Action::Pay, actor.role, resume)
        .map_err(|r| AppError::bad_request("wrong_state", r.message()))?;
    let now = clock.now_naive();
    let procedure = Procedure::find(conn, &d.procedure_id)?.ok_or(AppError::NotFound("thủ tục hành chính"))?;
    let due = due_after_pause(conn, d, &procedure, now, procedure.restart_after_payment)?;
    let next = Dossier {
        status: to.status.code(),
        handler_step: to.step.map(|s| s.code().to_owned()),
        due_at: due.or(d.due_at),
        resume_status: None,
        paused_at: None,
        status_note: None,
        version: d.version + 1,
        updated_at: now,
        ..d.clone()
    };
    if Dossier::update_guarded(conn, &next, d.version)? == 0 {
        return Err(stale());
    }
    record(conn, &next, now, actor, Action::Pay, Some(from.status), to.status, Some(note))?;
    let link = if next.applicant_user_id.is_some() {
        format!("{base_url}/tai-khoan/ho-so/{}", next.code)
    } else {
        format!("{base_url}/tra-cuu?ma={}", next.code)
    };
    let mut facts = vec![("Nội dung".to_owned(), note.to_owned())];
    facts.extend(due_fact(next.due_at));
    notify(conn, clock, &next, "pay", facts, link)?;
    Ok(next)
}

/// The citizen supplies what was asked (5→2, or back into processing), with new files. The
/// clock restarts with the full time limit (Decree 118/2025/NĐ-CP Art. 19(5)), or continues
/// with the time left when the procedure says so.
pub async fn supplement(
    env: Env<'_>,
    user_id: &str,
    code: &str,
    version: i32,
    note: &str,
    files: Vec<IncomingFile>,
) -> Result<Dossier, AppError> {
    let note = clean(note);
    if note.chars().count() > MAX_TEXT_CHARS {
        return Err(AppError::Invalid(vec![("note".into(), format!("Nội dung dài tối đa {MAX_TEXT_CHARS} ký tự."))]));
    }
    if files.is_empty() && note.is_empty() {
        return Err(AppError::Invalid(vec![(
            "files".into(),
            "Vui lòng tải lên giấy tờ bổ sung hoặc ghi nội dung bổ sung.".into(),
        )]));
    }
    let files = store_files(env.store, files).await?;
    let (clock, user_id, code, base_url) =
        (env.clock.clone(), user_id.to_owned(), code.to_owned(), env.base_url.to_owned());
    env.db
        .write(move |conn| {
            let d = Dossier::find_by_code(conn, &code)?
                .filter(|d| d.applicant_user_id.as_deref() == Some(user_id.as_str()))
                .ok_or(AppError::NotFound("hồ sơ"))?;
            if d.version != version {
                return Err(stale());
            }
            let from = position_of(&d)?;
            let resume = d.resume_status.and_then(Status::from_code).map(|s| Position::new(s, from.step));
            let to = transition(from, Action::Supplement, Role::Citizen, resume)
                .map_err(|r| AppError::bad_request("wrong_state", r.message()))?;
            let now = clock.now_naive();
            let procedure = Procedure::find(conn, &d.procedure_id)?.ok_or(AppError::NotFound("thủ tục hành chính"))?;
            let due = match due_after_pause(conn, &d, &procedure, now, procedure.restart_after_supplement)? {
                Some(due) => Some(due),
                None => {
                    let cal = calendar_for(conn, d.handler_agency_id.as_deref().unwrap_or(&d.agency_id))?;
                    Some(due_from(&cal, &procedure, now)?)
                }
            };
            let next = Dossier {
                status: to.status.code(),
                handler_step: to.step.map(|s| s.code().to_owned()),
                received_at: d.received_at.or(Some(now)),
                due_at: due,
                resume_status: None,
                paused_at: None,
                status_note: None,
                version: d.version + 1,
                updated_at: now,
                ..d.clone()
            };
            if Dossier::update_guarded(conn, &next, d.version)? == 0 {
                return Err(stale());
            }
            attach(conn, &d.id, &files, "supplement", Some(&user_id), None, now)?;
            let text = if note.is_empty() { None } else { Some(note.as_str()) };
            record(
                conn,
                &next,
                now,
                &Actor::citizen(&user_id),
                Action::Supplement,
                Some(from.status),
                to.status,
                text,
            )?;
            // The citizen learns the (recomputed) due date, as at any reception.
            let event = if to.status == Status::Received { "receive" } else { "supplement" };
            let link = format!("{base_url}/tai-khoan/ho-so/{}", next.code);
            notify(conn, &clock, &next, event, due_fact(next.due_at), link)?;
            Ok(next)
        })
        .await
}

/// The citizen downloads an electronic result: a dossier whose result is ready (9) counts as
/// returned (10), Decree 118/2025/NĐ-CP Art. 22(3). Does nothing in any other state.
pub fn mark_result_downloaded(conn: &mut DbConn, clock: &Clock, d: &Dossier, actor: &Actor) -> Result<(), AppError> {
    let from = position_of(d)?;
    let Ok(to) = transition(from, Action::ReturnResult, actor.role, None) else { return Ok(()) };
    let now = clock.now_naive();
    let next = Dossier {
        status: to.status.code(),
        handler_step: None,
        finished_at: d.finished_at.or(Some(now)),
        version: d.version + 1,
        updated_at: now,
        ..d.clone()
    };
    if Dossier::update_guarded(conn, &next, d.version)? == 0 {
        return Ok(());
    }
    record(
        conn,
        &next,
        now,
        actor,
        Action::ReturnResult,
        Some(from.status),
        to.status,
        Some("Người nộp tải kết quả điện tử"),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn dossier(status: Status, step: Option<Step>, agency: &str, holder: &str, handler: Option<&str>) -> Dossier {
        let t = NaiveDate::from_ymd_opt(2026, 11, 25).and_then(|d| d.and_hms_opt(2, 0, 0)).unwrap_or_default();
        Dossier {
            id: "d".into(),
            code: "000.20.01.H56-261125-00001".into(),
            procedure_id: "p".into(),
            agency_id: agency.into(),
            applicant_user_id: None,
            applicant_name: "Nguyễn Thị Lan".into(),
            applicant_id_number: "038190012345".into(),
            applicant_phone: "0912345678".into(),
            applicant_email: None,
            applicant_address: None,
            status: status.code(),
            channel: "truc-tuyen".into(),
            form_values: "{}".into(),
            submitted_at: t,
            received_at: Some(t),
            due_at: Some(t),
            finished_at: None,
            status_note: None,
            version: 3,
            created_at: t,
            updated_at: t,
            handler_agency_id: Some(holder.into()),
            handler_step: step.map(|s| s.code().to_owned()),
            handler_staff_id: handler.map(str::to_owned),
            resume_status: None,
            paused_at: None,
            result_note: None,
            search_text: String::new(),
        }
    }

    fn officer(id: &str, agency: &str, roles: &[Role]) -> Officer {
        Officer { id: id.into(), agency_id: agency.into(), roles: roles.to_vec() }
    }

    #[test]
    fn actions_follow_the_table_the_holder_and_the_assignment() {
        let desk = officer("m", "xa", &[Role::OneStop]);
        let spec = officer("s", "xa", &[Role::Specialist]);
        let other_spec = officer("s2", "xa", &[Role::Specialist]);
        let leader = officer("l", "xa", &[Role::Leader]);
        let both = officer("b", "xa", &[Role::OneStop, Role::Leader]);
        let elsewhere = officer("x", "stp", &[Role::OneStop, Role::Specialist, Role::Leader]);

        let new = dossier(Status::Submitted, Some(Step::OneStop), "xa", "xa", None);
        assert_eq!(
            allowed_actions(&desk, &new),
            [Action::Receive, Action::RequestSupplement, Action::RequestPayment, Action::Refuse]
        );
        assert!(allowed_actions(&spec, &new).is_empty());
        assert!(allowed_actions(&elsewhere, &new).is_empty(), "another agency acts on nothing");

        let assigned = dossier(Status::Processing, Some(Step::Specialist), "xa", "xa", Some("s"));
        assert_eq!(
            allowed_actions(&spec, &assigned),
            [Action::Transfer, Action::ProposeResult, Action::RequestSupplement, Action::RequestPayment]
        );
        assert!(allowed_actions(&other_spec, &assigned).is_empty(), "assigned to someone else");
        assert_eq!(allowed_actions(&leader, &assigned), [Action::Stop]);

        let review = dossier(Status::Processing, Some(Step::Leader), "xa", "xa", Some("s"));
        assert_eq!(allowed_actions(&leader, &review), [Action::SendBack, Action::Approve, Action::Stop]);
        assert_eq!(role_for(&both, &review, Action::Approve), Some(Role::Leader));
        assert!(allowed_actions(&spec, &review).is_empty());

        // Transferred: only the other agency's specialists act, the sender's agency waits.
        let away = dossier(Status::Processing, Some(Step::Transferred), "xa", "stp", None);
        assert!(allowed_actions(&spec, &away).is_empty());
        assert_eq!(allowed_actions(&elsewhere, &away), [Action::ReturnTransfer]);

        let ready = dossier(Status::Resolved, Some(Step::Return), "xa", "xa", Some("s"));
        assert_eq!(allowed_actions(&desk, &ready), [Action::ReturnResult]);

        // Waiting for fees: the desk records a payment made in cash; nobody else acts.
        let unpaid = dossier(Status::AwaitingPayment, Some(Step::OneStop), "xa", "xa", None);
        assert_eq!(allowed_actions(&desk, &unpaid), [Action::Pay]);
        assert!(allowed_actions(&spec, &unpaid).is_empty());
    }

    #[test]
    fn extension_once_by_the_holders_specialist_or_leader() {
        let spec = officer("s", "xa", &[Role::Specialist]);
        let desk = officer("m", "xa", &[Role::OneStop]);
        let d = dossier(Status::Processing, Some(Step::Specialist), "xa", "xa", Some("s"));
        assert!(may_extend(&spec, &d, false));
        assert!(!may_extend(&spec, &d, true), "once only");
        assert!(!may_extend(&desk, &d, false));
        let done = dossier(Status::Resolved, Some(Step::Return), "xa", "xa", Some("s"));
        assert!(!may_extend(&spec, &done, false));
    }
}

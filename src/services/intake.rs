//! Online intake (level 3): e-forms, drafts with their files, and submission of a dossier with
//! its code, first history entry and confirmation e-mail in one transaction.

use crate::clock::Clock;
use crate::db::{Db, DbConn};
use crate::domain::catalogue::{Level, OnlineLevel, OnlinePaper, online_paper};
use crate::domain::dossier::{Action, Role, dossier_code, initial, transition};
use crate::domain::fold::fold;
use crate::domain::form::{FormContext, FormDefinition, FormValues};
use crate::error::AppError;
use crate::files::{FileKind, FileStore};
use crate::integrations::mailer::{MailMessage, OutgoingMail};
use crate::jobs::{Job, enqueue};
use crate::models::admin_unit::{AdminUnit, VERSION_CURRENT};
use crate::models::agency::Agency;
use crate::models::dossier::{Attachment, Dossier, Draft, eform_of};
use crate::models::procedure::{Procedure, ProcedurePaper};
use crate::models::user::User;
use crate::services::workflow::{Actor, position_of, record, stale};
use std::collections::{BTreeMap, HashMap};

/// The field of the page (not of the e-form) naming the receiving commune.
pub const AGENCY_FIELD: &str = "co_quan";

/// A file as uploaded, already size-checked while streaming.
#[derive(Clone, Debug)]
pub struct IncomingFile {
    /// Which paper (position).
    pub paper_position: i32,
    /// The name the browser sent.
    pub file_name: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// What a form page posts.
#[derive(Clone, Debug, Default)]
pub struct Posted {
    /// The draft's key (hidden field); a new one on a first post.
    pub submit_key: String,
    /// Text inputs.
    pub values: BTreeMap<String, String>,
    /// Files.
    pub files: Vec<IncomingFile>,
    /// Attachments the citizen ticked for removal.
    pub remove: Vec<String>,
}

/// Everything the e-form page shows.
#[derive(Clone, Debug)]
pub struct FormPage {
    /// The procedure.
    pub procedure: Procedure,
    /// Its e-form.
    pub definition: FormDefinition,
    /// Its papers.
    pub papers: Vec<ProcedurePaper>,
    /// For commune procedures, the communes to choose from; empty for provincial ones.
    pub communes: Vec<Agency>,
    /// The department, for provincial procedures.
    pub department: Option<Agency>,
    /// The draft, once saved.
    pub draft: Option<Draft>,
    /// The inputs to show.
    pub values: BTreeMap<String, String>,
    /// Files attached so far.
    pub attachments: Vec<Attachment>,
}

/// The procedure's own e-form, or the generic one.
pub fn definition_for(conn: &mut DbConn, procedure: &Procedure) -> Result<FormDefinition, AppError> {
    match eform_of(conn, &procedure.id)? {
        Some(json) => FormDefinition::parse_json(&json)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("e-form of {}: {e}", procedure.code))),
        None => Ok(FormDefinition::generic(&procedure.name)),
    }
}

fn online_procedure(conn: &mut DbConn, code: &str) -> Result<Procedure, AppError> {
    let procedure = Procedure::find_by_code(conn, code)?.ok_or(AppError::NotFound("thủ tục hành chính"))?;
    let online = OnlineLevel::new(procedure.online_level.into()).is_some_and(OnlineLevel::accepts_online_dossiers);
    if !online {
        return Err(AppError::bad_request(
            "not_online",
            "Thủ tục này chưa nhận hồ sơ trực tuyến. Vui lòng tải biểu mẫu và nộp trực tiếp hoặc qua bưu chính.",
        ));
    }
    Ok(procedure)
}

/// Loads the form page for a user: a draft of theirs, or a fresh form prefilled from the account.
pub fn form_page(conn: &mut DbConn, code: &str, user: &User, draft_id: Option<&str>) -> Result<FormPage, AppError> {
    let procedure = online_procedure(conn, code)?;
    let definition = definition_for(conn, &procedure)?;
    let papers = Procedure::papers(conn, &procedure.id)?;
    let (communes, department) = match (Level::parse(&procedure.level), &procedure.agency_id) {
        (Some(Level::Province), Some(id)) => (Vec::new(), Agency::find(conn, id)?),
        _ => (Agency::all(conn)?.into_iter().filter(|a| a.kind == "commune").collect(), None),
    };
    let (draft, values, attachments) = match draft_id {
        Some(id) => {
            let draft = Draft::find(conn, id)?
                .filter(|d| d.user_id == user.id && d.procedure_id == procedure.id)
                .ok_or(AppError::NotFound("bản nháp hồ sơ"))?;
            let values = serde_json::from_str(&draft.form_values).unwrap_or_default();
            let attachments = Attachment::of_draft(conn, &draft.id)?;
            (Some(draft), values, attachments)
        }
        None => (None, prefill(&definition, user), Vec::new()),
    };
    Ok(FormPage { procedure, definition, papers, communes, department, draft, values, attachments })
}

/// Fills the first name, ID, phone and e-mail fields of a fresh form from the account.
fn prefill(definition: &FormDefinition, user: &User) -> BTreeMap<String, String> {
    use crate::domain::form::FieldKind;
    let mut values = BTreeMap::new();
    let mut seen = (false, false, false, false);
    for field in definition.fields() {
        match &field.kind {
            FieldKind::CitizenId {} if !seen.0 => {
                seen.0 = true;
                values.insert(field.name.clone(), user.citizen_id.clone());
            }
            FieldKind::Phone {} if !seen.1 => {
                seen.1 = true;
                values.insert(field.name.clone(), user.phone.clone());
            }
            FieldKind::Email {} if !seen.2 => {
                seen.2 = true;
                values.insert(field.name.clone(), user.email.clone());
            }
            FieldKind::Text { .. }
                if !seen.3 && (field.name.contains("ho_ten") || field.name.ends_with("full_name")) =>
            {
                seen.3 = true;
                values.insert(field.name.clone(), user.full_name.clone());
            }
            _ => {}
        }
    }
    values
}

/// A name safe to offer on download: no path, no control characters, at most 120 characters,
/// and the extension of what the bytes are.
pub fn safe_file_name(raw: &str, kind: FileKind) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = crate::domain::fold::clean(base)
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '|' | '?' | '*'))
        .collect();
    let stem = cleaned.rsplit_once('.').map_or(cleaned.as_str(), |(s, _)| s).trim_matches(['.', ' ']);
    let stem: String = stem.chars().take(110).collect();
    let stem = if stem.is_empty() { "tep-dinh-kem".to_owned() } else { stem };
    format!("{stem}.{}", kind.extension())
}

/// Saves what was posted into the user's draft (creating it on a first post): the inputs, new
/// files (stored by content before the transaction) and removals. Returns the draft and, per
/// paper, the files that were refused (with the reason).
pub async fn save_draft(
    db: &Db,
    store: &FileStore,
    clock: &Clock,
    code: &str,
    user_id: &str,
    posted: Posted,
) -> Result<Draft, AppError> {
    let mut stored = Vec::new();
    let mut posted = posted;
    for f in std::mem::take(&mut posted.files) {
        let Some(kind) = FileKind::sniff(&f.bytes) else { continue };
        let store = store.clone();
        let bytes = f.bytes;
        let size = bytes.len();
        let sha = actix_web::web::block(move || store.put(&bytes))
            .await?
            .map_err(|e| AppError::Internal(anyhow::anyhow!("storing a file: {e}")))?;
        stored.push((f.paper_position, safe_file_name(&f.file_name, kind), kind, sha, size));
    }
    let (code, user_id, clock) = (code.to_owned(), user_id.to_owned(), clock.clone());
    write_retrying(db, move |conn| {
        let posted = posted.clone();
        let stored = stored.clone();
        let procedure = online_procedure(conn, &code)?;
        let now = clock.now_naive();
        let values = serde_json::to_string(&posted.values).map_err(|e| AppError::Internal(e.into()))?;
        let key_ok = posted.submit_key.len() == 64 && posted.submit_key.bytes().all(|b| b.is_ascii_hexdigit());
        if !key_ok {
            return Err(AppError::bad_request("form_key", "Biểu mẫu không hợp lệ. Vui lòng mở lại trang nộp hồ sơ."));
        }
        let draft = match Draft::find_by_key(conn, &posted.submit_key)? {
            Some(d) if d.user_id != user_id || d.procedure_id != procedure.id => return Err(AppError::Forbidden),
            Some(d) if d.dossier_id.is_some() => return Ok(d),
            Some(d) => {
                Draft::save_values(conn, &d.id, &values, now)?;
                Draft { form_values: values, updated_at: now, ..d }
            }
            None => {
                let d = Draft {
                    id: uuid::Uuid::now_v7().to_string(),
                    user_id: user_id.clone(),
                    procedure_id: procedure.id.clone(),
                    form_values: values,
                    submit_key: posted.submit_key.clone(),
                    dossier_id: None,
                    created_at: now,
                    updated_at: now,
                };
                Draft::insert(conn, &d)?;
                d
            }
        };
        for id in &posted.remove {
            Attachment::remove_from_draft(conn, id, &draft.id)?;
        }
        for (position, name, kind, sha, size) in stored {
            Attachment::insert(
                conn,
                &Attachment {
                    id: uuid::Uuid::now_v7().to_string(),
                    owner_user_id: Some(user_id.clone()),
                    draft_id: Some(draft.id.clone()),
                    dossier_id: None,
                    paper_position: position,
                    file_name: name,
                    content_type: kind.content_type().to_owned(),
                    sha256: sha,
                    size_bytes: i64::try_from(size).unwrap_or(i64::MAX),
                    created_at: now,
                    purpose: "paper".into(),
                    staff_id: None,
                },
            )?;
        }
        Ok(draft)
    })
    .await
}

/// Submits a draft: checks everything (e-mail confirmed, every required field, every mandatory
/// paper, the receiving agency), then in one transaction creates the dossier in state 1 with its
/// code, its first history entry, moves the files to it, and queues the confirmation e-mail.
/// A draft already submitted returns its dossier (double clicks, back button, retries).
pub async fn submit(
    db: &Db,
    clock: &Clock,
    base_url: &str,
    draft_id: &str,
    user_id: &str,
) -> Result<Dossier, AppError> {
    let (draft_id, user_id, clock, base_url) =
        (draft_id.to_owned(), user_id.to_owned(), clock.clone(), base_url.to_owned());
    write_retrying(db, move |conn| submit_tx(conn, &clock, &base_url, &draft_id, &user_id)).await
}

/// Runs a write transaction, once more when it lost a race on a unique key (two first
/// submissions of a day allocating the counter, two first saves of one draft): the second try
/// sees what the winner committed.
pub(crate) async fn write_retrying<T, F>(db: &Db, f: F) -> Result<T, AppError>
where
    F: Fn(&mut DbConn) -> Result<T, AppError> + Clone + Send + 'static,
    T: Send + 'static,
{
    for _ in 0..2 {
        match db.write(f.clone()).await {
            Err(AppError::Internal(e)) if is_unique_violation(&e) => continue,
            other => return other,
        }
    }
    db.write(f).await
}

fn is_unique_violation(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        matches!(
            c.downcast_ref::<diesel::result::Error>(),
            Some(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _))
        )
    })
}

fn submit_tx(
    conn: &mut DbConn,
    clock: &Clock,
    base_url: &str,
    draft_id: &str,
    user_id: &str,
) -> Result<Dossier, AppError> {
    let draft =
        Draft::find(conn, draft_id)?.filter(|d| d.user_id == user_id).ok_or(AppError::NotFound("bản nháp hồ sơ"))?;
    if let Some(id) = &draft.dossier_id {
        return Dossier::find(conn, id)?.ok_or(AppError::NotFound("hồ sơ"));
    }
    let user = User::find(conn, user_id)?.ok_or(AppError::Forbidden)?;
    let procedure = Procedure::find(conn, &draft.procedure_id)?.ok_or(AppError::NotFound("thủ tục hành chính"))?;
    let definition = definition_for(conn, &procedure)?;
    let raw: BTreeMap<String, String> = serde_json::from_str(&draft.form_values).unwrap_or_default();
    let mut errors: Vec<(String, String)> = Vec::new();
    if user.email_verified_at.is_none() {
        errors.push((
            "email_verified".into(),
            "Vui lòng xác nhận địa chỉ thư điện tử (theo liên kết trong thư đã gửi) trước khi nộp hồ sơ.".into(),
        ));
    }
    let agency = match (&procedure.agency_id, Level::parse(&procedure.level)) {
        (Some(id), Some(Level::Province)) => Agency::find(conn, id)?,
        _ => match raw.get(AGENCY_FIELD).map(String::as_str).filter(|c| !c.is_empty()) {
            Some(code) => Agency::find_by_code(conn, code)?.filter(|a| a.kind == "commune"),
            None => None,
        },
    };
    if agency.is_none() {
        errors.push((AGENCY_FIELD.into(), "Vui lòng chọn xã, phường nơi nộp hồ sơ.".into()));
    }
    // Only the communes the form names are looked up, not all 3,321.
    let mut communes: HashMap<String, String> = HashMap::new();
    for code in raw.iter().filter(|(k, v)| k.ends_with("_commune") && !v.is_empty()).map(|(_, v)| v) {
        if let Some(u) = AdminUnit::find(conn, VERSION_CURRENT, "commune", code)? {
            communes.insert(u.code, u.full_name);
        }
    }
    let lookup = |code: &str| communes.get(code).cloned();
    let ctx = FormContext { today: clock.now().date_naive(), commune_exists: &lookup };
    let values: Option<FormValues> = match definition.parse_values(&raw, &ctx) {
        Ok(v) => Some(v),
        Err(e) => {
            errors.extend(e.iter().map(|f| (f.field.clone(), f.message.clone())));
            None
        }
    };
    let papers = Procedure::papers(conn, &procedure.id)?;
    let files = Attachment::of_draft(conn, &draft.id)?;
    for p in papers.iter().filter(|p| p.mandatory && online_paper(&p.name) == OnlinePaper::Upload) {
        if !files.iter().any(|f| f.paper_position == p.position) {
            errors.push((
                format!("paper_{}", p.position),
                format!("Vui lòng đính kèm tệp cho giấy tờ bắt buộc: {}.", p.name),
            ));
        }
    }
    let (Some(agency), Some(values)) = (agency, values.filter(|_| errors.is_empty())) else {
        return Err(AppError::Invalid(errors));
    };
    let start = initial(Action::Submit).ok_or(AppError::Forbidden)?;
    let status = start.status;
    let now = clock.now_naive();
    let dossier_id = uuid::Uuid::now_v7().to_string();
    // Claim the draft first: a concurrent submission of the same draft waits here (row lock on
    // PostgreSQL, the write lock on SQLite), then finds it taken and answers with the winner's
    // dossier, before touching the code counter.
    if Draft::mark_submitted(conn, &draft.id, &dossier_id, now)? == 0 {
        let winner = Draft::find(conn, &draft.id)?.and_then(|d| d.dossier_id);
        return match winner {
            Some(id) => Dossier::find(conn, &id)?.ok_or(AppError::NotFound("hồ sơ")),
            None => Err(AppError::bad_request("already_submitted", "Hồ sơ này đã được nộp.")),
        };
    }
    let day = clock.now().with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).date_naive();
    let seq = Dossier::next_sequence(conn, &agency.code, &day.format("%y%m%d").to_string())?;
    let dossier = Dossier {
        id: dossier_id,
        code: dossier_code(&agency.code, day, u32::try_from(seq).unwrap_or(0)),
        procedure_id: procedure.id.clone(),
        agency_id: agency.id.clone(),
        applicant_user_id: Some(user.id.clone()),
        applicant_name: user.full_name.clone(),
        applicant_id_number: user.citizen_id.clone(),
        applicant_phone: user.phone.clone(),
        applicant_email: Some(user.email.clone()),
        applicant_address: user.address.clone(),
        status: status.code(),
        channel: "truc-tuyen".into(),
        form_values: serde_json::to_string(&values).map_err(|e| AppError::Internal(e.into()))?,
        submitted_at: now,
        received_at: None,
        due_at: None,
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
        search_text: String::new(),
    };
    let dossier = Dossier { search_text: fold(&format!("{} {}", dossier.code, dossier.applicant_name)), ..dossier };
    Dossier::insert(conn, &dossier)?;
    Attachment::move_to_dossier(conn, &draft.id, &dossier.id)?;
    record(conn, &dossier, now, &Actor::citizen(&user.id), Action::Submit, None, status, None)?;
    let received: Vec<String> = papers
        .iter()
        .filter_map(|p| {
            let n = files.iter().filter(|f| f.paper_position == p.position).count();
            (n > 0).then(|| format!("{} ({} tệp)", p.name, n))
        })
        .collect();
    let mail = OutgoingMail {
        to: user.email.clone(),
        message: MailMessage::DossierSubmitted {
            name: user.full_name.clone(),
            code: dossier.code.clone(),
            procedure_name: procedure.name.clone(),
            agency_name: agency.name.clone(),
            papers: received,
            track_link: format!("{base_url}/tra-cuu?ma={}", dossier.code),
        },
    };
    enqueue(conn, clock, &Job::Email(mail), Some(&dossier.id))?;
    // Fees due at submission (toàn trình): the dossier waits for payment before the desk.
    let mut dossier = dossier;
    crate::services::payments::request_at_submission(conn, clock, base_url, &mut dossier, &procedure)?;
    Ok(dossier)
}

/// Withdraws a citizen's dossier with a reason (→ 7), writing history and the e-mail together.
pub async fn withdraw(db: &Db, clock: &Clock, code: &str, user_id: &str, reason: &str) -> Result<Dossier, AppError> {
    let reason = crate::domain::fold::clean(reason);
    if reason.is_empty() {
        return Err(AppError::Invalid(vec![("reason".into(), "Vui lòng nêu lý do rút hồ sơ.".into())]));
    }
    if reason.chars().count() > 1000 {
        return Err(AppError::Invalid(vec![("reason".into(), "Lý do dài tối đa 1000 ký tự.".into())]));
    }
    let (code, user_id, clock) = (code.to_owned(), user_id.to_owned(), clock.clone());
    db.write(move |conn| {
        let dossier = Dossier::find_by_code(conn, &code)?
            .filter(|d| d.applicant_user_id.as_deref() == Some(user_id.as_str()))
            .ok_or(AppError::NotFound("hồ sơ"))?;
        let from = position_of(&dossier)?;
        let to = transition(from, Action::Withdraw, Role::Citizen, None)
            .map_err(|r| AppError::bad_request("wrong_state", r.message()))?;
        let now = clock.now_naive();
        let next = Dossier {
            status: to.status.code(),
            handler_step: None,
            status_note: Some(reason.clone()),
            finished_at: Some(now),
            version: dossier.version + 1,
            updated_at: now,
            ..dossier.clone()
        };
        if Dossier::update_guarded(conn, &next, dossier.version)? == 0 {
            return Err(stale());
        }
        crate::models::payment::PaymentRequest::cancel_open(conn, &dossier.id, now)?;
        record(
            conn,
            &next,
            now,
            &Actor::citizen(&user_id),
            Action::Withdraw,
            Some(from.status),
            to.status,
            Some(&reason),
        )?;
        let procedure = Procedure::find(conn, &dossier.procedure_id)?.map(|p| p.name).unwrap_or_default();
        if let Some(to_addr) = &dossier.applicant_email {
            let mail = OutgoingMail {
                to: to_addr.clone(),
                message: MailMessage::DossierWithdrawn {
                    name: dossier.applicant_name.clone(),
                    code: dossier.code.clone(),
                    procedure_name: procedure,
                    reason: reason.clone(),
                },
            };
            enqueue(conn, &clock, &Job::Email(mail), Some(&dossier.id))?;
        }
        Ok(next)
    })
    .await
}

/// Deletes one of the user's unsubmitted drafts.
pub async fn delete_draft(db: &Db, draft_id: &str, user_id: &str) -> Result<(), AppError> {
    let (draft_id, user_id) = (draft_id.to_owned(), user_id.to_owned());
    db.write(move |conn| Ok(Draft::delete_open(conn, &draft_id, &user_id).map(|_| ())?)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(safe_file_name("../../etc/passwd.pdf", FileKind::Pdf), "passwd.pdf");
        assert_eq!(safe_file_name("C:\\Users\\an\\Giấy khai sinh.PDF", FileKind::Pdf), "Giấy khai sinh.pdf");
        assert_eq!(safe_file_name("a\u{0}b\u{7}c\r\n.pdf", FileKind::Pdf), "abc.pdf");
        assert_eq!(safe_file_name("\"<script>\".docx", FileKind::Docx), "script.docx");
        assert_eq!(safe_file_name("anh-chup.exe", FileKind::Png), "anh-chup.png", "the extension follows the bytes");
        assert_eq!(safe_file_name("", FileKind::Jpeg), "tep-dinh-kem.jpg");
        assert_eq!(safe_file_name("....", FileKind::Pdf), "tep-dinh-kem.pdf");
        assert_eq!(safe_file_name(&"x".repeat(500), FileKind::Pdf).chars().count(), 114);
    }
}

//! Dossiers, their history, their code counters, drafts and attachments.

use crate::db::DbConn;
use crate::db::schema::{attachments, dossier_code_counters, dossier_events, dossiers, drafts, eforms};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// One dossier.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = dossiers, treat_none_as_default_value = false)]
pub struct Dossier {
    /// UUID v7.
    pub id: String,
    /// `<agency>-<yyMMdd>-<nnnnn>`.
    pub code: String,
    /// The procedure.
    pub procedure_id: String,
    /// The receiving agency.
    pub agency_id: String,
    /// The account that submitted it (none for counter intake without an account).
    pub applicant_user_id: Option<String>,
    /// Applicant's name.
    pub applicant_name: String,
    /// Applicant's ID number.
    pub applicant_id_number: String,
    /// Applicant's mobile.
    pub applicant_phone: String,
    /// Applicant's e-mail.
    pub applicant_email: Option<String>,
    /// Applicant's address.
    pub applicant_address: Option<String>,
    /// `TrangThaiHoSo` 1–10.
    pub status: i32,
    /// `truc-tuyen`, `truc-tiep` or `buu-chinh`.
    pub channel: String,
    /// The e-form values (JSON).
    pub form_values: String,
    /// Submission time (UTC).
    pub submitted_at: NaiveDateTime,
    /// Reception time.
    pub received_at: Option<NaiveDateTime>,
    /// Due time.
    pub due_at: Option<NaiveDateTime>,
    /// When it reached a final or result state.
    pub finished_at: Option<NaiveDateTime>,
    /// The reason of the last refusal, withdrawal or stop.
    pub status_note: Option<String>,
    /// Optimistic concurrency.
    pub version: i32,
    /// Row creation.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
    /// The agency holding it now (the receiving one, or the one it was transferred to).
    pub handler_agency_id: Option<String>,
    /// The step it is at: `mot_cua`, `chuyen_vien`, `lanh_dao` or `tra_ket_qua`.
    pub handler_step: Option<String>,
    /// The specialist assigned.
    pub handler_staff_id: Option<String>,
    /// The state to go back to when a pause (5, 6) ends.
    pub resume_status: Option<i32>,
    /// When the clock was paused.
    pub paused_at: Option<NaiveDateTime>,
    /// The result (decision summary) proposed and approved.
    pub result_note: Option<String>,
    /// Folded code and applicant name, for accent-free queue search.
    pub search_text: String,
}

/// One history entry.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = dossier_events, treat_none_as_default_value = false)]
pub struct DossierEvent {
    /// UUID v7.
    pub id: String,
    /// The dossier.
    pub dossier_id: String,
    /// 1, 2, 3… per dossier.
    pub seq: i32,
    /// When (UTC).
    pub at: NaiveDateTime,
    /// `citizen`, `officer` or `system`.
    pub actor_kind: String,
    /// The acting user.
    pub actor_id: Option<String>,
    /// What was done (`submit`, `withdraw`, …).
    pub action: String,
    /// State before.
    pub from_status: Option<i32>,
    /// State after.
    pub to_status: i32,
    /// Reason or note.
    pub note: Option<String>,
    /// The role the actor acted in (`mot_cua`, `chuyen_vien`, `lanh_dao`, `cong_dan`, `he_thong`).
    pub actor_role: Option<String>,
    /// The actor's agency.
    pub actor_agency_id: Option<String>,
    /// The due date after this step.
    pub due_at: Option<NaiveDateTime>,
}

/// A draft.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = drafts)]
pub struct Draft {
    /// UUID v7.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// The procedure.
    pub procedure_id: String,
    /// Raw form inputs (JSON object of strings).
    pub form_values: String,
    /// The idempotency key carried by the form: one submission per key.
    pub submit_key: String,
    /// The dossier it became.
    pub dossier_id: Option<String>,
    /// Creation.
    pub created_at: NaiveDateTime,
    /// Last save.
    pub updated_at: NaiveDateTime,
}

/// An uploaded file.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = attachments)]
pub struct Attachment {
    /// UUID v7.
    pub id: String,
    /// The uploader.
    pub owner_user_id: Option<String>,
    /// The draft it belongs to while editing.
    pub draft_id: Option<String>,
    /// The dossier it belongs to after submission.
    pub dossier_id: Option<String>,
    /// Which required paper (position in the procedure's list).
    pub paper_position: i32,
    /// Sanitised file name.
    pub file_name: String,
    /// MIME type from the bytes.
    pub content_type: String,
    /// Store address.
    pub sha256: String,
    /// Size.
    pub size_bytes: i64,
    /// Upload time.
    pub created_at: NaiveDateTime,
    /// `paper` (submitted), `supplement`, `scan` (counter intake) or `result`.
    pub purpose: String,
    /// The staff member who uploaded it.
    pub staff_id: Option<String>,
}

impl Dossier {
    /// Inserts a dossier.
    pub fn insert(conn: &mut DbConn, row: &Dossier) -> QueryResult<usize> {
        diesel::insert_into(dossiers::table).values(row).execute(conn)
    }

    /// One dossier by code.
    pub fn find_by_code(conn: &mut DbConn, code: &str) -> QueryResult<Option<Dossier>> {
        dossiers::table.filter(dossiers::code.eq(code)).select(Dossier::as_select()).first(conn).optional()
    }

    /// One dossier by id.
    pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Dossier>> {
        dossiers::table.find(id).select(Dossier::as_select()).first(conn).optional()
    }

    /// A user's dossiers, newest first.
    pub fn of_user(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<Dossier>> {
        dossiers::table
            .filter(dossiers::applicant_user_id.eq(user_id))
            .order(dossiers::submitted_at.desc())
            .select(Dossier::as_select())
            .load(conn)
    }

    /// Moves a dossier to a new state if it is still at `version`; returns rows changed (0 when
    /// someone else changed it first).
    pub fn set_status(
        conn: &mut DbConn,
        id: &str,
        version: i32,
        status: i32,
        note: Option<&str>,
        finished_at: Option<NaiveDateTime>,
        at: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(dossiers::table.filter(dossiers::id.eq(id)).filter(dossiers::version.eq(version)))
            .set((
                dossiers::status.eq(status),
                dossiers::status_note.eq(note),
                dossiers::finished_at.eq(finished_at),
                dossiers::version.eq(version + 1),
                dossiers::updated_at.eq(at),
            ))
            .execute(conn)
    }

    /// Writes every changeable column of `row` if the stored version is still `version`;
    /// returns rows changed (0 when someone else changed it first).
    pub fn update_guarded(conn: &mut DbConn, row: &Dossier, version: i32) -> QueryResult<usize> {
        diesel::update(dossiers::table.filter(dossiers::id.eq(&row.id)).filter(dossiers::version.eq(version)))
            .set((
                (
                    dossiers::status.eq(row.status),
                    dossiers::received_at.eq(row.received_at),
                    dossiers::due_at.eq(row.due_at),
                    dossiers::finished_at.eq(row.finished_at),
                    dossiers::status_note.eq(&row.status_note),
                    dossiers::version.eq(row.version),
                    dossiers::updated_at.eq(row.updated_at),
                ),
                (
                    dossiers::handler_agency_id.eq(&row.handler_agency_id),
                    dossiers::handler_step.eq(&row.handler_step),
                    dossiers::handler_staff_id.eq(&row.handler_staff_id),
                    dossiers::resume_status.eq(row.resume_status),
                    dossiers::paused_at.eq(row.paused_at),
                    dossiers::result_note.eq(&row.result_note),
                ),
            ))
            .execute(conn)
    }

    /// Dossiers an agency holds in processing (states 2 and 4) due before `before`, soonest
    /// first (overdue ones included).
    pub fn held_due_before(conn: &mut DbConn, agency_id: &str, before: NaiveDateTime) -> QueryResult<Vec<Dossier>> {
        dossiers::table
            .filter(dossiers::handler_agency_id.eq(agency_id))
            .filter(dossiers::status.eq_any([2, 4]))
            .filter(dossiers::due_at.le(before))
            .order(dossiers::due_at)
            .select(Dossier::as_select())
            .load(conn)
    }

    /// Its history in order.
    pub fn events(conn: &mut DbConn, id: &str) -> QueryResult<Vec<DossierEvent>> {
        dossier_events::table
            .filter(dossier_events::dossier_id.eq(id))
            .order(dossier_events::seq)
            .select(DossierEvent::as_select())
            .load(conn)
    }

    /// Appends a history entry with the next sequence number.
    pub fn append_event(conn: &mut DbConn, mut event: DossierEvent) -> QueryResult<DossierEvent> {
        let last: Option<i32> = dossier_events::table
            .filter(dossier_events::dossier_id.eq(&event.dossier_id))
            .select(diesel::dsl::max(dossier_events::seq))
            .first(conn)?;
        event.seq = last.unwrap_or(0) + 1;
        diesel::insert_into(dossier_events::table).values(&event).execute(conn)?;
        Ok(event)
    }

    /// Takes the next daily sequence number of an agency (inside the submit transaction). The
    /// UPDATE comes first so that, on PostgreSQL, concurrent submitters queue on the row lock;
    /// the first of a day inserts, and a concurrent first insert fails with a unique violation
    /// that the caller retries.
    pub fn next_sequence(conn: &mut DbConn, agency_code: &str, day: &str) -> QueryResult<i32> {
        let updated = diesel::update(
            dossier_code_counters::table
                .filter(dossier_code_counters::agency_code.eq(agency_code))
                .filter(dossier_code_counters::day.eq(day)),
        )
        .set(dossier_code_counters::last_seq.eq(dossier_code_counters::last_seq + 1))
        .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(dossier_code_counters::table)
                .values((
                    dossier_code_counters::agency_code.eq(agency_code),
                    dossier_code_counters::day.eq(day),
                    dossier_code_counters::last_seq.eq(1),
                ))
                .execute(conn)?;
            return Ok(1);
        }
        dossier_code_counters::table.find((agency_code, day)).select(dossier_code_counters::last_seq).first(conn)
    }
}

impl Draft {
    /// Inserts a draft.
    pub fn insert(conn: &mut DbConn, row: &Draft) -> QueryResult<usize> {
        diesel::insert_into(drafts::table).values(row).execute(conn)
    }

    /// A draft by its form key.
    pub fn find_by_key(conn: &mut DbConn, key: &str) -> QueryResult<Option<Draft>> {
        drafts::table.filter(drafts::submit_key.eq(key)).select(Draft::as_select()).first(conn).optional()
    }

    /// A draft by id.
    pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Draft>> {
        drafts::table.find(id).select(Draft::as_select()).first(conn).optional()
    }

    /// A user's unsubmitted drafts, latest first.
    pub fn open_of_user(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<Draft>> {
        drafts::table
            .filter(drafts::user_id.eq(user_id))
            .filter(drafts::dossier_id.is_null())
            .order(drafts::updated_at.desc())
            .select(Draft::as_select())
            .load(conn)
    }

    /// Saves the inputs.
    pub fn save_values(conn: &mut DbConn, id: &str, values: &str, at: NaiveDateTime) -> QueryResult<usize> {
        diesel::update(drafts::table.find(id))
            .set((drafts::form_values.eq(values), drafts::updated_at.eq(at)))
            .execute(conn)
    }

    /// Marks the draft submitted if nobody did first; returns rows changed.
    pub fn mark_submitted(conn: &mut DbConn, id: &str, dossier_id: &str, at: NaiveDateTime) -> QueryResult<usize> {
        diesel::update(drafts::table.filter(drafts::id.eq(id)).filter(drafts::dossier_id.is_null()))
            .set((drafts::dossier_id.eq(dossier_id), drafts::updated_at.eq(at)))
            .execute(conn)
    }

    /// Deletes an unsubmitted draft of a user.
    pub fn delete_open(conn: &mut DbConn, id: &str, user_id: &str) -> QueryResult<usize> {
        diesel::update(
            attachments::table.filter(attachments::draft_id.eq(id)).filter(attachments::dossier_id.is_null()),
        )
        .set(attachments::draft_id.eq(None::<String>))
        .execute(conn)?;
        diesel::delete(
            drafts::table
                .filter(drafts::id.eq(id))
                .filter(drafts::user_id.eq(user_id))
                .filter(drafts::dossier_id.is_null()),
        )
        .execute(conn)
    }
}

impl Attachment {
    /// Inserts an attachment.
    pub fn insert(conn: &mut DbConn, row: &Attachment) -> QueryResult<usize> {
        diesel::insert_into(attachments::table).values(row).execute(conn)
    }

    /// One attachment.
    pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Attachment>> {
        attachments::table.find(id).select(Attachment::as_select()).first(conn).optional()
    }

    /// A draft's files.
    pub fn of_draft(conn: &mut DbConn, draft_id: &str) -> QueryResult<Vec<Attachment>> {
        attachments::table
            .filter(attachments::draft_id.eq(draft_id))
            .order((attachments::paper_position, attachments::created_at))
            .select(Attachment::as_select())
            .load(conn)
    }

    /// A dossier's files.
    pub fn of_dossier(conn: &mut DbConn, dossier_id: &str) -> QueryResult<Vec<Attachment>> {
        attachments::table
            .filter(attachments::dossier_id.eq(dossier_id))
            .order((attachments::paper_position, attachments::created_at))
            .select(Attachment::as_select())
            .load(conn)
    }

    /// Detaches a file from a draft (the bytes stay in the store).
    pub fn remove_from_draft(conn: &mut DbConn, id: &str, draft_id: &str) -> QueryResult<usize> {
        diesel::update(
            attachments::table
                .filter(attachments::id.eq(id))
                .filter(attachments::draft_id.eq(draft_id))
                .filter(attachments::dossier_id.is_null()),
        )
        .set(attachments::draft_id.eq(None::<String>))
        .execute(conn)
    }

    /// Hands a draft's files to the dossier it became.
    pub fn move_to_dossier(conn: &mut DbConn, draft_id: &str, dossier_id: &str) -> QueryResult<usize> {
        diesel::update(
            attachments::table.filter(attachments::draft_id.eq(draft_id)).filter(attachments::dossier_id.is_null()),
        )
        .set(attachments::dossier_id.eq(dossier_id))
        .execute(conn)
    }
}

/// The stored e-form definition of a procedure, if it has its own.
pub fn eform_of(conn: &mut DbConn, procedure_id: &str) -> QueryResult<Option<String>> {
    eforms::table.find(procedure_id).select(eforms::definition).first(conn).optional()
}

/// Stores (replaces) a procedure's e-form definition.
pub fn save_eform(conn: &mut DbConn, procedure_id: &str, definition: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::delete(eforms::table.find(procedure_id)).execute(conn)?;
    diesel::insert_into(eforms::table)
        .values((eforms::procedure_id.eq(procedure_id), eforms::definition.eq(definition), eforms::updated_at.eq(at)))
        .execute(conn)?;
    Ok(())
}

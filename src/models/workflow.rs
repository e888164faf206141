//! What happens to a dossier inside the agencies besides its state: transfers between agencies
//! (liên thông), staff notes, due-date extensions, each procedure's workflow steps, the
//! administrative audit log, and the claims of once-a-day jobs.

use crate::db::DbConn;
use crate::db::schema::{
    audit_log, dossier_extensions, dossier_notes, dossier_transfers, procedure_workflow_steps, scheduled_runs,
};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// A dossier sent to another agency.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = dossier_transfers, treat_none_as_default_value = false)]
pub struct Transfer {
    /// UUID v7.
    pub id: String,
    /// The dossier.
    pub dossier_id: String,
    /// The agency that sent it.
    pub from_agency_id: String,
    /// The agency it went to.
    pub to_agency_id: String,
    /// Who sent it.
    pub sent_by: String,
    /// When.
    pub sent_at: NaiveDateTime,
    /// What is asked of the other agency.
    pub note: String,
    /// Who sent it back.
    pub returned_by: Option<String>,
    /// When it came back.
    pub returned_at: Option<NaiveDateTime>,
    /// The other agency's answer.
    pub reply_note: Option<String>,
}

impl Transfer {
    /// Inserts a transfer.
    pub fn insert(conn: &mut DbConn, row: &Transfer) -> QueryResult<usize> {
        diesel::insert_into(dossier_transfers::table).values(row).execute(conn)
    }

    /// A dossier's transfers, oldest first.
    pub fn of_dossier(conn: &mut DbConn, dossier_id: &str) -> QueryResult<Vec<Transfer>> {
        dossier_transfers::table
            .filter(dossier_transfers::dossier_id.eq(dossier_id))
            .order(dossier_transfers::sent_at)
            .select(Transfer::as_select())
            .load(conn)
    }

    /// The transfer still open (not yet sent back), if any.
    pub fn open_of_dossier(conn: &mut DbConn, dossier_id: &str) -> QueryResult<Option<Transfer>> {
        dossier_transfers::table
            .filter(dossier_transfers::dossier_id.eq(dossier_id))
            .filter(dossier_transfers::returned_at.is_null())
            .select(Transfer::as_select())
            .first(conn)
            .optional()
    }

    /// Whether the dossier was ever sent to `agency_id`.
    pub fn reached(conn: &mut DbConn, dossier_id: &str, agency_id: &str) -> QueryResult<bool> {
        diesel::select(diesel::dsl::exists(
            dossier_transfers::table
                .filter(dossier_transfers::dossier_id.eq(dossier_id))
                .filter(dossier_transfers::to_agency_id.eq(agency_id)),
        ))
        .get_result(conn)
    }

    /// Closes a transfer with the other agency's answer.
    pub fn close(conn: &mut DbConn, id: &str, by: &str, at: NaiveDateTime, reply: &str) -> QueryResult<usize> {
        diesel::update(dossier_transfers::table.find(id))
            .set((
                dossier_transfers::returned_by.eq(by),
                dossier_transfers::returned_at.eq(at),
                dossier_transfers::reply_note.eq(reply),
            ))
            .execute(conn)
    }
}

/// A note between staff.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = dossier_notes)]
pub struct Note {
    /// UUID v7.
    pub id: String,
    /// The dossier.
    pub dossier_id: String,
    /// The author.
    pub staff_id: String,
    /// When.
    pub at: NaiveDateTime,
    /// The text.
    pub body: String,
}

impl Note {
    /// Inserts a note.
    pub fn insert(conn: &mut DbConn, row: &Note) -> QueryResult<usize> {
        diesel::insert_into(dossier_notes::table).values(row).execute(conn)
    }

    /// A dossier's notes, oldest first.
    pub fn of_dossier(conn: &mut DbConn, dossier_id: &str) -> QueryResult<Vec<Note>> {
        dossier_notes::table
            .filter(dossier_notes::dossier_id.eq(dossier_id))
            .order(dossier_notes::at)
            .select(Note::as_select())
            .load(conn)
    }
}

/// A due-date extension and its apology letter.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = dossier_extensions)]
pub struct Extension {
    /// UUID v7.
    pub id: String,
    /// The dossier.
    pub dossier_id: String,
    /// Who extended it.
    pub staff_id: String,
    /// When.
    pub at: NaiveDateTime,
    /// The due date before (UTC).
    pub old_due_at: NaiveDateTime,
    /// The new due date (UTC).
    pub new_due_at: NaiveDateTime,
    /// The reason given to the citizen.
    pub reason: String,
}

impl Extension {
    /// Inserts an extension.
    pub fn insert(conn: &mut DbConn, row: &Extension) -> QueryResult<usize> {
        diesel::insert_into(dossier_extensions::table).values(row).execute(conn)
    }

    /// A dossier's extensions, oldest first.
    pub fn of_dossier(conn: &mut DbConn, dossier_id: &str) -> QueryResult<Vec<Extension>> {
        dossier_extensions::table
            .filter(dossier_extensions::dossier_id.eq(dossier_id))
            .order(dossier_extensions::at)
            .select(Extension::as_select())
            .load(conn)
    }
}

/// One step of a procedure's workflow.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = procedure_workflow_steps)]
pub struct WorkflowStep {
    /// UUID v7.
    pub id: String,
    /// The procedure.
    pub procedure_id: String,
    /// Order, from 1.
    pub position: i32,
    /// What is done.
    pub name: String,
    /// The agency (none: the receiving agency).
    pub agency_id: Option<String>,
    /// The role acting (`mot_cua`, `chuyen_vien`, `lanh_dao`).
    pub role: String,
}

impl WorkflowStep {
    /// A procedure's steps in order.
    pub fn of_procedure(conn: &mut DbConn, procedure_id: &str) -> QueryResult<Vec<WorkflowStep>> {
        procedure_workflow_steps::table
            .filter(procedure_workflow_steps::procedure_id.eq(procedure_id))
            .order(procedure_workflow_steps::position)
            .select(WorkflowStep::as_select())
            .load(conn)
    }

    /// Replaces a procedure's steps.
    pub fn replace(conn: &mut DbConn, procedure_id: &str, steps: &[WorkflowStep]) -> QueryResult<()> {
        diesel::delete(procedure_workflow_steps::table.filter(procedure_workflow_steps::procedure_id.eq(procedure_id)))
            .execute(conn)?;
        crate::on_backend!(conn, |c| diesel::insert_into(procedure_workflow_steps::table).values(steps).execute(c))?;
        Ok(())
    }
}

/// One administrative change.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    /// UUID v7.
    pub id: String,
    /// When.
    pub at: NaiveDateTime,
    /// Who (none: a command-line or system change).
    pub staff_id: Option<String>,
    /// What (`create`, `update`, `delete`).
    pub action: String,
    /// Which kind of thing (`agency`, `staff`, `procedure`, `holiday`, …).
    pub entity: String,
    /// Which one.
    pub entity_id: String,
    /// Before (JSON).
    pub before_json: Option<String>,
    /// After (JSON).
    pub after_json: Option<String>,
}

impl AuditEntry {
    /// Appends an entry (the table refuses updates and deletes).
    pub fn insert(conn: &mut DbConn, row: &AuditEntry) -> QueryResult<usize> {
        diesel::insert_into(audit_log::table).values(row).execute(conn)
    }

    /// The latest entries, newest first.
    pub fn latest(conn: &mut DbConn, limit: i64, offset: i64) -> QueryResult<Vec<AuditEntry>> {
        audit_log::table
            .order((audit_log::at.desc(), audit_log::id.desc()))
            .limit(limit)
            .offset(offset)
            .select(AuditEntry::as_select())
            .load(conn)
    }
}

/// Claims the run of a once-a-day job: true for the first caller of the day, false after.
pub fn claim_daily_run(conn: &mut DbConn, name: &str, day: NaiveDate, at: NaiveDateTime) -> QueryResult<bool> {
    let taken: bool = diesel::select(diesel::dsl::exists(
        scheduled_runs::table.filter(scheduled_runs::name.eq(name)).filter(scheduled_runs::day.eq(day)),
    ))
    .get_result(conn)?;
    if taken {
        return Ok(false);
    }
    diesel::insert_into(scheduled_runs::table)
        .values((scheduled_runs::name.eq(name), scheduled_runs::day.eq(day), scheduled_runs::at.eq(at)))
        .execute(conn)?;
    Ok(true)
}

/// Forgets the claims of runs whose name starts with `prefix` from days before `before`
/// (frequent jobs claim one row per slot; only today's matter).
pub fn prune_runs(conn: &mut DbConn, prefix: &str, before: NaiveDate) -> QueryResult<usize> {
    diesel::delete(
        scheduled_runs::table
            .filter(scheduled_runs::name.like(format!("{prefix}%")))
            .filter(scheduled_runs::day.lt(before)),
    )
    .execute(conn)
}

/// The boxed audit query the audit page filters.
type AuditQuery<'a> = audit_log::BoxedQuery<'a, crate::db::MultiBackend>;

impl AuditEntry {
    fn of_entity(entity: Option<&str>) -> AuditQuery<'static> {
        let mut q = audit_log::table.into_boxed();
        if let Some(e) = entity {
            q = q.filter(audit_log::entity.eq(e.to_owned()));
        }
        q
    }

    /// A page of entries, optionally of one kind of thing, newest first; and how many in all.
    pub fn page(
        conn: &mut DbConn,
        entity: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> QueryResult<(Vec<AuditEntry>, i64)> {
        let total = Self::of_entity(entity).count().get_result(conn)?;
        let rows = Self::of_entity(entity)
            .order((audit_log::at.desc(), audit_log::id.desc()))
            .limit(limit)
            .offset(offset)
            .select(AuditEntry::as_select())
            .load(conn)?;
        Ok((rows, total))
    }
}

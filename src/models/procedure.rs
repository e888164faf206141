//! The procedure catalogue: a procedure with its fees, required papers and forms.

use crate::db::DbConn;
use crate::db::schema::{fields, procedure_fees, procedure_forms, procedure_papers, procedures};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A field (lĩnh vực) of the catalogue.
#[derive(
    Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset, serde::Serialize, serde::Deserialize,
)]
#[diesel(table_name = fields)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Slug, e.g. `ho-tich`.
    pub code: String,
    /// Vietnamese name.
    pub name: String,
}

/// One procedure.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = procedures, treat_none_as_null = true)]
pub struct Procedure {
    /// UUID v7.
    pub id: String,
    /// National code, e.g. `1.001193`.
    pub code: String,
    /// Name.
    pub name: String,
    /// Name in NFC lowercase (exact-diacritic ranking).
    pub name_lc: String,
    /// Field code.
    pub field_code: String,
    /// `tinh` or `xa`.
    pub level: String,
    /// The implementing department (provincial procedures).
    pub agency_id: Option<String>,
    /// Who implements it, as the catalogue says.
    pub implementing_agency: String,
    /// Online service level 1–4.
    pub online_level: i32,
    /// Time limit amount.
    pub time_limit_value: i32,
    /// `working_days`, `working_hours` or `calendar_days`.
    pub time_limit_unit: String,
    /// Details of the time limit.
    pub time_limit_note: Option<String>,
    /// Who may use it.
    pub subjects: String,
    /// Comma-separated channel codes.
    pub channels: String,
    /// JSON array of steps.
    pub steps: String,
    /// Conditions.
    pub requirements: Option<String>,
    /// What the citizen receives.
    pub result: String,
    /// JSON array of legal texts.
    pub legal_basis: String,
    /// How often it is used (ordering of "most used").
    pub popularity: i32,
    /// Folded text searched by the catalogue.
    pub search_text: String,
    /// Creation time (UTC).
    pub created_at: NaiveDateTime,
    /// Last change (UTC).
    pub updated_at: NaiveDateTime,
    /// After a supplement the full time limit runs again (DESIGN §5).
    pub restart_after_supplement: bool,
    /// After payment the full time limit runs again (default: the remaining time).
    pub restart_after_payment: bool,
    /// When fees are due: `submission` (toàn trình: paid before the dossier is received) or
    /// `request` (when an officer asks).
    pub fee_timing: String,
    /// The account fees are paid into.
    pub beneficiary_account: Option<String>,
    /// Its bank's code.
    pub beneficiary_bank: Option<String>,
    /// Its holder.
    pub beneficiary_name: Option<String>,
}

/// A fee of a procedure.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = procedure_fees)]
pub struct ProcedureFee {
    /// UUID v7.
    pub id: String,
    /// The procedure.
    pub procedure_id: String,
    /// Display order.
    pub position: i32,
    /// `phi` or `le_phi`.
    pub kind: String,
    /// What it is for.
    pub description: String,
    /// Amount in VND.
    pub amount_vnd: i64,
    /// Unit when charged per copy, page…
    pub per_unit: Option<String>,
    /// The e-form field holding the number of units.
    pub quantity_field: Option<String>,
    /// The fee applies only when this e-form field …
    pub when_field: Option<String>,
    /// … holds this value.
    pub when_value: Option<String>,
}

/// A required paper.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = procedure_papers)]
pub struct ProcedurePaper {
    /// UUID v7.
    pub id: String,
    /// The procedure.
    pub procedure_id: String,
    /// Display order.
    pub position: i32,
    /// Name of the paper.
    pub name: String,
    /// Originals required.
    pub originals: i32,
    /// Copies required.
    pub copies: i32,
    /// Whether a dossier needs it.
    pub mandatory: bool,
    /// Remarks.
    pub note: Option<String>,
}

/// A downloadable form.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = procedure_forms)]
pub struct ProcedureForm {
    /// UUID v7.
    pub id: String,
    /// The procedure.
    pub procedure_id: String,
    /// Display order.
    pub position: i32,
    /// Title shown to citizens.
    pub title: String,
    /// File name offered on download.
    pub file_name: String,
    /// MIME type.
    pub content_type: String,
    /// SHA-256 of the bytes (the file store address).
    pub sha256: String,
    /// Size in bytes.
    pub size_bytes: i64,
}

impl Field {
    /// Every field by name.
    pub fn all(conn: &mut DbConn) -> QueryResult<Vec<Field>> {
        fields::table.order(fields::name).select(Field::as_select()).load(conn)
    }

    /// Inserts one field.
    pub fn insert(conn: &mut DbConn, row: &Field) -> QueryResult<usize> {
        diesel::insert_into(fields::table).values(row).execute(conn)
    }

    /// Overwrites one field.
    pub fn update(conn: &mut DbConn, row: &Field) -> QueryResult<usize> {
        diesel::update(fields::table.find(&row.code)).set(row).execute(conn)
    }
}

impl Procedure {
    /// One procedure by national code.
    pub fn find_by_code(conn: &mut DbConn, code: &str) -> QueryResult<Option<Procedure>> {
        procedures::table.filter(procedures::code.eq(code)).select(Procedure::as_select()).first(conn).optional()
    }

    /// One procedure by id.
    pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Procedure>> {
        procedures::table.find(id).select(Procedure::as_select()).first(conn).optional()
    }

    /// Every procedure.
    pub fn all(conn: &mut DbConn) -> QueryResult<Vec<Procedure>> {
        procedures::table.order(procedures::code).select(Procedure::as_select()).load(conn)
    }

    /// The most used procedures.
    pub fn most_used(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<Procedure>> {
        procedures::table
            .order((procedures::popularity.desc(), procedures::name))
            .limit(limit)
            .select(Procedure::as_select())
            .load(conn)
    }

    /// Inserts one procedure.
    pub fn insert(conn: &mut DbConn, row: &Procedure) -> QueryResult<usize> {
        diesel::insert_into(procedures::table).values(row).execute(conn)
    }

    /// Overwrites one procedure.
    pub fn update(conn: &mut DbConn, row: &Procedure) -> QueryResult<usize> {
        diesel::update(procedures::table.find(&row.id)).set(row).execute(conn)
    }

    /// Its fees in order.
    pub fn fees(conn: &mut DbConn, procedure_id: &str) -> QueryResult<Vec<ProcedureFee>> {
        procedure_fees::table
            .filter(procedure_fees::procedure_id.eq(procedure_id))
            .order(procedure_fees::position)
            .select(ProcedureFee::as_select())
            .load(conn)
    }

    /// Its papers in order.
    pub fn papers(conn: &mut DbConn, procedure_id: &str) -> QueryResult<Vec<ProcedurePaper>> {
        procedure_papers::table
            .filter(procedure_papers::procedure_id.eq(procedure_id))
            .order(procedure_papers::position)
            .select(ProcedurePaper::as_select())
            .load(conn)
    }

    /// Its forms in order.
    pub fn forms(conn: &mut DbConn, procedure_id: &str) -> QueryResult<Vec<ProcedureForm>> {
        procedure_forms::table
            .filter(procedure_forms::procedure_id.eq(procedure_id))
            .order(procedure_forms::position)
            .select(ProcedureForm::as_select())
            .load(conn)
    }

    /// Replaces its fees, papers and forms.
    pub fn replace_children(
        conn: &mut DbConn,
        procedure_id: &str,
        fees: &[ProcedureFee],
        papers: &[ProcedurePaper],
        forms: &[ProcedureForm],
    ) -> QueryResult<()> {
        diesel::delete(procedure_fees::table.filter(procedure_fees::procedure_id.eq(procedure_id))).execute(conn)?;
        diesel::delete(procedure_papers::table.filter(procedure_papers::procedure_id.eq(procedure_id)))
            .execute(conn)?;
        diesel::delete(procedure_forms::table.filter(procedure_forms::procedure_id.eq(procedure_id))).execute(conn)?;
        crate::on_backend!(conn, |c| diesel::insert_into(procedure_fees::table).values(fees).execute(c))?;
        crate::on_backend!(conn, |c| diesel::insert_into(procedure_papers::table).values(papers).execute(c))?;
        crate::on_backend!(conn, |c| diesel::insert_into(procedure_forms::table).values(forms).execute(c))?;
        Ok(())
    }
}

impl ProcedureForm {
    /// One form of a procedure.
    pub fn find(conn: &mut DbConn, procedure_id: &str, form_id: &str) -> QueryResult<Option<ProcedureForm>> {
        procedure_forms::table
            .filter(procedure_forms::procedure_id.eq(procedure_id))
            .filter(procedure_forms::id.eq(form_id))
            .select(ProcedureForm::as_select())
            .first(conn)
            .optional()
    }
}

/// The boxed procedures query the administration's list filters.
type ProcedureQuery<'a> = procedures::BoxedQuery<'a, crate::db::MultiBackend>;

impl Procedure {
    fn matching(words: &[String]) -> ProcedureQuery<'static> {
        let mut q = procedures::table.into_boxed();
        for w in words {
            q = q.filter(procedures::search_text.like(format!("%{w}%")));
        }
        q
    }

    /// A page of procedures whose folded search text contains every word of `words`, by code;
    /// and how many match in all (the administration's list).
    pub fn search_words(
        conn: &mut DbConn,
        words: &[String],
        limit: i64,
        offset: i64,
    ) -> QueryResult<(Vec<Procedure>, i64)> {
        let total = Self::matching(words).count().get_result(conn)?;
        let rows = Self::matching(words)
            .order(procedures::code)
            .limit(limit)
            .offset(offset)
            .select(Procedure::as_select())
            .load(conn)?;
        Ok((rows, total))
    }

    /// Removes a procedure's e-form definition (the generic form is used instead).
    pub fn delete_eform(conn: &mut DbConn, procedure_id: &str) -> QueryResult<usize> {
        use crate::db::schema::eforms;
        diesel::delete(eforms::table.find(procedure_id)).execute(conn)
    }
}

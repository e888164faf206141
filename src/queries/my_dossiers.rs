//! What a citizen sees of their own work: drafts and dossiers with their procedures, and one
//! dossier with its files and history.

use crate::db::DbConn;
use crate::db::schema::{agencies, dossiers, drafts, procedures};
use crate::models::dossier::{Attachment, Dossier, DossierEvent, Draft};
use diesel::prelude::*;

/// A draft line.
pub struct DraftLine {
    /// The draft.
    pub draft: Draft,
    /// Procedure code.
    pub procedure_code: String,
    /// Procedure name.
    pub procedure_name: String,
}

/// A dossier line.
pub struct DossierLine {
    /// The dossier.
    pub dossier: Dossier,
    /// Procedure name.
    pub procedure_name: String,
}

/// A user's open drafts and dossiers.
pub fn overview(conn: &mut DbConn, user_id: &str) -> QueryResult<(Vec<DraftLine>, Vec<DossierLine>)> {
    let drafts: Vec<(Draft, String, String)> = drafts::table
        .inner_join(procedures::table)
        .filter(drafts::user_id.eq(user_id))
        .filter(drafts::dossier_id.is_null())
        .order(drafts::updated_at.desc())
        .select((Draft::as_select(), procedures::code, procedures::name))
        .load(conn)?;
    let dossiers: Vec<(Dossier, String)> = dossiers::table
        .inner_join(procedures::table)
        .filter(dossiers::applicant_user_id.eq(user_id))
        .order(dossiers::submitted_at.desc())
        .select((Dossier::as_select(), procedures::name))
        .load(conn)?;
    Ok((
        drafts
            .into_iter()
            .map(|(draft, procedure_code, procedure_name)| DraftLine { draft, procedure_code, procedure_name })
            .collect(),
        dossiers.into_iter().map(|(dossier, procedure_name)| DossierLine { dossier, procedure_name }).collect(),
    ))
}

/// One dossier with what its pages show.
pub struct DossierView {
    /// The dossier.
    pub dossier: Dossier,
    /// Procedure code.
    pub procedure_code: String,
    /// Procedure name.
    pub procedure_name: String,
    /// Receiving agency.
    pub agency_name: String,
    /// Files.
    pub attachments: Vec<Attachment>,
    /// History.
    pub events: Vec<DossierEvent>,
    /// Papers by position.
    pub paper_names: Vec<(i32, String)>,
}

/// Loads one dossier by code.
pub fn dossier(conn: &mut DbConn, code: &str) -> QueryResult<Option<DossierView>> {
    let row: Option<(Dossier, String, String, String)> = dossiers::table
        .inner_join(procedures::table)
        .inner_join(agencies::table)
        .filter(dossiers::code.eq(code))
        .select((Dossier::as_select(), procedures::code, procedures::name, agencies::name))
        .first(conn)
        .optional()?;
    let Some((dossier, procedure_code, procedure_name, agency_name)) = row else { return Ok(None) };
    let attachments = Attachment::of_dossier(conn, &dossier.id)?;
    let events = Dossier::events(conn, &dossier.id)?;
    let paper_names = crate::models::procedure::Procedure::papers(conn, &dossier.procedure_id)?
        .into_iter()
        .map(|p| (p.position, p.name))
        .collect();
    Ok(Some(DossierView { dossier, procedure_code, procedure_name, agency_name, attachments, events, paper_names }))
}

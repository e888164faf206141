//! What a leader oversees: the dossiers waiting for their approval and, per agency in their
//! scope, the dossiers in hand and overdue now. A provincial leader's scope is every agency.

use crate::db::DbConn;
use crate::db::schema::{agencies, dossiers, procedures};
use crate::models::dossier::Dossier;
use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

/// Which agencies a leader oversees.
#[derive(Clone, Debug)]
pub enum Scope {
    /// The whole province.
    Province,
    /// One agency.
    Agency(String),
}

/// A dossier waiting for approval.
pub struct Pending {
    /// The dossier.
    pub dossier: Dossier,
    /// Procedure name.
    pub procedure_name: String,
    /// Holding agency short name.
    pub agency_name: String,
}

/// Dossiers at the leader step of agencies in scope, soonest due first (at most `limit`).
pub fn awaiting_approval(conn: &mut DbConn, scope: &Scope, limit: i64) -> QueryResult<Vec<Pending>> {
    let mut q = dossiers::table
        .inner_join(procedures::table)
        .inner_join(agencies::table.on(agencies::id.nullable().eq(dossiers::handler_agency_id)))
        .filter(dossiers::status.eq(4))
        .filter(dossiers::handler_step.eq("lanh_dao"))
        .into_boxed();
    if let Scope::Agency(id) = scope {
        q = q.filter(dossiers::handler_agency_id.eq(id.clone()));
    }
    let rows: Vec<(Dossier, String, String)> = q
        .order(dossiers::due_at.asc())
        .limit(limit)
        .select((Dossier::as_select(), procedures::name, agencies::short_name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(dossier, procedure_name, agency_name)| Pending { dossier, procedure_name, agency_name })
        .collect())
}

/// One agency's load now.
pub struct AgencyLoad {
    /// Agency id.
    pub agency_id: String,
    /// Short name.
    pub agency_name: String,
    /// Dossiers held in states 2, 4, 5 or 6.
    pub in_hand: i64,
    /// Of those in 2 or 4, past their due date.
    pub overdue: i64,
}

/// Per agency in scope with work in hand: dossiers in hand and overdue (two grouped counts on
/// the `(handler_agency_id, status, due_at)` index).
pub fn load_by_agency(conn: &mut DbConn, scope: &Scope, now: NaiveDateTime) -> QueryResult<Vec<AgencyLoad>> {
    let in_scope = |id: &Option<String>| match scope {
        Scope::Province => true,
        Scope::Agency(a) => id.as_deref() == Some(a.as_str()),
    };
    let held: Vec<(Option<String>, i64)> = dossiers::table
        .filter(dossiers::status.eq_any([2, 4, 5, 6]))
        .group_by(dossiers::handler_agency_id)
        .select((dossiers::handler_agency_id, count_star()))
        .load(conn)?;
    let late: Vec<(Option<String>, i64)> = dossiers::table
        .filter(dossiers::status.eq_any([2, 4]))
        .filter(dossiers::due_at.lt(now))
        .group_by(dossiers::handler_agency_id)
        .select((dossiers::handler_agency_id, count_star()))
        .load(conn)?;
    let names: Vec<(String, String)> = agencies::table.select((agencies::id, agencies::short_name)).load(conn)?;
    let mut out: Vec<AgencyLoad> = held
        .into_iter()
        .filter(|(id, _)| in_scope(id))
        .filter_map(|(id, n)| {
            let id = id?;
            let agency_name = names.iter().find(|(a, _)| *a == id).map(|(_, n)| n.clone()).unwrap_or_default();
            let overdue = late.iter().find(|(a, _)| a.as_deref() == Some(id.as_str())).map_or(0, |(_, n)| *n);
            Some(AgencyLoad { agency_id: id, agency_name, in_hand: n, overdue })
        })
        .collect();
    out.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(b.in_hand.cmp(&a.in_hand)));
    Ok(out)
}

//! Agencies: the province, its departments and its communes, with national identifiers.

use crate::db::DbConn;
use crate::db::schema::agencies;
use diesel::prelude::*;
use diesel::sql_types::Bool;

/// One agency.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset, serde::Serialize)]
#[diesel(table_name = agencies, treat_none_as_null = true)]
pub struct Agency {
    /// UUID v7.
    pub id: String,
    /// National identifier, e.g. `000.00.01.H56`.
    pub code: String,
    /// Full name.
    pub name: String,
    /// Short name for lists.
    pub short_name: String,
    /// `province`, `department` or `commune`.
    pub kind: String,
    /// The province's agency for departments and communes.
    pub parent_id: Option<String>,
    /// GSO code of the commune (current version) for communes.
    pub admin_unit_code: Option<String>,
    /// Office address.
    pub address: Option<String>,
    /// Office phone.
    pub phone: Option<String>,
    /// Office e-mail.
    pub email: Option<String>,
    /// Display order.
    pub position: i32,
    /// Folded name for search.
    pub search_text: String,
    /// Office sessions, e.g. `07:30-11:30,13:00-17:00`; `None` is the default.
    pub office_hours: Option<String>,
}

impl Agency {
    /// Every agency in display order.
    pub fn all(conn: &mut DbConn) -> QueryResult<Vec<Agency>> {
        agencies::table.order((agencies::position, agencies::name)).select(Agency::as_select()).load(conn)
    }

    /// One agency by its national identifier.
    pub fn find_by_code(conn: &mut DbConn, code: &str) -> QueryResult<Option<Agency>> {
        agencies::table.filter(agencies::code.eq(code)).select(Agency::as_select()).first(conn).optional()
    }

    /// One agency by id.
    pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Agency>> {
        agencies::table.find(id).select(Agency::as_select()).first(conn).optional()
    }

    /// Inserts one agency.
    pub fn insert(conn: &mut DbConn, row: &Agency) -> QueryResult<usize> {
        diesel::insert_into(agencies::table).values(row).execute(conn)
    }

    /// Overwrites one agency.
    pub fn update(conn: &mut DbConn, row: &Agency) -> QueryResult<usize> {
        diesel::update(agencies::table.find(&row.id)).set(row).execute(conn)
    }
}

/// The boxed agencies query the administration's list filters.
type AgencyQuery<'a> = agencies::BoxedQuery<'a, crate::db::MultiBackend>;

impl Agency {
    fn matching(words: &[String], code: Option<&str>, kind: Option<&str>) -> AgencyQuery<'static> {
        let mut q = agencies::table.into_boxed();
        if let Some(kind) = kind {
            q = q.filter(agencies::kind.eq(kind.to_owned()));
        }
        type Cond = Box<dyn BoxableExpression<agencies::table, crate::db::MultiBackend, SqlType = Bool>>;
        let mut text: Option<Cond> = None;
        for w in words {
            let like: Cond = Box::new(agencies::search_text.like(format!("%{w}%")));
            text = Some(match text {
                Some(t) => Box::new(t.and(like)),
                None => like,
            });
        }
        if let Some(c) = code {
            let like: Cond = Box::new(agencies::code.like(format!("%{c}%")));
            text = Some(match text {
                Some(t) => Box::new(t.or(like)),
                None => like,
            });
        }
        if let Some(t) = text {
            q = q.filter(t);
        }
        q
    }

    /// A page of agencies whose folded name contains every word of `words` (or whose code
    /// contains `code`), optionally of one kind, in display order; and how many match in all.
    pub fn search(
        conn: &mut DbConn,
        words: &[String],
        code: Option<&str>,
        kind: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> QueryResult<(Vec<Agency>, i64)> {
        let total = Self::matching(words, code, kind).count().get_result(conn)?;
        let rows = Self::matching(words, code, kind)
            .order((agencies::position, agencies::name))
            .limit(limit)
            .offset(offset)
            .select(Agency::as_select())
            .load(conn)?;
        Ok((rows, total))
    }

    /// The largest display position among agencies of a kind.
    pub fn max_position(conn: &mut DbConn, kind: &str) -> QueryResult<Option<i32>> {
        agencies::table.filter(agencies::kind.eq(kind)).select(diesel::dsl::max(agencies::position)).first(conn)
    }
}

//! The catalogue search: filters, accent-free full-text matching (FTS5 on SQLite, a `simple`
//! tsvector on PostgreSQL, both over the folded `search_text`), ranking and pagination.

use crate::db::schema::{fields, procedures};
use crate::db::{DbConn, MultiBackend};
use crate::domain::catalogue::Level;
use crate::domain::search::Query;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

/// How the list is narrowed.
#[derive(Clone, Debug, Default)]
pub struct CatalogueFilter {
    /// Parsed search text.
    pub query: Option<Query>,
    /// Field code.
    pub field: Option<String>,
    /// Implementing level.
    pub level: Option<Level>,
    /// A department (its procedures) — commune agencies are expressed as `level`.
    pub department_id: Option<String>,
    /// Online service level.
    pub online_level: Option<i32>,
}

/// One line of the result list.
#[derive(Clone, Debug, Queryable, serde::Serialize)]
pub struct ProcedureSummary {
    /// National code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Field code.
    pub field_code: String,
    /// Field name.
    pub field_name: String,
    /// `tinh` or `xa`.
    pub level: String,
    /// Who implements it.
    pub implementing_agency: String,
    /// Online service level 1–4.
    pub online_level: i32,
    /// Time limit amount.
    pub time_limit_value: i32,
    /// Time limit unit code.
    pub time_limit_unit: String,
}

/// One page of results.
#[derive(Clone, Debug)]
pub struct ResultPage {
    /// The procedures on this page, best first.
    pub items: Vec<ProcedureSummary>,
    /// How many procedures match in all.
    pub total: usize,
}

type Filtered<'a> = diesel::dsl::IntoBoxed<'a, diesel::dsl::InnerJoin<procedures::table, fields::table>, MultiBackend>;

type SummaryColumns = (
    procedures::code,
    procedures::name,
    procedures::field_code,
    fields::name,
    procedures::level,
    procedures::implementing_agency,
    procedures::online_level,
    procedures::time_limit_value,
    procedures::time_limit_unit,
);

const SUMMARY: SummaryColumns = (
    procedures::code,
    procedures::name,
    procedures::field_code,
    fields::name,
    procedures::level,
    procedures::implementing_agency,
    procedures::online_level,
    procedures::time_limit_value,
    procedures::time_limit_unit,
);

impl CatalogueFilter {
    /// The join of procedures and fields with every filter but the text applied.
    fn filtered(&self) -> Filtered<'static> {
        let mut q = procedures::table.inner_join(fields::table).into_boxed::<MultiBackend>();
        if let Some(field) = &self.field {
            q = q.filter(procedures::field_code.eq(field.clone()));
        }
        if let Some(level) = self.level {
            q = q.filter(procedures::level.eq(level.code()));
        }
        if let Some(id) = &self.department_id {
            q = q.filter(procedures::agency_id.eq(id.clone()));
        }
        if let Some(l) = self.online_level {
            q = q.filter(procedures::online_level.eq(l));
        }
        q
    }

    /// Page `page` (1-based) of the procedures that pass the filters, most used first; the text
    /// query, if any, is not applied here (see [`CatalogueFilter::matching_codes`]).
    pub fn listing(&self, conn: &mut DbConn, page: usize, per_page: usize) -> QueryResult<ResultPage> {
        let offset = page.saturating_sub(1).saturating_mul(per_page);
        let total: i64 = self.filtered().count().get_result(conn)?;
        let items = self
            .filtered()
            .order((procedures::popularity.desc(), procedures::name))
            .limit(i64::try_from(per_page).unwrap_or(i64::MAX))
            .offset(i64::try_from(offset).unwrap_or(i64::MAX))
            .select(SUMMARY)
            .load(conn)?;
        Ok(ResultPage { items, total: usize::try_from(total).unwrap_or(0) })
    }

    /// The codes of the procedures that pass the filters and match every folded term of `query`
    /// as a word prefix, in any order.
    pub fn matching_codes(&self, conn: &mut DbConn, query: &Query) -> QueryResult<Vec<String>> {
        // Backend-specific SQL, the only place the catalogue needs it: FTS5 on SQLite, a
        // `simple` tsvector (GIN-indexed) on PostgreSQL, both over the same folded text.
        let text_match = match conn {
            DbConn::Sqlite(_) => {
                sql::<Bool>("procedures.id IN (SELECT procedure_id FROM procedures_fts WHERE procedures_fts MATCH ")
                    .bind::<Text, _>(query.fts5())
                    .sql(")")
            }
            DbConn::Postgres(_) => {
                sql::<Bool>("to_tsvector('simple', procedures.search_text) @@ to_tsquery('simple', ")
                    .bind::<Text, _>(query.tsquery())
                    .sql(")")
            }
        };
        self.filtered().filter(text_match).select(procedures::code).load(conn)
    }
}

/// Every procedure's summary with what ranking needs: its lower-cased name and popularity.
pub fn all_summaries(conn: &mut DbConn) -> QueryResult<Vec<(ProcedureSummary, String, i32)>> {
    let rows: Vec<(ProcedureSummary, String, i32)> = procedures::table
        .inner_join(fields::table)
        .select((SUMMARY, procedures::name_lc, procedures::popularity))
        .load(conn)?;
    Ok(rows)
}

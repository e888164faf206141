//! Public holidays, observed shifts and make-up working days (the working-day clock's data).

use crate::db::DbConn;
use crate::db::schema::holidays;
use chrono::NaiveDate;
use diesel::prelude::*;

/// One day.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = holidays)]
pub struct Holiday {
    /// The date.
    pub day: NaiveDate,
    /// Vietnamese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// `statutory`, `observed_shift`, `substitute_day_off` or `makeup_working_day`.
    pub kind: String,
    /// `import` (from the shipped CSV) or `admin` (entered by an administrator).
    pub source: String,
}

impl Holiday {
    /// Every day, in date order.
    pub fn all(conn: &mut DbConn) -> QueryResult<Vec<Holiday>> {
        holidays::table.order(holidays::day).select(Holiday::as_select()).load(conn)
    }

    /// Inserts one day.
    pub fn insert(conn: &mut DbConn, row: &Holiday) -> QueryResult<usize> {
        diesel::insert_into(holidays::table).values(row).execute(conn)
    }

    /// Overwrites one day.
    pub fn update(conn: &mut DbConn, row: &Holiday) -> QueryResult<usize> {
        diesel::update(holidays::table.find(row.day)).set(row).execute(conn)
    }
}

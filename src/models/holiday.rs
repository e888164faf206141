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

impl Holiday {
    /// The days of one year, in date order.
    pub fn of_year(conn: &mut DbConn, year: i32) -> QueryResult<Vec<Holiday>> {
        let (Some(first), Some(last)) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31))
        else {
            return Ok(Vec::new());
        };
        holidays::table
            .filter(holidays::day.between(first, last))
            .order(holidays::day)
            .select(Holiday::as_select())
            .load(conn)
    }

    /// One day.
    pub fn find(conn: &mut DbConn, day: NaiveDate) -> QueryResult<Option<Holiday>> {
        holidays::table.find(day).select(Holiday::as_select()).first(conn).optional()
    }

    /// Removes one day.
    pub fn delete(conn: &mut DbConn, day: NaiveDate) -> QueryResult<usize> {
        diesel::delete(holidays::table.find(day)).execute(conn)
    }
}

//! Administrative units (tỉnh, huyện, xã) of one version of the national structure, and the
//! 2025 old↔new mapping.

use crate::db::DbConn;
use crate::db::schema::{admin_unit_mappings, admin_units};
use diesel::prelude::*;

/// The structure in force since 01/07/2025 (34 provinces, 2 levels), updated for NQ 30/2026/QH16.
pub const VERSION_CURRENT: &str = "2025-07-01";
/// The last 3-level structure before the reform (63 provinces), including NQ 1365/NQ-UBTVQH15.
pub const VERSION_LEGACY: &str = "2025-03-01";

/// One unit.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = admin_units)]
pub struct AdminUnit {
    /// Structure version ([`VERSION_CURRENT`] or [`VERSION_LEGACY`]).
    pub version: String,
    /// `province`, `district` or `commune`.
    pub level: String,
    /// GSO code (2 digits province, 3 district, 5 commune).
    pub code: String,
    /// Code of the parent unit in the same version.
    pub parent_code: Option<String>,
    /// Short name ("Hàm Rồng").
    pub name: String,
    /// Full name ("Phường Hàm Rồng").
    pub full_name: String,
    /// English name.
    pub name_en: Option<String>,
    /// Slug.
    pub code_name: Option<String>,
    /// "Phường", "Xã", "Đặc khu", "Huyện", …
    pub unit_type: String,
    /// Folded full name for search.
    pub search_text: String,
}

/// One pair of the old↔new mapping.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Queryable, Selectable, Insertable)]
#[diesel(table_name = admin_unit_mappings)]
pub struct AdminUnitMapping {
    /// `province` or `commune`.
    pub level: String,
    /// Version of the old unit.
    pub old_version: String,
    /// Old code.
    pub old_code: String,
    /// Version of the new unit.
    pub new_version: String,
    /// New code.
    pub new_code: String,
    /// `full` (the whole old unit) or `partial`.
    pub coverage: String,
}

impl AdminUnit {
    /// Every unit of a version.
    pub fn all_of_version(conn: &mut DbConn, version: &str) -> QueryResult<Vec<AdminUnit>> {
        admin_units::table.filter(admin_units::version.eq(version)).select(AdminUnit::as_select()).load(conn)
    }

    /// One unit by version, level and code.
    pub fn find(conn: &mut DbConn, version: &str, level: &str, code: &str) -> QueryResult<Option<AdminUnit>> {
        admin_units::table.find((version, level, code)).select(AdminUnit::as_select()).first(conn).optional()
    }

    /// The communes of a province in a version, ordered by code.
    pub fn communes_of(conn: &mut DbConn, version: &str, province_code: &str) -> QueryResult<Vec<AdminUnit>> {
        admin_units::table
            .filter(admin_units::version.eq(version))
            .filter(admin_units::level.eq("commune"))
            .filter(admin_units::parent_code.eq(province_code))
            .order(admin_units::code)
            .select(AdminUnit::as_select())
            .load(conn)
    }

    /// Counts units per level in a version.
    pub fn count(conn: &mut DbConn, version: &str, level: &str) -> QueryResult<i64> {
        admin_units::table
            .filter(admin_units::version.eq(version))
            .filter(admin_units::level.eq(level))
            .count()
            .get_result(conn)
    }

    /// Inserts units in chunks.
    pub fn insert_many(conn: &mut DbConn, rows: &[AdminUnit]) -> QueryResult<usize> {
        let mut n = 0;
        for chunk in rows.chunks(500) {
            n += crate::on_backend!(conn, |c| diesel::insert_into(admin_units::table).values(chunk).execute(c))?;
        }
        Ok(n)
    }

    /// Overwrites one unit.
    pub fn update(conn: &mut DbConn, row: &AdminUnit) -> QueryResult<usize> {
        diesel::update(admin_units::table.find((&row.version, &row.level, &row.code))).set(row).execute(conn)
    }
}

impl AdminUnitMapping {
    /// Every mapping row.
    pub fn all(conn: &mut DbConn) -> QueryResult<Vec<AdminUnitMapping>> {
        admin_unit_mappings::table.select(AdminUnitMapping::as_select()).load(conn)
    }

    /// The new units an old unit went into.
    pub fn for_old(conn: &mut DbConn, level: &str, old_code: &str) -> QueryResult<Vec<AdminUnitMapping>> {
        admin_unit_mappings::table
            .filter(admin_unit_mappings::level.eq(level))
            .filter(admin_unit_mappings::old_code.eq(old_code))
            .order(admin_unit_mappings::new_code)
            .select(AdminUnitMapping::as_select())
            .load(conn)
    }

    /// Inserts rows in chunks.
    pub fn insert_many(conn: &mut DbConn, rows: &[AdminUnitMapping]) -> QueryResult<usize> {
        let mut n = 0;
        for chunk in rows.chunks(500) {
            n +=
                crate::on_backend!(conn, |c| diesel::insert_into(admin_unit_mappings::table).values(chunk).execute(c))?;
        }
        Ok(n)
    }

    /// Deletes one row.
    pub fn delete(conn: &mut DbConn, row: &AdminUnitMapping) -> QueryResult<usize> {
        diesel::delete(admin_unit_mappings::table.find((
            &row.level,
            &row.old_version,
            &row.old_code,
            &row.new_version,
            &row.new_code,
        )))
        .execute(conn)
    }
}

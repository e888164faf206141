//! Reference data import: exact counts, versioned codes, fixed defects, idempotency.

use crate::support::{TestDb, with_conn};
use diesel::prelude::*;
use dvc_portal::db::schema::{admin_unit_mappings, holidays};
use dvc_portal::models::admin_unit::{AdminUnit, AdminUnitMapping, VERSION_CURRENT, VERSION_LEGACY};
use dvc_portal::services::reference_data;

#[test]
fn imports_exact_counts_and_is_idempotent() {
    let test_db = TestDb::empty();
    let db = test_db.open();
    let refdata = test_db.config().refdata_dir;
    with_conn(&db, |conn| {
        let first = reference_data::import_all(conn, &refdata).unwrap_or_else(|e| panic!("{e:#}"));
        assert!(first.iter().all(|r| r.inserted == r.total && r.updated == 0), "{first:?}");
        let count = |conn: &mut _, v, l| AdminUnit::count(conn, v, l).unwrap_or(-1);
        assert_eq!(count(conn, VERSION_CURRENT, "province"), 34);
        assert_eq!(count(conn, VERSION_CURRENT, "commune"), 3_321);
        assert_eq!(count(conn, VERSION_LEGACY, "province"), 63);
        assert_eq!(count(conn, VERSION_LEGACY, "district"), 696);
        assert_eq!(count(conn, VERSION_LEGACY, "commune"), 10_035);
        let mappings = |conn: &mut _, level: &str| -> i64 {
            admin_unit_mappings::table
                .filter(admin_unit_mappings::level.eq(level))
                .count()
                .get_result(conn)
                .unwrap_or(-1)
        };
        assert_eq!(mappings(conn, "province"), 63);
        assert_eq!(mappings(conn, "commune"), 10_604);
        assert_eq!(holidays::table.count().get_result::<i64>(conn).unwrap_or(-1), 104);

        let second = reference_data::import_all(conn, &refdata).unwrap_or_else(|e| panic!("{e:#}"));
        assert!(second.iter().all(|r| r.unchanged()), "second run changed something: {second:?}");
        assert!(second.iter().all(|r| r.to_string().ends_with("unchanged")));
    });
}

#[test]
fn codes_are_stored_with_their_version() {
    let test_db = TestDb::seeded();
    let db = test_db.open();
    with_conn(&db, |conn| {
        let old = AdminUnit::find(conn, VERSION_LEGACY, "commune", "14758").ok().flatten().map(|u| u.full_name);
        let new = AdminUnit::find(conn, VERSION_CURRENT, "commune", "14758").ok().flatten().map(|u| u.full_name);
        assert_eq!(old.as_deref(), Some("Phường Đông Thọ"));
        assert_eq!(new.as_deref(), Some("Phường Hàm Rồng"));
        let went_to: Vec<String> = AdminUnitMapping::for_old(conn, "commune", "14758")
            .unwrap_or_default()
            .into_iter()
            .map(|m| m.new_code)
            .collect();
        assert_eq!(went_to, ["14758", "14797"]);
    });
}

#[test]
fn known_defects_are_fixed() {
    let test_db = TestDb::seeded();
    let db = test_db.open();
    with_conn(&db, |conn| {
        let bac_son = AdminUnit::find(conn, VERSION_CURRENT, "commune", "06325").ok().flatten();
        assert_eq!(bac_son.map(|u| u.full_name).as_deref(), Some("Xã Bắc Sơn"));
        let thanh_hoa = AdminUnit::find(conn, VERSION_CURRENT, "province", "38").ok().flatten();
        assert_eq!(thanh_hoa.as_ref().map(|u| u.full_name.as_str()), Some("Tỉnh Thanh Hóa"));
        assert_eq!(thanh_hoa.map(|u| u.search_text).as_deref(), Some("tinh thanh hoa"));
        // The 5 island districts without communes (Côn Đảo is 755) are districts with no children.
        let con_dao = AdminUnit::all_of_version(conn, VERSION_LEGACY)
            .unwrap_or_default()
            .into_iter()
            .filter(|u| u.level == "commune" && u.parent_code.as_deref() == Some("755"))
            .count();
        assert_eq!(con_dao, 0);
        let island = AdminUnit::find(conn, VERSION_LEGACY, "district", "755").ok().flatten();
        assert_eq!(island.map(|u| u.full_name).as_deref(), Some("Huyện Côn Đảo"));
    });
}

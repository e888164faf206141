//! Migrations: the two sets in lockstep, reversible on the backend under test, and the schema
//! matches every model.

use crate::support::{TestDb, with_conn};
use diesel::prelude::*;
use dvc_portal::db::migrate;
use dvc_portal::db::schema::*;
use dvc_portal::models::admin_unit::{AdminUnit, AdminUnitMapping};
use dvc_portal::models::agency::Agency;
use dvc_portal::models::holiday::Holiday;
use dvc_portal::models::procedure::{Field, Procedure, ProcedureFee, ProcedureForm, ProcedurePaper};
use std::collections::BTreeSet;
use std::path::Path;

fn versions(dir: &str) -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(dir);
    std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .flatten()
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            for f in ["up.sql", "down.sql"] {
                assert!(e.path().join(f).is_file(), "{dir}/{name} has no {f}");
            }
            name
        })
        .collect()
}

#[test]
fn both_sets_have_the_same_versions() {
    let sqlite = versions("sqlite");
    let postgres = versions("postgres");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres, "migrations/sqlite and migrations/postgres differ");
}

#[test]
fn migrations_go_up_down_and_up_again() {
    let test_db = TestDb::empty();
    let db = test_db.open();
    with_conn(&db, |conn| {
        let reverted = migrate::revert_all(conn).unwrap_or_else(|e| panic!("down: {e:#}"));
        assert_eq!(reverted.len(), versions("sqlite").len());
        // Nothing of ours is left after the last down.
        assert!(procedures::table.count().get_result::<i64>(conn).is_err());
        let applied = migrate::run_pending(conn).unwrap_or_else(|e| panic!("up again: {e:#}"));
        assert_eq!(applied.len(), reverted.len());
        assert_eq!(procedures::table.count().get_result::<i64>(conn).ok(), Some(0));
    });
}

#[test]
fn every_table_loads_through_its_model() {
    let test_db = TestDb::seeded();
    let db = test_db.open();
    with_conn(&db, |conn| {
        let n = |r: QueryResult<usize>, table: &str| {
            let n = r.unwrap_or_else(|e| panic!("{table}: {e}"));
            assert!(n > 0, "{table} is empty after seeding");
        };
        n(admin_units::table.select(AdminUnit::as_select()).limit(5).load(conn).map(|v| v.len()), "admin_units");
        n(
            admin_unit_mappings::table.select(AdminUnitMapping::as_select()).limit(5).load(conn).map(|v| v.len()),
            "admin_unit_mappings",
        );
        n(holidays::table.select(Holiday::as_select()).load(conn).map(|v| v.len()), "holidays");
        n(fields::table.select(Field::as_select()).load(conn).map(|v| v.len()), "fields");
        n(agencies::table.select(Agency::as_select()).load(conn).map(|v| v.len()), "agencies");
        n(procedures::table.select(Procedure::as_select()).load(conn).map(|v| v.len()), "procedures");
        n(procedure_fees::table.select(ProcedureFee::as_select()).load(conn).map(|v| v.len()), "procedure_fees");
        n(procedure_papers::table.select(ProcedurePaper::as_select()).load(conn).map(|v| v.len()), "procedure_papers");
        n(procedure_forms::table.select(ProcedureForm::as_select()).load(conn).map(|v| v.len()), "procedure_forms");
    });
}

#[test]
fn the_domain_layer_names_no_framework() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain");
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{e}")).flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for banned in ["diesel::", "use diesel", "actix_web", "actix::", "std::fs", "tokio::"] {
            assert!(!text.contains(banned), "{} mentions {banned}", entry.path().display());
        }
    }
}

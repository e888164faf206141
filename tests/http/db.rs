//! The database layer under concurrency: writers never see SQLITE_BUSY.

use crate::support::TestDb;
use diesel::prelude::*;
use dvc_portal::db::schema::fields;
use dvc_portal::db::write_tx;
use dvc_portal::models::procedure::Field;

#[test]
fn concurrent_writers_all_succeed() {
    let test_db = TestDb::empty();
    let db = test_db.open();
    let writers = 8;
    let per_writer = 40;
    let handles: Vec<_> = (0..writers)
        .map(|w| {
            let db = db.clone();
            std::thread::spawn(move || {
                let mut errors = Vec::new();
                for i in 0..per_writer {
                    let mut conn = db.get().unwrap_or_else(|e| panic!("pool: {e}"));
                    // Read, then write, in one transaction: the pattern that fails with
                    // SQLITE_BUSY under a deferred BEGIN.
                    let r = write_tx(&mut conn, |conn| -> QueryResult<()> {
                        let before: i64 = fields::table.count().get_result(conn)?;
                        Field::insert(conn, &Field { code: format!("w{w}-{i}"), name: format!("{before}") })?;
                        Ok(())
                    });
                    if let Err(e) = r {
                        errors.push(e.to_string());
                    }
                }
                errors
            })
        })
        .collect();
    let errors: Vec<String> =
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|_| panic!("writer panicked"))).collect();
    assert!(errors.is_empty(), "errors escaped: {errors:?}");
    let mut conn = db.get().unwrap_or_else(|e| panic!("pool: {e}"));
    let total: i64 = fields::table.count().get_result(&mut *conn).unwrap_or(-1);
    assert_eq!(total, writers * per_writer);
}

#[test]
fn a_failed_write_leaves_nothing_behind() {
    let test_db = TestDb::empty();
    let db = test_db.open();
    let mut conn = db.get().unwrap_or_else(|e| panic!("pool: {e}"));
    let r = write_tx(&mut conn, |conn| -> QueryResult<()> {
        Field::insert(conn, &Field { code: "a".into(), name: "A".into() })?;
        Field::insert(conn, &Field { code: "a".into(), name: "duplicate".into() })?;
        Ok(())
    });
    assert!(r.is_err());
    let total: i64 = fields::table.count().get_result(&mut *conn).unwrap_or(-1);
    assert_eq!(total, 0);
    // The connection is usable afterwards.
    assert!(write_tx(&mut conn, |conn| Field::insert(conn, &Field { code: "b".into(), name: "B".into() })).is_ok());
}

//! Server-side sessions and the record of failed sign-ins.

use crate::db::DbConn;
use crate::db::schema::{login_failures, sessions};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// One session; `id` is the SHA-256 of the cookie's token, so a leaked database does not leak
/// usable cookies.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct Session {
    /// SHA-256 (hex) of the cookie token.
    pub id: String,
    /// The citizen or business, for a citizen's session.
    pub user_id: Option<String>,
    /// The staff member, for a staff session.
    pub staff_id: Option<String>,
    /// The CSRF token of every form in this session.
    pub csrf_token: String,
    /// Sign-in time.
    pub created_at: NaiveDateTime,
    /// Last request.
    pub last_seen_at: NaiveDateTime,
    /// Absolute end.
    pub expires_at: NaiveDateTime,
}

impl Session {
    /// Inserts a session.
    pub fn insert(conn: &mut DbConn, row: &Session) -> QueryResult<usize> {
        diesel::insert_into(sessions::table).values(row).execute(conn)
    }

    /// A session by token hash, expired or not.
    pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Session>> {
        sessions::table.find(id).select(Session::as_select()).first(conn).optional()
    }

    /// Records activity.
    pub fn touch(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> QueryResult<usize> {
        diesel::update(sessions::table.find(id)).set(sessions::last_seen_at.eq(at)).execute(conn)
    }

    /// Ends one session.
    pub fn delete(conn: &mut DbConn, id: &str) -> QueryResult<usize> {
        diesel::delete(sessions::table.find(id)).execute(conn)
    }

    /// Ends every session of a user (password reset).
    pub fn delete_for_user(conn: &mut DbConn, user_id: &str) -> QueryResult<usize> {
        diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)
    }
}

/// Records a failed sign-in under a throttle key (`account:<email>` or `ip:<address>`).
pub fn record_failure(conn: &mut DbConn, key: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::insert_into(login_failures::table)
        .values((
            login_failures::id.eq(uuid::Uuid::now_v7().to_string()),
            login_failures::throttle_key.eq(key),
            login_failures::at.eq(at),
        ))
        .execute(conn)
}

/// Failed sign-ins under a key since `since`.
pub fn failures_since(conn: &mut DbConn, key: &str, since: NaiveDateTime) -> QueryResult<i64> {
    login_failures::table
        .filter(login_failures::throttle_key.eq(key))
        .filter(login_failures::at.ge(since))
        .count()
        .get_result(conn)
}

/// Forgets the failures under a key (after a successful sign-in or a password reset).
pub fn clear_failures(conn: &mut DbConn, key: &str) -> QueryResult<usize> {
    diesel::delete(login_failures::table.filter(login_failures::throttle_key.eq(key))).execute(conn)
}

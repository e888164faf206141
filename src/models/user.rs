//! Portal users: citizens and businesses.

use crate::db::DbConn;
use crate::db::schema::users;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// One user.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
pub struct User {
    /// UUID v7.
    pub id: String,
    /// `citizen` or `business`.
    pub kind: String,
    /// Full name (of the representative, for a business).
    pub full_name: String,
    /// 12-digit personal identification number.
    pub citizen_id: String,
    /// Registered business name.
    pub business_name: Option<String>,
    /// Business tax code.
    pub tax_code: Option<String>,
    /// Mobile number, `0xxxxxxxxx`.
    pub phone: String,
    /// E-mail as typed (domain lower-cased).
    pub email: String,
    /// E-mail lower-cased, unique.
    pub email_lc: String,
    /// Contact address.
    pub address: Option<String>,
    /// argon2id PHC string.
    pub password_hash: String,
    /// When the e-mail address was confirmed.
    pub email_verified_at: Option<NaiveDateTime>,
    /// Registration time.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

/// Contact data a user may edit.
#[derive(Clone, Debug, AsChangeset)]
#[diesel(table_name = users)]
pub struct ContactChanges {
    /// Mobile number.
    pub phone: String,
    /// Address.
    pub address: Option<String>,
    /// Change time.
    pub updated_at: NaiveDateTime,
}

impl User {
    /// Inserts a user.
    pub fn insert(conn: &mut DbConn, row: &User) -> QueryResult<usize> {
        diesel::insert_into(users::table).values(row).execute(conn)
    }

    /// One user by id.
    pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<User>> {
        users::table.find(id).select(User::as_select()).first(conn).optional()
    }

    /// One user by lower-cased e-mail.
    pub fn find_by_email(conn: &mut DbConn, email_lc: &str) -> QueryResult<Option<User>> {
        users::table.filter(users::email_lc.eq(email_lc)).select(User::as_select()).first(conn).optional()
    }

    /// Whether an ID number is already registered.
    pub fn citizen_id_taken(conn: &mut DbConn, citizen_id: &str) -> QueryResult<bool> {
        diesel::select(diesel::dsl::exists(users::table.filter(users::citizen_id.eq(citizen_id)))).get_result(conn)
    }

    /// Whether a tax code is already registered.
    pub fn tax_code_taken(conn: &mut DbConn, tax_code: &str) -> QueryResult<bool> {
        diesel::select(diesel::dsl::exists(users::table.filter(users::tax_code.eq(tax_code)))).get_result(conn)
    }

    /// Marks the e-mail confirmed.
    pub fn set_verified(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> QueryResult<usize> {
        diesel::update(users::table.find(id))
            .set((users::email_verified_at.eq(at), users::updated_at.eq(at)))
            .execute(conn)
    }

    /// Replaces the password hash.
    pub fn set_password(conn: &mut DbConn, id: &str, hash: &str, at: NaiveDateTime) -> QueryResult<usize> {
        diesel::update(users::table.find(id))
            .set((users::password_hash.eq(hash), users::updated_at.eq(at)))
            .execute(conn)
    }

    /// Updates contact data.
    pub fn update_contact(conn: &mut DbConn, id: &str, changes: &ContactChanges) -> QueryResult<usize> {
        diesel::update(users::table.find(id)).set(changes).execute(conn)
    }
}

//! Staff of the agencies (cán bộ) and their roles.

use crate::db::DbConn;
use crate::db::schema::{staff, staff_roles};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Role codes a staff member may hold.
pub mod roles {
    /// One-stop desk officer (cán bộ một cửa).
    pub const ONE_STOP: &str = "mot_cua";
    /// Specialist (chuyên viên).
    pub const SPECIALIST: &str = "chuyen_vien";
    /// Leader (lãnh đạo).
    pub const LEADER: &str = "lanh_dao";
    /// Administrator (quản trị).
    pub const ADMIN: &str = "quan_tri";
    /// Finance officer (kế toán): reconciles online payments (đối soát).
    pub const FINANCE: &str = "ke_toan";
    /// Every role, in display order.
    pub const ALL: [&str; 5] = [ONE_STOP, SPECIALIST, LEADER, FINANCE, ADMIN];

    /// The Vietnamese name of a role.
    pub fn label(role: &str) -> &'static str {
        match role {
            ONE_STOP => "Cán bộ một cửa",
            SPECIALIST => "Chuyên viên",
            LEADER => "Lãnh đạo",
            FINANCE => "Kế toán (đối soát thanh toán)",
            ADMIN => "Quản trị hệ thống",
            _ => "Vai trò khác",
        }
    }
}

/// One staff member.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = staff)]
pub struct Staff {
    /// UUID v7.
    pub id: String,
    /// The agency they work in.
    pub agency_id: String,
    /// Sign-in name (lower case).
    pub username: String,
    /// Full name.
    pub full_name: String,
    /// Work e-mail.
    pub email: String,
    /// E-mail lower-cased, unique.
    pub email_lc: String,
    /// Work phone.
    pub phone: Option<String>,
    /// Position (chức vụ).
    pub position_title: Option<String>,
    /// argon2id PHC string; `None` until the invitation is accepted.
    #[diesel(treat_none_as_null = true)]
    pub password_hash: Option<String>,
    /// Whether they may sign in.
    pub active: bool,
    /// Folded name and username, for search.
    pub search_text: String,
    /// Creation.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

impl Staff {
    /// Inserts a staff member.
    pub fn insert(conn: &mut DbConn, row: &Staff) -> QueryResult<usize> {
        diesel::insert_into(staff::table).values(row).execute(conn)
    }

    /// Overwrites a staff member.
    pub fn update(conn: &mut DbConn, row: &Staff) -> QueryResult<usize> {
        diesel::update(staff::table.find(&row.id)).set(row).execute(conn)
    }

    /// One by id.
    pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Staff>> {
        staff::table.find(id).select(Staff::as_select()).first(conn).optional()
    }

    /// One by sign-in name or e-mail (lower-cased).
    pub fn find_by_login(conn: &mut DbConn, login: &str) -> QueryResult<Option<Staff>> {
        staff::table
            .filter(staff::username.eq(login).or(staff::email_lc.eq(login)))
            .select(Staff::as_select())
            .first(conn)
            .optional()
    }

    /// Everyone, by agency then name.
    pub fn all(conn: &mut DbConn) -> QueryResult<Vec<Staff>> {
        staff::table.order((staff::agency_id, staff::full_name)).select(Staff::as_select()).load(conn)
    }

    /// The active staff of an agency holding `role`, by name.
    pub fn of_agency_with_role(conn: &mut DbConn, agency_id: &str, role: &str) -> QueryResult<Vec<Staff>> {
        staff::table
            .inner_join(staff_roles::table)
            .filter(staff::agency_id.eq(agency_id))
            .filter(staff::active.eq(true))
            .filter(staff_roles::role.eq(role))
            .order(staff::full_name)
            .select(Staff::as_select())
            .load(conn)
    }

    /// The roles of a staff member, in display order.
    pub fn roles(conn: &mut DbConn, id: &str) -> QueryResult<Vec<String>> {
        let held: Vec<String> =
            staff_roles::table.filter(staff_roles::staff_id.eq(id)).select(staff_roles::role).load(conn)?;
        Ok(roles::ALL.iter().filter(|r| held.iter().any(|h| h == *r)).map(|r| (*r).to_owned()).collect())
    }

    /// Replaces the roles of a staff member.
    pub fn set_roles(conn: &mut DbConn, id: &str, new_roles: &[String]) -> QueryResult<()> {
        diesel::delete(staff_roles::table.filter(staff_roles::staff_id.eq(id))).execute(conn)?;
        for role in new_roles {
            diesel::insert_into(staff_roles::table)
                .values((staff_roles::staff_id.eq(id), staff_roles::role.eq(role)))
                .execute(conn)?;
        }
        Ok(())
    }

    /// Sets the password (accepting an invitation or a reset).
    pub fn set_password(conn: &mut DbConn, id: &str, hash: &str, at: NaiveDateTime) -> QueryResult<usize> {
        diesel::update(staff::table.find(id))
            .set((staff::password_hash.eq(hash), staff::updated_at.eq(at)))
            .execute(conn)
    }
}

/// The boxed staff query the administration's list filters.
type StaffQuery<'a> = staff::BoxedQuery<'a, crate::db::MultiBackend>;

impl Staff {
    fn matching(words: &[String], agency_id: Option<&str>) -> StaffQuery<'static> {
        let mut q = staff::table.into_boxed();
        for w in words {
            q = q.filter(staff::search_text.like(format!("%{w}%")));
        }
        if let Some(a) = agency_id {
            q = q.filter(staff::agency_id.eq(a.to_owned()));
        }
        q
    }

    /// A page of staff whose folded name and user name contain every word of `words`,
    /// optionally of one agency, by name; and how many match in all.
    pub fn search(
        conn: &mut DbConn,
        words: &[String],
        agency_id: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> QueryResult<(Vec<Staff>, i64)> {
        let total = Self::matching(words, agency_id).count().get_result(conn)?;
        let rows = Self::matching(words, agency_id)
            .order((staff::full_name, staff::username))
            .limit(limit)
            .offset(offset)
            .select(Staff::as_select())
            .load(conn)?;
        Ok((rows, total))
    }

    /// One by sign-in name.
    pub fn find_by_username(conn: &mut DbConn, username: &str) -> QueryResult<Option<Staff>> {
        staff::table.filter(staff::username.eq(username)).select(Staff::as_select()).first(conn).optional()
    }

    /// Whether another staff member (not `except_id`) has this e-mail (lower-cased).
    pub fn email_taken(conn: &mut DbConn, email_lc: &str, except_id: &str) -> QueryResult<bool> {
        diesel::select(diesel::dsl::exists(
            staff::table.filter(staff::email_lc.eq(email_lc)).filter(staff::id.ne(except_id)),
        ))
        .get_result(conn)
    }

    /// `(staff id, role)` of several staff members.
    pub fn roles_of_many(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<(String, String)>> {
        staff_roles::table
            .filter(staff_roles::staff_id.eq_any(ids))
            .select((staff_roles::staff_id, staff_roles::role))
            .load(conn)
    }

    /// How many active staff members hold `role`.
    pub fn count_active_with_role(conn: &mut DbConn, role: &str) -> QueryResult<i64> {
        staff::table
            .inner_join(staff_roles::table)
            .filter(staff::active.eq(true))
            .filter(staff_roles::role.eq(role))
            .count()
            .get_result(conn)
    }

    /// Ends every session of a staff member (password set, account disabled).
    pub fn end_sessions(conn: &mut DbConn, id: &str) -> QueryResult<usize> {
        use crate::db::schema::sessions;
        diesel::delete(sessions::table.filter(sessions::staff_id.eq(id))).execute(conn)
    }
}

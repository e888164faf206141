//! Staff accounts: the demo staff of three agencies and the province.

use crate::clock::Clock;
use crate::db::DbConn;
use crate::domain::fold::fold;
use crate::error::AppError;
use crate::models::agency::Agency;
use crate::models::staff::{Staff, roles};
use crate::services::accounts::hash_password;

/// The password of every demo staff account (README).
pub const DEMO_STAFF_PASSWORD: &str = "CanBo@2026";

/// The demo staff: (user name, full name, agency code, position, roles).
pub const DEMO_STAFF: &[(&str, &str, &str, &str, &[&str])] = &[
    ("xa1.motcua", "Lê Thị Hoa", "000.20.01.H56", "Công chức một cửa", &[roles::ONE_STOP]),
    ("xa1.chuyenvien", "Trần Văn Nam", "000.20.01.H56", "Công chức Tư pháp - Hộ tịch", &[roles::SPECIALIST]),
    ("xa1.lanhdao", "Nguyễn Văn Hùng", "000.20.01.H56", "Chủ tịch UBND xã", &[roles::LEADER]),
    ("stp.motcua", "Phạm Thị Mai", "000.00.01.H56", "Công chức một cửa", &[roles::ONE_STOP]),
    ("stp.chuyenvien", "Hoàng Văn Đức", "000.00.01.H56", "Chuyên viên", &[roles::SPECIALIST]),
    ("stp.lanhdao", "Vũ Thị Thu", "000.00.01.H56", "Phó Giám đốc Sở", &[roles::LEADER]),
    ("stc.motcua", "Đỗ Văn Long", "000.00.02.H56", "Công chức một cửa", &[roles::ONE_STOP]),
    ("stc.chuyenvien", "Bùi Thị Lan", "000.00.02.H56", "Chuyên viên", &[roles::SPECIALIST]),
    ("stc.lanhdao", "Đặng Văn Minh", "000.00.02.H56", "Phó Giám đốc Sở", &[roles::LEADER]),
    ("stc.ketoan", "Trịnh Thị Hằng", "000.00.02.H56", "Kế toán", &[roles::FINANCE]),
    ("tinh.lanhdao", "Lê Văn Thành", "000.00.00.H56", "Phó Chủ tịch UBND tỉnh", &[roles::LEADER]),
    ("tinh.ketoan", "Phan Văn Tài", "000.00.00.H56", "Kế toán Văn phòng UBND tỉnh", &[roles::FINANCE]),
    ("quantri", "Ngô Thị Hạnh", "000.00.00.H56", "Quản trị hệ thống", &[roles::ADMIN]),
];

/// Creates the demo staff that do not exist yet (idempotent); returns how many were created.
pub fn seed_demo_staff(conn: &mut DbConn, clock: &Clock) -> Result<usize, AppError> {
    let hash = hash_password(DEMO_STAFF_PASSWORD)?;
    let now = clock.now_naive();
    let mut created = 0;
    for (username, name, agency_code, position, held) in DEMO_STAFF {
        if Staff::find_by_login(conn, username)?.is_some() {
            continue;
        }
        let agency = Agency::find_by_code(conn, agency_code)?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("demo agency {agency_code} is missing")))?;
        let row = Staff {
            id: uuid::Uuid::now_v7().to_string(),
            agency_id: agency.id,
            username: (*username).to_owned(),
            full_name: (*name).to_owned(),
            email: format!("{username}@demo.thanhhoa.gov.vn"),
            email_lc: format!("{username}@demo.thanhhoa.gov.vn"),
            phone: None,
            position_title: Some((*position).to_owned()),
            password_hash: Some(hash.clone()),
            active: true,
            search_text: fold(&format!("{name} {username}")),
            created_at: now,
            updated_at: now,
        };
        Staff::insert(conn, &row)?;
        Staff::set_roles(conn, &row.id, &held.iter().map(|r| (*r).to_owned()).collect::<Vec<_>>())?;
        created += 1;
    }
    Ok(created)
}

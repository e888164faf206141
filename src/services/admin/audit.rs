//! The administrative audit log: one append-only entry per change, written in the change's own
//! transaction, and the page administrators read it on.

use super::{Paged, offset};
use crate::clock::Clock;
use crate::db::DbConn;
use crate::error::AppError;
use crate::models::staff::Staff;
use crate::models::workflow::AuditEntry;
use diesel::QueryResult;
use serde_json::Value;
use std::collections::HashMap;

/// Entries per page.
pub const PER_PAGE: i64 = 30;

/// One change to record.
#[derive(Clone, Debug)]
pub struct Change<'a> {
    /// Who made it (none: a system change).
    pub by: Option<&'a str>,
    /// `create`, `update`, `delete`, `invite`, `activate`.
    pub action: &'static str,
    /// `agency`, `staff`, `procedure`, `holiday`.
    pub entity: &'static str,
    /// Which one.
    pub entity_id: &'a str,
    /// The state before (never a password hash).
    pub before: Option<Value>,
    /// The state after (never a password hash).
    pub after: Option<Value>,
}

/// Appends an entry, inside the caller's transaction.
pub fn record(conn: &mut DbConn, clock: &Clock, change: Change<'_>) -> QueryResult<()> {
    let json = |v: Option<Value>| v.map(|v| v.to_string());
    AuditEntry::insert(
        conn,
        &AuditEntry {
            id: super::new_id(),
            at: clock.now_naive(),
            staff_id: change.by.map(str::to_owned),
            action: change.action.to_owned(),
            entity: change.entity.to_owned(),
            entity_id: change.entity_id.to_owned(),
            before_json: json(change.before),
            after_json: json(change.after),
        },
    )?;
    Ok(())
}

/// The kinds of things the log records, with their Vietnamese names (the page's filter).
pub const ENTITIES: [(&str, &str); 5] = [
    ("agency", "Cơ quan"),
    ("staff", "Cán bộ"),
    ("procedure", "Thủ tục"),
    ("holiday", "Ngày nghỉ, ngày làm bù"),
    ("outbox", "Hàng đợi gửi đi"),
];

/// The Vietnamese name of a kind of thing.
pub fn entity_label(entity: &str) -> &'static str {
    ENTITIES.iter().find(|(k, _)| *k == entity).map_or("Khác", |(_, l)| l)
}

/// The Vietnamese name of an action.
pub fn action_label(action: &str) -> &'static str {
    match action {
        "create" => "Tạo mới",
        "update" => "Sửa",
        "delete" => "Xóa",
        "invite" => "Gửi thư mời",
        "activate" => "Kích hoạt tài khoản",
        "resend" => "Gửi lại",
        _ => "Khác",
    }
}

fn field_label(key: &str) -> &str {
    match key {
        "code" => "Mã",
        "name" => "Tên",
        "short_name" => "Tên viết tắt",
        "kind" => "Loại",
        "parent_id" => "Cơ quan cấp trên",
        "address" => "Địa chỉ",
        "phone" => "Điện thoại",
        "email" => "Thư điện tử",
        "office_hours" => "Giờ làm việc",
        "agency_id" => "Cơ quan",
        "username" => "Tên đăng nhập",
        "full_name" => "Họ và tên",
        "position_title" => "Chức vụ",
        "roles" => "Vai trò",
        "active" => "Đang hoạt động",
        "has_password" => "Đã đặt mật khẩu",
        "field_code" => "Lĩnh vực",
        "level" => "Cấp thực hiện",
        "implementing_agency" => "Cơ quan thực hiện",
        "online_level" => "Mức độ trực tuyến",
        "time_limit_value" => "Thời hạn",
        "time_limit_unit" => "Đơn vị thời hạn",
        "time_limit_note" => "Ghi chú thời hạn",
        "restart_after_supplement" => "Tính lại thời hạn sau bổ sung",
        "restart_after_payment" => "Tính lại thời hạn sau nộp phí",
        "fee_timing" => "Thời điểm nộp phí",
        "beneficiary" => "Tài khoản thụ hưởng",
        "fee_account" => "Tài khoản thu phí, lệ phí",
        "subjects" => "Đối tượng",
        "channels" => "Cách thức",
        "steps" => "Trình tự thực hiện",
        "requirements" => "Yêu cầu, điều kiện",
        "result" => "Kết quả",
        "legal_basis" => "Căn cứ pháp lý",
        "fees" => "Phí, lệ phí",
        "papers" => "Thành phần hồ sơ",
        "eform" => "Biểu mẫu điện tử",
        "workflow" => "Quy trình xử lý",
        "day" => "Ngày",
        "name_en" => "Tên tiếng Anh",
        "source" => "Nguồn",
        other => other,
    }
}

/// One field that changed.
#[derive(Clone, Debug)]
pub struct FieldChange {
    /// Its Vietnamese name.
    pub field: String,
    /// Before ("" when created).
    pub before: String,
    /// After ("" when deleted).
    pub after: String,
}

/// One entry, ready to show.
#[derive(Clone, Debug)]
pub struct Line {
    /// Local time `dd/mm/yyyy HH:mm`.
    pub at: String,
    /// The staff member's name and user name, or "Hệ thống".
    pub who: String,
    /// Vietnamese action.
    pub action: &'static str,
    /// Vietnamese kind of thing.
    pub entity: &'static str,
    /// A readable name of the thing (its code, user name, day or name).
    pub subject: String,
    /// Its id.
    pub entity_id: String,
    /// The fields that differ between before and after.
    pub changes: Vec<FieldChange>,
    /// Before, pretty-printed.
    pub before: Option<String>,
    /// After, pretty-printed.
    pub after: Option<String>,
}

fn shown(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(true)) => "Có".to_owned(),
        Some(Value::Bool(false)) => "Không".to_owned(),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
            items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("; ")
        }
        Some(other) => other.to_string(),
    }
}

/// The top-level fields whose values differ between two JSON objects.
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let b = before.and_then(Value::as_object).unwrap_or(&empty);
    let a = after.and_then(Value::as_object).unwrap_or(&empty);
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| b.get(*k) != a.get(*k))
        .map(|k| FieldChange { field: field_label(k).to_owned(), before: shown(b.get(k)), after: shown(a.get(k)) })
        .collect()
}

fn subject(v: Option<&Value>) -> Option<String> {
    let o = v?.as_object()?;
    ["code", "username", "day", "name"].iter().find_map(|k| o.get(*k).and_then(Value::as_str)).map(str::to_owned)
}

/// A page of the log, newest first, optionally of one kind of thing.
pub fn page(conn: &mut DbConn, entity: Option<&str>, page: i64) -> Result<Paged<Line>, AppError> {
    let (rows, total) = AuditEntry::page(conn, entity, PER_PAGE, offset(page, PER_PAGE))?;
    let mut names: HashMap<String, String> = HashMap::new();
    for id in rows.iter().filter_map(|r| r.staff_id.clone()) {
        if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(id) {
            let found = Staff::find(conn, slot.key())?;
            slot.insert(found.map_or_else(String::new, |s| format!("{} ({})", s.full_name, s.username)));
        }
    }
    let parse = |s: &Option<String>| s.as_deref().and_then(|j| serde_json::from_str::<Value>(j).ok());
    let items = rows
        .into_iter()
        .map(|r| {
            let (before, after) = (parse(&r.before_json), parse(&r.after_json));
            let pretty = |v: &Option<Value>| v.as_ref().and_then(|v| serde_json::to_string_pretty(v).ok());
            Line {
                at: crate::clock::to_local(r.at).format("%d/%m/%Y %H:%M").to_string(),
                who: r.staff_id.as_ref().and_then(|id| names.get(id).cloned()).unwrap_or_else(|| "Hệ thống".to_owned()),
                action: action_label(&r.action),
                entity: entity_label(&r.entity),
                subject: subject(after.as_ref()).or_else(|| subject(before.as_ref())).unwrap_or_default(),
                entity_id: r.entity_id,
                changes: diff(before.as_ref(), after.as_ref()),
                before: pretty(&before),
                after: pretty(&after),
            }
        })
        .collect();
    Ok(Paged { items, total, page: page.max(1), per_page: PER_PAGE })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_lists_changed_fields_only() {
        let before = json!({"name": "A", "phone": null, "roles": ["mot_cua"]});
        let after = json!({"name": "A", "phone": "0237 3852 111", "roles": ["mot_cua", "quan_tri"]});
        let d = diff(Some(&before), Some(&after));
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].field, "Điện thoại");
        assert_eq!(d[0].before, "");
        assert_eq!(d[1].after, "mot_cua; quan_tri");
        assert_eq!(diff(None, Some(&json!({"x": true})))[0].after, "Có");
    }
}

//! Holidays and make-up working days per year: listing a year, adding, editing and deleting one
//! day. A change that would leave a year without a working day is refused.

use super::audit::{self, Change};
use super::{Errors, push, required};
use crate::clock::Clock;
use crate::db::{Db, DbConn};
use crate::domain::calendar::{Calendar, DayOverrides, OfficeHours};
use crate::domain::fold::clean;
use crate::error::AppError;
use crate::models::holiday::Holiday;
use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The first year the calendar accepts.
pub const FIRST_YEAR: i32 = 2000;
/// The last year the calendar accepts.
pub const LAST_YEAR: i32 = 2100;

/// The kinds of day, with their Vietnamese names, in display order.
pub const KINDS: [(&str, &str); 4] = [
    ("statutory", "Ngày nghỉ lễ, Tết"),
    ("observed_shift", "Nghỉ bù (ngày lễ trùng ngày nghỉ hằng tuần)"),
    ("substitute_day_off", "Nghỉ do hoán đổi ngày làm việc"),
    ("makeup_working_day", "Ngày làm việc bù"),
];

/// The Vietnamese name of a kind.
pub fn kind_label(kind: &str) -> &'static str {
    KINDS.iter().find(|(k, _)| *k == kind).map_or("Khác", |(_, l)| l)
}

/// The form of one day as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct HolidayInput {
    /// `yyyy-mm-dd` (date picker) or `dd/mm/yyyy`.
    pub day: String,
    /// Vietnamese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// One of [`KINDS`].
    pub kind: String,
}

impl HolidayInput {
    /// The form filled with a day.
    pub fn of(h: &Holiday) -> Self {
        HolidayInput {
            day: h.day.format("%Y-%m-%d").to_string(),
            name: h.name.clone(),
            name_en: h.name_en.clone(),
            kind: h.kind.clone(),
        }
    }

    /// The values by field name, to re-show the form.
    pub fn values(&self) -> BTreeMap<String, String> {
        [("day", &self.day), ("name", &self.name), ("name_en", &self.name_en), ("kind", &self.kind)]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.clone()))
            .collect()
    }
}

/// Parses a year of the calendar.
pub fn parse_year(text: &str) -> Result<i32, String> {
    match text.trim().parse::<i32>() {
        Ok(y) if (FIRST_YEAR..=LAST_YEAR).contains(&y) => Ok(y),
        _ => Err(format!("Năm phải là một số từ {FIRST_YEAR} đến {LAST_YEAR}.")),
    }
}

/// Parses a day typed as `yyyy-mm-dd` or `dd/mm/yyyy`, between 2000 and 2100.
pub fn parse_day(text: &str) -> Result<NaiveDate, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("Vui lòng nhập ngày.".into());
    }
    let day = NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%d/%m/%Y"))
        .map_err(|_| "Ngày không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 06/02/2027.".to_owned())?;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&day.year()) {
        return Err(format!("Chỉ nhận ngày từ năm {FIRST_YEAR} đến năm {LAST_YEAR}."));
    }
    Ok(day)
}

/// A year's days and how many working days it has.
#[derive(Clone, Debug)]
pub struct YearView {
    /// The year.
    pub year: i32,
    /// Its days off and make-up days, in date order.
    pub days: Vec<Holiday>,
    /// Its working days (default office hours).
    pub working_days: usize,
}

fn calendar(conn: &mut DbConn) -> Result<Calendar, AppError> {
    let rows = Holiday::all(conn)?;
    Ok(Calendar::new(DayOverrides::from_rows(rows.iter().map(|h| (h.day, h.kind.as_str()))), OfficeHours::default()))
}

fn working_days(cal: &Calendar, year: i32) -> usize {
    NaiveDate::from_ymd_opt(year, 1, 1)
        .map(|first| first.iter_days().take_while(|d| d.year() == year).filter(|d| cal.is_working_day(*d)).count())
        .unwrap_or(0)
}

/// The days of a year.
pub fn year(conn: &mut DbConn, year: i32) -> Result<YearView, AppError> {
    let cal = calendar(conn)?;
    Ok(YearView { year, days: Holiday::of_year(conn, year)?, working_days: working_days(&cal, year) })
}

/// One day, by its date in the address.
pub fn find(conn: &mut DbConn, day: &str) -> Result<Holiday, AppError> {
    let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| AppError::NotFound("ngày nghỉ"))?;
    Holiday::find(conn, day)?.ok_or(AppError::NotFound("ngày nghỉ"))
}

fn no_working_day(year: i32) -> String {
    format!(
        "Không thể lưu: sau thay đổi này năm {year} không còn ngày làm việc nào, nên không tính được thời hạn \
         giải quyết hồ sơ. Vui lòng kiểm tra lại danh sách ngày nghỉ."
    )
}

/// The year among `years` left without a working day by the rows now in the transaction.
fn year_without_work(conn: &mut DbConn, years: &[i32]) -> Result<Option<i32>, AppError> {
    let cal = calendar(conn)?;
    Ok(years.iter().copied().find(|y| working_days(&cal, *y) == 0))
}

fn parse(input: &HolidayInput) -> Result<Holiday, AppError> {
    let mut errors = Errors::new();
    let day = parse_day(&input.day).map_err(|m| push(&mut errors, "day", m)).ok();
    let name = required(&mut errors, "name", &input.name, 200, "Vui lòng nhập tên ngày nghỉ hoặc ngày làm bù.");
    let name_en = super::optional(&mut errors, "name_en", &input.name_en, 200).unwrap_or_default();
    let kind = KINDS.iter().find(|(k, _)| *k == input.kind.trim()).map(|(k, _)| *k);
    if kind.is_none() {
        push(&mut errors, "kind", "Vui lòng chọn loại ngày.");
    }
    if let (Some(d), Some("makeup_working_day")) = (day, kind)
        && !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
    {
        push(&mut errors, "day", "Ngày làm việc bù phải là thứ Bảy hoặc Chủ nhật (ngày thường đã là ngày làm việc).");
    }
    match (day, kind) {
        (Some(day), Some(kind)) if errors.is_empty() => {
            Ok(Holiday { day, name, name_en: clean(&name_en), kind: kind.to_owned(), source: "admin".to_owned() })
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

fn audit_json(h: &Holiday) -> serde_json::Value {
    serde_json::json!({
        "day": h.day.format("%d/%m/%Y").to_string(), "name": h.name, "name_en": h.name_en,
        "kind": h.kind, "source": h.source,
    })
}

fn taken(day: NaiveDate) -> AppError {
    AppError::Invalid(vec![(
        "day".into(),
        format!("Ngày {} đã có trong danh sách: hãy sửa dòng đã có.", day.format("%d/%m/%Y")),
    )])
}

/// Adds a day.
pub async fn add(db: &Db, clock: &Clock, by: &str, input: HolidayInput) -> Result<Holiday, AppError> {
    let row = parse(&input)?;
    let (clock, by) = (clock.clone(), by.to_owned());
    db.write(move |conn| {
        if Holiday::find(conn, row.day)?.is_some() {
            return Err(taken(row.day));
        }
        Holiday::insert(conn, &row)?;
        if let Some(y) = year_without_work(conn, &[row.day.year()])? {
            return Err(AppError::Invalid(vec![("day".into(), no_working_day(y))]));
        }
        let id = row.day.to_string();
        let change = Change {
            by: Some(&by),
            action: "create",
            entity: "holiday",
            entity_id: &id,
            before: None,
            after: Some(audit_json(&row)),
        };
        audit::record(conn, &clock, change)?;
        Ok(row)
    })
    .await
}

/// Edits the day `day` (its date may change).
pub async fn update(db: &Db, clock: &Clock, by: &str, day: &str, input: HolidayInput) -> Result<Holiday, AppError> {
    let row = parse(&input)?;
    let (clock, by, day) = (clock.clone(), by.to_owned(), day.to_owned());
    db.write(move |conn| {
        let before = find(conn, &day)?;
        if row.day != before.day {
            if Holiday::find(conn, row.day)?.is_some() {
                return Err(taken(row.day));
            }
            Holiday::delete(conn, before.day)?;
            Holiday::insert(conn, &row)?;
        } else {
            Holiday::update(conn, &row)?;
        }
        if let Some(y) = year_without_work(conn, &[before.day.year(), row.day.year()])? {
            return Err(AppError::Invalid(vec![("day".into(), no_working_day(y))]));
        }
        let id = before.day.to_string();
        let change = Change {
            by: Some(&by),
            action: "update",
            entity: "holiday",
            entity_id: &id,
            before: Some(audit_json(&before)),
            after: Some(audit_json(&row)),
        };
        audit::record(conn, &clock, change)?;
        Ok(row)
    })
    .await
}

/// Deletes the day `day`. A day shipped with the reference data comes back if the data is
/// imported again.
pub async fn delete(db: &Db, clock: &Clock, by: &str, day: &str) -> Result<Holiday, AppError> {
    let (clock, by, day) = (clock.clone(), by.to_owned(), day.to_owned());
    db.write(move |conn| {
        let before = find(conn, &day)?;
        Holiday::delete(conn, before.day)?;
        if let Some(y) = year_without_work(conn, &[before.day.year()])? {
            return Err(AppError::bad_request("no_working_day", no_working_day(y)));
        }
        let id = before.day.to_string();
        let change = Change {
            by: Some(&by),
            action: "delete",
            entity: "holiday",
            entity_id: &id,
            before: Some(audit_json(&before)),
            after: None,
        };
        audit::record(conn, &clock, change)?;
        Ok(before)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_years_are_parsed_in_range() {
        assert_eq!(parse_day("2027-02-06").ok(), NaiveDate::from_ymd_opt(2027, 2, 6));
        assert_eq!(parse_day("06/02/2027").ok(), NaiveDate::from_ymd_opt(2027, 2, 6));
        assert!(parse_day("1999-12-31").is_err());
        assert!(parse_day("2101-01-01").is_err());
        assert!(parse_day("31/02/2027").is_err());
        assert_eq!(parse_year("2027"), Ok(2027));
        assert!(parse_year("1999").is_err());
        assert!(parse_year("abc").is_err());
    }

    #[test]
    fn a_year_of_days_off_has_no_working_day() {
        let cal = Calendar::default();
        assert_eq!(working_days(&cal, 2027), 261);
        let all: Vec<NaiveDate> =
            NaiveDate::from_ymd_opt(2027, 1, 1).map(|d| d.iter_days().take(365).collect()).unwrap_or_default();
        let off = Calendar::new(DayOverrides::from_rows(all.iter().map(|d| (*d, "statutory"))), OfficeHours::default());
        assert_eq!(working_days(&off, 2027), 0);
    }
}

//! The legal clock: working days, office hours, reception instant, due dates and pauses.
//!
//! All instants are local wall-clock times in Asia/Ho_Chi_Minh (`NaiveDateTime`); the caller
//! converts from UTC. The one-stop rules are Decree 118/2025/NĐ-CP (in force from 01/07/2025);
//! online dossiers follow Decree 45/2020/NĐ-CP. Public holidays are Labour Code 2019 Art. 112 days,
//! loaded by the caller from the `holidays` table into [`DayOverrides`].
//!
//! A session is the half-open interval `[start, end)`: a dossier received at exactly 17:00 starts
//! the next morning, but working time that runs out exactly at 17:00 is due at 17:00 that day.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Weekday};

use super::catalogue::TimeLimitUnit;

/// How many consecutive days without any office time are tolerated before giving up.
pub const MAX_DAYS_WITHOUT_WORK: u32 = 370;

/// The longest span (in days) a computation may walk: 100 years guards absurd limits.
const MAX_SPAN_DAYS: u64 = 36_600;

/// Why a deadline cannot be computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// No working day (with office hours) within [`MAX_DAYS_WITHOUT_WORK`] days.
    #[error("no working day within {MAX_DAYS_WITHOUT_WORK} days")]
    NoWorkingDay,
    /// The result would be more than a century away or outside the representable dates.
    #[error("deadline out of range")]
    OutOfRange,
}

impl CalendarError {
    /// A message for officers and administrators, in Vietnamese.
    pub fn message(self) -> &'static str {
        match self {
            CalendarError::NoWorkingDay => {
                "Không có ngày làm việc nào trong 370 ngày tới: hãy kiểm tra danh sách ngày nghỉ lễ và giờ làm việc."
            }
            CalendarError::OutOfRange => "Thời hạn giải quyết quá lớn, không tính được ngày hẹn trả.",
        }
    }
}

/// Per-date exceptions to the Monday–Friday week, built from the `holidays` table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DayOverrides {
    /// Days off: `statutory`, `observed_shift` and `substitute_day_off` rows.
    pub days_off: BTreeSet<NaiveDate>,
    /// Worked days that would otherwise be off: `makeup_working_day` rows (a swapped Saturday).
    pub working_days: BTreeSet<NaiveDate>,
}

impl DayOverrides {
    /// Builds the overrides from `(date, kind)` rows; unknown kinds are ignored.
    pub fn from_rows<'a>(rows: impl IntoIterator<Item = (NaiveDate, &'a str)>) -> Self {
        let mut overrides = DayOverrides::default();
        for (date, kind) in rows {
            match kind.trim() {
                // Labour Code 2019 Art. 112: statutory holidays and days off in lieu (nghỉ bù).
                "statutory" | "observed_shift" | "substitute_day_off" => {
                    overrides.days_off.insert(date);
                }
                // A Saturday worked in exchange for a day off (hoán đổi ngày làm việc).
                "makeup_working_day" => {
                    overrides.working_days.insert(date);
                }
                _ => {}
            }
        }
        overrides
    }
}

/// An agency's daily office sessions, in local time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfficeHours {
    /// Sessions `[start, end)`; sorted and merged before use.
    pub sessions: Vec<(NaiveTime, NaiveTime)>,
}

impl Default for OfficeHours {
    /// 07:30–11:30 and 13:00–17:00: eight hours a day.
    fn default() -> Self {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN);
        OfficeHours { sessions: vec![(t(7, 30), t(11, 30)), (t(13, 0), t(17, 0))] }
    }
}

impl OfficeHours {
    /// Parses `07:30-11:30,13:00-17:00`: one or more `HH:MM-HH:MM` sessions, each ending after
    /// it starts, not overlapping; the message says what is wrong, in Vietnamese.
    pub fn parse(text: &str) -> Result<OfficeHours, String> {
        let time = |t: &str| {
            NaiveTime::parse_from_str(t.trim(), "%H:%M")
                .map_err(|_| format!("«{}» không phải giờ dạng HH:MM.", t.trim()))
        };
        let mut sessions = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (s, e) = part.split_once('-').ok_or_else(|| format!("«{part}» phải có dạng HH:MM-HH:MM."))?;
            let (s, e) = (time(s)?, time(e)?);
            if s >= e {
                return Err(format!("Buổi «{part}» phải kết thúc sau khi bắt đầu."));
            }
            sessions.push((s, e));
        }
        if sessions.is_empty() {
            return Err("Cần ít nhất một buổi làm việc, ví dụ 07:30-11:30,13:00-17:00.".into());
        }
        sessions.sort();
        if sessions.windows(2).any(|w| w[1].0 < w[0].1) {
            return Err("Các buổi làm việc không được chồng lên nhau.".into());
        }
        Ok(OfficeHours { sessions })
    }

    /// The `HH:MM-HH:MM,…` form of [`OfficeHours::parse`].
    pub fn format(&self) -> String {
        self.normalised()
            .iter()
            .map(|(s, e)| format!("{}-{}", s.format("%H:%M"), e.format("%H:%M")))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Minutes of office time in one working day (480 by default).
    pub fn daily_minutes(&self) -> i64 {
        self.normalised().iter().map(|(s, e)| (*e - *s).num_minutes()).sum()
    }

    /// Sessions sorted, empty ones dropped, overlapping ones merged.
    fn normalised(&self) -> Vec<(NaiveTime, NaiveTime)> {
        let mut sessions: Vec<_> = self.sessions.iter().copied().filter(|(s, e)| s < e).collect();
        sessions.sort();
        let mut merged: Vec<(NaiveTime, NaiveTime)> = Vec::with_capacity(sessions.len());
        for (s, e) in sessions {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        merged
    }
}

/// The working calendar of one agency.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Calendar {
    /// Holidays, days in lieu and make-up Saturdays.
    pub overrides: DayOverrides,
    /// Office sessions.
    pub hours: OfficeHours,
}

fn day(date: NaiveDate, offset: u64) -> Result<NaiveDate, CalendarError> {
    date.checked_add_days(Days::new(offset)).ok_or(CalendarError::OutOfRange)
}

fn at(date: NaiveDate, time: NaiveTime, plus: TimeDelta) -> Result<NaiveDateTime, CalendarError> {
    date.and_time(time).checked_add_signed(plus).ok_or(CalendarError::OutOfRange)
}

impl Calendar {
    /// A calendar from its overrides and office hours.
    pub fn new(overrides: DayOverrides, hours: OfficeHours) -> Self {
        Calendar { overrides, hours }
    }

    /// Monday–Friday unless a day off; a make-up day is worked whatever its weekday.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        // Labour Code 2019 Art. 112 (holidays) and the yearly swap notices: an explicit make-up
        // day wins, then an explicit day off, then the Monday–Friday week of public offices.
        if self.overrides.working_days.contains(&date) {
            return true;
        }
        if self.overrides.days_off.contains(&date) {
            return false;
        }
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// Walks the office sessions from `from` on, calling `visit(session_start, session_end)` with
    /// the part of each session at or after `from`; stops when `visit` returns `Some`.
    fn walk<T>(
        &self,
        from: NaiveDateTime,
        mut visit: impl FnMut(NaiveDateTime, NaiveDateTime) -> Option<T>,
    ) -> Result<T, CalendarError> {
        let sessions = self.hours.normalised();
        let mut idle = 0u32;
        for offset in 0..=MAX_SPAN_DAYS {
            let date = day(from.date(), offset)?;
            let mut worked = false;
            if self.is_working_day(date) {
                for &(s, e) in &sessions {
                    let (s, e) = (date.and_time(s), date.and_time(e));
                    let s = s.max(from);
                    if s >= e {
                        continue;
                    }
                    worked = true;
                    if let Some(found) = visit(s, e) {
                        return Ok(found);
                    }
                }
            }
            idle = if worked { 0 } else { idle + 1 };
            if idle > MAX_DAYS_WITHOUT_WORK {
                return Err(CalendarError::NoWorkingDay);
            }
        }
        Err(CalendarError::OutOfRange)
    }

    /// The instant the clock starts for a dossier received or submitted at `at`.
    pub fn reception_start(&self, at: NaiveDateTime) -> Result<NaiveDateTime, CalendarError> {
        // Outside office hours (or on a day off) a dossier is received from the next working time
        // (DESIGN §5; Decree 118/2025/NĐ-CP Art. 17(2)(c) has the system acknowledge an online
        // dossier at once and the desk answer within 8 working hours; Art. 18(2) moves paper
        // received after 15:00 to the next working day; the Decree 45/2020/NĐ-CP Art. 11 clause
        // on out-of-hours online receipt is not verified here). Art. 17(3): the time limit
        // runs from the receipt of a complete dossier. Inside a session the clock starts at once.
        self.walk(at, |s, _| Some(s))
    }

    /// Adds `amount` of office time to `start`, counting only inside sessions on working days.
    fn add_working(&self, start: NaiveDateTime, amount: TimeDelta) -> Result<NaiveDateTime, CalendarError> {
        if amount <= TimeDelta::zero() {
            return Ok(start);
        }
        let mut left = amount;
        self.walk(start, |s, e| {
            if left <= e - s {
                return Some(s + left);
            }
            left -= e - s;
            None
        })
    }

    /// Office time between two instants (zero if `to` is not after `from`).
    fn working_between(&self, from: NaiveDateTime, to: NaiveDateTime) -> TimeDelta {
        let mut total = TimeDelta::zero();
        if to <= from {
            return total;
        }
        let sessions = self.hours.normalised();
        let mut date = from.date();
        while date <= to.date() {
            if self.is_working_day(date) {
                for &(s, e) in &sessions {
                    let (s, e) = (date.and_time(s).max(from), date.and_time(e).min(to));
                    if s < e {
                        total += e - s;
                    }
                }
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        total
    }

    /// The end of office hours on `date`, or on the next working day if `date` is off.
    fn end_of_office_day(&self, date: NaiveDate) -> Result<NaiveDateTime, CalendarError> {
        let close = self.hours.normalised().last().map(|(_, e)| *e).ok_or(CalendarError::NoWorkingDay)?;
        for offset in 0..=u64::from(MAX_DAYS_WITHOUT_WORK) {
            let d = day(date, offset)?;
            if self.is_working_day(d) {
                return at(d, close, TimeDelta::zero());
            }
        }
        Err(CalendarError::NoWorkingDay)
    }

    /// The due date (ngày hẹn trả) of a time limit counted from `start` (a reception instant).
    pub fn due(&self, start: NaiveDateTime, limit: u32, unit: TimeLimitUnit) -> Result<NaiveDateTime, CalendarError> {
        match unit {
            // Decree 118/2025/NĐ-CP Art. 17(3): the time limit is counted from receipt of a
            // complete dossier; one working day is the agency's daily office hours (8 h by default),
            // counted only inside office hours on working days (DESIGN §5).
            TimeLimitUnit::WorkingDays => {
                self.add_working(start, TimeDelta::minutes(i64::from(limit) * self.hours.daily_minutes()))
            }
            // Same rule for limits stated in working hours (giờ làm việc).
            TimeLimitUnit::WorkingHours => self.add_working(start, TimeDelta::minutes(i64::from(limit) * 60)),
            // Calendar days (ngày): the close of office hours on the last day; if that day is off,
            // the close of the next working day (Civil Code 2015 Art. 148: a period ending on a
            // day off ends on the next working day).
            TimeLimitUnit::CalendarDays => self.end_of_office_day(day(start.date(), u64::from(limit))?),
        }
    }

    /// Whole working minutes left at a pause: office time from `max(start, paused_at)` to `due`.
    pub fn remaining_minutes(&self, start: NaiveDateTime, due: NaiveDateTime, paused_at: NaiveDateTime) -> i64 {
        self.working_between(start.max(paused_at), due).num_minutes()
    }

    /// The new due date when a clock paused (states 5 and 6) at `paused_at` resumes at `resumed_at`.
    ///
    /// `restart`: the full limit runs again from the next working time after `resumed_at` (a
    /// supplement that completes the dossier, Decree 118/2025/NĐ-CP Art. 19(5): the time limit runs from
    /// receipt of a complete dossier). Otherwise (payment) the office time left at the pause is
    /// counted on from the next working time after `resumed_at`; a calendar-day limit is pushed
    /// back by the calendar days paused. A dossier paused when already overdue keeps its due date.
    pub fn resume(
        &self,
        paused_at: NaiveDateTime,
        resumed_at: NaiveDateTime,
        due: NaiveDateTime,
        restart: bool,
        limit: u32,
        unit: TimeLimitUnit,
    ) -> Result<NaiveDateTime, CalendarError> {
        let resumed_at = resumed_at.max(paused_at);
        if restart {
            return self.due(self.reception_start(resumed_at)?, limit, unit);
        }
        if paused_at >= due {
            return Ok(due);
        }
        match unit {
            TimeLimitUnit::CalendarDays => {
                let paused_days = (resumed_at.date() - paused_at.date()).num_days().max(0).unsigned_abs();
                self.end_of_office_day(day(due.date(), paused_days)?)
            }
            TimeLimitUnit::WorkingDays | TimeLimitUnit::WorkingHours => {
                let left = self.working_between(paused_at, due);
                self.add_working(self.reception_start(resumed_at)?, left)
            }
        }
    }
}

/// Overdue: `now` is past the due date.
pub fn is_overdue(due: NaiveDateTime, now: NaiveDateTime) -> bool {
    now > due
}

/// On time: the result was ready (state 9) no later than the due date (DESIGN §5).
pub fn finished_on_time(due: NaiveDateTime, finished: NaiveDateTime) -> bool {
    finished <= due
}

#[cfg(test)]
mod tests {
    use super::*;
    use TimeLimitUnit::{CalendarDays as Cd, WorkingDays as Wd, WorkingHours as Wh};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("bad date {s}: {e}"))
    }

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap_or_else(|e| panic!("bad instant {s}: {e}"))
    }

    fn cal(rows: &[(&str, &str)]) -> Calendar {
        Calendar::new(DayOverrides::from_rows(rows.iter().map(|(date, kind)| (d(date), *kind))), OfficeHours::default())
    }

    fn ok<T>(r: Result<T, CalendarError>) -> T {
        r.unwrap_or_else(|e| panic!("calendar error: {e}"))
    }

    /// Rows copied from refdata/vn_public_holidays_2024_2030.csv.
    const ROWS: &[(&str, &str)] = &[
        ("2026-01-01", "statutory"),
        ("2026-02-16", "statutory"),
        ("2026-02-17", "statutory"),
        ("2026-02-18", "statutory"),
        ("2026-02-19", "statutory"),
        ("2026-02-20", "statutory"),
        ("2026-04-26", "statutory"),
        ("2026-04-27", "observed_shift"),
        ("2026-04-30", "statutory"),
        ("2026-05-01", "statutory"),
        ("2026-08-22", "makeup_working_day"),
        ("2026-08-31", "substitute_day_off"),
        ("2026-09-01", "statutory"),
        ("2026-09-02", "statutory"),
        ("2026-11-24", "statutory"),
        ("2027-01-01", "statutory"),
        ("2027-02-04", "observed_shift"),
        ("2027-02-05", "statutory"),
        ("2027-02-06", "statutory"),
        ("2027-02-07", "statutory"),
        ("2027-02-08", "statutory"),
        ("2027-02-09", "statutory"),
        ("2027-02-10", "observed_shift"),
        ("2030-01-01", "statutory"),
        ("2030-01-31", "observed_shift"),
        ("2030-02-01", "statutory"),
        ("2030-02-02", "statutory"),
        ("2030-02-03", "statutory"),
        ("2030-02-04", "statutory"),
        ("2030-02-05", "statutory"),
        ("2030-02-06", "observed_shift"),
    ];

    #[test]
    fn default_hours_are_eight_a_day() {
        assert_eq!(OfficeHours::default().daily_minutes(), 480);
    }

    #[test]
    fn working_days() {
        let c = cal(ROWS);
        for (date, working) in [
            ("2026-03-06", true),  // Friday
            ("2026-03-07", false), // Saturday
            ("2026-03-08", false), // Sunday
            ("2026-08-22", true),  // make-up Saturday
            ("2026-08-31", false), // substitute Monday off
            ("2026-11-24", false), // Ngày Văn hóa Việt Nam, a Tuesday
            ("2027-02-04", false), // 29 Tết 2027
            ("2027-02-10", false), // mùng 5 Tết 2027
            ("2027-02-11", true),
            ("2030-01-31", false), // 29 Tết 2030 (Tết = 2030-02-02 at UTC+7)
            ("2030-02-06", false), // mùng 5 Tết 2030
            ("2030-02-07", true),  // would be off if Tết were 2030-02-03
        ] {
            assert_eq!(c.is_working_day(d(date)), working, "{date}");
        }
    }

    #[test]
    fn reception_start_table() {
        let c = cal(ROWS);
        for (received, start) in [
            ("2026-03-04 09:00", "2026-03-04 09:00"), // inside a session
            ("2026-03-04 06:00", "2026-03-04 07:30"), // before the morning session
            ("2026-03-04 11:30", "2026-03-04 13:00"), // lunch
            ("2026-03-04 16:59", "2026-03-04 16:59"),
            ("2026-03-04 17:00", "2026-03-05 07:30"), // sessions are half-open
            ("2026-03-04 17:01", "2026-03-05 07:30"),
            ("2026-03-06 20:00", "2026-03-09 07:30"), // Friday evening → Monday
            ("2026-03-07 10:00", "2026-03-09 07:30"), // Saturday
            ("2026-08-21 18:00", "2026-08-22 07:30"), // make-up Saturday
            ("2027-02-04 09:00", "2027-02-11 07:30"), // Tết 2027
        ] {
            assert_eq!(ok(c.reception_start(t(received))), t(start), "{received}");
        }
    }

    #[test]
    fn due_table() {
        let c = cal(ROWS);
        for (received, limit, unit, due) in [
            // DESIGN §5 examples.
            ("2026-03-02 09:00", 3, Wd, "2026-03-05 09:00"), // Monday → Thursday
            ("2026-03-06 16:00", 1, Wd, "2026-03-09 16:00"), // Friday → Monday
            // 16:59 vs 17:01 on a Wednesday.
            ("2026-03-04 16:59", 1, Wd, "2026-03-05 16:59"),
            ("2026-03-04 17:01", 1, Wd, "2026-03-05 17:00"), // starts Thu 07:30, 8 h end at close
            ("2026-03-02 07:30", 1, Wd, "2026-03-02 17:00"),
            // Across lunch.
            ("2026-03-04 11:00", 1, Wh, "2026-03-04 13:30"),
            ("2026-03-04 11:00", 2, Wh, "2026-03-04 14:30"),
            ("2026-03-04 16:00", 2, Wh, "2026-03-05 08:30"),
            // Tết 2027: 29 Tết (Thu 02-04) to mùng 5 (Wed 02-10) off.
            ("2027-02-03 09:00", 3, Wd, "2027-02-15 09:00"),
            ("2027-02-04 09:00", 3, Wd, "2027-02-15 17:00"), // received on 29 Tết: starts 02-11 07:30
            // Tết 2030 (2030-02-02): 01-31 to 02-06 off.
            ("2030-01-30 09:00", 2, Wd, "2030-02-08 09:00"),
            // Swap 2026: Saturday 08-22 worked, Monday 08-31 off, then 09-01 and 09-02.
            ("2026-08-21 16:00", 1, Wd, "2026-08-22 16:00"),
            ("2026-08-28 09:00", 2, Wd, "2026-09-04 09:00"),
            // Ngày Văn hóa Việt Nam, Tuesday 2026-11-24.
            ("2026-11-23 09:00", 1, Wd, "2026-11-25 09:00"),
            // Calendar days.
            ("2026-03-02 09:00", 10, Cd, "2026-03-12 17:00"),
            ("2026-03-02 09:00", 5, Cd, "2026-03-09 17:00"), // Saturday 03-07 → Monday
            ("2026-08-26 10:00", 5, Cd, "2026-09-03 17:00"), // 08-31 off, then 09-01, 09-02
            ("2027-01-29 09:00", 7, Cd, "2027-02-11 17:00"), // 02-05 is Tết
        ] {
            let start = ok(c.reception_start(t(received)));
            assert_eq!(ok(c.due(start, limit, unit)), t(due), "{received} + {limit} {unit:?}");
        }
    }

    #[test]
    fn pauses() {
        let c = cal(ROWS);
        // Received Monday 2026-02-09 09:00 with 5 working days: due Monday 02-23 09:00 (Tết
        // 02-16..02-20 off). Supplement requested Wednesday 02-11 09:00: 960 min used, 1440 left.
        let start = t("2026-02-09 09:00");
        let due = ok(c.due(start, 5, Wd));
        assert_eq!(due, t("2026-02-23 09:00"));
        let paused = t("2026-02-11 09:00");
        assert_eq!(c.remaining_minutes(start, due, paused), 1440);
        // Supplement handed in on Friday 02-13 15:00.
        let resumed = t("2026-02-13 15:00");
        // Restart: 5 full days from Fri 15:00 → Fri 2h, Mon 02-23.. Thu 02-26 full, Fri 02-27 6h.
        assert_eq!(ok(c.resume(paused, resumed, due, true, 5, Wd)), t("2026-02-27 15:00"));
        // No restart: 1440 min from Fri 15:00 → 120 Fri, 480 Mon 02-23, 480 Tue, 360 Wed → 15:00.
        assert_eq!(ok(c.resume(paused, resumed, due, false, 5, Wd)), t("2026-02-25 15:00"));
        // Resumed during Tết: the clock restarts on Monday 02-23 07:30.
        assert_eq!(ok(c.resume(paused, t("2026-02-18 10:00"), due, false, 5, Wd)), t("2026-02-25 17:00"));
        // Paused when already overdue: the due date stays.
        assert_eq!(ok(c.resume(t("2026-02-24 09:00"), t("2026-02-25 09:00"), due, false, 5, Wd)), due);
        assert_eq!(c.remaining_minutes(start, due, t("2026-02-24 09:00")), 0);
        // Calendar days without restart: pushed back by the days paused, then off-day rule.
        let due_cd = ok(c.due(t("2026-08-17 09:00"), 10, Cd));
        assert_eq!(due_cd, t("2026-08-27 17:00"));
        let resumed_cd = ok(c.resume(t("2026-08-20 10:00"), t("2026-08-24 10:00"), due_cd, false, 10, Cd));
        assert_eq!(resumed_cd, t("2026-09-03 17:00")); // 08-31 lands off → 09-03
    }

    #[test]
    fn overdue_and_on_time() {
        let due = t("2026-03-05 09:00");
        assert!(!is_overdue(due, due));
        assert!(is_overdue(due, t("2026-03-05 09:01")));
        assert!(finished_on_time(due, due));
        assert!(!finished_on_time(due, t("2026-03-05 09:01")));
    }

    #[test]
    fn no_working_day_is_an_error() {
        let year: Vec<String> =
            d("2031-01-01").iter_days().take(400).map(|x| x.format("%Y-%m-%d").to_string()).collect();
        let c =
            Calendar::new(DayOverrides::from_rows(year.iter().map(|s| (d(s), "statutory"))), OfficeHours::default());
        let at = t("2031-01-02 09:00");
        assert_eq!(c.reception_start(at), Err(CalendarError::NoWorkingDay));
        assert_eq!(c.due(at, 1, Wd), Err(CalendarError::NoWorkingDay));
        assert_eq!(c.due(at, 1, Cd), Err(CalendarError::NoWorkingDay));
        assert!(CalendarError::NoWorkingDay.message().contains("ngày làm việc"));
        // No office hours at all.
        let empty = Calendar::new(DayOverrides::default(), OfficeHours { sessions: vec![] });
        assert_eq!(empty.due(at, 1, Wh), Err(CalendarError::NoWorkingDay));
    }

    #[test]
    fn office_hours_parse_and_format() {
        let h = OfficeHours::parse(" 13:00-17:00, 07:30-11:30 ").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(h, OfficeHours::default());
        assert_eq!(h.format(), "07:30-11:30,13:00-17:00");
        assert_eq!(h.daily_minutes(), 480);
        for bad in ["", "7h-11h", "11:30-07:30", "07:30-11:30,11:00-12:00", "07:30"] {
            assert!(OfficeHours::parse(bad).is_err(), "{bad:?}");
        }
    }
}

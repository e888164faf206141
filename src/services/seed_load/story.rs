//! One dossier's life for the load: the path its history takes (online or at the counter, with
//! or without a supplement or a transfer, to a result, a refusal, a withdrawal or a stop), timed
//! by the agencies' working calendars and cut at the load's "as of" instant. Every step goes
//! through the real transition table, so states, steps and handlers are those the workflow
//! itself would have written.

use super::{AgencyInfo, ProcInfo};
use crate::domain::calendar::Calendar;
use crate::domain::dossier::{Action, Position, Role, Status, initial, transition};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use rand::Rng;

/// Refusal reasons at intake.
const REFUSE_REASONS: [&str; 4] = [
    "Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan; đề nghị nộp tại cơ quan có thẩm quyền.",
    "Giấy tờ tải lên không đọc được, không đúng thành phần hồ sơ theo quy định.",
    "Người nộp không phải là người có yêu cầu và không có văn bản ủy quyền hợp lệ.",
    "Thông tin trên tờ khai không khớp với Cơ sở dữ liệu quốc gia về dân cư.",
];

/// What a supplement request lists.
const MISSING: [&str; 4] = [
    "Bản sao có chứng thực giấy tờ chứng minh quan hệ nhân thân.",
    "Tờ khai còn thiếu chữ ký của người yêu cầu; đề nghị ký và tải lên lại.",
    "Ảnh chụp căn cước mặt sau bị mờ, đề nghị bổ sung bản rõ nét.",
    "Văn bản ủy quyền có công chứng hoặc chứng thực.",
];

const WITHDRAW_REASONS: [&str; 3] = [
    "Tôi nộp nhầm thủ tục, xin rút để nộp lại.",
    "Không còn nhu cầu giải quyết.",
    "Xin rút để bổ sung hồ sơ đầy đủ hơn.",
];

const STOP_REASONS: [&str; 3] = [
    "Kết quả xác minh cho thấy không đủ điều kiện giải quyết theo quy định.",
    "Người yêu cầu cung cấp thông tin không trung thực.",
    "Đối tượng của thủ tục đã được giải quyết bằng một quyết định khác.",
];

const TRANSFER_ASKS: [&str; 3] = [
    "Đề nghị phối hợp xác minh thông tin của người yêu cầu.",
    "Đề nghị cho ý kiến về hồ sơ trước khi trình phê duyệt.",
    "Đề nghị xác nhận nghĩa vụ tài chính liên quan.",
];

const TRANSFER_REPLIES: [&str; 3] = [
    "Đã xác minh, thông tin phù hợp.",
    "Thống nhất, không có ý kiến khác.",
    "Đã xác nhận; người yêu cầu đã hoàn thành nghĩa vụ tài chính.",
];

/// How a dossier's story ends (before the cut at "as of").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Result approved and returned (10).
    Returned,
    /// Result approved, never collected (9).
    Resolved,
    /// Refused at intake (3), online only.
    Refused,
    /// Withdrawn by the citizen (7) at the given state, online only.
    Withdrawn(Status),
    /// Stopped by the leader (8).
    Stopped,
    /// Supplement requested, never supplied (5).
    StuckSupplement,
    /// Payment requested, never paid (6).
    StuckPayment,
    /// Processing stalled (4): the overdue ones.
    StuckProcessing,
    /// Received, never assigned (2).
    StuckReceived,
    /// Submitted online, never received (1).
    StuckSubmitted,
}

/// Draws the fate of a dossier submitted `age_days` before "as of". Stalled dossiers are more
/// likely among recent ones but exist all year round (the overdue queue).
pub fn draw_fate(rng: &mut impl Rng, online: bool, age_days: f64) -> Fate {
    let stuck = 0.5 + 1.5 * (-age_days / 60.0).exp();
    let on = if online { 1.0 } else { 0.0 };
    let table = [
        (Fate::StuckSupplement, 0.016 * stuck),
        (Fate::StuckPayment, 0.005 * stuck),
        (Fate::StuckProcessing, 0.012 * stuck),
        (Fate::StuckReceived, 0.004 * stuck),
        (Fate::StuckSubmitted, 0.003 * stuck * on),
        (Fate::Refused, 0.05 * on),
        (Fate::Withdrawn(Status::Submitted), 0.013 * on),
        (Fate::Withdrawn(Status::Received), 0.007 * on),
        (Fate::Withdrawn(Status::Processing), 0.01 * on),
        (Fate::Withdrawn(Status::SupplementRequested), 0.003 * on),
        (Fate::Stopped, 0.02),
        (Fate::Resolved, 0.015),
    ];
    let mut r: f64 = rng.r#gen();
    for (fate, p) in table {
        if r < p {
            return fate;
        }
        r -= p;
    }
    Fate::Returned
}

/// Working time arithmetic on an agency's calendar, for timing officers' steps (the due dates
/// themselves come from [`Calendar::due`]).
#[derive(Clone, Debug)]
pub struct WorkClock {
    /// The agency's calendar (holidays from the database, office hours).
    pub cal: Calendar,
    sessions: Vec<(NaiveTime, NaiveTime)>,
}

impl WorkClock {
    /// From a calendar.
    pub fn new(cal: Calendar) -> Self {
        let mut sessions: Vec<_> = cal.hours.sessions.iter().copied().filter(|(s, e)| s < e).collect();
        sessions.sort();
        WorkClock { cal, sessions }
    }

    /// The instant `minutes` of office time after `from` (0: the next instant in office hours).
    pub fn add(&self, from: NaiveDateTime, minutes: i64) -> NaiveDateTime {
        let mut left = minutes.max(0);
        let mut date = from.date();
        for _ in 0..800 {
            if self.cal.is_working_day(date) {
                for &(s, e) in &self.sessions {
                    let (s, e) = (date.and_time(s).max(from), date.and_time(e));
                    if s >= e {
                        continue;
                    }
                    let avail = (e - s).num_minutes();
                    if left <= avail {
                        return s + Duration::minutes(left);
                    }
                    left -= avail;
                }
            }
            match date.succ_opt() {
                Some(d) => date = d,
                None => break,
            }
        }
        from + Duration::minutes(minutes)
    }

    /// Office minutes between two instants.
    pub fn between(&self, from: NaiveDateTime, to: NaiveDateTime) -> i64 {
        let mut total = 0;
        let mut date = from.date();
        while date <= to.date() {
            if self.cal.is_working_day(date) {
                for &(s, e) in &self.sessions {
                    let (s, e) = (date.and_time(s).max(from), date.and_time(e).min(to));
                    if s < e {
                        total += (e - s).num_minutes();
                    }
                }
            }
            match date.succ_opt() {
                Some(d) => date = d,
                None => break,
            }
        }
        total
    }

    /// Whether a day is worked.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.cal.is_working_day(date)
    }
}

/// Who acts in a history row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// The applicant (online: their account).
    Citizen,
    /// Staff `staff` (index in the agency's list for the role) of agency `agency`.
    Staff {
        /// Agency index.
        agency: usize,
        /// Index in the agency's staff of the role.
        staff: usize,
    },
}

/// One history row before it gets its ids (times are local).
#[derive(Clone, Debug)]
pub struct Ev {
    /// When.
    pub at: NaiveDateTime,
    /// The action.
    pub action: Action,
    /// Who.
    pub who: Who,
    /// In which role.
    pub role: Role,
    /// State before.
    pub from: Option<Status>,
    /// State after.
    pub to: Status,
    /// Note or reason.
    pub note: Option<String>,
    /// Due date after the step.
    pub due: Option<NaiveDateTime>,
}

/// A transfer to another agency (liên thông).
#[derive(Clone, Debug)]
pub struct Tr {
    /// Target agency index.
    pub to: usize,
    /// Sent by (specialist index of the receiving agency).
    pub sent_by: usize,
    /// When.
    pub sent_at: NaiveDateTime,
    /// What was asked.
    pub note: String,
    /// Answered by (specialist index of the target), when, with what.
    pub returned: Option<(usize, NaiveDateTime, String)>,
}

/// A dossier as the story leaves it at "as of".
#[derive(Clone, Debug)]
pub struct Sim {
    /// Where it is.
    pub pos: Position,
    /// The agency holding it.
    pub handler_agency: usize,
    /// The specialist assigned (index in the handler agency's specialists).
    pub handler_staff: Option<usize>,
    /// Reception.
    pub received: Option<NaiveDateTime>,
    /// Due date.
    pub due: Option<NaiveDateTime>,
    /// Finished.
    pub finished: Option<NaiveDateTime>,
    /// Reason or request text.
    pub status_note: Option<String>,
    /// State to resume after a pause.
    pub resume: Option<Status>,
    /// Pause start.
    pub paused: Option<NaiveDateTime>,
    /// Proposed result.
    pub result_note: Option<String>,
    /// The history.
    pub events: Vec<Ev>,
    /// The transfer, if any.
    pub transfer: Option<Tr>,
    as_of: NaiveDateTime,
    live: bool,
}

/// What the story needs of a dossier.
pub struct Plan<'a> {
    /// The procedure.
    pub procedure: &'a ProcInfo,
    /// Receiving agency index.
    pub agency: usize,
    /// Online or at the counter.
    pub online: bool,
    /// Submission (local).
    pub submitted: NaiveDateTime,
}

/// A time a citizen acts: `hours` after `t`, moved out of the night.
fn citizen_later(rng: &mut (impl Rng + ?Sized), t: NaiveDateTime, min_hours: i64, max_hours: i64) -> NaiveDateTime {
    let at = t + Duration::minutes(rng.gen_range(min_hours * 60..=max_hours * 60));
    match at.hour() {
        0..=5 => at.date().and_time(NaiveTime::MIN) + Duration::minutes(rng.gen_range(6 * 60..9 * 60)),
        23 => at.date().and_time(NaiveTime::MIN) + Duration::minutes(rng.gen_range(31 * 60..33 * 60)),
        _ => at,
    }
}

fn pick_text(rng: &mut impl Rng, items: &[&str]) -> String {
    items[rng.gen_range(0..items.len())].to_owned()
}

impl Sim {
    fn new(plan: &Plan<'_>, as_of: NaiveDateTime) -> Sim {
        Sim {
            pos: Position::new(Status::Submitted, None),
            handler_agency: plan.agency,
            handler_staff: None,
            received: None,
            due: None,
            finished: None,
            status_note: None,
            resume: None,
            paused: None,
            result_note: None,
            events: Vec::with_capacity(8),
            transfer: None,
            as_of,
            live: true,
        }
    }

    fn last(&self) -> NaiveDateTime {
        self.events.last().map_or(self.as_of, |e| e.at)
    }

    /// Applies one step at `at` (moved after the previous one) unless the story is over or `at`
    /// is after "as of"; returns whether it happened.
    fn act(
        &mut self,
        mut at: NaiveDateTime,
        action: Action,
        role: Role,
        who: Who,
        note: Option<String>,
    ) -> anyhow::Result<bool> {
        if !self.live {
            return Ok(false);
        }
        if let Some(prev) = self.events.last() {
            at = at.max(prev.at + Duration::minutes(1));
        }
        if at > self.as_of {
            self.live = false;
            return Ok(false);
        }
        let from = if self.events.is_empty() { None } else { Some(self.pos) };
        let to = match from {
            None => initial(action).ok_or_else(|| anyhow::anyhow!("{action:?} cannot start a dossier"))?,
            Some(from) => {
                let resume = self.resume.map(|s| Position::new(s, from.step));
                transition(from, action, role, resume)
                    .map_err(|r| anyhow::anyhow!("load story: {action:?} by {role:?} refused in {:?}", r.from))?
            }
        };
        match action {
            Action::Refuse | Action::Stop | Action::Withdraw => {
                self.finished = Some(at);
                self.status_note.clone_from(&note);
            }
            Action::RequestSupplement | Action::RequestPayment => {
                self.resume = from.map(|p| p.status);
                self.paused = Some(at);
                self.status_note.clone_from(&note);
            }
            Action::Supplement => {
                self.resume = None;
                self.paused = None;
                self.status_note = None;
            }
            Action::Approve => self.finished = Some(at),
            Action::ReturnResult => self.finished = self.finished.or(Some(at)),
            Action::ProposeResult => self.result_note.clone_from(&note),
            _ => {}
        }
        self.pos = to;
        self.events.push(Ev {
            at,
            action,
            who,
            role,
            from: from.map(|p| p.status),
            to: to.status,
            note,
            due: self.due,
        });
        Ok(true)
    }

    /// Sets the due date on the last row (reception or supplement).
    fn set_due(&mut self, due: NaiveDateTime) {
        self.due = Some(due);
        if let Some(e) = self.events.last_mut() {
            e.due = Some(due);
        }
    }
}

/// The agencies and the time limits a story is told with.
pub struct World<'a> {
    /// Every agency of the load.
    pub agencies: &'a [AgencyInfo],
    /// Indices of the agencies a dossier may be transferred to (departments, the province).
    pub transfer_targets: &'a [usize],
    /// The cut.
    pub as_of: NaiveDateTime,
}

/// Tells the story of one dossier.
pub fn tell(rng: &mut impl Rng, world: &World<'_>, plan: &Plan<'_>) -> anyhow::Result<Sim> {
    let agencies = world.agencies;
    let home = &agencies[plan.agency];
    let clock = &home.clock;
    let p = plan.procedure;
    let mut s = Sim::new(plan, world.as_of);
    let age_days = (world.as_of - plan.submitted).num_minutes() as f64 / 1440.0;
    let fate = draw_fate(rng, plan.online, age_days);
    let desk = Who::Staff { agency: plan.agency, staff: home.pick(rng, Role::OneStop) };
    let specialist_idx = home.pick(rng, Role::Specialist);
    let specialist = Who::Staff { agency: plan.agency, staff: specialist_idx };
    let leader = Who::Staff { agency: plan.agency, staff: home.pick(rng, Role::Leader) };
    let t0 = plan.submitted;

    // Reception: online dossiers wait at the desk; counter ones are received at once.
    let received_at = if plan.online {
        s.act(t0, Action::Submit, Role::Citizen, Who::Citizen, None)?;
        match fate {
            Fate::StuckSubmitted => return Ok(s),
            Fate::Withdrawn(Status::Submitted) => {
                let at = citizen_later(rng, t0, 1, 72);
                s.act(at, Action::Withdraw, Role::Citizen, Who::Citizen, Some(pick_text(rng, &WITHDRAW_REASONS)))?;
                return Ok(s);
            }
            Fate::Refused => {
                let at = clock.add(t0, rng.gen_range(10..480));
                s.act(at, Action::Refuse, Role::OneStop, desk, Some(pick_text(rng, &REFUSE_REASONS)))?;
                return Ok(s);
            }
            _ => {}
        }
        let at = clock.add(t0, rng.gen_range(10..600));
        if !s.act(at, Action::Receive, Role::OneStop, desk, None)? {
            return Ok(s);
        }
        s.last()
    } else {
        s.act(t0, Action::CounterIntake, Role::OneStop, desk, None)?;
        t0
    };
    s.received = Some(received_at);
    let due = p.due(clock, received_at)?;
    s.set_due(due);
    match fate {
        Fate::StuckReceived => return Ok(s),
        Fate::Withdrawn(Status::Received) => {
            let at = citizen_later(rng, received_at, 2, 120);
            s.act(at, Action::Withdraw, Role::Citizen, Who::Citizen, Some(pick_text(rng, &WITHDRAW_REASONS)))?;
            return Ok(s);
        }
        _ => {}
    }

    // The path inside the agencies and how long it takes against the time limit.
    let forced_supplement = matches!(fate, Fate::StuckSupplement | Fate::Withdrawn(Status::SupplementRequested));
    let mut supplement = forced_supplement || (plan.online && rng.gen_bool(0.08));
    let mut transfer = !world.transfer_targets.is_empty()
        && fate != Fate::StuckPayment
        && rng.gen_bool(if p.provincial { 0.15 } else { 0.08 });
    if supplement && transfer {
        if forced_supplement || rng.gen_bool(0.5) {
            transfer = false;
        } else {
            supplement = false;
        }
    }
    let at_desk = supplement && rng.gen_bool(0.5);
    let late = rng.gen_bool(0.08);
    let share = if late { rng.gen_range(1.05..2.2) } else { rng.gen_range(0.2..0.95) };
    let steps = 3.0 + if transfer { 2.0 } else { 0.0 } + if supplement { 1.0 } else { 0.0 };
    let mut budget = clock.between(received_at, due).max(30) as f64;
    let gap = |rng: &mut dyn rand::RngCore, budget: f64| -> i64 {
        ((budget * share / steps) * rng.gen_range(0.4..1.6)).max(5.0) as i64
    };

    // A supplement: asked once (Decree 118/2025/NĐ-CP Art. 11(2)(c)), the clock restarts.
    let supplement_step =
        |rng: &mut dyn rand::RngCore, s: &mut Sim, budget: &mut f64, who: Who, role: Role| -> anyhow::Result<bool> {
            let at = clock.add(s.last(), gap(rng, *budget));
            let missing = MISSING[rng.gen_range(0..MISSING.len())].to_owned();
            if !s.act(at, Action::RequestSupplement, role, who, Some(missing))? {
                return Ok(false);
            }
            match fate {
                Fate::StuckSupplement => return Ok(false),
                Fate::Withdrawn(Status::SupplementRequested) => {
                    let at = citizen_later(rng, at, 24, 480);
                    let reason = WITHDRAW_REASONS[rng.gen_range(0..WITHDRAW_REASONS.len())].to_owned();
                    s.act(at, Action::Withdraw, Role::Citizen, Who::Citizen, Some(reason))?;
                    return Ok(false);
                }
                _ => {}
            }
            let back = citizen_later(rng, at, 12, 240);
            let note = rng.gen_bool(0.6).then(|| "Đã bổ sung giấy tờ theo yêu cầu.".to_owned());
            if !s.act(back, Action::Supplement, Role::Citizen, Who::Citizen, note)? {
                return Ok(false);
            }
            let back = s.last();
            let old_due = s.due.unwrap_or(back);
            let new_due = clock
                .cal
                .resume(at, back, old_due, p.restart_after_supplement, p.limit, p.unit)
                .map_err(|e| anyhow::anyhow!("due date after a supplement: {e}"))?;
            s.set_due(new_due);
            *budget = clock.between(back, new_due).max(30) as f64;
            Ok(true)
        };

    if supplement && at_desk && !supplement_step(rng, &mut s, &mut budget, desk, Role::OneStop)? {
        return Ok(s);
    }
    let specialist_name = home.staff_name(Role::Specialist, specialist_idx);
    let at = clock.add(s.last(), gap(rng, budget));
    if !s.act(at, Action::Assign, Role::OneStop, desk, Some(format!("Giao chuyên viên {specialist_name}")))? {
        return Ok(s);
    }
    s.handler_staff = Some(specialist_idx);
    if fate == Fate::StuckPayment {
        let at = clock.add(s.last(), gap(rng, budget));
        let note = "Đề nghị nộp phí, lệ phí theo quy định trước khi giải quyết.".to_owned();
        s.act(at, Action::RequestPayment, Role::Specialist, specialist, Some(note))?;
        return Ok(s);
    }
    if supplement && !at_desk && !supplement_step(rng, &mut s, &mut budget, specialist, Role::Specialist)? {
        return Ok(s);
    }
    if fate == Fate::Withdrawn(Status::Processing) {
        let at = citizen_later(rng, s.last(), 4, 240);
        s.act(at, Action::Withdraw, Role::Citizen, Who::Citizen, Some(pick_text(rng, &WITHDRAW_REASONS)))?;
        return Ok(s);
    }
    if transfer {
        let choices: Vec<usize> = world.transfer_targets.iter().copied().filter(|t| *t != plan.agency).collect();
        let target = choices[rng.gen_range(0..choices.len())];
        let ask = pick_text(rng, &TRANSFER_ASKS);
        let at = clock.add(s.last(), gap(rng, budget));
        let note = format!("Chuyển {}: {ask}", agencies[target].name);
        if !s.act(at, Action::Transfer, Role::Specialist, specialist, Some(note))? {
            return Ok(s);
        }
        s.transfer = Some(Tr { to: target, sent_by: specialist_idx, sent_at: s.last(), note: ask, returned: None });
        s.handler_agency = target;
        s.handler_staff = None;
        if fate == Fate::StuckProcessing && rng.gen_bool(0.4) {
            return Ok(s);
        }
        let other = agencies[target].pick(rng, Role::Specialist);
        let reply = pick_text(rng, &TRANSFER_REPLIES);
        let at = agencies[target].clock.add(s.last(), gap(rng, budget));
        let by = Who::Staff { agency: target, staff: other };
        if !s.act(at, Action::ReturnTransfer, Role::Specialist, by, Some(reply.clone()))? {
            return Ok(s);
        }
        let back = s.last();
        if let Some(t) = s.transfer.as_mut() {
            t.returned = Some((other, back, reply));
        }
        s.handler_agency = plan.agency;
        s.handler_staff = Some(specialist_idx);
    }
    if fate == Fate::StuckProcessing && rng.gen_bool(0.5) {
        return Ok(s);
    }
    if fate == Fate::Stopped {
        let at = clock.add(s.last(), gap(rng, budget));
        s.act(at, Action::Stop, Role::Leader, leader, Some(pick_text(rng, &STOP_REASONS)))?;
        return Ok(s);
    }
    let at = clock.add(s.last(), gap(rng, budget));
    let summary = format!("Đủ điều kiện giải quyết; dự thảo kết quả: {}", p.result);
    if !s.act(at, Action::ProposeResult, Role::Specialist, specialist, Some(summary))? || fate == Fate::StuckProcessing
    {
        return Ok(s);
    }
    let at = clock.add(s.last(), gap(rng, budget));
    let note = rng.gen_bool(0.3).then(|| "Đồng ý.".to_owned());
    if !s.act(at, Action::Approve, Role::Leader, leader, note)? || fate == Fate::Resolved {
        return Ok(s);
    }
    // The result: an electronic one downloaded by the citizen (Decree 118/2025/NĐ-CP Art. 22(3))
    // or handed over at the desk.
    if plan.online && rng.gen_bool(0.5) {
        let at = citizen_later(rng, s.last(), 1, 120);
        s.act(at, Action::ReturnResult, Role::Citizen, Who::Citizen, Some("Công dân tải kết quả điện tử".to_owned()))?;
    } else {
        let at = clock.add(s.last(), rng.gen_range(30..10 * 480));
        s.act(at, Action::ReturnResult, Role::OneStop, desk, None)?;
    }
    Ok(s)
}

/// Hour-of-day weights of online submissions (local time): office hours, the evening, the night.
const ONLINE_HOURS: [u32; 24] =
    [2, 1, 1, 1, 1, 3, 8, 20, 45, 50, 48, 40, 22, 30, 45, 45, 40, 30, 25, 28, 30, 25, 15, 6];

/// A submission time on `date`: counters in office sessions (mornings busier), online any hour.
pub fn submission_time(rng: &mut impl Rng, clock: &WorkClock, date: NaiveDate, online: bool) -> NaiveDateTime {
    let midnight = date.and_time(NaiveTime::MIN);
    if online {
        let total: u32 = ONLINE_HOURS.iter().sum();
        let mut r = rng.gen_range(0..total);
        let mut hour = 0;
        for (h, w) in ONLINE_HOURS.iter().enumerate() {
            if r < *w {
                hour = h;
                break;
            }
            r -= w;
        }
        return midnight + Duration::seconds(hour as i64 * 3600 + rng.gen_range(0..3600));
    }
    let sessions = &clock.sessions;
    if sessions.is_empty() {
        return midnight + Duration::hours(9);
    }
    let i = if sessions.len() > 1 && rng.gen_bool(0.45) { 1 } else { 0 };
    let (s, e) = sessions[i];
    let span = (e - s).num_seconds().max(1);
    date.and_time(s) + Duration::seconds(rng.gen_range(0..span))
}

/// Monthly volume factors: Tết (February) is quiet, the year end busy.
pub fn season(date: NaiveDate) -> f64 {
    [1.05, 0.75, 1.05, 1.0, 0.95, 1.0, 1.05, 1.0, 1.0, 1.0, 1.05, 1.1][date.month0() as usize]
}

//! The officer's queues (`GET /can-bo`): new dossiers, mine, waiting for a supplement or a
//! payment, due soon, overdue, results to hand over, finished — each with its count, filters,
//! accent-free search, sorting and pages, and the due date shown in colour and in words.

use crate::clock::{to_local, to_utc};
use crate::domain::calendar::Calendar;
use crate::domain::catalogue::TimeLimitUnit;
use crate::domain::dossier::{Status, Step};
use crate::domain::fold::fold;
use crate::error::AppError;
use crate::models::dossier::Dossier;
use crate::models::procedure::Procedure;
use crate::queries::officer::{self as q, Filter, Instants, Queue, Scope, Sort};
use crate::services::workflow::calendar_for;
use crate::web::auth::{Officer, Viewer};
use crate::web::render::{PageCtx, encode_component, local_time, page};
use crate::web::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use serde::Deserialize;

/// Lines per page.
pub const PER_PAGE: i64 = 20;

/// The due date in words, with the class that colours it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueBadge {
    /// `due-overdue`, `due-soon`, `due-ok`, `due-paused` or `due-late`.
    pub class: &'static str,
    /// E.g. "Quá hạn 2 ngày làm việc", "Còn 3 giờ làm việc".
    pub text: String,
}

fn working_span(minutes: i64, daily: i64) -> String {
    let daily = daily.max(1);
    if minutes >= daily {
        let (days, hours) = (minutes / daily, (minutes % daily) / 60);
        if hours == 0 { format!("{days} ngày làm việc") } else { format!("{days} ngày {hours} giờ làm việc") }
    } else if minutes >= 60 {
        format!("{} giờ làm việc", (minutes + 59) / 60)
    } else {
        format!("{minutes} phút làm việc")
    }
}

/// The due-date badge of a dossier at `now` (UTC), by the agency calendar `cal`.
pub fn due_badge(cal: &Calendar, now: NaiveDateTime, d: &Dossier) -> Option<DueBadge> {
    let status = Status::from_code(d.status)?;
    let daily = cal.hours.daily_minutes();
    match status {
        Status::SupplementRequested | Status::AwaitingPayment => d
            .paused_at
            .map(|p| DueBadge {
                class: "due-paused", text: format!("Tạm dừng tính thời hạn từ {}", local_time(&p))
            }),
        Status::Received | Status::Processing => {
            let due = d.due_at?;
            let (now_l, due_l) = (to_local(now), to_local(due));
            if now > due {
                let late = cal.remaining_minutes(due_l, now_l, due_l);
                let text = if late > 0 {
                    format!("Quá hạn {}", working_span(late, daily))
                } else {
                    "Đã quá hạn".into()
                };
                return Some(DueBadge { class: "due-overdue", text });
            }
            let left = cal.remaining_minutes(now_l, due_l, now_l);
            let class = if left <= daily { "due-soon" } else { "due-ok" };
            Some(DueBadge { class, text: format!("Còn {}", working_span(left, daily)) })
        }
        Status::Resolved | Status::Returned => match (d.due_at, d.finished_at) {
            (Some(due), Some(done)) if done > due => {
                Some(DueBadge { class: "due-late", text: "Hoàn thành trễ hạn".into() })
            }
            (Some(_), Some(_)) => Some(DueBadge { class: "due-ok", text: "Hoàn thành đúng hạn".into() }),
            _ => None,
        },
        _ => None,
    }
}

/// The instants of the deadline queues: now and one working day from now.
pub fn instants(cal: &Calendar, now: NaiveDateTime) -> Instants {
    let soon =
        cal.due(to_local(now), 1, TimeLimitUnit::WorkingDays).map(to_utc).unwrap_or_else(|_| now + TimeDelta::days(1));
    Instants { now, soon }
}

/// `?hang=&thu_tuc=&tu=&den=&trang_thai=&q=&trang=&sap_xep=`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct QueueQuery {
    hang: String,
    thu_tuc: String,
    tu: String,
    den: String,
    trang_thai: String,
    q: String,
    trang: String,
    sap_xep: String,
}

impl QueueQuery {
    /// The filters asked for, and what could not be understood.
    fn filter(&self) -> (Filter, Vec<&'static str>) {
        let mut problems = Vec::new();
        let mut filter = Filter {
            status: self.trang_thai.parse().ok().filter(|s| Status::from_code(*s).is_some()),
            text: Some(fold(&self.q)).filter(|t| !t.is_empty()),
            sort: if self.sap_xep == "nop" { Sort::Submitted } else { Sort::Due },
            ..Filter::default()
        };
        for (raw, is_to) in [(&self.tu, false), (&self.den, true)] {
            if raw.trim().is_empty() {
                continue;
            }
            let Some(day) = parse_date(raw) else {
                problems.push("Ngày lọc không hợp lệ: vui lòng nhập theo dạng ngày/tháng/năm, ví dụ 25/11/2026.");
                continue;
            };
            let at = to_utc(day.and_time(chrono::NaiveTime::MIN));
            if is_to {
                filter.submitted_before = Some(at + TimeDelta::days(1));
            } else {
                filter.submitted_from = Some(at);
            }
        }
        (filter, problems)
    }

    /// The query string of this view on another page.
    fn url(&self, queue: Queue, page: i64) -> String {
        let mut parts = vec![format!("hang={}", queue.slug())];
        for (k, v) in [
            ("thu_tuc", &self.thu_tuc),
            ("tu", &self.tu),
            ("den", &self.den),
            ("trang_thai", &self.trang_thai),
            ("q", &self.q),
            ("sap_xep", &self.sap_xep),
        ] {
            if !v.trim().is_empty() {
                parts.push(format!("{k}={}", encode_component(v.trim())));
            }
        }
        if page > 1 {
            parts.push(format!("trang={page}"));
        }
        format!("/can-bo?{}", parts.join("&"))
    }
}

/// A date typed as `dd/mm/yyyy` (or `yyyy-mm-dd` from a date picker).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    NaiveDate::parse_from_str(t, "%d/%m/%Y").or_else(|_| NaiveDate::parse_from_str(t, "%Y-%m-%d")).ok()
}

/// One queue in the navigation.
pub struct NavItem {
    slug: &'static str,
    label: &'static str,
    count: String,
    current: bool,
}

/// One dossier line.
pub struct Row {
    code: String,
    procedure: String,
    applicant: String,
    channel: &'static str,
    status_code: i32,
    status: &'static str,
    step: &'static str,
    submitted: String,
    due: String,
    badge: Option<DueBadge>,
}

/// `templates/officer/queues.html`.
#[derive(Template)]
#[template(path = "officer/queues.html")]
pub struct QueuesPage {
    ctx: PageCtx,
    agency: String,
    nav: Vec<NavItem>,
    queue: &'static str,
    queue_label: &'static str,
    rows: Vec<Row>,
    total: String,
    page: i64,
    pages: i64,
    prev_url: Option<String>,
    next_url: Option<String>,
    procedures: Vec<(String, String, bool)>,
    statuses: Vec<(i32, &'static str, bool)>,
    query: QueueQuery,
    problems: Vec<&'static str>,
    by_submission: bool,
    one_stop: bool,
}

/// The channel's name.
pub fn channel_label(code: &str) -> &'static str {
    crate::domain::catalogue::Channel::parse(code).map_or("Khác", |c| c.label())
}

fn row(cal: &Calendar, now: NaiveDateTime, line: q::Line) -> Row {
    let d = line.dossier;
    Row {
        badge: due_badge(cal, now, &d),
        status_code: d.status,
        status: Status::from_code(d.status).map_or("", Status::label),
        step: d.handler_step.as_deref().and_then(Step::from_code).map_or("", Step::label),
        submitted: local_time(&d.submitted_at),
        due: d.due_at.as_ref().map(local_time).unwrap_or_default(),
        channel: channel_label(&d.channel),
        procedure: line.procedure_name,
        applicant: d.applicant_name,
        code: d.code,
    }
}

/// `GET /can-bo`.
pub async fn show(
    req: HttpRequest,
    officer: Officer,
    state: web::Data<AppState>,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, AppError> {
    let staff = officer.0;
    let query = query.into_inner();
    let scope =
        Scope { agency_id: staff.agency.id.clone(), staff_id: staff.staff.id.clone(), roles: staff.roles.clone() };
    let shown = scope.queues();
    let default = if staff.has(crate::models::staff::roles::ONE_STOP) { Queue::New } else { Queue::Mine };
    let queue = Queue::from_slug(&query.hang).filter(|q| shown.contains(q)).unwrap_or(default);
    let (mut filter, problems) = query.filter();
    let page_no: i64 = query.trang.parse().ok().filter(|p| *p >= 1).unwrap_or(1);
    let (now, agency_id, code) = (state.clock.now_naive(), staff.agency.id.clone(), query.thu_tuc.trim().to_owned());
    let cache_key = format!("{}|{}|{}", scope.agency_id, scope.staff_id, scope.roles.join(","));
    let cached = state.queue_counts.get(&cache_key, state.clock.now());
    let fresh = cached.is_none();
    let (counts, result, procedures, cal) = state
        .db
        .run(move |conn| {
            let cal = calendar_for(conn, &agency_id)?;
            let at = instants(&cal, now);
            let procedures = Procedure::all(conn)?;
            if !code.is_empty() {
                // An unknown procedure code matches nothing rather than everything.
                filter.procedure_id =
                    Some(procedures.iter().find(|p| p.code == code).map(|p| p.id.clone()).unwrap_or_default());
            }
            let counts = match cached {
                Some(counts) => counts,
                None => q::counts(conn, &scope, at, &shown)?,
            };
            let result = q::page(conn, &scope, queue, at, &filter, page_no, PER_PAGE)?;
            Ok((counts, result, procedures, cal))
        })
        .await?;
    if fresh {
        state.queue_counts.put(cache_key, state.clock.now(), counts.clone());
    }
    let counted = result.total.counted;
    let pages = ((counted + PER_PAGE - 1) / PER_PAGE).max(1);
    let selected_status: Option<i32> = query.trang_thai.parse().ok();
    page(&QueuesPage {
        ctx: PageCtx::new(&req, &state.config.province_name, Some(&Viewer::of_staff(&staff))),
        agency: staff.agency.name.clone(),
        nav: counts
            .into_iter()
            .map(|(q, count)| NavItem { slug: q.slug(), label: q.label(), count: count.shown(), current: q == queue })
            .collect(),
        queue: queue.slug(),
        queue_label: queue.label(),
        total: result.total.shown(),
        rows: result.lines.into_iter().map(|l| row(&cal, now, l)).collect(),
        page: page_no,
        pages,
        prev_url: (page_no > 1).then(|| query.url(queue, page_no - 1)),
        next_url: (page_no < pages).then(|| query.url(queue, page_no + 1)),
        procedures: procedures.into_iter().map(|p| (p.code.clone(), p.name, p.code == query.thu_tuc.trim())).collect(),
        statuses: Status::ALL.iter().map(|s| (s.code(), s.label(), Some(s.code()) == selected_status)).collect(),
        by_submission: query.sap_xep == "nop",
        one_stop: staff.has(crate::models::staff::roles::ONE_STOP),
        problems,
        query,
    })
}

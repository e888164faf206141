//! Read models of the officer pages: the queues of an agency (counts, filters, search, sort,
//! pages) and everything the staff dossier page shows around one dossier. Every query is scoped
//! to the officer's agency: the dossiers it received or holds now.

use crate::db::schema::{dossiers, procedures, staff};
use crate::db::{DbConn, MultiBackend};
use crate::models::agency::Agency;
use crate::models::dossier::{Attachment, Dossier, DossierEvent};
use crate::models::procedure::{Procedure, ProcedurePaper};
use crate::models::staff::{Staff, roles};
use crate::models::workflow::{Extension, Note, Transfer};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable};
use std::collections::HashMap;

/// A queue of the officer pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queue {
    /// New online dossiers waiting at the desk (state 1).
    New,
    /// Dossiers at a step of one of my roles in my agency.
    Mine,
    /// Waiting for the citizen's supplement (state 5).
    Supplement,
    /// Waiting for payment (state 6).
    Payment,
    /// Due within one working day (states 2 and 4).
    DueSoon,
    /// Past their due date (states 2 and 4).
    Overdue,
    /// Result ready, to hand over (state 9).
    ToReturn,
    /// Finished (refused, withdrawn, stopped, returned).
    Done,
}

impl Queue {
    /// Every queue, in navigation order.
    pub const ALL: [Queue; 8] = [
        Queue::New,
        Queue::Mine,
        Queue::Supplement,
        Queue::Payment,
        Queue::DueSoon,
        Queue::Overdue,
        Queue::ToReturn,
        Queue::Done,
    ];

    /// The `?hang=` value.
    pub fn slug(self) -> &'static str {
        match self {
            Queue::New => "moi",
            Queue::Mine => "cua-toi",
            Queue::Supplement => "bo-sung",
            Queue::Payment => "thanh-toan",
            Queue::DueSoon => "sap-den-han",
            Queue::Overdue => "qua-han",
            Queue::ToReturn => "tra-ket-qua",
            Queue::Done => "da-xong",
        }
    }

    /// From a `?hang=` value.
    pub fn from_slug(slug: &str) -> Option<Queue> {
        Queue::ALL.into_iter().find(|q| q.slug() == slug)
    }

    /// The Vietnamese name.
    pub fn label(self) -> &'static str {
        match self {
            Queue::New => "Hồ sơ mới nộp trực tuyến",
            Queue::Mine => "Hồ sơ tôi đang xử lý",
            Queue::Supplement => "Chờ bổ sung",
            Queue::Payment => "Chờ thanh toán",
            Queue::DueSoon => "Sắp đến hạn",
            Queue::Overdue => "Quá hạn",
            Queue::ToReturn => "Chờ trả kết quả",
            Queue::Done => "Đã kết thúc",
        }
    }

    /// Whether the desk alone works this queue (new dossiers, results to hand over).
    pub fn one_stop_only(self) -> bool {
        matches!(self, Queue::New | Queue::ToReturn)
    }
}

/// Whose queues: the officer's agency, id and roles.
#[derive(Clone, Debug)]
pub struct Scope {
    /// The agency.
    pub agency_id: String,
    /// The staff member.
    pub staff_id: String,
    /// Role codes held (`mot_cua`, `chuyen_vien`, `lanh_dao`).
    pub roles: Vec<String>,
}

impl Scope {
    fn has(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    /// The queues this officer sees.
    pub fn queues(&self) -> Vec<Queue> {
        let desk = self.has(roles::ONE_STOP);
        Queue::ALL.into_iter().filter(|q| desk || !q.one_stop_only()).collect()
    }
}

/// The instants the deadline queues compare with (UTC).
#[derive(Clone, Copy, Debug)]
pub struct Instants {
    /// Now.
    pub now: NaiveDateTime,
    /// One working day from now, by the agency's calendar.
    pub soon: NaiveDateTime,
}

/// How a queue is sorted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Nearest due date first (no due date last), then oldest submission.
    #[default]
    Due,
    /// Newest submission first.
    Submitted,
}

/// Filters of a queue page.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// One procedure.
    pub procedure_id: Option<String>,
    /// Submitted at or after (UTC).
    pub submitted_from: Option<NaiveDateTime>,
    /// Submitted before (UTC).
    pub submitted_before: Option<NaiveDateTime>,
    /// One state.
    pub status: Option<i32>,
    /// Folded text to find in the code or the applicant's name.
    pub text: Option<String>,
    /// Order.
    pub sort: Sort,
}

/// One line of a queue.
#[derive(Clone, Debug)]
pub struct Line {
    /// The dossier.
    pub dossier: Dossier,
    /// Its procedure's name.
    pub procedure_name: String,
}

/// One page of a queue.
#[derive(Clone, Debug)]
pub struct QueuePage {
    /// The lines.
    pub lines: Vec<Line>,
    /// How many dossiers pass the filters (counted up to the cap past this page).
    pub total: Count,
}

type Cond = Box<dyn BoxableExpression<dossiers::table, MultiBackend, SqlType = Nullable<Bool>>>;

/// States in which a dossier is in someone's hands (not paused, not final).
const ACTIVE: [i32; 4] = [1, 2, 4, 9];
/// States in which the legal clock runs.
const RUNNING: [i32; 2] = [2, 4];

/// The agency's dossiers: received by it, or held by it now (transferred to it).
fn scope_cond(scope: &Scope) -> Cond {
    Box::new(
        dossiers::agency_id
            .eq(scope.agency_id.clone())
            .nullable()
            .or(dossiers::handler_agency_id.eq(scope.agency_id.clone())),
    )
}

/// The largest count the queue pages compute exactly: beyond it they say "more than" (an
/// agency's finished dossiers of a year run to tens of thousands, and counting them on every
/// page view is what made the queues slow at a province's volume; bench/README.md).
pub const COUNT_CAP: i64 = 1000;

/// The rows a queue draws from: the agency's dossiers; for the finished queue, those the agency
/// is responsible for (it received them) — read latest first from their own index.
fn base_cond(scope: &Scope, queue: Queue) -> Cond {
    match queue {
        Queue::Done => Box::new(
            dossiers::agency_id.eq(scope.agency_id.clone()).and(dossiers::finished_at.is_not_null()).nullable(),
        ),
        _ => scope_cond(scope),
    }
}

/// A count that stops at `cap + 1` rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Count {
    /// Rows counted, at most `cap + 1`.
    pub counted: i64,
    /// Whether there are more than the cap.
    pub capped: bool,
}

impl Count {
    fn of(counted: i64, cap: i64) -> Count {
        Count { counted: counted.min(cap), capped: counted > cap }
    }

    /// `1.000` or `hơn 1.000`.
    pub fn shown(&self) -> String {
        let n = crate::domain::form::group(self.counted);
        if self.capped { format!("hơn {n}") } else { n }
    }
}

/// Counts the rows of a query up to `cap + 1`, reading an indexed integer column only.
fn capped_count(conn: &mut DbConn, q: dossiers::BoxedQuery<'static, MultiBackend>, cap: i64) -> QueryResult<Count> {
    let rows: Vec<i32> = q.select(dossiers::status).limit(cap + 1).load(conn)?;
    Ok(Count::of(i64::try_from(rows.len()).unwrap_or(i64::MAX), cap))
}

fn never() -> Cond {
    Box::new(dossiers::status.eq(-1).nullable())
}

fn any_of(parts: Vec<Cond>) -> Cond {
    parts.into_iter().reduce(|a, b| Box::new(a.or(b))).unwrap_or_else(never)
}

/// Held by my agency at a step of one of my roles; a specialist step is mine when assigned to
/// me or to nobody yet.
fn mine_cond(scope: &Scope) -> Cond {
    let mut parts: Vec<Cond> = Vec::new();
    if scope.has(roles::ONE_STOP) {
        parts.push(Box::new(dossiers::handler_step.eq_any(["mot_cua", "tra_ket_qua"])));
    }
    if scope.has(roles::LEADER) {
        parts.push(Box::new(dossiers::handler_step.eq("lanh_dao")));
    }
    if scope.has(roles::SPECIALIST) {
        parts.push(Box::new(
            dossiers::handler_step
                .eq_any(["chuyen_vien", "lien_thong"])
                .and(dossiers::handler_staff_id.eq(scope.staff_id.clone()).or(dossiers::handler_staff_id.is_null())),
        ));
    }
    Box::new(
        dossiers::handler_agency_id
            .eq(scope.agency_id.clone())
            .and(dossiers::status.eq_any(ACTIVE).nullable())
            .and(any_of(parts)),
    )
}

fn queue_cond(queue: Queue, scope: &Scope, at: Instants) -> Cond {
    match queue {
        Queue::New => Box::new(dossiers::status.eq(1).nullable()),
        Queue::Mine => mine_cond(scope),
        Queue::Supplement => Box::new(dossiers::status.eq(5).nullable()),
        Queue::Payment => Box::new(dossiers::status.eq(6).nullable()),
        Queue::DueSoon => Box::new(
            dossiers::status
                .eq_any(RUNNING)
                .nullable()
                .and(dossiers::due_at.gt(at.now))
                .and(dossiers::due_at.le(at.soon)),
        ),
        Queue::Overdue => Box::new(dossiers::status.eq_any(RUNNING).nullable().and(dossiers::due_at.lt(at.now))),
        Queue::ToReturn => Box::new(dossiers::status.eq(9).nullable()),
        // With `finished_at` set (base_cond), "not 9" is exactly the final states 3, 7, 8, 10 —
        // and unlike `status IN (…)` it lets the planner read the agency's finished dossiers in
        // `finished_at` order from their index instead of sorting them all (bench/README.md).
        Queue::Done => Box::new(dossiers::status.ne(9).nullable()),
    }
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `\` as the escape character.
fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn filtered(scope: &Scope, queue: Queue, at: Instants, filter: &Filter) -> dossiers::BoxedQuery<'static, MultiBackend> {
    let mut q = dossiers::table
        .into_boxed::<MultiBackend>()
        .filter(base_cond(scope, queue))
        .filter(queue_cond(queue, scope, at));
    if let Some(id) = &filter.procedure_id {
        q = q.filter(dossiers::procedure_id.eq(id.clone()));
    }
    if let Some(from) = filter.submitted_from {
        q = q.filter(dossiers::submitted_at.ge(from));
    }
    if let Some(before) = filter.submitted_before {
        q = q.filter(dossiers::submitted_at.lt(before));
    }
    if let Some(status) = filter.status {
        q = q.filter(dossiers::status.eq(status));
    }
    if let Some(text) = filter.text.as_deref().filter(|t| !t.is_empty()) {
        q = q.filter(dossiers::search_text.like(format!("%{}%", like_escape(text))).escape('\\'));
    }
    q
}

/// How many dossiers each queue holds (without filters), in the order asked, up to
/// [`COUNT_CAP`].
pub fn counts(conn: &mut DbConn, scope: &Scope, at: Instants, queues: &[Queue]) -> QueryResult<Vec<(Queue, Count)>> {
    queues
        .iter()
        .map(|q| {
            let rows = dossiers::table
                .into_boxed::<MultiBackend>()
                .filter(base_cond(scope, *q))
                .filter(queue_cond(*q, scope, at));
            Ok((*q, capped_count(conn, rows, COUNT_CAP)?))
        })
        .collect()
}

/// Page `page` (from 1) of a queue with its filters.
pub fn page(
    conn: &mut DbConn,
    scope: &Scope,
    queue: Queue,
    at: Instants,
    filter: &Filter,
    page: i64,
    per_page: i64,
) -> QueryResult<QueuePage> {
    // Counted far enough to know whether a next page exists, and up to the cap beyond it.
    let offset = (page.max(1) - 1).saturating_mul(per_page);
    let total = capped_count(conn, filtered(scope, queue, at, filter), offset.saturating_add(COUNT_CAP))?;
    let q = filtered(scope, queue, at, filter);
    let q = match filter.sort {
        // Finished dossiers: the latest first, from the agency's index of them.
        _ if queue == Queue::Done => q.order((dossiers::finished_at.desc(), dossiers::code.desc())),
        Sort::Due => q.order((
            dossiers::due_at.is_null(),
            dossiers::due_at.asc(),
            dossiers::submitted_at.asc(),
            dossiers::code.asc(),
        )),
        Sort::Submitted => q.order((dossiers::submitted_at.desc(), dossiers::code.desc())),
    };
    let rows: Vec<Dossier> = q.limit(per_page).offset(offset).select(Dossier::as_select()).load(conn)?;
    let ids: Vec<String> = rows.iter().map(|d| d.procedure_id.clone()).collect();
    let names: HashMap<String, String> = procedures::table
        .filter(procedures::id.eq_any(ids))
        .select((procedures::id, procedures::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let lines = rows
        .into_iter()
        .map(|d| Line { procedure_name: names.get(&d.procedure_id).cloned().unwrap_or_default(), dossier: d })
        .collect();
    Ok(QueuePage { lines, total })
}

/// The procedures an agency's desk may record at the counter: those it implements (its own
/// procedures for a department, the commune-level ones for a commune); every procedure when
/// none is assigned (the province).
pub fn counter_procedures(conn: &mut DbConn, agency: &Agency) -> QueryResult<Vec<Procedure>> {
    let all = Procedure::all(conn)?;
    let own: Vec<Procedure> = all
        .iter()
        .filter(|p| p.agency_id.as_deref() == Some(agency.id.as_str()) || (agency.kind == "commune" && p.level == "xa"))
        .cloned()
        .collect();
    Ok(if own.is_empty() { all } else { own })
}

/// Everything the staff dossier page shows around a dossier the officer may see.
#[derive(Clone, Debug)]
pub struct StaffDossier {
    /// The dossier.
    pub dossier: Dossier,
    /// Its procedure.
    pub procedure: Procedure,
    /// The procedure's papers.
    pub papers: Vec<ProcedurePaper>,
    /// Every file.
    pub attachments: Vec<Attachment>,
    /// The history.
    pub events: Vec<DossierEvent>,
    /// Transfers between agencies.
    pub transfers: Vec<Transfer>,
    /// Due-date extensions.
    pub extensions: Vec<Extension>,
    /// Notes between staff.
    pub notes: Vec<Note>,
    /// Every agency (names, and the transfer choices).
    pub agencies: Vec<Agency>,
    /// Names of the staff the page mentions, by id.
    pub staff_names: HashMap<String, String>,
}

impl StaffDossier {
    /// An agency by id.
    pub fn agency(&self, id: &str) -> Option<&Agency> {
        self.agencies.iter().find(|a| a.id == id)
    }

    /// A staff member's name, or "".
    pub fn staff_name(&self, id: &str) -> &str {
        self.staff_names.get(id).map_or("", String::as_str)
    }
}

/// Loads what the page shows around `dossier` (already checked visible).
pub fn staff_dossier(conn: &mut DbConn, dossier: Dossier) -> QueryResult<Option<StaffDossier>> {
    let Some(procedure) = Procedure::find(conn, &dossier.procedure_id)? else { return Ok(None) };
    let papers = Procedure::papers(conn, &procedure.id)?;
    let attachments = Attachment::of_dossier(conn, &dossier.id)?;
    let events = Dossier::events(conn, &dossier.id)?;
    let transfers = Transfer::of_dossier(conn, &dossier.id)?;
    let extensions = Extension::of_dossier(conn, &dossier.id)?;
    let notes = Note::of_dossier(conn, &dossier.id)?;
    let agencies = Agency::all(conn)?;
    let mut ids: Vec<String> = Vec::new();
    ids.extend(events.iter().filter(|e| e.actor_kind == "officer").filter_map(|e| e.actor_id.clone()));
    ids.extend(notes.iter().map(|n| n.staff_id.clone()));
    ids.extend(transfers.iter().flat_map(|t| [Some(t.sent_by.clone()), t.returned_by.clone()]).flatten());
    ids.extend(extensions.iter().map(|e| e.staff_id.clone()));
    ids.extend(attachments.iter().filter_map(|a| a.staff_id.clone()));
    ids.extend(dossier.handler_staff_id.clone());
    ids.sort();
    ids.dedup();
    let staff_names = staff::table
        .filter(staff::id.eq_any(ids))
        .select((staff::id, staff::full_name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    Ok(Some(StaffDossier {
        dossier,
        procedure,
        papers,
        attachments,
        events,
        transfers,
        extensions,
        notes,
        agencies,
        staff_names,
    }))
}

/// The active specialists of an agency, for the assignment choice.
pub fn specialists(conn: &mut DbConn, agency_id: &str) -> QueryResult<Vec<Staff>> {
    Staff::of_agency_with_role(conn, agency_id, roles::SPECIALIST)
}

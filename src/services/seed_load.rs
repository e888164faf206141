//! `dvc-portal seed-load`: fills a migrated database that holds the demo catalogue with a
//! realistic province-year for the workflow benchmark (`bench/workflow.sh`): dossiers of the
//! catalogue's procedures at the province, its departments and its first communes, with their
//! applicants (citizen accounts), histories, transfers, due dates on the real calendar and code
//! counters, the same rows for the same seed.
//!
//! Rows are generated on one thread and written on another in multi-row statements, about
//! 25,000 dossiers per transaction. This is the one service that writes through its own bulk
//! statements (module `bulk`) instead of the models' one-row inserts: it exists to write a
//! million dossiers in minutes.

mod people;
mod story;

use crate::clock::to_utc;
use crate::db::{DbConn, write_tx};
use crate::domain::catalogue::TimeLimitUnit;
use crate::domain::dossier::{Role, Status, dossier_code};
use crate::domain::fold::fold;
use crate::domain::form::{FieldValue, Value};
use crate::models::agency::Agency;
use crate::models::dossier::{Dossier, DossierEvent};
use crate::models::procedure::Procedure;
use crate::models::staff::{Staff, roles};
use crate::models::user::User;
use crate::models::workflow::Transfer;
use crate::services::workflow::calendar_for;
use anyhow::{Context, bail, ensure};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use people::{PeopleMaker, Person};
use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::Instant;
use story::{Plan, Sim, Who, WorkClock, World};

/// Above this many dossiers the database is not a fresh one: the load refuses unless appending.
pub const EXISTING_LIMIT: i64 = 5_000;

/// Dossiers written per transaction.
const COMMIT_EVERY: usize = 25_000;

/// The province of every address (the demo province).
const PROVINCE: &str = "tỉnh Thanh Hóa";

/// What to load.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// How many dossiers.
    pub dossiers: u64,
    /// How many agencies receive or handle them: the province, its departments, then communes.
    pub agencies: usize,
    /// How many procedures of the catalogue.
    pub procedures: usize,
    /// The random seed: the same seed on the same database gives the same rows.
    pub seed: u64,
    /// The year the dossiers are submitted in.
    pub year: i32,
    /// The last day of submissions, and the "as of" of the states (end of that day); default
    /// 31 December.
    pub until: Option<NaiveDate>,
    /// Add to a database that already holds dossiers.
    pub append: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            dossiers: 1_000_000,
            agencies: 100,
            procedures: 40,
            seed: 2026,
            year: 2026,
            until: None,
            append: false,
        }
    }
}

/// Where the load is.
#[derive(Clone, Debug)]
pub struct Progress {
    /// Dossiers written.
    pub dossiers: u64,
    /// Of how many.
    pub total: u64,
    /// History rows written.
    pub events: u64,
    /// The last day written.
    pub day: NaiveDate,
    /// Since the start.
    pub elapsed: std::time::Duration,
}

/// What was loaded.
#[derive(Clone, Debug, Default)]
pub struct LoadReport {
    /// Dossiers written.
    pub dossiers: u64,
    /// History rows.
    pub events: u64,
    /// Transfers (liên thông).
    pub transfers: u64,
    /// Citizen accounts created.
    pub users: u64,
    /// Staff accounts created (agencies without one of the three dossier roles).
    pub staff_created: usize,
    /// Agencies and procedures used.
    pub agencies: usize,
    /// Procedures used.
    pub procedures: usize,
    /// Dossiers per state code (index 1–10).
    pub by_status: [u64; 11],
    /// Submitted online.
    pub online: u64,
    /// Open (not final, not 9) and past their due date at "as of".
    pub open_overdue: u64,
    /// First and last day of submissions.
    pub from: Option<NaiveDate>,
    /// Last day.
    pub until: Option<NaiveDate>,
    /// Seconds spent on the accounts, the dossiers, and the statistics (ANALYZE).
    pub seconds: (f64, f64, f64),
    /// Total seconds.
    pub elapsed: f64,
}

impl LoadReport {
    /// Dossiers in states 1, 2, 4, 5 or 6.
    pub fn open(&self) -> u64 {
        [1, 2, 4, 5, 6].iter().map(|s| self.by_status[*s]).sum()
    }
}

fn pct(n: u64, of: u64) -> f64 {
    if of == 0 { 0.0 } else { n as f64 * 100.0 / of as f64 }
}

impl std::fmt::Display for LoadReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let day = |d: Option<NaiveDate>| d.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default();
        writeln!(
            f,
            "seed-load: {} dossiers submitted {} – {} at {} agencies, {} procedures",
            self.dossiers,
            day(self.from),
            day(self.until),
            self.agencies,
            self.procedures
        )?;
        writeln!(
            f,
            "  history rows {}, transfers {}, citizen accounts {}, staff created {}",
            self.events, self.transfers, self.users, self.staff_created
        )?;
        let states: Vec<String> = (1..=10).map(|s| format!("{s}: {}", self.by_status[s])).collect();
        writeln!(f, "  by state: {}", states.join(", "))?;
        writeln!(
            f,
            "  online {:.1} %, open (1/2/4/5/6) {:.1} %, of which overdue {}",
            pct(self.online, self.dossiers),
            pct(self.open(), self.dossiers),
            self.open_overdue
        )?;
        write!(
            f,
            "  time: accounts {:.1} s, dossiers {:.1} s, ANALYZE {:.1} s, total {:.1} s",
            self.seconds.0, self.seconds.1, self.seconds.2, self.elapsed
        )
    }
}

/// Whether the database lacks the demo catalogue (then `seed-demo` must run first).
pub fn catalogue_missing(conn: &mut DbConn) -> anyhow::Result<bool> {
    Ok(Procedure::all(conn)?.is_empty() || !Agency::all(conn)?.iter().any(|a| a.kind == "commune"))
}

/// The kind of an agency of the load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Province,
    Department,
    Commune,
}

/// A staff member who acts in stories.
#[derive(Clone, Debug)]
struct StaffRef {
    id: String,
    name: String,
}

/// An agency with its calendar and its staff per dossier role.
#[derive(Clone, Debug)]
struct AgencyInfo {
    id: String,
    code: String,
    name: String,
    short_name: String,
    kind: Kind,
    admin_unit_code: Option<String>,
    clock: WorkClock,
    /// One-stop officers, specialists, leaders.
    staff: [Vec<StaffRef>; 3],
}

fn role_slot(role: Role) -> usize {
    match role {
        Role::Specialist => 1,
        Role::Leader => 2,
        _ => 0,
    }
}

impl AgencyInfo {
    fn pick(&self, rng: &mut impl Rng, role: Role) -> usize {
        rng.gen_range(0..self.staff[role_slot(role)].len().max(1))
    }

    fn staff_ref(&self, role: Role, i: usize) -> Option<&StaffRef> {
        self.staff[role_slot(role)].get(i)
    }

    fn staff_name(&self, role: Role, i: usize) -> &str {
        self.staff_ref(role, i).map_or("", |s| s.name.as_str())
    }

    fn staff_id(&self, role: Role, i: usize) -> Option<String> {
        self.staff_ref(role, i).map(|s| s.id.clone())
    }
}

/// A procedure of the load.
#[derive(Clone, Debug)]
struct ProcInfo {
    id: String,
    provincial: bool,
    department: Option<usize>,
    online: bool,
    counter: bool,
    weight: f64,
    limit: u32,
    unit: TimeLimitUnit,
    restart_after_supplement: bool,
    result: String,
    papers: Vec<String>,
}

impl ProcInfo {
    /// The due date of a dossier received at `received` (local): the real rule, i.e. the clock
    /// starts at the next office time and runs the time limit on the agency's calendar.
    fn due(&self, clock: &WorkClock, received: NaiveDateTime) -> anyhow::Result<NaiveDateTime> {
        let start = clock.cal.reception_start(received)?;
        Ok(clock.cal.due(start, self.limit, self.unit)?)
    }
}

/// The agencies of the load: the province, its departments, then its communes, in display order.
fn select_agencies(conn: &mut DbConn, count: usize) -> anyhow::Result<Vec<(Agency, Kind)>> {
    let all = Agency::all(conn)?;
    let mut chosen: Vec<(Agency, Kind)> = Vec::new();
    for (name, kind) in [("province", Kind::Province), ("department", Kind::Department), ("commune", Kind::Commune)] {
        chosen.extend(all.iter().filter(|a| a.kind == name).map(|a| (a.clone(), kind)));
    }
    chosen.truncate(count);
    ensure!(chosen.len() == count, "the database has only {} agencies; run `dvc-portal seed-demo` first", chosen.len());
    Ok(chosen)
}

/// Staff user names for agencies without one: `xa<n>.motcua` for the n-th commune (as the demo's
/// `xa1.*`), `so<NN>.*` for departments, `tinh.*` for the province.
fn staff_username(kind: Kind, code: &str, commune_no: usize, role: &str) -> String {
    let suffix = match role {
        roles::SPECIALIST => "chuyenvien",
        roles::LEADER => "lanhdao",
        _ => "motcua",
    };
    match kind {
        Kind::Province => format!("tinh.{suffix}"),
        Kind::Department => format!("so{}.{suffix}", code.split('.').nth(2).unwrap_or("00")),
        Kind::Commune => format!("xa{commune_no}.{suffix}"),
    }
}

/// Builds the agencies' calendars and staff lists, creating one staff account (without a
/// password: an administrator invites them) for each dossier role an agency lacks.
fn prepare_agencies(
    conn: &mut DbConn,
    chosen: &[(Agency, Kind)],
    maker: &PeopleMaker,
    rng: &mut StdRng,
    created_at: NaiveDateTime,
) -> anyhow::Result<(Vec<AgencyInfo>, usize)> {
    let mut staff_of: HashMap<String, [Vec<(String, StaffRef)>; 3]> = HashMap::new();
    let mut usernames = std::collections::HashSet::new();
    for s in Staff::all(conn)? {
        usernames.insert(s.username.clone());
        if !s.active {
            continue;
        }
        for role in Staff::roles(conn, &s.id)? {
            let slot = match role.as_str() {
                roles::ONE_STOP => 0,
                roles::SPECIALIST => 1,
                roles::LEADER => 2,
                _ => continue,
            };
            staff_of.entry(s.agency_id.clone()).or_default()[slot]
                .push((s.username.clone(), StaffRef { id: s.id.clone(), name: s.full_name.clone() }));
        }
    }
    let mut infos = Vec::with_capacity(chosen.len());
    let mut to_create = Vec::new();
    let mut commune_no = 0;
    for (agency, kind) in chosen {
        if *kind == Kind::Commune {
            commune_no += 1;
        }
        let mut lists = staff_of.remove(&agency.id).unwrap_or_default();
        for (slot, role) in [roles::ONE_STOP, roles::SPECIALIST, roles::LEADER].into_iter().enumerate() {
            lists[slot].sort_by(|a, b| a.0.cmp(&b.0));
            if lists[slot].is_empty() {
                let mut username = staff_username(*kind, &agency.code, commune_no, role);
                while !usernames.insert(username.clone()) {
                    username.push('1');
                }
                let male = rng.gen_bool(0.5);
                let full_name = maker.name(rng, male);
                let id = uuid7(rng, created_at);
                lists[slot].push((username.clone(), StaffRef { id: id.clone(), name: full_name.clone() }));
                to_create.push((
                    Staff {
                        id,
                        agency_id: agency.id.clone(),
                        email: format!("{username}@demo.thanhhoa.gov.vn"),
                        email_lc: format!("{username}@demo.thanhhoa.gov.vn"),
                        search_text: fold(&format!("{full_name} {username}")),
                        username,
                        full_name,
                        phone: None,
                        position_title: Some(roles::label(role).to_owned()),
                        password_hash: None,
                        active: true,
                        created_at,
                        updated_at: created_at,
                    },
                    role,
                ));
            }
        }
        let clock = WorkClock::new(calendar_for(conn, &agency.id)?);
        infos.push(AgencyInfo {
            id: agency.id.clone(),
            code: agency.code.clone(),
            name: agency.name.clone(),
            short_name: agency.short_name.clone(),
            kind: *kind,
            admin_unit_code: agency.admin_unit_code.clone(),
            clock,
            staff: lists.map(|l| l.into_iter().map(|(_, s)| s).collect()),
        });
    }
    let created = to_create.len();
    write_tx(conn, |conn| -> anyhow::Result<()> {
        for (row, role) in &to_create {
            Staff::insert(conn, row)?;
            Staff::set_roles(conn, &row.id, &[(*role).to_owned()])?;
        }
        Ok(())
    })?;
    Ok((infos, created))
}

/// The procedures of the load: each department's most used one, then the most used of the rest.
fn select_procedures(conn: &mut DbConn, agencies: &[AgencyInfo], count: usize) -> anyhow::Result<Vec<ProcInfo>> {
    let index: HashMap<&str, usize> = agencies.iter().enumerate().map(|(i, a)| (a.id.as_str(), i)).collect();
    let has_communes = agencies.iter().any(|a| a.kind == Kind::Commune);
    let mut usable: Vec<Procedure> = Procedure::all(conn)?
        .into_iter()
        .filter(|p| match &p.agency_id {
            Some(dep) => index.contains_key(dep.as_str()),
            None => has_communes,
        })
        .collect();
    usable.sort_by(|a, b| b.popularity.cmp(&a.popularity).then_with(|| a.code.cmp(&b.code)));
    let mut chosen: Vec<Procedure> = Vec::new();
    for p in &usable {
        if p.agency_id.is_some() && !chosen.iter().any(|c| c.agency_id == p.agency_id) {
            chosen.push(p.clone());
        }
    }
    chosen.truncate(count);
    for p in &usable {
        if chosen.len() >= count {
            break;
        }
        if !chosen.iter().any(|c| c.id == p.id) {
            chosen.push(p.clone());
        }
    }
    ensure!(!chosen.is_empty(), "no procedure of the catalogue is received by the chosen agencies");
    chosen.sort_by(|a, b| b.popularity.cmp(&a.popularity).then_with(|| a.code.cmp(&b.code)));
    let mut out = Vec::with_capacity(chosen.len());
    for p in chosen {
        let unit = TimeLimitUnit::parse(&p.time_limit_unit)
            .with_context(|| format!("procedure {} has the unit {}", p.code, p.time_limit_unit))?;
        let papers = Procedure::papers(conn, &p.id)?.into_iter().filter(|x| x.mandatory).map(|x| x.name).collect();
        out.push(ProcInfo {
            provincial: p.agency_id.is_some(),
            department: p.agency_id.as_deref().and_then(|d| index.get(d).copied()),
            online: p.channels.split(',').any(|c| c == "truc-tuyen"),
            counter: p.channels.split(',').any(|c| c == "truc-tiep") || !p.channels.contains("truc-tuyen"),
            weight: f64::from(p.popularity.max(1)),
            limit: u32::try_from(p.time_limit_value.max(1)).unwrap_or(1),
            unit,
            restart_after_supplement: p.restart_after_supplement,
            result: p.result.chars().take(120).collect(),
            papers,
            id: p.id,
        });
    }
    Ok(out)
}

/// A UUID v7 for an instant, its random part from the load's generator (so ids repeat with the
/// seed and sort by time like the portal's own).
fn uuid7(rng: &mut impl Rng, at_utc: NaiveDateTime) -> String {
    let millis = u64::try_from(at_utc.and_utc().timestamp_millis()).unwrap_or(0);
    let bytes: [u8; 10] = rng.r#gen();
    uuid::Builder::from_unix_timestamp_millis(millis, &bytes).into_uuid().to_string()
}

/// How many dossiers each day gets: working days weighted by the season, days off (online
/// only) a tenth of that; largest remainders round to the exact total.
fn days_plan(clock: &WorkClock, from: NaiveDate, until: NaiveDate, total: u64) -> Vec<(NaiveDate, u64, bool)> {
    let days: Vec<(NaiveDate, f64, bool)> = from
        .iter_days()
        .take_while(|d| *d <= until)
        .map(|d| {
            let working = clock.is_working_day(d);
            (d, story::season(d) * if working { 1.0 } else { 0.1 }, working)
        })
        .collect();
    let sum: f64 = days.iter().map(|d| d.1).sum();
    let exact: Vec<f64> = days.iter().map(|d| total as f64 * d.1 / sum).collect();
    let mut counts: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let mut order: Vec<usize> = (0..days.len()).collect();
    order.sort_by(|a, b| (exact[*b] - exact[*b].floor()).total_cmp(&(exact[*a] - exact[*a].floor())).then(a.cmp(b)));
    let mut left = total.saturating_sub(counts.iter().sum());
    for i in order.iter().cycle().take(days.len() * 2) {
        if left == 0 {
            break;
        }
        counts[*i] += 1;
        left -= 1;
    }
    days.iter().zip(counts).map(|((d, _, w), n)| (*d, n, *w)).collect()
}

/// One day of generated rows.
struct Batch {
    day: NaiveDate,
    dossiers: Vec<Dossier>,
    events: Vec<DossierEvent>,
    transfers: Vec<Transfer>,
    new_counters: Vec<bulk::CounterRow>,
    changed_counters: Vec<bulk::CounterRow>,
    stats: Stats,
}

#[derive(Clone, Debug, Default)]
struct Stats {
    by_status: [u64; 11],
    online: u64,
    open_overdue: u64,
    transfers: u64,
}

/// A dossier before its story: what, where, who, when.
struct Planned {
    procedure: usize,
    agency: usize,
    online: bool,
    person: usize,
    submitted: NaiveDateTime,
}

/// Generates the rows, day after day, on its own thread.
struct Generator<'a> {
    rng: StdRng,
    agencies: &'a [AgencyInfo],
    procs: &'a [ProcInfo],
    people: &'a [Person],
    user_ids: &'a [String],
    communes: &'a [usize],
    transfer_targets: &'a [usize],
    proc_any: WeightedIndex<f64>,
    proc_online: Option<(WeightedIndex<f64>, Vec<usize>)>,
    commune_pick: Option<WeightedIndex<f64>>,
    p_online: f64,
    as_of: NaiveDateTime,
    counters: HashMap<(String, String), i32>,
}

impl Generator<'_> {
    fn run(mut self, days: &[(NaiveDate, u64, bool)], tx: &SyncSender<anyhow::Result<Batch>>) {
        for (day, n, working) in days {
            if *n == 0 {
                continue;
            }
            let batch = self.day(*day, *n, *working);
            let failed = batch.is_err();
            if tx.send(batch).is_err() || failed {
                return;
            }
        }
    }

    fn plan(&mut self, day: NaiveDate, working: bool) -> Planned {
        let rng = &mut self.rng;
        let (procedure, online) = match (&self.proc_online, working) {
            (Some((pick, list)), false) => (list[pick.sample(rng)], true),
            _ => {
                let i = self.proc_any.sample(rng);
                let p = &self.procs[i];
                let online = match (p.online, p.counter) {
                    (true, true) => rng.gen_bool(self.p_online),
                    (online, _) => online,
                };
                (i, online)
            }
        };
        let p = &self.procs[procedure];
        let person = rng.gen_range(0..self.people.len());
        let agency = match p.department {
            Some(d) => d,
            None => {
                // Most people go to their own commune; Decree 118/2025/NĐ-CP lets them use any.
                let home = self.people[person].home;
                match &self.commune_pick {
                    Some(pick) if rng.gen_bool(0.15) => self.communes[pick.sample(rng)],
                    _ => self.communes.get(home).copied().unwrap_or(0),
                }
            }
        };
        let submitted = story::submission_time(rng, &self.agencies[agency].clock, day, online);
        Planned { procedure, agency, online, person, submitted }
    }

    fn day(&mut self, day: NaiveDate, n: u64, working: bool) -> anyhow::Result<Batch> {
        let (agencies, procs) = (self.agencies, self.procs);
        let mut planned: Vec<Planned> = (0..n).map(|_| self.plan(day, working)).collect();
        planned.sort_by_key(|p| p.submitted);
        let yymmdd = day.format("%y%m%d").to_string();
        let mut last_seq: HashMap<usize, i32> = HashMap::new();
        let mut batch = Batch {
            day,
            dossiers: Vec::with_capacity(planned.len()),
            events: Vec::with_capacity(planned.len() * 6),
            transfers: Vec::new(),
            new_counters: Vec::new(),
            changed_counters: Vec::new(),
            stats: Stats::default(),
        };
        let world = World { agencies, transfer_targets: self.transfer_targets, as_of: self.as_of };
        for plan in &planned {
            let agency = &agencies[plan.agency];
            let seq = last_seq
                .entry(plan.agency)
                .or_insert_with(|| self.counters.get(&(agency.code.clone(), yymmdd.clone())).copied().unwrap_or(0));
            *seq += 1;
            let code = dossier_code(&agency.code, day, u32::try_from(*seq).unwrap_or(0));
            let p = &procs[plan.procedure];
            let sim = story::tell(
                &mut self.rng,
                &world,
                &Plan { procedure: p, agency: plan.agency, online: plan.online, submitted: plan.submitted },
            )?;
            self.rows(&mut batch, plan, code, &sim);
        }
        for (agency, seq) in last_seq {
            let code = agencies[agency].code.clone();
            let existed = self.counters.insert((code.clone(), yymmdd.clone()), seq).is_some();
            let row = bulk::CounterRow { agency_code: code, day: yymmdd.clone(), last_seq: seq };
            if existed { batch.changed_counters.push(row) } else { batch.new_counters.push(row) }
        }
        batch.new_counters.sort_by(|a, b| a.agency_code.cmp(&b.agency_code));
        Ok(batch)
    }

    /// The rows of one dossier.
    fn rows(&mut self, batch: &mut Batch, plan: &Planned, code: String, sim: &Sim) {
        let rng = &mut self.rng;
        let agencies = self.agencies;
        let home = &agencies[plan.agency];
        let person = &self.people[plan.person];
        let commune = self.communes.get(person.home).map(|i| &agencies[*i]);
        let commune_name = commune.map_or("", |c| c.short_name.as_str());
        let address = format!("{}, {commune_name}, {PROVINCE}", person.detail);
        let submitted = to_utc(plan.submitted);
        let id = uuid7(rng, submitted);
        let user_id = plan.online.then(|| self.user_ids[plan.person].clone());
        let p = &self.procs[plan.procedure];
        let form_values = if plan.online {
            let fields = vec![
                FieldValue {
                    name: "ho_ten".into(),
                    label: "Họ, chữ đệm, tên người yêu cầu".into(),
                    value: Value::Text(person.name.clone()),
                },
                FieldValue {
                    name: "so_dinh_danh".into(),
                    label: "Số định danh cá nhân".into(),
                    value: Value::CitizenId(person.id_number.clone()),
                },
                FieldValue {
                    name: "dien_thoai".into(),
                    label: "Số điện thoại".into(),
                    value: Value::Phone(person.phone.clone()),
                },
                FieldValue {
                    name: "noi_cu_tru".into(),
                    label: "Nơi cư trú".into(),
                    value: Value::Address {
                        commune_code: commune.and_then(|c| c.admin_unit_code.clone()).unwrap_or_default(),
                        commune_name: format!("{commune_name}, {PROVINCE}"),
                        detail: person.detail.clone(),
                    },
                },
            ];
            serde_json::to_string(&fields).unwrap_or_else(|_| "[]".to_owned())
        } else {
            serde_json::json!({ "giay_to_da_nhan": p.papers, "ghi_chu": "" }).to_string()
        };
        let email = if plan.online || rng.gen_bool(0.4) { Some(person.email.clone()) } else { None };
        let last_at = sim.events.last().map_or(plan.submitted, |e| e.at);
        let status = sim.pos.status;
        let handler = &agencies[sim.handler_agency];
        batch.dossiers.push(Dossier {
            id: id.clone(),
            search_text: fold(&format!("{code} {}", person.name)),
            code,
            procedure_id: p.id.clone(),
            agency_id: home.id.clone(),
            applicant_user_id: user_id.clone(),
            applicant_name: person.name.clone(),
            applicant_id_number: person.id_number.clone(),
            applicant_phone: person.phone.clone(),
            applicant_email: email,
            applicant_address: Some(address),
            status: status.code(),
            channel: if plan.online { "truc-tuyen" } else { "truc-tiep" }.to_owned(),
            form_values,
            submitted_at: submitted,
            received_at: sim.received.map(to_utc),
            due_at: sim.due.map(to_utc),
            finished_at: sim.finished.map(to_utc),
            status_note: sim.status_note.clone(),
            version: i32::try_from(sim.events.len()).unwrap_or(1),
            created_at: submitted,
            updated_at: to_utc(last_at),
            handler_agency_id: Some(handler.id.clone()),
            handler_step: sim.pos.step.map(|s| s.code().to_owned()),
            handler_staff_id: sim.handler_staff.and_then(|i| home.staff_id(Role::Specialist, i)),
            resume_status: sim.resume.map(Status::code),
            paused_at: sim.paused.map(to_utc),
            result_note: sim.result_note.clone(),
        });
        for (i, e) in sim.events.iter().enumerate() {
            let at = to_utc(e.at);
            let (kind, actor_id, actor_agency) = match e.who {
                Who::Citizen => ("citizen", user_id.clone(), None),
                Who::Staff { agency, staff } => {
                    let a = &agencies[agency];
                    ("officer", a.staff_id(e.role, staff), Some(a.id.clone()))
                }
            };
            batch.events.push(DossierEvent {
                id: uuid7(rng, at),
                dossier_id: id.clone(),
                seq: i32::try_from(i + 1).unwrap_or(i32::MAX),
                at,
                actor_kind: kind.to_owned(),
                actor_id,
                action: e.action.code().to_owned(),
                from_status: e.from.map(Status::code),
                to_status: e.to.code(),
                note: e.note.clone(),
                actor_role: Some(e.role.code().to_owned()),
                actor_agency_id: actor_agency,
                due_at: e.due.map(to_utc),
            });
        }
        if let Some(t) = &sim.transfer {
            let target = &agencies[t.to];
            let sent_at = to_utc(t.sent_at);
            batch.transfers.push(Transfer {
                id: uuid7(rng, sent_at),
                dossier_id: id,
                from_agency_id: home.id.clone(),
                to_agency_id: target.id.clone(),
                sent_by: home.staff_id(Role::Specialist, t.sent_by).unwrap_or_default(),
                sent_at,
                note: t.note.clone(),
                returned_by: t.returned.as_ref().and_then(|(by, _, _)| target.staff_id(Role::Specialist, *by)),
                returned_at: t.returned.as_ref().map(|(_, at, _)| to_utc(*at)),
                reply_note: t.returned.as_ref().map(|(_, _, r)| r.clone()),
            });
            batch.stats.transfers += 1;
        }
        let s = &mut batch.stats;
        s.by_status[usize::try_from(status.code()).unwrap_or(0).min(10)] += 1;
        s.online += u64::from(plan.online);
        let open = matches!(
            status,
            Status::Submitted
                | Status::Received
                | Status::Processing
                | Status::SupplementRequested
                | Status::AwaitingPayment
        );
        if open && sim.due.is_some_and(|d| d < self.as_of) {
            s.open_overdue += 1;
        }
    }
}

/// Writes the generated days, [`COMMIT_EVERY`] dossiers per transaction.
fn write_days(
    conn: &mut DbConn,
    rx: Receiver<anyhow::Result<Batch>>,
    total: u64,
    started: Instant,
    report: &mut LoadReport,
    progress: &mut dyn FnMut(&Progress),
) -> anyhow::Result<()> {
    let mut closed = false;
    while !closed {
        let mut last_day = None;
        write_tx(conn, |conn| -> anyhow::Result<()> {
            let mut in_tx = 0;
            while in_tx < COMMIT_EVERY {
                let Ok(batch) = rx.recv() else {
                    closed = true;
                    break;
                };
                let batch = batch?;
                bulk::insert_dossiers(conn, &batch.dossiers)?;
                bulk::insert_events(conn, &batch.events)?;
                bulk::insert_transfers(conn, &batch.transfers)?;
                bulk::insert_counters(conn, &batch.new_counters)?;
                for c in &batch.changed_counters {
                    bulk::update_counter(conn, c)?;
                }
                in_tx += batch.dossiers.len();
                report.dossiers += batch.dossiers.len() as u64;
                report.events += batch.events.len() as u64;
                report.transfers += batch.stats.transfers;
                report.online += batch.stats.online;
                report.open_overdue += batch.stats.open_overdue;
                for (sum, n) in report.by_status.iter_mut().zip(batch.stats.by_status) {
                    *sum += n;
                }
                last_day = Some(batch.day);
            }
            Ok(())
        })?;
        if let Some(day) = last_day {
            progress(&Progress {
                dossiers: report.dossiers,
                total,
                events: report.events,
                day,
                elapsed: started.elapsed(),
            });
        }
    }
    Ok(())
}

/// Loads a province-year into the database. Refuses a database that already holds more than
/// [`EXISTING_LIMIT`] dossiers unless `append`. The reference data and the demo catalogue must
/// be there (see [`catalogue_missing`]). On SQLite the load runs with `synchronous = OFF` and
/// without foreign-key checks (restored at the end): a crash during the load can leave a broken
/// database, which is acceptable for a benchmark database only.
pub fn run(conn: &mut DbConn, opts: &LoadOptions, progress: &mut dyn FnMut(&Progress)) -> anyhow::Result<LoadReport> {
    let started = Instant::now();
    ensure!(opts.dossiers >= 1, "--dossiers must be at least 1");
    ensure!(opts.procedures >= 1, "--procedures must be at least 1");
    ensure!(opts.agencies >= 2, "--agencies must be at least 2");
    let from = NaiveDate::from_ymd_opt(opts.year, 1, 1).context("--year is out of range")?;
    let until = match opts.until {
        Some(d) => d,
        None => NaiveDate::from_ymd_opt(opts.year, 12, 31).context("--year is out of range")?,
    };
    ensure!(until >= from && until.year() == opts.year, "--until must be a day of {}", opts.year);
    let existing = bulk::count_dossiers(conn)?;
    if existing > EXISTING_LIMIT && !opts.append {
        bail!(
            "the database already holds {existing} dossiers: seed-load fills a fresh database \
             (add --append to add another {} anyway)",
            opts.dossiers
        );
    }
    ensure!(!catalogue_missing(conn)?, "the database has no demo catalogue: run `dvc-portal seed-demo` first");
    // Appending with the same seed must not repeat ids: the stream depends on what is there.
    let mut rng = StdRng::seed_from_u64(opts.seed ^ (existing as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let (taken_ids, taken_emails) = bulk::taken_people(conn)?;
    let mut maker = PeopleMaker::new(taken_ids, taken_emails)?;
    let year_start = from.and_time(NaiveTime::MIN);
    let chosen = select_agencies(conn, opts.agencies)?;
    let (agencies, staff_created) = prepare_agencies(conn, &chosen, &maker, &mut rng, to_utc(year_start))?;
    let procs = select_procedures(conn, &agencies, opts.procedures)?;
    let communes: Vec<usize> = (0..agencies.len()).filter(|i| agencies[*i].kind == Kind::Commune).collect();
    let transfer_targets: Vec<usize> = (0..agencies.len()).filter(|i| agencies[*i].kind != Kind::Commune).collect();
    // Communes: a few big wards (the first of the list are Thanh Hóa city's) and many small ones.
    let commune_weights: Vec<f64> =
        (0..communes.len()).map(|i| (1.0 + 3.0 * (-(i as f64) / 8.0).exp()) * rng.gen_range(0.6..1.4)).collect();
    let commune_pick = if communes.is_empty() { None } else { Some(WeightedIndex::new(&commune_weights)?) };

    // The applicants, each with a citizen account.
    let accounts_started = Instant::now();
    let people_count = usize::try_from(opts.dossiers / 4).unwrap_or(usize::MAX).clamp(50, 2_000_000);
    let mut people = Vec::with_capacity(people_count);
    let mut user_rows = Vec::with_capacity(people_count);
    for _ in 0..people_count {
        let home = commune_pick.as_ref().map_or(0, |w| w.sample(&mut rng));
        let ward = communes.get(home).is_some_and(|i| agencies[*i].short_name.starts_with("Phường"));
        let person = maker.person(&mut rng, opts.year, home, ward);
        let created = to_utc(year_start) - Duration::minutes(rng.gen_range(60..700 * 1440));
        let commune_name = communes.get(home).map_or("", |i| agencies[*i].short_name.as_str());
        user_rows.push(User {
            id: uuid7(&mut rng, created),
            kind: "citizen".into(),
            full_name: person.name.clone(),
            citizen_id: person.id_number.clone(),
            business_name: None,
            tax_code: None,
            phone: person.phone.clone(),
            email: person.email.clone(),
            email_lc: person.email.clone(),
            address: Some(format!("{}, {commune_name}, {PROVINCE}", person.detail)),
            // No usable password ("!" is no argon2 hash): the owner sets one with "quên mật khẩu".
            password_hash: "!".into(),
            email_verified_at: Some(created + Duration::minutes(rng.gen_range(1..30))),
            created_at: created,
            updated_at: created,
        });
        people.push(person);
    }
    let user_ids: Vec<String> = user_rows.iter().map(|u| u.id.clone()).collect();

    let mut report = LoadReport {
        staff_created,
        agencies: agencies.len(),
        procedures: procs.len(),
        from: Some(from),
        until: Some(until),
        ..LoadReport::default()
    };
    bulk::relax(conn)?;
    let loaded = (|| -> anyhow::Result<()> {
        for chunk in user_rows.chunks(50_000) {
            write_tx(conn, |conn| bulk::insert_users(conn, chunk))?;
        }
        report.users = user_rows.len() as u64;
        drop(user_rows);
        report.seconds.0 = accounts_started.elapsed().as_secs_f64();

        let dossiers_started = Instant::now();
        let province_clock = agencies.first().map(|a| a.clock.clone()).context("no agency")?;
        let days = days_plan(&province_clock, from, until, opts.dossiers);
        let working_share = days.iter().filter(|d| d.2).map(|d| d.1).sum::<u64>() as f64 / opts.dossiers as f64;
        let total_w: f64 = procs.iter().map(|p| p.weight).sum();
        let both: f64 = procs.iter().filter(|p| p.online && p.counter).map(|p| p.weight).sum::<f64>() / total_w;
        let only_online: f64 = procs.iter().filter(|p| p.online && !p.counter).map(|p| p.weight).sum::<f64>() / total_w;
        // About 60 % of dossiers are submitted online (every one on days off).
        let p_online = if both > 0.0 {
            (((0.6 - (1.0 - working_share)) / working_share.max(0.01) - only_online) / both).clamp(0.05, 0.95)
        } else {
            0.5
        };
        let online_list: Vec<usize> = (0..procs.len()).filter(|i| procs[*i].online).collect();
        let proc_online = if online_list.is_empty() {
            None
        } else {
            Some((WeightedIndex::new(online_list.iter().map(|i| procs[*i].weight))?, online_list))
        };
        let counters =
            bulk::counters_between(conn, &from.format("%y%m%d").to_string(), &until.format("%y%m%d").to_string())?
                .into_iter()
                .map(|(a, d, s)| ((a, d), s))
                .collect();
        let generator = Generator {
            rng,
            agencies: &agencies,
            procs: &procs,
            people: &people,
            user_ids: &user_ids,
            communes: &communes,
            transfer_targets: &transfer_targets,
            proc_any: WeightedIndex::new(procs.iter().map(|p| p.weight))?,
            proc_online,
            commune_pick,
            p_online,
            as_of: until.and_hms_opt(23, 59, 59).context("bad day")?,
            counters,
        };
        std::thread::scope(|scope| -> anyhow::Result<()> {
            let (tx, rx) = sync_channel(8);
            let days = &days;
            let worker = scope.spawn(move || generator.run(days, &tx));
            let written = write_days(conn, rx, opts.dossiers, started, &mut report, progress);
            worker.join().map_err(|_| anyhow::anyhow!("the generator thread panicked"))?;
            written
        })?;
        report.seconds.1 = dossiers_started.elapsed().as_secs_f64();
        Ok(())
    })();
    let restored = bulk::restore(conn);
    loaded?;
    restored?;
    let analyze_started = Instant::now();
    bulk::analyze(conn)?;
    report.seconds.2 = analyze_started.elapsed().as_secs_f64();
    report.elapsed = started.elapsed().as_secs_f64();
    Ok(report)
}

/// The loader's bulk statements: rows that bind `NULL` as `NULL` (so diesel writes one
/// multi-row INSERT on SQLite too), statements sized to each backend's limit of bound
/// parameters, and the session settings of the load.
mod bulk {
    use crate::db::DbConn;
    use crate::db::schema::{dossier_code_counters, dossier_events, dossier_transfers, dossiers, users};
    use crate::models::dossier::{Dossier, DossierEvent};
    use crate::models::user::User;
    use crate::models::workflow::Transfer;
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use std::collections::HashSet;

    /// SQLite's limit of bound parameters per statement (SQLITE_MAX_VARIABLE_NUMBER).
    const SQLITE_MAX_PARAMS: usize = 32_766;
    /// PostgreSQL's (the wire protocol's 16-bit count).
    const PG_MAX_PARAMS: usize = 65_535;

    fn rows_per_statement(conn: &DbConn, columns: usize) -> usize {
        match conn {
            DbConn::Sqlite(_) => SQLITE_MAX_PARAMS / columns,
            DbConn::Postgres(_) => PG_MAX_PARAMS / columns,
        }
    }

    // Columns per row of each model inserted in bulk (for the bound-parameter limit).
    const DOSSIER_COLUMNS: usize = 28;
    const EVENT_COLUMNS: usize = 13;
    const TRANSFER_COLUMNS: usize = 10;
    const USER_COLUMNS: usize = 14;

    /// A daily code counter.
    #[derive(Clone, Debug, Insertable)]
    #[diesel(table_name = dossier_code_counters)]
    pub struct CounterRow {
        pub agency_code: String,
        pub day: String,
        pub last_seq: i32,
    }
    const COUNTER_COLUMNS: usize = 3;

    macro_rules! insert_all {
        ($conn:expr, $table:expr, $rows:expr, $columns:expr) => {{
            let per = rows_per_statement($conn, $columns);
            for chunk in $rows.chunks(per) {
                crate::on_backend!($conn, |c| diesel::insert_into($table).values(chunk).execute(c))?;
            }
            Ok(())
        }};
    }

    // PostgreSQL takes the two big tables by COPY (binary): the whole load took 325 s instead of
    // 495 s with multi-row INSERTs of 65,535 parameters (bench/README.md).
    pub fn insert_dossiers(conn: &mut DbConn, rows: &[Dossier]) -> QueryResult<()> {
        match conn {
            DbConn::Postgres(c) => diesel::copy_from(dossiers::table).from_insertable(rows).execute(c).map(|_| ()),
            DbConn::Sqlite(_) => insert_all!(conn, dossiers::table, rows, DOSSIER_COLUMNS),
        }
    }

    pub fn insert_events(conn: &mut DbConn, rows: &[DossierEvent]) -> QueryResult<()> {
        match conn {
            DbConn::Postgres(c) => {
                diesel::copy_from(dossier_events::table).from_insertable(rows).execute(c).map(|_| ())
            }
            DbConn::Sqlite(_) => insert_all!(conn, dossier_events::table, rows, EVENT_COLUMNS),
        }
    }

    pub fn insert_transfers(conn: &mut DbConn, rows: &[Transfer]) -> QueryResult<()> {
        insert_all!(conn, dossier_transfers::table, rows, TRANSFER_COLUMNS)
    }

    pub fn insert_users(conn: &mut DbConn, rows: &[User]) -> anyhow::Result<()> {
        let done: QueryResult<()> = insert_all!(conn, users::table, rows, USER_COLUMNS);
        Ok(done?)
    }

    pub fn insert_counters(conn: &mut DbConn, rows: &[CounterRow]) -> QueryResult<()> {
        insert_all!(conn, dossier_code_counters::table, rows, COUNTER_COLUMNS)
    }

    pub fn update_counter(conn: &mut DbConn, row: &CounterRow) -> QueryResult<usize> {
        diesel::update(dossier_code_counters::table.find((&row.agency_code, &row.day)))
            .set(dossier_code_counters::last_seq.eq(row.last_seq))
            .execute(conn)
    }

    pub fn count_dossiers(conn: &mut DbConn) -> QueryResult<i64> {
        dossiers::table.count().get_result(conn)
    }

    /// Counters of the days `from..=to` (`yyMMdd`, one century).
    pub fn counters_between(conn: &mut DbConn, from: &str, to: &str) -> QueryResult<Vec<(String, String, i32)>> {
        dossier_code_counters::table
            .filter(dossier_code_counters::day.between(from, to))
            .select((dossier_code_counters::agency_code, dossier_code_counters::day, dossier_code_counters::last_seq))
            .load(conn)
    }

    /// ID numbers and e-mail addresses of existing accounts.
    pub fn taken_people(conn: &mut DbConn) -> QueryResult<(HashSet<String>, HashSet<String>)> {
        let rows: Vec<(String, String)> = users::table.select((users::citizen_id, users::email_lc)).load(conn)?;
        Ok(rows.into_iter().unzip())
    }

    /// Session settings for the load. SQLite: no fsync, no foreign-key checks (the generator
    /// writes consistent rows), a 1 GB page cache; PostgreSQL: commits without waiting for the
    /// WAL flush.
    pub fn relax(conn: &mut DbConn) -> QueryResult<()> {
        match conn {
            DbConn::Sqlite(c) => c.batch_execute(
                "PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF; PRAGMA cache_size = -1048576; \
                 PRAGMA temp_store = MEMORY",
            ),
            DbConn::Postgres(c) => c.batch_execute("SET synchronous_commit = off"),
        }
    }

    /// The pool's settings again (see `crate::db`).
    pub fn restore(conn: &mut DbConn) -> QueryResult<()> {
        match conn {
            DbConn::Sqlite(c) => c.batch_execute(
                "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -2000; \
                 PRAGMA temp_store = DEFAULT",
            ),
            DbConn::Postgres(c) => c.batch_execute("RESET synchronous_commit"),
        }
    }

    /// Fresh planner statistics for the loaded tables (and, on PostgreSQL, the visibility map
    /// that index-only scans need). VACUUM cannot run in a transaction: one statement each.
    pub fn analyze(conn: &mut DbConn) -> QueryResult<()> {
        match conn {
            DbConn::Sqlite(c) => c.batch_execute("ANALYZE"),
            DbConn::Postgres(c) => {
                for table in ["dossiers", "dossier_events", "dossier_transfers", "dossier_code_counters", "users"] {
                    c.batch_execute(&format!("VACUUM (ANALYZE) {table}"))?;
                }
                Ok(())
            }
        }
    }
}

//! The daily deadline reminder: once per working day, from 07:00, each agency's officers are
//! e-mailed the dossiers their agency holds that are due within one working day and those
//! overdue. The day's run is claimed in the same transaction that enqueues the mail, so it
//! happens once whatever the number of workers.

use crate::clock::{Clock, to_local};
use crate::db::{DbConn, write_tx};
use crate::domain::calendar::Calendar;
use crate::domain::catalogue::TimeLimitUnit;
use crate::integrations::mailer::{MailMessage, OutgoingMail};
use crate::jobs::{Job, JobContext, enqueue};
use crate::models::agency::Agency;
use crate::models::dossier::Dossier;
use crate::models::staff::{Staff, roles};
use crate::models::workflow::claim_daily_run;
use crate::services::workflow::calendar_for;
use chrono::NaiveTime;

/// The name of the day's claim in `scheduled_runs`.
pub const RUN_NAME: &str = "deadline_digest";
/// The most dossiers listed per section of one e-mail.
const MAX_LINES: usize = 50;

/// Runs the reminder if it is due (a working day, 07:00 or later, not yet run today); returns
/// the number of e-mails enqueued.
pub fn run_if_due(ctx: &JobContext) -> anyhow::Result<usize> {
    let mut conn = ctx.db.get().map_err(|e| anyhow::anyhow!("{e}"))?;
    let base_url = ctx.config.base_url.clone();
    let clock = ctx.clock.clone();
    write_tx(&mut conn, |conn| enqueue_digests(conn, &clock, &base_url)).map_err(|e| anyhow::anyhow!("{e}"))
}

fn line(conn: &mut DbConn, d: &Dossier) -> diesel::QueryResult<String> {
    let procedure =
        crate::models::procedure::Procedure::find(conn, &d.procedure_id)?.map(|p| p.name).unwrap_or_default();
    let due = d.due_at.map(|t| to_local(t).format("%H:%M %d/%m/%Y").to_string()).unwrap_or_default();
    Ok(format!("{} — {} — hẹn trả {}", d.code, procedure, due))
}

fn lines(conn: &mut DbConn, rows: &[Dossier]) -> diesel::QueryResult<Vec<String>> {
    let mut out = Vec::new();
    for d in rows.iter().take(MAX_LINES) {
        out.push(line(conn, d)?);
    }
    if rows.len() > MAX_LINES {
        out.push(format!("… và {} hồ sơ khác", rows.len() - MAX_LINES));
    }
    Ok(out)
}

/// Enqueues the day's reminders inside the caller's transaction (see [`run_if_due`]).
pub fn enqueue_digests(conn: &mut DbConn, clock: &Clock, base_url: &str) -> diesel::QueryResult<usize> {
    let now = clock.now_naive();
    let local = to_local(now);
    let province = Calendar::new(calendar_for(conn, "").map(|c| c.overrides).unwrap_or_default(), Default::default());
    let opening = NaiveTime::from_hms_opt(7, 0, 0).unwrap_or(NaiveTime::MIN);
    if !province.is_working_day(local.date()) || local.time() < opening {
        return Ok(0);
    }
    if !claim_daily_run(conn, RUN_NAME, local.date(), now)? {
        return Ok(0);
    }
    let mut sent = 0;
    for agency in Agency::all(conn)? {
        let cal = calendar_for(conn, &agency.id).unwrap_or_else(|_| province.clone());
        let Ok(horizon) = cal.due(local, 1, TimeLimitUnit::WorkingDays) else { continue };
        let open = Dossier::held_due_before(conn, &agency.id, crate::clock::to_utc(horizon))?;
        if open.is_empty() {
            continue;
        }
        let (overdue, soon): (Vec<Dossier>, Vec<Dossier>) =
            open.into_iter().partition(|d| d.due_at.is_some_and(|due| due < now));
        let (due_soon, overdue) = (lines(conn, &soon)?, lines(conn, &overdue)?);
        let mut officers = Vec::new();
        for role in [roles::ONE_STOP, roles::SPECIALIST, roles::LEADER] {
            for s in Staff::of_agency_with_role(conn, &agency.id, role)? {
                if !officers.iter().any(|o: &Staff| o.id == s.id) {
                    officers.push(s);
                }
            }
        }
        for officer in officers {
            let mail = OutgoingMail {
                to: officer.email.clone(),
                message: MailMessage::DeadlineDigest {
                    name: officer.full_name.clone(),
                    agency_name: agency.name.clone(),
                    due_soon: due_soon.clone(),
                    overdue: overdue.clone(),
                    link: format!("{base_url}/can-bo?hang=sap-den-han"),
                },
            };
            enqueue(conn, clock, &Job::Email(mail), None)?;
            sent += 1;
        }
    }
    Ok(sent)
}

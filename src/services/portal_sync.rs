//! Sync of dossiers to the national portal: every history row of a dossier has an outbox row
//! (`portal_sync`, written in the transaction of the step, see [`enqueue`]); the worker sends
//! each one, per dossier strictly in order, as the dossier after that step (`DongBoHoSoMC`,
//! create for the first step and update after) followed by the step itself
//! (`CapNhatTienDoHoSoMC`). Every call carries an idempotency key made from the history row, so
//! a send repeated after a worker died mid-call has no second effect at the portal.
//!
//! What the portal holds is rebuilt from our rows at send time, as it stood after the step:
//! the state and due date of the history row, the dates of the steps up to it, the files
//! uploaded by then (as signed download links that expire after [`FILE_LINK_DAYS`] days, made
//! when sent so a long outage never leaves the portal with dead links).

use crate::clock::Clock;
use crate::db::{Db, DbConn};
use crate::domain::dossier::{Role, Status, action_label};
use crate::domain::payment::FeeLine;
use crate::integrations::portal::wire::{self, DossierItem, ProgressItem};
use crate::integrations::portal::{Portal, PortalError};
use crate::jobs::{Job, enqueue_at};
use crate::models::agency::Agency;
use crate::models::dossier::{Attachment, Dossier, DossierEvent};
use crate::models::payment::PaymentRequest;
use crate::models::procedure::Procedure;
use crate::models::staff::Staff;
use crate::signing::Signer;
use chrono::NaiveDateTime;
use diesel::QueryResult;

/// How long the file links given to the portal work.
pub const FILE_LINK_DAYS: i64 = 7;
/// The purpose of the file links' signatures.
pub const FILE_LINK_PURPOSE: &str = "portal_file";

/// Queues the sync of one history row, inside the step's transaction.
pub fn enqueue_event(conn: &mut DbConn, event: &DossierEvent) -> QueryResult<()> {
    enqueue_at(conn, event.at, &Job::PortalSync { event_id: event.id.clone() }, Some(&event.dossier_id))
}

/// Why a send failed; `permanent` sends the row to the dead letters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncFailure {
    /// Retrying cannot help.
    pub permanent: bool,
    /// For the operations page: the portal's answer or what went wrong (no citizen data).
    pub message: String,
}

impl From<PortalError> for SyncFailure {
    fn from(e: PortalError) -> Self {
        SyncFailure { permanent: e.is_permanent(), message: wire::cut(&e.to_string(), 500) }
    }
}

fn db_failure(e: impl std::fmt::Display) -> SyncFailure {
    SyncFailure { permanent: false, message: format!("database: {e}") }
}

/// What a send needs besides the row.
pub struct SyncEnv<'a> {
    /// The database.
    pub db: &'a Db,
    /// "Now" (link expiry).
    pub clock: &'a Clock,
    /// The portal client.
    pub portal: &'a Portal,
    /// Signs the file links.
    pub signer: &'a Signer,
    /// Our public address, for the file links.
    pub base_url: &'a str,
}

/// Everything read for one send.
struct Snapshot {
    event: DossierEvent,
    dossier: Dossier,
    procedure: Procedure,
    field_name: String,
    agency: Agency,
    history: Vec<DossierEvent>,
    files: Vec<Attachment>,
    payments: Vec<PaymentRequest>,
    actor_name: String,
    actor_agency: String,
}

fn load(conn: &mut DbConn, event_id: &str) -> Result<Option<Snapshot>, SyncFailure> {
    use crate::db::schema::dossier_events;
    use diesel::prelude::*;
    let event: Option<DossierEvent> = dossier_events::table
        .find(event_id)
        .select(DossierEvent::as_select())
        .first(conn)
        .optional()
        .map_err(db_failure)?;
    let Some(event) = event else { return Ok(None) };
    let dossier = Dossier::find(conn, &event.dossier_id).map_err(db_failure)?;
    let Some(dossier) = dossier else { return Ok(None) };
    let procedure = Procedure::find(conn, &dossier.procedure_id).map_err(db_failure)?;
    let agency = Agency::find(conn, &dossier.agency_id).map_err(db_failure)?;
    let (Some(procedure), Some(agency)) = (procedure, agency) else { return Ok(None) };
    let field_name: String = crate::db::schema::fields::table
        .find(&procedure.field_code)
        .select(crate::db::schema::fields::name)
        .first(conn)
        .optional()
        .map_err(db_failure)?
        .unwrap_or_default();
    let history: Vec<DossierEvent> = dossier_events::table
        .filter(dossier_events::dossier_id.eq(&dossier.id))
        .filter(dossier_events::seq.le(event.seq))
        .order(dossier_events::seq)
        .select(DossierEvent::as_select())
        .load(conn)
        .map_err(db_failure)?;
    let files = Attachment::of_dossier(conn, &dossier.id)
        .map_err(db_failure)?
        .into_iter()
        .filter(|a| a.created_at <= event.at)
        .collect();
    let payments = PaymentRequest::of_dossier(conn, &dossier.id)
        .map_err(db_failure)?
        .into_iter()
        .filter(|p| p.created_at <= event.at)
        .collect();
    let actor_name = match (event.actor_kind.as_str(), &event.actor_id) {
        ("officer", Some(id)) => Staff::find(conn, id).map_err(db_failure)?.map(|s| s.full_name).unwrap_or_default(),
        ("citizen", _) => dossier.applicant_name.clone(),
        _ => "Hệ thống".to_owned(),
    };
    let actor_agency = match &event.actor_agency_id {
        Some(id) if *id != agency.id => Agency::find(conn, id).map_err(db_failure)?.map(|a| a.name),
        _ => None,
    }
    .unwrap_or_else(|| agency.name.clone());
    Ok(Some(Snapshot {
        event,
        dossier,
        procedure,
        field_name,
        agency,
        history,
        files,
        payments,
        actor_name,
        actor_agency,
    }))
}

/// Sends one history row (the outbox job `portal_sync`).
pub fn send_event(env: &SyncEnv<'_>, event_id: &str) -> Result<(), SyncFailure> {
    let snapshot = {
        let mut conn = env.db.get().map_err(db_failure)?;
        load(&mut conn, event_id)?
    };
    let Some(s) = snapshot else {
        return Err(SyncFailure { permanent: true, message: "the history row or its dossier no longer exists".into() });
    };
    let item = dossier_item(env, &s);
    let key = &s.event.id;
    let updating = s.event.seq > 1;
    match env.portal.sync_dossier(&item, updating, &format!("{key}:hs")) {
        Ok(()) => {}
        Err(PortalError::AlreadyExists) if !updating => env.portal.sync_dossier(&item, true, &format!("{key}:hs:u"))?,
        Err(PortalError::NotFound) if updating => {
            // The portal lost the dossier (or never had its first step): create it again with
            // the whole history up to this step.
            env.portal.sync_dossier(&item, false, &format!("{key}:hs:c"))?;
            let all: Vec<ProgressItem> = s.history.iter().map(|e| progress_item(&s, e)).collect();
            env.portal.push_progress(&all, &format!("{key}:td:all"))?;
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    }
    env.portal.push_progress(&[progress_item(&s, &s.event)], &format!("{key}:td"))?;
    Ok(())
}

/// The signed link the portal fetches a file with.
pub fn file_link(env: &SyncEnv<'_>, dossier_code: &str, attachment_id: &str) -> String {
    let expires = (env.clock.now() + chrono::TimeDelta::days(FILE_LINK_DAYS)).timestamp();
    let sig = env.signer.sign(FILE_LINK_PURPOSE, attachment_id, expires, dossier_code);
    // Dossier codes are digits, capitals, dots and dashes: nothing to escape.
    format!("{}/api/v1/files/{attachment_id}?ma={dossier_code}&h={expires}&c={sig}", env.base_url.trim_end_matches('/'))
}

fn reached(s: &Snapshot, status: Status) -> Option<&DossierEvent> {
    s.history.iter().find(|e| e.to_status == status.code())
}

fn dossier_item(env: &SyncEnv<'_>, s: &Snapshot) -> DossierItem {
    let d = &s.dossier;
    let status = s.event.to_status;
    let (id_kind, subject) = match d.applicant_id_number.len() {
        12 => (wire::ID_CCCD, wire::SUBJECT_CITIZEN),
        9 => (wire::ID_CMND, wire::SUBJECT_CITIZEN),
        _ => (wire::ID_TAX_CODE, wire::SUBJECT_BUSINESS),
    };
    let received = s.history.iter().any(|e| e.to_status == Status::Received.code());
    let ended =
        s.history.iter().find(|e| e.to_status == Status::Resolved.code() || e.to_status == Status::Stopped.code());
    let note = s
        .history
        .iter()
        .rev()
        .find(|e| [Status::Refused, Status::Withdrawn, Status::Stopped].iter().any(|st| st.code() == e.to_status))
        .and_then(|e| e.note.clone())
        .unwrap_or_default();
    let submitted = s
        .files
        .iter()
        .filter(|a| a.purpose != "result")
        .map(|a| wire::SubmittedFile {
            tep_dinh_kem_id: a.id.clone(),
            ten_tep_dinh_kem: a.file_name.clone(),
            is_deleted: false,
            ma_thanh_phan_ho_so: a.paper_position.to_string(),
            duong_dan_tai_tep_tin: file_link(env, &d.code, &a.id),
        })
        .collect();
    let results = if status == Status::Resolved.code() || status == Status::Returned.code() {
        s.files
            .iter()
            .filter(|a| a.purpose == "result")
            .map(|a| wire::ResultFile {
                ten_giay_to: a.file_name.clone(),
                giay_to_id: a.id.clone(),
                duong_dan_tep_tin_ket_qua: file_link(env, &d.code, &a.id),
            })
            .collect()
    } else {
        vec![]
    };
    let at = s.event.at;
    let paid_by = |p: &PaymentRequest| p.paid_at.filter(|t| *t <= at).and(p.paid_channel.clone());
    let fees = s
        .payments
        .iter()
        .flat_map(|p| {
            let how = match paid_by(p).as_deref() {
                Some("truc-tuyen") => "1",
                Some(_) => "2",
                None => "",
            };
            serde_json::from_str::<Vec<FeeLine>>(&p.lines).unwrap_or_default().into_iter().map(move |l| wire::Fee {
                ten_phi_le_phi: l.description,
                gia: l.amount.0,
                loai_phi_le_phi: if l.kind == "phi" { "1" } else { "2" }.into(),
                hinh_thuc_thu: how.into(),
            })
        })
        .collect();
    let paid_online = s.payments.iter().any(|p| paid_by(p).as_deref() == Some("truc-tuyen"));
    DossierItem {
        ma_ho_so: d.code.clone(),
        ma_tthc: s.procedure.code.clone(),
        ten_tthc: s.procedure.name.clone(),
        ma_linh_vuc: s.procedure.field_code.clone(),
        ten_linh_vuc: s.field_name.clone(),
        kenh_thuc_hien: match d.channel.as_str() {
            "truc-tuyen" => wire::CHANNEL_ONLINE,
            "buu-chinh" => wire::CHANNEL_POST,
            _ => wire::CHANNEL_COUNTER,
        }
        .into(),
        chu_ho_so: d.applicant_name.clone(),
        loai_doi_tuong: subject.into(),
        so_giay_to_chu_ho_so: d.applicant_id_number.clone(),
        dinh_danh_chs: vec![wire::Identification {
            loai_dinh_danh: id_kind.into(),
            so_dinh_danh: d.applicant_id_number.clone(),
        }],
        email: d.applicant_email.clone().unwrap_or_default(),
        so_dien_thoai: d.applicant_phone.clone(),
        trich_yeu_ho_so: wire::cut(&format!("{} — {}", s.procedure.name, d.applicant_name), 1000),
        ngay_nop_ho_so: wire::timestamp(d.submitted_at),
        ngay_tiep_nhan: if received { wire::timestamp_or_empty(d.received_at) } else { String::new() },
        ngay_hen_tra: wire::timestamp_or_empty(s.event.due_at),
        trang_thai_ho_so: status.to_string(),
        ngay_tra: wire::timestamp_or_empty(reached(s, Status::Returned).map(|e| e.at)),
        ngay_ket_thuc_xu_ly: wire::timestamp_or_empty(ended.map(|e| e.at)),
        ngay_tu_choi: wire::timestamp_or_empty(reached(s, Status::Refused).map(|e| e.at)),
        don_vi_xu_ly: s.agency.code.clone(),
        ghi_chu: wire::cut(&note, 1000),
        duoc_thanh_toan_truc_tuyen: if paid_online { wire::PAID_ONLINE } else { wire::PAID_OTHERWISE }.into(),
        tai_lieu_nop: submitted,
        danh_sach_le_phi: fees,
        danh_sach_giay_to_ket_qua: results,
    }
}

fn progress_item(s: &Snapshot, e: &DossierEvent) -> ProgressItem {
    let role = e.actor_role.as_deref().and_then(Role::from_code).map(Role::label).unwrap_or("Hệ thống");
    let what = match &e.note {
        Some(note) if !note.trim().is_empty() => format!("{}: {}", action_label(&e.action), note.trim()),
        _ => action_label(&e.action).to_owned(),
    };
    let actor = if e.id == s.event.id { s.actor_name.clone() } else { role.to_owned() };
    ProgressItem {
        ma_ho_so: s.dossier.code.clone(),
        nguoi_xu_ly: wire::cut(&actor, 50),
        chuc_danh: role.to_owned(),
        thoi_diem_xu_ly: wire::timestamp(e.at),
        phong_ban_xu_ly: s.actor_agency.clone(),
        noi_dung_xu_ly: wire::cut(&what, 1000),
        trang_thai: e.to_status.to_string(),
        ngay_bat_dau: wire::timestamp(e.at),
        ngay_ket_thuc_theo_quy_dinh: wire::timestamp_or_empty(e.due_at),
    }
}

/// Queues the sync of every history row that has no `portal_sync` row yet (dossiers from
/// before the portal was connected, or loaded in bulk), oldest first, in transactions of
/// `chunk` rows; answers how many were queued. Idempotent: a second run queues nothing.
pub fn backfill(db: &Db, chunk: i64) -> anyhow::Result<u64> {
    use crate::db::schema::{dossier_events, outbox};
    use diesel::prelude::*;
    let mut conn = db.get()?;
    let queued: std::collections::HashSet<String> = outbox::table
        .filter(outbox::kind.eq(crate::jobs::PORTAL_SYNC))
        .select(outbox::payload)
        .load::<String>(&mut conn)?
        .into_iter()
        .filter_map(|p| match serde_json::from_str::<Job>(&p) {
            Ok(Job::PortalSync { event_id }) => Some(event_id),
            _ => None,
        })
        .collect();
    let mut after: Option<(NaiveDateTime, String)> = None;
    let mut total = 0u64;
    loop {
        let mut q = dossier_events::table
            .select(DossierEvent::as_select())
            .order((dossier_events::at.asc(), dossier_events::id.asc()))
            .limit(chunk.max(1))
            .into_boxed();
        if let Some((at, id)) = &after {
            q = q.filter(
                dossier_events::at.gt(*at).or(dossier_events::at.eq(*at).and(dossier_events::id.gt(id.clone()))),
            );
        }
        let events: Vec<DossierEvent> = q.load(&mut conn)?;
        let Some(last) = events.last() else { break };
        after = Some((last.at, last.id.clone()));
        let todo: Vec<&DossierEvent> = events.iter().filter(|e| !queued.contains(&e.id)).collect();
        crate::db::write_tx(&mut conn, |conn| -> QueryResult<()> {
            for e in &todo {
                enqueue_event(conn, e)?;
            }
            Ok(())
        })?;
        total += todo.len() as u64;
    }
    Ok(total)
}

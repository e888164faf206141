//! The simulator's transactions, in memory, keyed by `MaThamChieu`: their states
//! (`pending → paid | failed`, both final) and the delivery schedule of their `CONFIRM`s. Every
//! change happens under one mutex; a callback being delivered is marked in flight there, so two
//! threads never deliver the same one at once.

use super::faults::{DeliveryFaults, Faults};
use crate::integrations::paygov::wire;
use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// The state of a transaction at the gateway.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TxState {
    /// Opened by `INIT`; not paid yet (or held by the `leave_pending` fault).
    Pending,
    /// Paid: final.
    Paid,
    /// Cancelled by the citizen or refused by the bank: final.
    Failed,
}

impl TxState {
    /// `TrangThaiGD`.
    pub fn code(self) -> &'static str {
        match self {
            TxState::Pending => wire::STATE_PENDING,
            TxState::Paid => wire::STATE_PAID,
            TxState::Failed => wire::STATE_FAILED,
        }
    }
}

/// Where the `CONFIRM` of a settled transaction stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its next attempt.
    Queued,
    /// The portal acknowledged it (`MaLoi` 00, signed).
    Acknowledged,
    /// Every attempt of the schedule failed: undelivered.
    GaveUp,
    /// Suppressed by the `drop_callback` fault: never delivered.
    Dropped,
}

/// The delivery of one `CONFIRM`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// Where it stands.
    pub state: DeliveryState,
    /// Attempts made so far (an attempt of a duplicated callback sends two requests).
    pub attempts: u32,
    /// HTTP requests sent so far.
    pub requests: u32,
    /// When the next attempt is due (while queued).
    pub next_attempt: Option<DateTime<Utc>>,
    /// Being delivered right now by some thread.
    pub in_flight: bool,
    /// What the portal answered last (status and `MaLoi`, or the transport error).
    pub last_answer: Option<String>,
    /// The faults fixed when the transaction settled.
    pub faults: DeliveryFaults,
}

/// One transaction as the gateway keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SimTransaction {
    /// `MaThamChieu`.
    pub reference: String,
    /// The opaque id of its payment page (`/thanh-toan/{page_id}`).
    pub page_id: String,
    /// `MaDoiTac`.
    pub partner: String,
    /// `SoTien`.
    pub amount: i64,
    /// `MaTienTe`.
    pub currency: String,
    /// `ThongTinGiaoDich`.
    pub info: String,
    /// The `ThoiGianGD` of the `INIT` (Vietnam time, `yyyyMMddHHmmss`).
    pub init_time: String,
    /// `ThongTinBienLai`.
    pub receipt: wire::ReceiptInfo,
    /// Where the citizen's browser goes back to (`UrlTraVe`), if given.
    pub return_url: Option<String>,
    /// The state.
    pub state: TxState,
    /// `MaGiaoDich`, given when it settles.
    pub gateway_id: Option<String>,
    /// The bank the citizen chose.
    pub bank: Option<String>,
    /// When it settled.
    pub settled_at: Option<DateTime<Utc>>,
    /// Paid by the citizen but held pending by the `leave_pending` fault.
    pub held: bool,
    /// Its `CONFIRM`, once settled.
    pub callback: Option<Delivery>,
    /// The payment form's anti-forgery token.
    #[serde(skip)]
    pub form_token: String,
}

impl SimTransaction {
    /// The `ThoiGianGD` of its outcome: settled time, or the `INIT`'s while pending.
    pub fn outcome_time(&self) -> String {
        self.settled_at.map_or_else(|| self.init_time.clone(), wire::timestamp)
    }
}

/// Why a transaction cannot be opened or settled.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// `MaThamChieu` already used.
    #[error("reference already used")]
    Duplicate,
    /// No such transaction.
    #[error("unknown transaction")]
    Unknown,
    /// It is already paid or failed.
    #[error("transaction already settled")]
    Settled,
}

/// A callback handed to a thread for one delivery attempt.
#[derive(Clone, Debug)]
pub struct Claim {
    /// The transaction as it was when claimed.
    pub transaction: SimTransaction,
    /// The attempt's number, 0 for the first.
    pub attempt: u32,
    /// Its delivery faults.
    pub faults: DeliveryFaults,
}

/// Which callbacks to claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Due {
    /// Those whose next attempt is due.
    Now,
    /// Every one not acknowledged nor dropped, whatever its schedule.
    All,
}

#[derive(Default)]
struct Inner {
    by_reference: HashMap<String, SimTransaction>,
    by_page: HashMap<String, String>,
    gateway_ids: HashSet<String>,
}

/// The transactions.
pub struct Store {
    inner: Mutex<Inner>,
    idle: Condvar,
    retry: Vec<Duration>,
}

impl Store {
    /// An empty store whose callbacks follow `retry` (the delay before each attempt: the first
    /// counted from the settlement, the others from the attempt before; an empty schedule is
    /// one attempt at once).
    pub fn new(retry: Vec<Duration>) -> Store {
        let retry = if retry.is_empty() { vec![Duration::ZERO] } else { retry };
        Store { inner: Mutex::new(Inner::default()), idle: Condvar::new(), retry }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn delay(&self, attempt: u32) -> Option<TimeDelta> {
        let d = self.retry.get(usize::try_from(attempt).ok()?)?;
        Some(TimeDelta::from_std(*d).unwrap_or(TimeDelta::MAX))
    }

    /// Adds a new transaction; never replaces one.
    pub fn open(&self, transaction: SimTransaction) -> Result<(), StoreError> {
        let mut inner = self.lock();
        if inner.by_reference.contains_key(&transaction.reference) || inner.by_page.contains_key(&transaction.page_id) {
            return Err(StoreError::Duplicate);
        }
        inner.by_page.insert(transaction.page_id.clone(), transaction.reference.clone());
        inner.by_reference.insert(transaction.reference.clone(), transaction);
        Ok(())
    }

    /// A transaction by reference.
    pub fn get(&self, reference: &str) -> Option<SimTransaction> {
        self.lock().by_reference.get(reference).cloned()
    }

    /// A transaction by the id of its payment page.
    pub fn by_page(&self, page_id: &str) -> Option<SimTransaction> {
        let inner = self.lock();
        inner.by_page.get(page_id).and_then(|r| inner.by_reference.get(r)).cloned()
    }

    /// Every transaction, oldest `INIT` first.
    pub fn list(&self) -> Vec<SimTransaction> {
        let mut all: Vec<SimTransaction> = self.lock().by_reference.values().cloned().collect();
        all.sort_by(|a, b| (&a.init_time, &a.reference).cmp(&(&b.init_time, &b.reference)));
        all
    }

    /// Records that the citizen paid through `bank` but the gateway holds the outcome (the
    /// `leave_pending` fault).
    pub fn hold(&self, reference: &str, bank: &str) -> Result<SimTransaction, StoreError> {
        let mut inner = self.lock();
        let t = inner.by_reference.get_mut(reference).ok_or(StoreError::Unknown)?;
        if t.state != TxState::Pending {
            return Err(StoreError::Settled);
        }
        t.held = true;
        t.bank = Some(bank.to_owned());
        Ok(t.clone())
    }

    /// Settles a pending transaction (paid, or failed) and queues its `CONFIRM` — dropped if
    /// `faults.drop_callback`. A settled transaction never changes again.
    pub fn settle(
        &self,
        reference: &str,
        paid: bool,
        bank: Option<&str>,
        now: DateTime<Utc>,
        faults: &Faults,
    ) -> Result<SimTransaction, StoreError> {
        let first = self.delay(0).unwrap_or_default();
        let mut inner = self.lock();
        let Inner { by_reference, gateway_ids, .. } = &mut *inner;
        let t = by_reference.get_mut(reference).ok_or(StoreError::Unknown)?;
        if t.state != TxState::Pending {
            return Err(StoreError::Settled);
        }
        let id = loop {
            let candidate = format!("PG{:012}", rand::random::<u64>() % 1_000_000_000_000);
            if gateway_ids.insert(candidate.clone()) {
                break candidate;
            }
        };
        t.state = if paid { TxState::Paid } else { TxState::Failed };
        t.gateway_id = Some(id);
        if let Some(bank) = bank {
            t.bank = Some(bank.to_owned());
        }
        t.settled_at = Some(now);
        t.held = false;
        t.callback = Some(Delivery {
            state: if faults.drop_callback { DeliveryState::Dropped } else { DeliveryState::Queued },
            attempts: 0,
            requests: 0,
            next_attempt: (!faults.drop_callback).then(|| now.checked_add_signed(first).unwrap_or(now)),
            in_flight: false,
            last_answer: None,
            faults: DeliveryFaults::from_faults(faults),
        });
        Ok(t.clone())
    }

    /// Marks in flight and hands out the callbacks `which` selects that no thread is delivering;
    /// also names the ones it selects that another thread is delivering right now.
    pub fn claim(&self, which: Due, now: DateTime<Utc>) -> (Vec<Claim>, Vec<String>) {
        let mut inner = self.lock();
        let (mut mine, mut busy) = (Vec::new(), Vec::new());
        for t in inner.by_reference.values_mut() {
            let Some(d) = t.callback.as_mut() else { continue };
            let selected = match which {
                Due::Now => d.state == DeliveryState::Queued && d.next_attempt.is_some_and(|at| at <= now),
                Due::All => matches!(d.state, DeliveryState::Queued | DeliveryState::GaveUp),
            };
            if !selected {
                continue;
            }
            if d.in_flight {
                busy.push(t.reference.clone());
                continue;
            }
            d.in_flight = true;
            let (attempt, faults) = (d.attempts, d.faults);
            mine.push(Claim { transaction: t.clone(), attempt, faults });
        }
        mine.sort_by(|a, b| a.transaction.reference.cmp(&b.transaction.reference));
        (mine, busy)
    }

    /// Records the outcome of an attempt on a claimed callback and schedules the next one, or
    /// gives up when the schedule is exhausted.
    pub fn finish(&self, reference: &str, requests: u32, acknowledged: bool, answer: String, now: DateTime<Utc>) {
        let mut inner = self.lock();
        if let Some(d) = inner.by_reference.get_mut(reference).and_then(|t| t.callback.as_mut()) {
            d.in_flight = false;
            d.attempts = d.attempts.saturating_add(1);
            d.requests = d.requests.saturating_add(requests);
            d.last_answer = Some(answer);
            if acknowledged {
                d.state = DeliveryState::Acknowledged;
                d.next_attempt = None;
            } else if let Some(delay) = self.delay(d.attempts) {
                d.state = DeliveryState::Queued;
                d.next_attempt = Some(now.checked_add_signed(delay).unwrap_or(now));
            } else {
                d.state = DeliveryState::GaveUp;
                d.next_attempt = None;
            }
        }
        drop(inner);
        self.idle.notify_all();
    }

    /// Waits (at most `limit`) until none of `references` is in flight; answers how many of them
    /// are no longer in flight.
    pub fn wait_idle(&self, references: &[String], limit: Duration) -> usize {
        let in_flight = |inner: &Inner, r: &String| {
            inner.by_reference.get(r).and_then(|t| t.callback.as_ref()).is_some_and(|d| d.in_flight)
        };
        let inner = self.lock();
        let (inner, _) = self
            .idle
            .wait_timeout_while(inner, limit, |inner| references.iter().any(|r| in_flight(inner, r)))
            .unwrap_or_else(PoisonError::into_inner);
        references.iter().filter(|r| !in_flight(&inner, r)).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 2, minute, 0).single().unwrap_or_default()
    }

    fn transaction(reference: &str) -> SimTransaction {
        SimTransaction {
            reference: reference.into(),
            page_id: format!("page-{reference}"),
            partner: "TH-DVC".into(),
            amount: 133_000,
            currency: wire::CURRENCY.into(),
            info: "THANH TOAN HO SO".into(),
            init_time: "20261125090000".into(),
            receipt: wire::ReceiptInfo::default(),
            return_url: None,
            state: TxState::Pending,
            gateway_id: None,
            bank: None,
            settled_at: None,
            held: false,
            callback: None,
            form_token: "t".into(),
        }
    }

    fn store() -> Store {
        let store = Store::new(vec![Duration::ZERO, Duration::from_secs(60), Duration::from_secs(300)]);
        assert_eq!(store.open(transaction("R1")), Ok(()));
        store
    }

    #[test]
    fn a_reference_is_never_reused_nor_overwritten() {
        let store = store();
        let mut other = transaction("R1");
        other.amount = 1;
        other.page_id = "another".into();
        assert_eq!(store.open(other), Err(StoreError::Duplicate));
        assert_eq!(store.get("R1").map(|t| t.amount), Some(133_000));
        assert_eq!(store.by_page("page-R1").map(|t| t.reference), Some("R1".into()));
    }

    #[test]
    fn settled_is_final() {
        let store = store();
        let t = store.settle("R1", true, Some("VCB"), at(0), &Faults::default());
        let t = t.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.state, TxState::Paid);
        assert!(t.gateway_id.as_deref().is_some_and(|id| id.len() == 14 && id.starts_with("PG")));
        assert_eq!(store.settle("R1", false, None, at(1), &Faults::default()), Err(StoreError::Settled));
        assert_eq!(store.hold("R1", "VCB"), Err(StoreError::Settled));
        assert_eq!(store.settle("R2", true, None, at(1), &Faults::default()), Err(StoreError::Unknown));
    }

    #[test]
    fn a_callback_follows_its_schedule_then_gives_up() {
        let store = store();
        let _ = store.settle("R1", true, Some("VCB"), at(0), &Faults::default());
        let (claims, busy) = store.claim(Due::Now, at(0));
        assert_eq!((claims.len(), busy.len()), (1, 0));
        // While in flight, nobody else gets it.
        let (again, busy) = store.claim(Due::All, at(0));
        assert_eq!((again.len(), busy), (0, vec!["R1".to_owned()]));
        store.finish("R1", 1, false, "HTTP 500".into(), at(0));
        assert!(store.claim(Due::Now, at(0)).0.is_empty(), "next attempt one minute later");
        let (claims, _) = store.claim(Due::Now, at(1));
        assert_eq!(claims.first().map(|c| c.attempt), Some(1));
        store.finish("R1", 1, false, "HTTP 500".into(), at(1));
        assert!(store.claim(Due::Now, at(5)).0.is_empty());
        assert_eq!(store.claim(Due::Now, at(6)).0.len(), 1);
        store.finish("R1", 1, false, "timeout".into(), at(6));
        let d = store.get("R1").and_then(|t| t.callback).unwrap_or_else(|| panic!("no callback"));
        assert_eq!((d.state, d.attempts, d.next_attempt), (DeliveryState::GaveUp, 3, None));
        // A manual push still tries it; an acknowledgement ends it.
        let (claims, _) = store.claim(Due::All, at(7));
        assert_eq!(claims.len(), 1);
        store.finish("R1", 1, true, "HTTP 200 MaLoi 00".into(), at(7));
        let d = store.get("R1").and_then(|t| t.callback).unwrap_or_else(|| panic!("no callback"));
        assert_eq!((d.state, d.attempts, d.requests), (DeliveryState::Acknowledged, 4, 4));
        assert!(store.claim(Due::All, at(8)).0.is_empty());
    }

    #[test]
    fn dropped_callbacks_are_never_claimed() {
        let store = store();
        let faults = Faults { drop_callback: true, ..Faults::default() };
        let _ = store.settle("R1", false, None, at(0), &faults);
        assert_eq!(store.get("R1").map(|t| t.state), Some(TxState::Failed));
        assert!(store.claim(Due::All, at(9)).0.is_empty());
    }

    #[test]
    fn a_held_transaction_stays_pending_until_settled() {
        let store = store();
        let held = store.hold("R1", "BIDV").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((held.state, held.held, held.callback), (TxState::Pending, true, None));
        assert!(store.claim(Due::All, at(1)).0.is_empty());
        let t = store.settle("R1", true, None, at(2), &Faults::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((t.bank.as_deref(), t.held, t.outcome_time()), (Some("BIDV"), false, "20261125090200".into()));
    }

    #[test]
    fn waiting_returns_once_nothing_is_in_flight() {
        let store = store();
        let _ = store.settle("R1", true, None, at(0), &Faults::default());
        let _ = store.claim(Due::Now, at(0));
        assert_eq!(store.wait_idle(&["R1".into()], Duration::from_millis(10)), 0);
        store.finish("R1", 1, true, "ok".into(), at(0));
        assert_eq!(store.wait_idle(&["R1".into()], Duration::from_millis(10)), 1);
    }
}

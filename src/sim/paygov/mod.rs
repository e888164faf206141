//! paygov-sim: a Paygov-style payment gateway over real HTTP, speaking the platform's contract
//! ([`crate::integrations::paygov::wire`]), for the demo and the tests.
//!
//! - `POST /api/init`, `/api/query`, `/api/bill`, `/api/statement`: the portal's calls
//!   ([`api`]), signed with [`SimConfig::secret`]; the gateway's answers are signed with
//!   [`SimConfig::callback_secret`].
//! - `GET`/`POST /thanh-toan/{id}`: the citizen's payment page ([`pages`]).
//! - `CONFIRM` callbacks to [`SimConfig::confirm_url`], retried on the [`SimConfig::retry`]
//!   schedule by a delivery thread ([`delivery`]).
//! - `/sim/*`: faults, settlement, flush and the transaction list, for the demo and tests only
//!   ([`control`]); bind to 127.0.0.1.
//!
//! Nothing is persisted: the transactions live as long as the server.

pub mod api;
pub mod banks;
pub mod control;
pub mod delivery;
pub mod faults;
pub mod pages;
pub mod receipt;
pub mod store;

pub use faults::Faults;
pub use store::{Delivery, DeliveryState, SimTransaction, StoreError, TxState};

use crate::clock::Clock;
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;
use store::{Due, Store};

/// How the simulator is set up.
#[derive(Clone)]
pub struct SimConfig {
    /// Where to listen (`127.0.0.1:0` in tests).
    pub bind: String,
    /// The base URL of the payment pages as browsers reach them; default: the bound address.
    pub public_url: Option<String>,
    /// The portal's `POST /api/payments/confirm`.
    pub confirm_url: String,
    /// The one `MaDoiTac` accepted.
    pub partner: String,
    /// The key of the messages the portal signs (`INIT`, `QUERY`, `GET_BILL`, `DOI_SOAT`, and
    /// its acknowledgements of `CONFIRM`).
    pub secret: String,
    /// The key the simulator signs with (`CONFIRM`, `QUERY` answers, statements).
    pub callback_secret: String,
    /// Delays before each delivery attempt of a `CONFIRM` (the first counted from the
    /// settlement, each next one from the attempt before); after the last, it is undelivered.
    pub retry: Vec<Duration>,
    /// The faults injected from the start.
    pub faults: Faults,
    /// Where "now" comes from (settlement times, the delivery schedule).
    pub clock: Clock,
}

impl SimConfig {
    /// The default back-off of `CONFIRM` delivery: at once, then 1 min, 5 min, 30 min, 2 h, 6 h.
    pub fn default_retry() -> Vec<Duration> {
        [0, 60, 300, 1800, 7200, 21600].into_iter().map(Duration::from_secs).collect()
    }

    /// A simulator on a free local port with one key both ways, the default schedule and no
    /// faults.
    pub fn local(confirm_url: &str, partner: &str, secret: &str, clock: Clock) -> SimConfig {
        SimConfig {
            bind: "127.0.0.1:0".into(),
            public_url: None,
            confirm_url: confirm_url.into(),
            partner: partner.into(),
            secret: secret.into(),
            callback_secret: secret.into(),
            retry: Self::default_retry(),
            faults: Faults::default(),
            clock,
        }
    }
}

/// What the handlers and the delivery threads share.
pub struct Shared {
    /// `MaDoiTac`.
    pub partner: String,
    /// The portal's key.
    pub secret: String,
    /// The simulator's key.
    pub callback_secret: String,
    /// Where `CONFIRM`s go.
    pub confirm_url: String,
    /// Base URL of the payment pages.
    pub public_url: String,
    /// The transactions.
    pub store: Store,
    /// The clock.
    pub clock: Clock,
    faults: Mutex<Faults>,
}

impl Shared {
    /// The faults in force.
    pub fn faults(&self) -> Faults {
        self.faults.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Replaces the faults.
    pub fn set_faults(&self, faults: Faults) {
        *self.faults.lock().unwrap_or_else(PoisonError::into_inner) = faults;
    }

    /// What "Thanh toán" does: settles as paid through `bank` and queues the `CONFIRM`, or holds
    /// the transaction pending under the `leave_pending` fault.
    pub fn pay(&self, reference: &str, bank: &str) -> Result<SimTransaction, StoreError> {
        let faults = self.faults();
        let t = if faults.leave_pending {
            self.store.hold(reference, bank)?
        } else {
            self.store.settle(reference, true, Some(bank), self.clock.now(), &faults)?
        };
        tracing::info!(reference, gateway_id = t.gateway_id.as_deref(), held = t.held, "paygov-sim: paid");
        Ok(t)
    }

    /// What "Hủy" does: settles as failed and queues the `CONFIRM`.
    pub fn cancel(&self, reference: &str, bank: Option<&str>) -> Result<SimTransaction, StoreError> {
        let t = self.store.settle(reference, false, bank, self.clock.now(), &self.faults())?;
        tracing::info!(reference, gateway_id = t.gateway_id.as_deref(), "paygov-sim: cancelled");
        Ok(t)
    }

    /// Delivers the callbacks `which` selects; answers how many were attempted (see
    /// [`SimHandle::flush`]).
    pub fn deliver(&self, which: Due) -> usize {
        delivery::run(self, which)
    }
}

/// A running simulator; dropping it stops the server and the delivery thread.
pub struct SimHandle {
    shared: Arc<Shared>,
    url: String,
    server: actix_web::dev::ServerHandle,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

/// Starts the simulator: the HTTP server on its own thread (and runtime), and a thread that
/// delivers due `CONFIRM`s every 200 ms.
pub fn start(config: SimConfig) -> anyhow::Result<SimHandle> {
    let listener =
        TcpListener::bind(&config.bind).with_context(|| format!("paygov-sim cannot listen on {}", config.bind))?;
    let address = listener.local_addr()?;
    let host = if address.ip().is_unspecified() { "127.0.0.1".to_owned() } else { address.ip().to_string() };
    let url = if address.is_ipv6() && !address.ip().is_unspecified() {
        format!("http://[{host}]:{}", address.port())
    } else {
        format!("http://{host}:{}", address.port())
    };
    let public_url = config.public_url.clone().unwrap_or_else(|| url.clone()).trim_end_matches('/').to_owned();
    let shared = Arc::new(Shared {
        partner: config.partner,
        secret: config.secret,
        callback_secret: config.callback_secret,
        confirm_url: config.confirm_url,
        public_url,
        store: Store::new(config.retry),
        clock: config.clock,
        faults: Mutex::new(config.faults),
    });
    let data = web::Data::from(shared.clone());
    let server = HttpServer::new(move || {
        App::new().app_data(data.clone()).configure(api::routes).configure(pages::routes).configure(control::routes)
    })
    .workers(2)
    .disable_signals()
    .shutdown_timeout(1)
    .listen(listener)?
    .run();
    let handle = server.handle();
    let http = std::thread::Builder::new().name("paygov-sim-http".into()).spawn(move || {
        if let Err(e) = actix_web::rt::System::new().block_on(server) {
            tracing::error!(error = %e, "paygov-sim: server stopped with an error");
        }
    })?;
    let stop = Arc::new(AtomicBool::new(false));
    let deliveries = delivery::spawn(shared.clone(), stop.clone())?;
    tracing::info!(url = %url, "paygov-sim listening");
    Ok(SimHandle { shared, url, server: handle, stop, threads: vec![http, deliveries] })
}

impl SimHandle {
    /// The base URL of the API (`http://127.0.0.1:<port>`).
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The faults in force.
    pub fn faults(&self) -> Faults {
        self.shared.faults()
    }

    /// Replaces the faults.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.set_faults(faults);
    }

    /// Delivers, synchronously, every `CONFIRM` due now by the simulator's clock (waiting for
    /// those the delivery thread is sending); answers how many were attempted.
    pub fn flush(&self) -> usize {
        self.shared.deliver(Due::Now)
    }

    /// Attempts every undelivered `CONFIRM` once now, whatever its schedule (not the dropped
    /// ones); answers how many were attempted.
    pub fn deliver_all_now(&self) -> usize {
        self.shared.deliver(Due::All)
    }

    /// Every transaction, oldest first.
    pub fn transactions(&self) -> Vec<SimTransaction> {
        self.shared.store.list()
    }

    /// One transaction.
    pub fn transaction(&self, reference: &str) -> Option<SimTransaction> {
        self.shared.store.get(reference)
    }

    /// Clicks "Thanh toán" with `bank` on the payment page of `reference`.
    pub fn pay(&self, reference: &str, bank: &str) -> anyhow::Result<()> {
        anyhow::ensure!(banks::name(bank).is_some(), "unknown bank {bank}");
        self.shared.pay(reference, bank).with_context(|| format!("pay {reference}"))?;
        Ok(())
    }

    /// Clicks "Hủy" on the payment page of `reference`.
    pub fn cancel(&self, reference: &str) -> anyhow::Result<()> {
        self.shared.cancel(reference, None).with_context(|| format!("cancel {reference}"))?;
        Ok(())
    }

    /// Settles a pending (e.g. held) transaction, as `POST /sim/settle/{reference}` does.
    pub fn settle(&self, reference: &str, paid: bool) -> anyhow::Result<()> {
        control::settle(&self.shared, reference, paid, None).with_context(|| format!("settle {reference}"))?;
        Ok(())
    }

    /// Stops the server and the delivery thread, and waits for them.
    pub fn stop(mut self) {
        self.signal_stop();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }

    fn signal_stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        // The command is sent at once; the server's own thread carries it out.
        drop(self.server.stop(false));
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.signal_stop();
    }
}

/// A paid transaction of 133.000 đ, for unit tests.
#[cfg(test)]
pub(crate) fn receipt_fixture() -> SimTransaction {
    use crate::integrations::paygov::wire::{FeeItem, ReceiptInfo};
    use chrono::TimeZone;
    SimTransaction {
        reference: "TT20261125A1B2C3D4".into(),
        page_id: "p".into(),
        partner: "TH-DVC".into(),
        amount: 133_000,
        currency: "VND".into(),
        info: "THANH TOAN HO SO".into(),
        init_time: "20261125142000".into(),
        receipt: ReceiptInfo {
            ma_ho_so: "000.00.01.H56-261125-0001".into(),
            ten_tthc: "Cấp bản sao trích lục hộ tịch".into(),
            ho_ten_nguoi_nop: "Nguyễn Thị Hằng".into(),
            phi_le_phi: vec![FeeItem {
                loai_phi_le_phi: "2".into(),
                ma_phi_le_phi: "LP1".into(),
                ten_phi_le_phi: "Lệ phí cấp bản sao".into(),
                so_tien: 133_000,
            }],
            ..ReceiptInfo::default()
        },
        return_url: None,
        state: TxState::Paid,
        gateway_id: Some("PG000000000042".into()),
        bank: Some("VCB".into()),
        settled_at: chrono::Utc.with_ymd_and_hms(2026, 11, 25, 7, 30, 5).single(),
        held: false,
        callback: None,
        form_token: String::new(),
    }
}

//! Delivery of `CONFIRM` callbacks to the portal: a JSON POST signed with the simulator's key,
//! acknowledged only by HTTP 2xx with a `ConfirmAck` of `MaLoi` 00 signed with the portal's key
//! and naming the same transaction; anything else is retried on the schedule. The HTTP client
//! is blocking, so it lives only on plain threads (never on an async runtime's).

use super::Shared;
use super::faults::Tampering;
use super::store::{Claim, Due, SimTransaction};
use crate::integrations::paygov::wire::{self, Signed};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long the portal may take to answer a callback.
const TIMEOUT: Duration = Duration::from_secs(10);
/// How often the delivery thread looks for due callbacks.
const POLL: Duration = Duration::from_millis(200);
/// The longest a flush waits for deliveries another thread is making.
const WAIT_LIMIT: Duration = Duration::from_secs(60);

/// The `CONFIRM` of a settled transaction, as an attempt with `tampering` sends it.
pub fn confirm(t: &SimTransaction, partner: &str, secret: &str, tampering: Tampering) -> wire::Confirm {
    let paid = t.state == super::TxState::Paid;
    let message = wire::Confirm {
        loai_ban_tin: "CONFIRM".into(),
        ma_loi: if paid { wire::OK.into() } else { super::api::CANCELLED.into() },
        ma_doi_tac: partner.into(),
        ma_tham_chieu: t.reference.clone(),
        so_tien: t.amount.saturating_add(tampering.extra_amount),
        ma_tien_te: t.currency.clone(),
        ma_giao_dich: t.gateway_id.clone().unwrap_or_default(),
        ma_ngan_hang: t.bank.clone().unwrap_or_default(),
        thoi_gian_gd: t.outcome_time(),
        thong_tin_giao_dich: t.info.clone(),
        ma_xac_thuc: String::new(),
    };
    if tampering.bad_signature { message.sign(&format!("{secret}-not-the-key")) } else { message.sign(secret) }
}

fn client() -> Result<reqwest::blocking::Client, String> {
    reqwest::blocking::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("client: {e}"))
}

/// Whether the portal's answer acknowledges the callback of `reference`, and a short account
/// of it.
pub fn judge(shared: &Shared, reference: &str, status: u16, body: &[u8]) -> (bool, String) {
    if !(200..300).contains(&status) {
        return (false, format!("HTTP {status}"));
    }
    let Ok(ack) = serde_json::from_slice::<wire::ConfirmAck>(body) else {
        return (false, format!("HTTP {status}: not an acknowledgement"));
    };
    let mut description: String = ack.mo_ta_loi.chars().take(120).collect();
    if !description.is_empty() {
        description.insert_str(0, ": ");
    }
    let account = format!("HTTP {status}, MaLoi {}{description}", ack.ma_loi.chars().take(8).collect::<String>());
    if ack.ma_loi != wire::OK {
        (false, account)
    } else if !ack.verifies(&shared.secret) {
        (false, format!("{account} (acknowledgement not signed with the shared key)"))
    } else if ack.ma_tham_chieu != reference || ack.ma_doi_tac != shared.partner {
        (false, format!("{account} (acknowledgement names another transaction)"))
    } else {
        (true, account)
    }
}

fn post(shared: &Shared, client: &reqwest::blocking::Client, reference: &str, body: &[u8]) -> (bool, String) {
    let sent = client
        .post(&shared.confirm_url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body.to_vec())
        .send()
        .and_then(|res| {
            let status = res.status().as_u16();
            res.bytes().map(|b| (status, b))
        });
    match sent {
        Ok((status, bytes)) => judge(shared, reference, status, &bytes),
        Err(e) if e.is_timeout() => (false, "timeout".into()),
        Err(e) if e.is_connect() => (false, "connection refused".into()),
        Err(_) => (false, "transport error".into()),
    }
}

/// One attempt of one claimed callback (two concurrent requests if duplicated); records it.
fn attempt(shared: &Shared, client: &reqwest::blocking::Client, claim: &Claim) {
    let t = &claim.transaction;
    let message = confirm(t, &shared.partner, &shared.callback_secret, claim.faults.tampering(claim.attempt));
    let body = serde_json::to_vec(&message).unwrap_or_default();
    let copies = claim.faults.copies();
    let answers: Vec<(bool, String)> = if copies == 1 {
        vec![post(shared, client, &t.reference, &body)]
    } else {
        std::thread::scope(|s| {
            let sends: Vec<_> = (0..copies).map(|_| s.spawn(|| post(shared, client, &t.reference, &body))).collect();
            sends.into_iter().map(|h| h.join().unwrap_or((false, "delivery thread panicked".into()))).collect()
        })
    };
    let acknowledged = answers.iter().any(|(ok, _)| *ok);
    let account = answers.into_iter().map(|(_, a)| a).collect::<Vec<_>>().join(" | ");
    tracing::info!(
        reference = %t.reference,
        gateway_id = t.gateway_id.as_deref(),
        attempt = claim.attempt + 1,
        acknowledged,
        answer = %account,
        "paygov-sim: CONFIRM attempt"
    );
    let requests = u32::try_from(copies).unwrap_or(u32::MAX);
    shared.store.finish(&t.reference, requests, acknowledged, account, shared.clock.now());
}

/// Makes one attempt of each claim, in order, releasing every one of them.
fn attempt_all(shared: &Shared, claims: &[Claim]) {
    match client() {
        Ok(client) => claims.iter().for_each(|c| attempt(shared, &client, c)),
        Err(e) => {
            for c in claims {
                shared.store.finish(&c.transaction.reference, 0, false, e.clone(), shared.clock.now());
            }
        }
    }
}

/// Delivers what `which` selects, on a plain thread, and waits for the deliveries other
/// threads are making of the same callbacks; answers how many were attempted.
pub fn run(shared: &Shared, which: Due) -> usize {
    let (mine, busy) = shared.store.claim(which, shared.clock.now());
    if !mine.is_empty() {
        std::thread::scope(|s| {
            let _ = s.spawn(|| attempt_all(shared, &mine)).join();
        });
    }
    mine.len() + shared.store.wait_idle(&busy, WAIT_LIMIT)
}

/// Starts the thread that delivers due callbacks until `stop` is set.
pub fn spawn(shared: Arc<Shared>, stop: Arc<AtomicBool>) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new().name("paygov-sim-delivery".into()).spawn(move || {
        let mut client = None;
        while !stop.load(Ordering::SeqCst) {
            let (claims, _) = shared.store.claim(Due::Now, shared.clock.now());
            if !claims.is_empty() {
                if client.is_none() {
                    client = self::client().ok();
                }
                match &client {
                    Some(client) => claims.iter().for_each(|c| attempt(&shared, client, c)),
                    None => attempt_all(&shared, &claims),
                }
            }
            std::thread::sleep(POLL);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::sim::paygov::SimConfig;
    use crate::sim::paygov::store::TxState;

    fn shared() -> Shared {
        let config = SimConfig::local("http://127.0.0.1:9/", "TH-DVC", "portal-key", Clock::System);
        Shared {
            partner: config.partner,
            secret: config.secret,
            callback_secret: "gateway-key".into(),
            confirm_url: config.confirm_url,
            public_url: String::new(),
            store: super::super::store::Store::new(vec![]),
            clock: config.clock,
            faults: std::sync::Mutex::new(super::super::Faults::default()),
        }
    }

    fn ack(ma_loi: &str, reference: &str, key: &str) -> Vec<u8> {
        let ack = wire::ConfirmAck {
            ma_loi: ma_loi.into(),
            mo_ta_loi: "Thành công".into(),
            ma_doi_tac: "TH-DVC".into(),
            ma_tham_chieu: reference.into(),
            thoi_gian_gd: "20261125143005".into(),
            ma_xac_thuc: String::new(),
        }
        .sign(key);
        serde_json::to_vec(&ack).unwrap_or_default()
    }

    #[test]
    fn only_a_signed_00_for_the_same_transaction_acknowledges() {
        let s = shared();
        assert!(judge(&s, "R1", 200, &ack("00", "R1", "portal-key")).0);
        assert!(!judge(&s, "R1", 500, &ack("00", "R1", "portal-key")).0);
        assert!(!judge(&s, "R1", 200, &ack("97", "R1", "portal-key")).0);
        assert!(!judge(&s, "R1", 200, &ack("00", "R1", "gateway-key")).0, "signed with the wrong key");
        assert!(!judge(&s, "R1", 200, &ack("00", "R2", "portal-key")).0, "another transaction");
        assert_eq!(judge(&s, "R1", 200, b"OK"), (false, "HTTP 200: not an acknowledgement".into()));
    }

    #[test]
    fn tampered_attempts_differ_from_the_true_message() {
        let mut t = crate::sim::paygov::receipt_fixture();
        t.state = TxState::Failed;
        let good = confirm(&t, "TH-DVC", "k", Tampering::default());
        assert!(good.verifies("k"));
        assert_eq!((good.ma_loi.as_str(), good.so_tien), ("24", 133_000));
        let bad = confirm(&t, "TH-DVC", "k", Tampering { bad_signature: true, extra_amount: 0 });
        assert!(!bad.verifies("k"));
        let more = confirm(&t, "TH-DVC", "k", Tampering { bad_signature: false, extra_amount: 1000 });
        assert!(more.verifies("k") && more.so_tien == 134_000);
    }

    #[test]
    fn an_unreachable_portal_is_retried() {
        let s = shared();
        let mut t = crate::sim::paygov::receipt_fixture();
        t.state = TxState::Pending;
        t.gateway_id = None;
        t.settled_at = None;
        let _ = s.store.open(t);
        let _ = s.store.settle("TT20261125A1B2C3D4", true, Some("VCB"), s.clock.now(), &Default::default());
        assert_eq!(run(&s, Due::Now), 1);
        let d = s.store.get("TT20261125A1B2C3D4").and_then(|t| t.callback);
        assert_eq!(d.map(|d| (d.attempts, d.last_answer)), Some((1, Some("connection refused".into()))));
    }
}

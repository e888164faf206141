//! The faults paygov-sim can inject, to exercise the portal's handling of a misbehaving gateway.
//! All are off by default; set them at start (`dvc-portal paygov-sim --drop-callback …`) or at
//! run time (`POST /sim/faults`, [`super::SimHandle::set_faults`]).

use serde::{Deserialize, Serialize};

/// What goes wrong, on purpose.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Waits this many milliseconds before answering `/api/*` and the payment pages (not
    /// `/sim/*`): a slow gateway, to test the portal's timeouts.
    pub slow_ms: u64,
    /// Answers HTTP 500 to every `/api/*` call (after `slow_ms`): the gateway is down.
    pub api_error: bool,
    /// Never delivers the `CONFIRM` of a transaction settled while this is set (not even by
    /// `deliver_all_now`): the portal must find the outcome by `QUERY`.
    pub drop_callback: bool,
    /// Delivers every attempt of the `CONFIRM` of a transaction settled while this is set
    /// twice, concurrently from two threads, with the same body: the portal must record it once.
    pub duplicate_callback: bool,
    /// The first delivery attempt of the `CONFIRM` of a transaction settled while this is set
    /// carries a wrong `MaXacThuc`; the retries are signed correctly.
    pub bad_signature: bool,
    /// The first delivery attempt of the `CONFIRM` of a transaction settled while this is set
    /// carries `SoTien` + 1000 (correctly signed); the retries carry the right amount.
    pub wrong_amount: bool,
    /// "Thanh toán" on the payment page leaves the transaction pending at the gateway: no
    /// `CONFIRM`, `QUERY` answers `TrangThaiGD` 3, until `POST /sim/settle/{reference}` with
    /// `{"paid": true|false}` settles it and queues its `CONFIRM` (which `drop_callback`, if set
    /// then, suppresses).
    pub leave_pending: bool,
}

/// The faults that shape the deliveries of one `CONFIRM`, fixed when its transaction settles.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryFaults {
    /// Two concurrent requests per attempt.
    pub duplicate: bool,
    /// The first attempt is badly signed.
    pub bad_signature: bool,
    /// The first attempt names a wrong amount.
    pub wrong_amount: bool,
}

impl DeliveryFaults {
    /// The delivery faults of a transaction settled under `faults`.
    pub fn from_faults(faults: &Faults) -> DeliveryFaults {
        DeliveryFaults {
            duplicate: faults.duplicate_callback,
            bad_signature: faults.bad_signature,
            wrong_amount: faults.wrong_amount,
        }
    }

    /// How attempt number `attempt` (0 = the first) is tampered with.
    pub fn tampering(&self, attempt: u32) -> Tampering {
        let first = attempt == 0;
        Tampering {
            bad_signature: first && self.bad_signature,
            extra_amount: if first && self.wrong_amount { 1000 } else { 0 },
        }
    }

    /// How many concurrent requests one attempt makes.
    pub fn copies(&self) -> usize {
        if self.duplicate { 2 } else { 1 }
    }
}

/// What one attempt changes in the `CONFIRM` it sends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tampering {
    /// Sign with a wrong key.
    pub bad_signature: bool,
    /// Added to `SoTien` (after which the message is signed correctly).
    pub extra_amount: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_faults_are_off_by_default_and_partial_json_sets_some() {
        assert_eq!(Faults::default(), serde_json::from_str::<Faults>("{}").unwrap_or_default());
        let f: Faults = serde_json::from_str(r#"{"drop_callback": true, "slow_ms": 20}"#).unwrap_or_default();
        assert!(f.drop_callback && !f.api_error && f.slow_ms == 20);
        assert!(serde_json::from_str::<Faults>(r#"{"drop_calback": true}"#).is_err(), "a typo is refused");
    }

    #[test]
    fn only_the_first_attempt_is_tampered_with() {
        let d = DeliveryFaults::from_faults(&Faults { bad_signature: true, wrong_amount: true, ..Faults::default() });
        assert_eq!(d.tampering(0), Tampering { bad_signature: true, extra_amount: 1000 });
        assert_eq!(d.tampering(1), Tampering::default());
        assert_eq!(d.copies(), 1);
        let none = DeliveryFaults::from_faults(&Faults::default());
        assert_eq!(none.tampering(0), Tampering::default());
        let dup = DeliveryFaults::from_faults(&Faults { duplicate_callback: true, ..Faults::default() });
        assert_eq!(dup.copies(), 2);
    }
}

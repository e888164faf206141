//! The faults portal-sim can inject, to prove the sync loses nothing and sends nothing twice.
//! All are off by default; set them at start (`dvc-portal portal-sim --down …`) or at run time
//! (`POST /sim/faults`, [`super::PortalSimHandle::set_faults`]).

use serde::{Deserialize, Serialize};

/// What goes wrong, on purpose. The first that applies decides the answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Answers every `/auth` and `/integration` call with 503 and an HTML page, as a proxy
    /// does when the portal behind it is down.
    pub down: bool,
    /// Waits this many milliseconds before answering (a slow portal; past the client's timeout,
    /// a time-out).
    pub slow_ms: u64,
    /// Answers HTTP 500.
    pub error_500: bool,
    /// Refuses every dossier and progress call as invalid (`error_code` 02).
    pub invalid: bool,
    /// Answers 200 with a body that is not JSON.
    pub garbage: bool,
    /// Answers 200 with an HTML page.
    pub html: bool,
    /// Answers 200 with `error_code` 99 inside.
    pub error_in_200: bool,
    /// Cuts the connection in the middle of the answer's body.
    pub reset: bool,
    /// A session token works for this many calls, then expires (0: only its lifetime counts).
    pub token_calls: u32,
}

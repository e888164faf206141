//! Table-shaped models: one file per aggregate; functions take `&mut DbConn` and return
//! `QueryResult`. Transactions belong to `services`.

pub mod admin_unit;
pub mod agency;
pub mod dossier;
pub mod holiday;
pub mod outbox;
pub mod payment;
pub mod procedure;
pub mod session;
pub mod staff;
pub mod user;
pub mod workflow;

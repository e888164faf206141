//! The simulators of the outside systems (the payment gateway and the national portal): real
//! HTTP servers built from this crate, used by the demo and the tests exactly as production uses
//! the real ones.

pub mod paygov;
pub mod portal;

//! Adapters to the outside world: mail now; the payment gateway and the national portal later.

pub mod mailer;
pub mod paygov;

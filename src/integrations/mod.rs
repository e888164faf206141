//! Adapters to the outside world: mail, the payment gateway and the national portal.

pub mod mailer;
pub mod paygov;
pub mod portal;

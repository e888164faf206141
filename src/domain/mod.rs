//! Pure rules of the portal: no actix, no diesel, no IO. Unit-tested beside the code.

pub mod calendar;
pub mod catalogue;
pub mod citizen;
pub mod dossier;
pub mod fold;
pub mod form;
pub mod money;
pub mod password;
pub mod payment;
pub mod search;

//! Pages for staff at work: sign-in, queues, the dossier page and its actions, counter intake,
//! printable slips.

pub mod account;
pub mod actions;
pub mod counter;
pub mod dossier;
pub mod files;
pub mod payments;
pub mod queues;
pub mod reconciliation;
pub mod slips;

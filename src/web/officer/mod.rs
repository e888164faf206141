//! Pages for staff at work: sign-in, queues, the dossier page and its actions, counter intake,
//! printable slips.

pub mod account;
pub mod queues;
pub mod actions;
pub mod dossier;
pub mod slips;

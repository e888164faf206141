//! Pages for staff at work: sign-in, queues, the dossier page and its actions, counter intake,
//! printable slips.

pub mod account;

//! Use cases, one function per user intention. Services own the write transaction; models and
//! queries only run statements.

pub mod accounts;
pub mod admin;
pub mod catalogue;
pub mod demo;
pub mod intake;
pub mod invitation;
pub mod payments;
pub mod portal_sync;
pub mod reference_data;
pub mod seed_load;
pub mod staff;
pub mod workflow;

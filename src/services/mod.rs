//! Use cases, one function per user intention. Services own the write transaction; models and
//! queries only run statements.

pub mod accounts;
pub mod catalogue;
pub mod demo;
pub mod intake;
pub mod reference_data;
pub mod staff;
pub mod workflow;

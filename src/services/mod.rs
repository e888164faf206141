//! Use cases, one function per user intention. Services own the write transaction; models and
//! queries only run statements.

pub mod catalogue;
pub mod demo;
pub mod reference_data;

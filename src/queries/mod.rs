//! Read models for lists and pages: query objects with their filters, returning view structs.

pub mod catalogue_search;
pub mod leader;
pub mod my_dossiers;
pub mod officer;
pub mod queue_counts;
pub mod reconciliation;

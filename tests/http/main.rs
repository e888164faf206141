//! The HTTP-level suite: drives the real application against SQLite (default) or PostgreSQL
//! (`TEST_DATABASE_URL=postgres://…`). One binary; one file per area.

mod accounts;
mod admin;
mod api;
mod catalogue;
mod cli;
mod db;
mod follow_up;
mod import;
mod intake;
mod leader;
mod mail;
mod migrations;
mod officer_pages;
mod outbox;
mod paygov_sim;
mod payments;
mod payments_officer;
mod portal_sync;
mod privacy;
mod reconciliation;
mod reminders;
mod seed_load;
mod shell;
mod staff;
mod support;
mod workflow;

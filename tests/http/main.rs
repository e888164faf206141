//! The HTTP-level suite: drives the real application against SQLite (default) or PostgreSQL
//! (`TEST_DATABASE_URL=postgres://…`). One binary; one file per area.

mod api;
mod catalogue;
mod cli;
mod db;
mod import;
mod migrations;
mod shell;
mod support;

//! dvc-portal: the online public-service portal and one-stop system of a Vietnamese province.
//!
//! The map of the code is in `README.md` and `../shared/STYLE.md` §2: `domain` holds pure rules,
//! `db`/`models`/`queries` the data, `services` the use cases, `web` the HTTP layer.

pub mod app;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod files;
pub mod integrations;
pub mod jobs;
pub mod models;
pub mod queries;
pub mod services;
pub mod signing;
pub mod sim;
pub mod telemetry;
pub mod web;

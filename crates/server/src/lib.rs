//! Rampart's HTTP server.
//!
//! Where things are:
//! - `config/`: the settings tree and how it is loaded and checked.
//! - `startup/`: [`Application`]: data directory, master key, database, TLS, listeners, shutdown.
//! - `middleware/`: what every request passes through (request id, log line, security headers,
//!   JSON errors, timeouts, body limits).
//! - `mail/`: outgoing e-mail: the encrypted outbox and the SMTP delivery worker.
//! - `routes/`: one module per resource; [`routes::RouteTable`] records who may call each route.
//! - `accounts/`: where sign-in is decided (`accounts/sign_in.rs`: password check, throttling),
//!   accounts created, passwords changed and reset, notices e-mailed.
//! - `sessions/`: session tokens, the cookie, and the middleware that finds the caller
//!   ([`sessions::Principal`]); a permission is decided by `Principal::require` in the handler
//!   and by the route's declared access in `routes/mod.rs`.
//! - `middleware/csrf.rs`, `middleware/cors.rs`: browser-facing defences.
//! - `api_keys.rs`: `rk_` keys, never more power than their creator holds now.
//! - `unit_of_work.rs`: [`unit_of_work::UnitOfWork`], the one transaction of an action: its
//!   changes, its audit events and its outbox mail commit together; an event alone goes through
//!   [`unit_of_work::record`].
//! - `audit/`: the audit event, the hash chain and signed checkpoints, verification, export.
//! - `backup/`: encrypted backups (age), restores into either engine, drills, the schedule.
//! - `alerts/`: detection rules over every audit event, alerts, their webhook and e-mail delivery.
//! - `metrics/`: Prometheus metrics, counted here and read from the database at each scrape.
//! - `access/`: where a permission on records is decided (`access/records.rs`: which records a
//!   caller reaches, which fields they see), and a user's grants (roles × departments).
//! - `records/`: business records: collections, validation and writes, and where a record's
//!   sensitive fields are encrypted (`records/seal.rs`).
//! - `client.rs`: the client's IP (through trusted proxies) and user agent.
//! - `doctor/`: `rampart doctor`'s posture checks, one [`doctor::Finding`] each.
//! - `error.rs`: [`ApiError`], the one error type handlers return.
//! - `fuzzing.rs` (feature `fuzzing`, off by default): the crate's parsers, opened to `fuzz/`.

pub mod access;
pub mod accounts;
pub mod alerts;
pub mod api_keys;
pub mod audit;
pub mod backup;
pub mod client;
pub mod config;
pub mod demo;
pub mod doctor;
mod error;
mod extract;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod hashing;
pub mod incident;
pub mod keys;
pub mod mail;
pub mod metrics;
pub mod mfa;
mod middleware;
mod periodic;
mod private_files;
pub mod records;
pub mod routes;
pub mod sandbox;
pub mod sessions;
mod startup;
mod state;
pub mod telemetry;
pub mod unit_of_work;

pub use error::{ApiError, ErrorBody};
pub use extract::{ApiJson, ApiQuery};
pub use middleware::request_id::RequestId;
pub use startup::{
    Application, ApplicationBuilder, ExistingInstallation, RestoreTarget, StartupError,
    StartupReport, replace_master_key_file,
};
pub use state::AppState;

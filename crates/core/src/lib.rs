//! Rampart's use cases, with no HTTP in them.
//!
//! Every way in — the HTTP API (`rampart-http`), the command line (`rampart`), the tests —
//! calls the functions here with an [`AppState`], a caller ([`sessions::Principal`]) and the
//! client's address ([`client::ClientContext`]) as plain data, and gets back this crate's own
//! errors. Writes run in a [`unit_of_work::UnitOfWork`]: the change, its audit events and its
//! outbox mail commit together. Only this crate calls `rampart_store`.
//!
//! Where things are:
//! - `boot/`: opening an installation: data directory, master key, database, keys ([`boot::open`]).
//! - `config/`: the settings tree and how it is loaded and checked.
//! - `accounts/`: where sign-in is decided (`accounts/sign_in.rs`: password check, throttling),
//!   accounts created, passwords changed and reset, notices e-mailed.
//! - `sessions/`: session tokens, and how a presented token becomes a caller
//!   (`sessions/resolve.rs`); a permission is decided by [`sessions::Principal::require`].
//! - `mfa/`: TOTP, passkeys, recovery codes, and when a second factor is owed.
//! - `api_keys.rs`: `rk_` keys, never more power than their creator holds now.
//! - `access/`: where a permission on records is decided (`access/records.rs`: which records a
//!   caller reaches, which fields they see), and a user's grants (roles × departments).
//! - `records/`: business records: collections, validation and writes, and where a record's
//!   sensitive fields are encrypted (`records/seal.rs`).
//! - `unit_of_work.rs`: the one transaction of an action; an event alone goes through
//!   [`unit_of_work::record`].
//! - `audit/`: the audit event, the hash chain and signed checkpoints, verification, export.
//! - `alerts/`: detection rules over every audit event, alerts, their delivery.
//! - `incident/`: lockdown, containment, incidents and their reports.
//! - `backup/`: encrypted backups (age), restores into either engine, drills, the schedule.
//! - `keys/`: the data keys: rotation, re-encryption, reload.
//! - `mail/`: the encrypted outbox and the SMTP delivery worker.
//! - `metrics/`: Prometheus metrics, counted here and read from the database at each scrape.
//! - `doctor/`: `rampart doctor`'s posture checks, one [`doctor::Finding`] each.
//! - `sandbox/`: the Landlock confinement of `rampart serve`.
//! - `fuzzing.rs` (feature `fuzzing`, off by default): the crate's parsers, opened to `fuzz/`.

pub mod access;
pub mod accounts;
pub mod alerts;
pub mod api_keys;
pub mod audit;
pub mod backup;
pub mod boot;
pub mod chores;
pub mod client;
pub mod config;
pub mod demo;
pub mod doctor;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod hashing;
pub mod incident;
pub mod keys;
pub mod mail;
pub mod metrics;
pub mod mfa;
mod periodic;
pub mod private_files;
pub mod records;
pub mod sandbox;
pub mod sessions;
mod state;
pub mod telemetry;
pub mod unit_of_work;

/// The store's error, and the database fault behind any error (a full disk, an unavailable
/// database), for the edges that map them to their own answers (an HTTP status, an exit code).
/// The store's functions themselves are reached only through this crate.
pub use rampart_store::{DatabaseFault, StoreError, database_fault};
pub use state::{AppState, NotReady};

//! Rampart's storage: one code path over SQLite and PostgreSQL.
//!
//! [`Db`] is the handle every feature uses, and [`Transaction`] a use case's unit of work: both
//! are an [`Executor`], which every store function takes. One module per aggregate builds its
//! statements with sea-query; `db/` is the only place where built SQL becomes a query. Business code never
//! asks which engine it runs on.

pub mod alerts;
pub mod api_keys;
pub mod audit;
pub mod audit_segments;
pub mod backup;
pub mod backups;
pub mod collections;
mod db;
pub mod departments;
pub mod email_changes;
pub mod email_skeletons;
mod error;
pub mod forms;
pub mod incident_notifications;
pub mod incidents;
pub mod installation;
pub mod invitations;
pub mod jobs;
pub mod keys;
pub mod known_devices;
pub mod local_files;
pub mod lockdown;
pub mod mail_requests;
pub mod one_time_tokens;
pub mod outbox;
pub mod passkeys;
pub mod records;
pub mod recovery_codes;
pub mod roles;
pub mod sessions;
pub mod sign_in_throttle;
#[cfg(feature = "testing")]
pub mod testing;
pub mod totp_factors;
pub mod user_directory;
pub mod users;
pub mod webauthn_challenges;
pub use db::{
    Db, Engine, Executor, PoolSettings, SchemaRights, Transaction, apply_statements,
    least_privilege_statements, schema_rights,
};
pub use error::{Fault as DatabaseFault, StoreError, database_fault};

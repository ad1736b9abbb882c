//! Rampart's storage: one code path over SQLite and PostgreSQL.
//!
//! [`Db`] is the handle every feature uses; one module per aggregate (`installation`, and later
//! accounts, sessions, records, audit…) builds its statements with sea-query, and `db.rs` is the
//! only place where built SQL becomes a query. Business code never asks which engine it runs on.

mod db;
mod error;
pub mod installation;
pub mod jobs;
pub mod keys;
#[cfg(feature = "testing")]
pub mod testing;
pub mod users;
pub use db::{Db, Engine, PoolSettings};
pub use error::StoreError;

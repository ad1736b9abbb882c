#![allow(clippy::disallowed_methods)] // The one audited place where SQL text becomes a query.
//! The database handle, and the one audited place where SQL text becomes a query.
//!
//! Every dynamic statement in Rampart is a sea-query builder; the files here render it for the
//! engine in use and bind its values. `AssertSqlSafe` appears in this folder and nowhere else
//! (clippy's `disallowed-methods` and the before-stop hook keep it that way).
//!
//! - `pool.rs`: opening the pool on either engine, migrations, ping, close;
//! - `executor.rs`: [`Executor`], what every store function runs its statements on: the pool
//!   ([`Db`], each statement on its own) or an open [`Transaction`] (all of them or none);
//! - `transaction.rs`: [`Transaction`], the unit of work a write use case runs in;
//! - `copy.rs`: whole-table copies for backups and restores;
//! - `roles.rs`: PostgreSQL's least-privilege roles;
//! - `create.rs`: test databases.

mod copy;
#[cfg(feature = "testing")]
mod create;
mod executor;
mod pool;
mod roles;
mod transaction;

#[cfg(feature = "testing")]
pub(crate) use create::create_postgres_database;
pub use executor::Executor;
pub(crate) use executor::Run;
pub use pool::PoolSettings;
pub use roles::{SchemaRights, apply_statements, least_privilege_statements, schema_rights};
pub(crate) use transaction::RawTransaction;
pub use transaction::Transaction;

use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;

use crate::StoreError;

/// Which engine a [`Db`] talks to. Only the store and operator-facing messages look at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }

    /// The engine a `database.url` names, from its scheme.
    pub fn of_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(StoreError::BadUrl("the scheme must be sqlite: or postgres://"))
        }
    }
}

/// A pool of connections to the one database, on either engine. Cheap to clone.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

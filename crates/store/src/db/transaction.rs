//! Transactions: the raw one on either engine, and [`Transaction`], the unit of work a write use
//! case runs in.

use std::future::Future;

use sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
use sea_query_sqlx::SqlxBinder;
use sqlx::AssertSqlSafe;
use sqlx::pool::{Pool, PoolConnection};

use super::executor::Decode;
use super::{Db, Engine};
use crate::StoreError;

/// One open transaction on either engine. Dropped without [`RawTransaction::commit`], it rolls
/// back.
#[derive(Debug)]
pub enum RawTransaction {
    Sqlite(Open<sqlx::Sqlite>),
    Postgres(Open<sqlx::Postgres>),
}

/// A transaction on one pooled connection, begun and ended by statements of our own (`BEGIN`,
/// `COMMIT`, `ROLLBACK`), so that whether it is open never depends on the driver's bookkeeping.
///
/// A connection whose transaction did not end cleanly — a `COMMIT` or `ROLLBACK` that failed, as
/// on a full disk — is closed, never handed back to the pool: a pooled connection left inside a
/// transaction that will never commit would take later writes into it, acknowledge them, and
/// lose them (and on SQLite keep the write lock from everyone else). Closing it makes SQLite or
/// the PostgreSQL server roll back whatever was left.
#[derive(Debug)]
pub struct Open<DB: Statements> {
    /// Present until the transaction ends (`commit` takes it; `drop` rolls back with it).
    connection: Option<PoolConnection<DB>>,
}

/// The statements that begin and end a transaction, run on either engine's connection.
pub trait Statements: sqlx::Database {
    fn run(
        connection: &mut PoolConnection<Self>,
        sql: &'static str,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
}

/// The same text runs on either engine's connection; only the connection's type differs.
macro_rules! statements_for {
    ($($engine:ty),+) => {$(
        impl Statements for $engine {
            async fn run(
                connection: &mut PoolConnection<Self>,
                sql: &'static str,
            ) -> Result<(), sqlx::Error> {
                sqlx::raw_sql(sql).execute(&mut **connection).await.map(drop)
            }
        }
    )+};
}

statements_for!(sqlx::Sqlite, sqlx::Postgres);

impl<DB: Statements> Open<DB> {
    /// Takes a connection from `pool` and runs `begin` on it (`BEGIN`, `BEGIN IMMEDIATE`, …).
    pub(crate) async fn begin(pool: &Pool<DB>, begin: &'static str) -> Result<Self, StoreError> {
        let mut connection = pool.acquire().await?;
        if let Err(error) = DB::run(&mut connection, begin).await {
            // Whatever state it is in, it does not go back to the pool.
            connection.close_on_drop();
            return Err(error.into());
        }
        Ok(Self { connection: Some(connection) })
    }

    /// Commits; on failure the connection is closed (which rolls back what was left) before the
    /// error is returned, so nothing of the transaction lingers.
    pub(crate) async fn commit(mut self) -> Result<(), StoreError> {
        let Some(mut connection) = self.connection.take() else {
            return Err(StoreError::Invalid("a transaction ended twice"));
        };
        match DB::run(&mut connection, "COMMIT").await {
            Ok(()) => Ok(()),
            Err(error) => {
                if let Err(close) = connection.close().await {
                    tracing::warn!(error = %close, "a connection whose commit failed did not close cleanly");
                }
                Err(error.into())
            }
        }
    }
}

impl<DB: Statements> std::ops::Deref for Open<DB> {
    type Target = DB::Connection;

    #[allow(clippy::expect_used)] // Some until `commit` (which consumes self) or `drop`.
    fn deref(&self) -> &DB::Connection {
        self.connection.as_ref().expect("an open transaction has its connection")
    }
}

impl<DB: Statements> std::ops::DerefMut for Open<DB> {
    #[allow(clippy::expect_used)] // Some until `commit` (which consumes self) or `drop`.
    fn deref_mut(&mut self) -> &mut DB::Connection {
        self.connection.as_mut().expect("an open transaction has its connection")
    }
}

impl<DB: Statements> Drop for Open<DB> {
    /// Not committed: rolled back on the runtime, and the connection returned to the pool only
    /// if the `ROLLBACK` worked; closed otherwise (or when there is no runtime to do it on).
    fn drop(&mut self) {
        let Some(mut connection) = self.connection.take() else { return };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if DB::run(&mut connection, "ROLLBACK").await.is_err() {
                        let _closed = connection.close().await;
                    }
                });
            }
            Err(_) => connection.close_on_drop(),
        }
    }
}

/// A use case's unit of work: every statement run on it (through the store functions, which take
/// any [`super::Executor`]) commits together with the others at [`Transaction::commit`], or not
/// at all — dropped without a commit, or on a failed commit, it rolls back.
///
/// On SQLite it begins `IMMEDIATE`: it takes the database's one write lock at once, so a unit
/// that reads before it writes can never fail on a lock upgrade, and writers queue on the busy
/// timeout. Keep slow work (password hashing, mail delivery, network calls) outside it.
#[derive(Debug)]
pub struct Transaction {
    raw: tokio::sync::Mutex<RawTransaction>,
    pub(super) engine: Engine,
}

impl Db {
    /// Opens a unit of work (see [`Transaction`]).
    pub async fn begin(&self) -> Result<Transaction, StoreError> {
        let raw = match self {
            Self::Sqlite(pool) => {
                RawTransaction::Sqlite(Open::begin(pool, "BEGIN IMMEDIATE").await?)
            }
            Self::Postgres(pool) => RawTransaction::Postgres(Open::begin(pool, "BEGIN").await?),
        };
        Ok(Transaction { raw: tokio::sync::Mutex::new(raw), engine: self.engine() })
    }

    /// A transaction of the store's own (several statements of one store function).
    pub(crate) async fn begin_raw(&self) -> Result<RawTransaction, StoreError> {
        Ok(match self {
            Self::Sqlite(pool) => RawTransaction::Sqlite(Open::begin(pool, "BEGIN").await?),
            Self::Postgres(pool) => RawTransaction::Postgres(Open::begin(pool, "BEGIN").await?),
        })
    }
}

impl Transaction {
    /// Makes every statement of the unit durable, together.
    pub async fn commit(self) -> Result<(), StoreError> {
        self.raw.into_inner().commit().await
    }

    /// Runs SQL text in the unit: for the tests' probes only (`testing::execute_raw`); the
    /// store's own statements are built with sea-query.
    #[cfg(feature = "testing")]
    pub(crate) async fn execute_text(&self, sql: &'static str) -> Result<(), StoreError> {
        match &mut *self.raw().await {
            RawTransaction::Sqlite(tx) => sqlx::raw_sql(sql).execute(&mut **tx).await.map(drop)?,
            RawTransaction::Postgres(tx) => {
                sqlx::raw_sql(sql).execute(&mut **tx).await.map(drop)?
            }
        }
        Ok(())
    }

    pub(super) async fn raw(&self) -> tokio::sync::MutexGuard<'_, RawTransaction> {
        self.raw.lock().await
    }
}

impl RawTransaction {
    pub(crate) async fn execute(
        &mut self,
        statement: &(impl SqlxBinder + Sync),
    ) -> Result<u64, StoreError> {
        Ok(match self {
            Self::Sqlite(tx) => {
                let (sql, values) = statement.build_sqlx(SqliteQueryBuilder);
                sqlx::query_with(AssertSqlSafe(sql), values)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected()
            }
            Self::Postgres(tx) => {
                let (sql, values) = statement.build_sqlx(PostgresQueryBuilder);
                sqlx::query_with(AssertSqlSafe(sql), values)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected()
            }
        })
    }

    pub(crate) async fn fetch_all<T: Decode>(
        &mut self,
        statement: &(impl SqlxBinder + Sync),
    ) -> Result<Vec<T>, StoreError> {
        Ok(match self {
            Self::Sqlite(tx) => {
                let (sql, values) = statement.build_sqlx(SqliteQueryBuilder);
                sqlx::query_as_with(AssertSqlSafe(sql), values).fetch_all(&mut **tx).await?
            }
            Self::Postgres(tx) => {
                let (sql, values) = statement.build_sqlx(PostgresQueryBuilder);
                sqlx::query_as_with(AssertSqlSafe(sql), values).fetch_all(&mut **tx).await?
            }
        })
    }

    pub(crate) async fn fetch_optional<T: Decode>(
        &mut self,
        statement: &(impl SqlxBinder + Sync),
    ) -> Result<Option<T>, StoreError> {
        Ok(match self {
            Self::Sqlite(tx) => {
                let (sql, values) = statement.build_sqlx(SqliteQueryBuilder);
                sqlx::query_as_with(AssertSqlSafe(sql), values).fetch_optional(&mut **tx).await?
            }
            Self::Postgres(tx) => {
                let (sql, values) = statement.build_sqlx(PostgresQueryBuilder);
                sqlx::query_as_with(AssertSqlSafe(sql), values).fetch_optional(&mut **tx).await?
            }
        })
    }

    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(tx) => tx.commit().await,
            Self::Postgres(tx) => tx.commit().await,
        }
    }
}

//! Transactions: the raw one on either engine, and [`Transaction`], the unit of work a write use
//! case runs in.

use sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
use sea_query_sqlx::SqlxBinder;
use sqlx::AssertSqlSafe;

use super::executor::Decode;
use super::{Db, Engine};
use crate::StoreError;

/// One open transaction on either engine. Dropped without [`RawTransaction::commit`], it rolls
/// back.
#[derive(Debug)]
pub enum RawTransaction {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
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
            Self::Sqlite(pool) => RawTransaction::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Self::Postgres(pool) => RawTransaction::Postgres(pool.begin().await?),
        };
        Ok(Transaction { raw: tokio::sync::Mutex::new(raw), engine: self.engine() })
    }

    /// A transaction of the store's own (several statements of one store function).
    pub(crate) async fn begin_raw(&self) -> Result<RawTransaction, StoreError> {
        Ok(match self {
            Self::Sqlite(pool) => RawTransaction::Sqlite(pool.begin().await?),
            Self::Postgres(pool) => RawTransaction::Postgres(pool.begin().await?),
        })
    }
}

impl Transaction {
    /// Makes every statement of the unit durable, together.
    pub async fn commit(self) -> Result<(), StoreError> {
        self.raw.into_inner().commit().await
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
            Self::Sqlite(tx) => tx.commit().await?,
            Self::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

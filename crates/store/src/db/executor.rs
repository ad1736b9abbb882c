//! What a store function runs its statements on.
//!
//! Every store function takes `db: &impl Executor`, so the same function serves a read on the
//! pool ([`Db`]: each statement commits on its own) and a write inside a use case's
//! [`Transaction`] (the change, its audit events and its outbox mail commit together). A function
//! whose own statements must apply together asks for [`Run::atomic`]: on the pool that opens a
//! transaction of its own, inside a [`Transaction`] it is that transaction.

use std::future::Future;

use sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
use sea_query_sqlx::SqlxBinder;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, FromRow};

use super::{Db, Engine, RawTransaction, Transaction};
use crate::StoreError;

/// A row type both engines can decode.
pub trait Decode:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> Decode for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

/// The pool or an open transaction: what store functions take. Sealed: only [`Db`] and
/// [`Transaction`] are executors, and only this crate runs statements on them.
pub trait Executor: Run {}

impl Executor for Db {}
impl Executor for Transaction {}

/// The statements an [`Executor`] runs; crate-private in effect (the module is not exported).
pub trait Run: Sync {
    fn engine(&self) -> Engine;

    /// Runs a built statement; returns the number of rows it affected.
    fn execute(
        &self,
        statement: &(impl SqlxBinder + Sync),
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Runs a built query and maps every row to `T`.
    fn fetch_all<T: Decode>(
        &self,
        statement: &(impl SqlxBinder + Sync),
    ) -> impl Future<Output = Result<Vec<T>, StoreError>> + Send;

    /// Runs a built query and maps its first row, if any, to `T`.
    fn fetch_optional<T: Decode>(
        &self,
        statement: &(impl SqlxBinder + Sync),
    ) -> impl Future<Output = Result<Option<T>, StoreError>> + Send;

    /// Runs a built `SELECT COUNT(…)` and returns the count.
    fn count(
        &self,
        statement: &(impl SqlxBinder + Sync),
    ) -> impl Future<Output = Result<i64, StoreError>> + Send {
        async move { Ok(self.fetch_optional::<(i64,)>(statement).await?.map_or(0, |(n,)| n)) }
    }

    /// A scope whose statements apply all together or not at all.
    fn atomic(&self) -> impl Future<Output = Result<Atomic<'_>, StoreError>> + Send;

    /// Runs built statements all together or not at all; returns the rows they affected in
    /// total.
    fn execute_in_transaction(
        &self,
        statements: &[impl SqlxBinder + Sync],
    ) -> impl Future<Output = Result<u64, StoreError>> + Send {
        async move {
            let mut scope = self.atomic().await?;
            let mut affected = 0;
            for statement in statements {
                affected += scope.execute(statement).await?;
            }
            scope.commit().await?;
            Ok(affected)
        }
    }
}

impl Run for Db {
    fn engine(&self) -> Engine {
        Db::engine(self)
    }

    async fn execute(&self, statement: &(impl SqlxBinder + Sync)) -> Result<u64, StoreError> {
        Ok(match self {
            Self::Sqlite(pool) => {
                let (sql, values) = statement.build_sqlx(SqliteQueryBuilder);
                sqlx::query_with(AssertSqlSafe(sql), values).execute(pool).await?.rows_affected()
            }
            Self::Postgres(pool) => {
                let (sql, values) = statement.build_sqlx(PostgresQueryBuilder);
                sqlx::query_with(AssertSqlSafe(sql), values).execute(pool).await?.rows_affected()
            }
        })
    }

    async fn fetch_all<T: Decode>(
        &self,
        statement: &(impl SqlxBinder + Sync),
    ) -> Result<Vec<T>, StoreError> {
        Ok(match self {
            Self::Sqlite(pool) => {
                let (sql, values) = statement.build_sqlx(SqliteQueryBuilder);
                sqlx::query_as_with(AssertSqlSafe(sql), values).fetch_all(pool).await?
            }
            Self::Postgres(pool) => {
                let (sql, values) = statement.build_sqlx(PostgresQueryBuilder);
                sqlx::query_as_with(AssertSqlSafe(sql), values).fetch_all(pool).await?
            }
        })
    }

    async fn fetch_optional<T: Decode>(
        &self,
        statement: &(impl SqlxBinder + Sync),
    ) -> Result<Option<T>, StoreError> {
        Ok(match self {
            Self::Sqlite(pool) => {
                let (sql, values) = statement.build_sqlx(SqliteQueryBuilder);
                sqlx::query_as_with(AssertSqlSafe(sql), values).fetch_optional(pool).await?
            }
            Self::Postgres(pool) => {
                let (sql, values) = statement.build_sqlx(PostgresQueryBuilder);
                sqlx::query_as_with(AssertSqlSafe(sql), values).fetch_optional(pool).await?
            }
        })
    }

    async fn atomic(&self) -> Result<Atomic<'_>, StoreError> {
        Ok(Atomic::Own(self.begin_raw().await?))
    }
}

impl Run for Transaction {
    fn engine(&self) -> Engine {
        self.engine
    }

    async fn execute(&self, statement: &(impl SqlxBinder + Sync)) -> Result<u64, StoreError> {
        self.raw().await.execute(statement).await
    }

    async fn fetch_all<T: Decode>(
        &self,
        statement: &(impl SqlxBinder + Sync),
    ) -> Result<Vec<T>, StoreError> {
        self.raw().await.fetch_all(statement).await
    }

    async fn fetch_optional<T: Decode>(
        &self,
        statement: &(impl SqlxBinder + Sync),
    ) -> Result<Option<T>, StoreError> {
        self.raw().await.fetch_optional(statement).await
    }

    async fn atomic(&self) -> Result<Atomic<'_>, StoreError> {
        Ok(Atomic::Within(self))
    }
}

/// Statements that apply together: a transaction of their own, or the unit of work they run in
/// (which commits them with the rest of the action). Dropped without [`Atomic::commit`], its own
/// transaction rolls back; inside a unit of work the caller's error fails the whole action.
#[derive(Debug)]
pub enum Atomic<'a> {
    Own(RawTransaction),
    Within(&'a Transaction),
}

impl Atomic<'_> {
    pub(crate) async fn execute(
        &mut self,
        statement: &(impl SqlxBinder + Sync),
    ) -> Result<u64, StoreError> {
        match self {
            Self::Own(tx) => tx.execute(statement).await,
            Self::Within(work) => work.execute(statement).await,
        }
    }

    pub(crate) async fn fetch_optional<T: Decode>(
        &mut self,
        statement: &(impl SqlxBinder + Sync),
    ) -> Result<Option<T>, StoreError> {
        match self {
            Self::Own(tx) => tx.fetch_optional(statement).await,
            Self::Within(work) => work.fetch_optional(statement).await,
        }
    }

    /// Commits a transaction of its own; inside a unit of work, the unit's commit does it.
    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        match self {
            Self::Own(tx) => tx.commit().await,
            Self::Within(_) => Ok(()),
        }
    }
}

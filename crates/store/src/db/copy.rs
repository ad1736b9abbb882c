//! Whole-table copies, for backups and restores (`backup/`): the catalog, a consistent snapshot,
//! and rows read as engine-neutral cells.

use sea_query::PostgresQueryBuilder;
use sea_query::SqliteQueryBuilder;
use sea_query_sqlx::SqlxBinder;
use sqlx::AssertSqlSafe;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;

use super::transaction::Open;
use super::{Db, RawTransaction};
use crate::StoreError;
use crate::backup::cell::{Cell, Column, SqlType};

impl Db {
    /// Rampart's tables as the catalog lists them (not sqlx's own migration table).
    pub(crate) async fn table_names(&self) -> Result<Vec<String>, StoreError> {
        Ok(match self {
            Self::Sqlite(pool) => {
                sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' \
                     AND name NOT LIKE 'sqlite!_%' ESCAPE '!' AND name <> '_sqlx_migrations'",
                )
                .fetch_all(pool)
                .await?
            }
            Self::Postgres(pool) => {
                sqlx::query_scalar(
                    "SELECT tablename::text FROM pg_tables \
                     WHERE schemaname = 'public' AND tablename <> '_sqlx_migrations'",
                )
                .fetch_all(pool)
                .await?
            }
        })
    }

    /// A table's columns in their declared order, with their types.
    pub(crate) async fn table_columns(&self, table: &str) -> Result<Vec<Column>, StoreError> {
        let rows: Vec<(String, String)> = match self {
            Self::Sqlite(pool) => {
                sqlx::query_as("SELECT name, type FROM pragma_table_info(?1) ORDER BY cid")
                    .bind(table)
                    .fetch_all(pool)
                    .await?
            }
            Self::Postgres(pool) => {
                sqlx::query_as(
                    "SELECT column_name::text, udt_name::text FROM information_schema.columns \
                     WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
                )
                .bind(table)
                .fetch_all(pool)
                .await?
            }
        };
        let engine = self.engine();
        rows.into_iter()
            .map(|(name, sql_type)| {
                Ok(Column { name, sql_type: SqlType::parse(engine, &sql_type)? })
            })
            .collect()
    }

    /// The newest migration applied: a backup restores only into the same schema.
    pub(crate) async fn schema_version(&self) -> Result<i64, StoreError> {
        let sql = "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success";
        Ok(match self {
            Self::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await?,
            Self::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await?,
        })
    }

    /// A read-only transaction that sees the database as it was at its first read while writers
    /// carry on: SQLite's WAL gives a reader its own snapshot (no lock that stops writers);
    /// PostgreSQL's REPEATABLE READ gives one snapshot for every statement of the transaction.
    pub(crate) async fn begin_snapshot(&self) -> Result<RawTransaction, StoreError> {
        Ok(match self {
            Self::Sqlite(pool) => RawTransaction::Sqlite(Open::begin(pool, "BEGIN").await?),
            Self::Postgres(pool) => RawTransaction::Postgres(
                Open::begin(pool, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?,
            ),
        })
    }
}

impl RawTransaction {
    /// Runs a built `SELECT` of `columns` and streams its rows as cells, without holding the
    /// whole table in memory.
    pub(crate) fn stream_cells<'t>(
        &'t mut self,
        statement: &impl SqlxBinder,
        columns: &'t [Column],
    ) -> futures_util::stream::BoxStream<'t, Result<Vec<Cell>, StoreError>> {
        use futures_util::StreamExt;
        match self {
            Self::Sqlite(tx) => {
                let (sql, values) = statement.build_sqlx(SqliteQueryBuilder);
                sqlx::query_with(AssertSqlSafe(sql), values)
                    .fetch(&mut **tx)
                    .map(move |row| sqlite_cells(&row?, columns))
                    .boxed()
            }
            Self::Postgres(tx) => {
                let (sql, values) = statement.build_sqlx(PostgresQueryBuilder);
                sqlx::query_with(AssertSqlSafe(sql), values)
                    .fetch(&mut **tx)
                    .map(move |row| postgres_cells(&row?, columns))
                    .boxed()
            }
        }
    }

    /// A restore writes millions of rows into indexes keyed by random ids: SQLite's default page
    /// cache (2 MiB) would write every index page out again and again. For this transaction's
    /// connection only, the cache is `mebibytes` large ([`RawTransaction::reset_page_cache`] puts it
    /// back before the connection returns to the pool). PostgreSQL needs nothing of the kind.
    pub(crate) async fn enlarge_page_cache(&mut self, mebibytes: u32) -> Result<(), StoreError> {
        let Self::Sqlite(tx) = self else { return Ok(()) };
        let pragma = ["PRAGMA cache_size = -", &(mebibytes * 1024).to_string()].concat();
        sqlx::query(AssertSqlSafe(pragma)).execute(&mut **tx).await?;
        Ok(())
    }

    pub(crate) async fn reset_page_cache(&mut self) -> Result<(), StoreError> {
        let Self::Sqlite(tx) = self else { return Ok(()) };
        sqlx::query("PRAGMA cache_size = -2000").execute(&mut **tx).await?;
        Ok(())
    }

    /// After rows were written with their own ids: moves each PostgreSQL identity sequence past
    /// the highest id, so the next insert does not collide. SQLite's AUTOINCREMENT keeps track
    /// by itself.
    pub(crate) async fn reset_identity_sequences(&mut self) -> Result<(), StoreError> {
        let Self::Postgres(tx) = self else { return Ok(()) };
        let identities: Vec<(String, String)> = sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND is_identity = 'YES'",
        )
        .fetch_all(&mut **tx)
        .await?;
        for (table, column) in identities {
            let max = sea_query::Query::select()
                .expr(sea_query::Func::max(sea_query::Expr::col(sea_query::Alias::new(&column))))
                .from(sea_query::Alias::new(&table))
                .to_owned();
            let (sql, values) = max.build_sqlx(PostgresQueryBuilder);
            let highest: Option<i64> =
                sqlx::query_scalar_with(AssertSqlSafe(sql), values).fetch_one(&mut **tx).await?;
            sqlx::query("SELECT setval(pg_get_serial_sequence($1, $2), $3, $4)")
                .bind(["public.", table.as_str()].concat())
                .bind(&column)
                .bind(highest.unwrap_or(1))
                .bind(highest.is_some())
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }
}

fn sqlite_cells(row: &SqliteRow, columns: &[Column]) -> Result<Vec<Cell>, StoreError> {
    use sqlx::Row;
    let mut cells = Vec::with_capacity(columns.len());
    for (i, column) in columns.iter().enumerate() {
        let cell = match column.sql_type {
            SqlType::SqliteInteger => row.try_get::<Option<i64>, _>(i)?.map(Cell::Integer),
            SqlType::SqliteReal => row.try_get::<Option<f64>, _>(i)?.map(Cell::Real),
            SqlType::SqliteText => row.try_get::<Option<String>, _>(i)?.map(Cell::Text),
            SqlType::SqliteBlob => row.try_get::<Option<Vec<u8>>, _>(i)?.map(Cell::Bytes),
            _ => return Err(StoreError::Invalid("a PostgreSQL type in a SQLite table")),
        };
        cells.push(cell.unwrap_or(Cell::Null));
    }
    Ok(cells)
}

fn postgres_cells(row: &PgRow, columns: &[Column]) -> Result<Vec<Cell>, StoreError> {
    use sqlx::Row;
    let mut cells = Vec::with_capacity(columns.len());
    for (i, column) in columns.iter().enumerate() {
        let cell = match column.sql_type {
            SqlType::Int2 => row.try_get::<Option<i16>, _>(i)?.map(|v| Cell::Integer(v.into())),
            SqlType::Int4 => row.try_get::<Option<i32>, _>(i)?.map(|v| Cell::Integer(v.into())),
            SqlType::Int8 => row.try_get::<Option<i64>, _>(i)?.map(Cell::Integer),
            SqlType::Float8 => row.try_get::<Option<f64>, _>(i)?.map(Cell::Real),
            SqlType::Text => row.try_get::<Option<String>, _>(i)?.map(Cell::Text),
            SqlType::Bytea => row.try_get::<Option<Vec<u8>>, _>(i)?.map(Cell::Bytes),
            SqlType::Bool => row.try_get::<Option<bool>, _>(i)?.map(Cell::Bool),
            SqlType::Uuid => row.try_get::<Option<uuid::Uuid>, _>(i)?.map(Cell::Uuid),
            SqlType::Timestamptz => {
                row.try_get::<Option<time::OffsetDateTime>, _>(i)?.map(Cell::Time)
            }
            SqlType::Json => {
                row.try_get::<Option<serde_json::Value>, _>(i)?.map(|v| Cell::Json(v.to_string()))
            }
            _ => return Err(StoreError::Invalid("a SQLite type in a PostgreSQL table")),
        };
        cells.push(cell.unwrap_or(Cell::Null));
    }
    Ok(cells)
}

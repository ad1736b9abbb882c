#![allow(clippy::disallowed_methods)] // The one audited place where SQL text becomes a query.
//! The database handle, and the one audited place where SQL text becomes a query.
//!
//! Every dynamic statement in Rampart is a sea-query builder; the functions here render it for the
//! engine in use and bind its values. `AssertSqlSafe` appears in this file and nowhere else (clippy's
//! `disallowed-methods` and the before-stop hook keep it that way).

use std::str::FromStr;
use std::time::Duration;

use sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
use sea_query_sqlx::SqlxBinder;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, FromRow};

use crate::StoreError;
use crate::backup::cell::{Cell, Column, SqlType};

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

/// Connection-pool settings (the `database.*` section of the configuration).
#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// How long SQLite waits for a lock held by another connection before giving up.
    pub busy_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(5),
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// A pool of connections to the one database, on either engine. Cheap to clone.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Db {
    /// Connects to `url`: `sqlite:PATH` (created if missing; WAL, foreign keys, busy timeout) or
    /// `postgres://…` (TLS with `sslmode=verify-full&sslrootcert=CA.pem`).
    pub async fn connect(url: &str, settings: &PoolSettings) -> Result<Self, StoreError> {
        match Engine::of_url(url)? {
            Engine::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)
                    .map_err(|_| StoreError::BadUrl("not a valid sqlite: URL"))?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(settings.busy_timeout)
                    // Sorts and temporary tables in memory, never in /var/tmp or /tmp: the
                    // sandbox of `serve` leaves only the database's own directory writable.
                    .pragma("temp_store", "memory");
                let pool = SqlitePoolOptions::new()
                    .max_connections(settings.max_connections)
                    .acquire_timeout(settings.acquire_timeout)
                    .connect_with(options)
                    .await
                    .map_err(StoreError::Unavailable)?;
                Ok(Self::Sqlite(pool))
            }
            Engine::Postgres => {
                let options = PgConnectOptions::from_str(url)
                    .map_err(|_| StoreError::BadUrl("not a valid postgres:// URL"))?;
                let pool = PgPoolOptions::new()
                    .max_connections(settings.max_connections)
                    .acquire_timeout(settings.acquire_timeout)
                    .connect_with(options)
                    .await
                    .map_err(StoreError::Unavailable)?;
                Ok(Self::Postgres(pool))
            }
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Self::Sqlite(_) => Engine::Sqlite,
            Self::Postgres(_) => Engine::Postgres,
        }
    }

    /// Applies the migrations of `migrations/<engine>/` that have not run yet.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(pool) => sqlx::migrate!("../../migrations/sqlite").run(pool).await,
            Self::Postgres(pool) => sqlx::migrate!("../../migrations/postgres").run(pool).await,
        }
        .map_err(StoreError::Migrate)
    }

    /// Succeeds when the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
            Self::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
        }
        .map_err(StoreError::Unavailable)
    }

    /// Closes every connection; later queries fail with [`StoreError::Unavailable`].
    pub async fn close(&self) {
        match self {
            Self::Sqlite(pool) => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }

    /// Runs a built statement; returns the number of rows it affected.
    pub(crate) async fn execute(&self, statement: &impl SqlxBinder) -> Result<u64, StoreError> {
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

    /// Runs built statements in one transaction; returns the rows they affected in total. On any
    /// error nothing is applied.
    pub(crate) async fn execute_in_transaction(
        &self,
        statements: &[impl SqlxBinder],
    ) -> Result<u64, StoreError> {
        let mut affected = 0;
        match self {
            Self::Sqlite(pool) => {
                let mut tx = pool.begin().await?;
                for statement in statements {
                    let (sql, values) = statement.build_sqlx(SqliteQueryBuilder);
                    affected += sqlx::query_with(AssertSqlSafe(sql), values)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                }
                tx.commit().await?;
            }
            Self::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                for statement in statements {
                    let (sql, values) = statement.build_sqlx(PostgresQueryBuilder);
                    affected += sqlx::query_with(AssertSqlSafe(sql), values)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                }
                tx.commit().await?;
            }
        }
        Ok(affected)
    }

    /// Runs a built query and maps every row to `T`.
    pub(crate) async fn fetch_all<T>(
        &self,
        statement: &impl SqlxBinder,
    ) -> Result<Vec<T>, StoreError>
    where
        T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
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

    /// Runs a built `SELECT COUNT(…)` and returns the count.
    pub(crate) async fn count(&self, statement: &impl SqlxBinder) -> Result<i64, StoreError> {
        Ok(self.fetch_optional::<(i64,)>(statement).await?.map_or(0, |(count,)| count))
    }

    /// Runs a built query and maps its first row, if any, to `T`.
    pub(crate) async fn fetch_optional<T>(
        &self,
        statement: &impl SqlxBinder,
    ) -> Result<Option<T>, StoreError>
    where
        T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
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
}

/// One open transaction on either engine, for a read-then-write that must be atomic (the audit
/// chain's append). Dropped without [`Transaction::commit`], it rolls back.
///
/// On SQLite, make the first statement a write: it takes the database's write lock at once, so
/// two writers queue on the busy timeout instead of deadlocking on a lock upgrade.
#[derive(Debug)]
pub(crate) enum Transaction {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Db {
    pub(crate) async fn begin(&self) -> Result<Transaction, StoreError> {
        Ok(match self {
            Self::Sqlite(pool) => Transaction::Sqlite(pool.begin().await?),
            Self::Postgres(pool) => Transaction::Postgres(pool.begin().await?),
        })
    }
}

impl Transaction {
    pub(crate) async fn execute(&mut self, statement: &impl SqlxBinder) -> Result<u64, StoreError> {
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

    pub(crate) async fn fetch_optional<T>(
        &mut self,
        statement: &impl SqlxBinder,
    ) -> Result<Option<T>, StoreError>
    where
        T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
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

// Whole-table copies, for backups and restores (`backup/`): the catalog, a consistent snapshot,
// and rows read as engine-neutral cells.

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
    pub(crate) async fn begin_snapshot(&self) -> Result<Transaction, StoreError> {
        Ok(match self {
            Self::Sqlite(pool) => Transaction::Sqlite(pool.begin().await?),
            Self::Postgres(pool) => Transaction::Postgres(
                pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?,
            ),
        })
    }
}

impl Transaction {
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
    /// connection only, the cache is `mebibytes` large ([`Transaction::reset_page_cache`] puts it
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

/// PostgreSQL least privilege: the statements that make `migration_role` own the schema and
/// Rampart's tables, and give `runtime_role` only SELECT, INSERT, UPDATE and DELETE on them (no
/// CREATE, ALTER, DROP or TRUNCATE), now and for the tables later migrations add. Roles are made
/// (LOGIN, no password: set one, or use certificates) when missing. DDL cannot take bound
/// parameters, so each name is checked to be `[a-z_][a-z0-9_]*` before it is quoted; the table
/// names come from the catalog and are quoted too.
pub async fn least_privilege_statements(
    db: &Db,
    migration_role: &str,
    runtime_role: &str,
) -> Result<Vec<String>, StoreError> {
    let Db::Postgres(pool) = db else {
        return Err(StoreError::BadUrl("database roles are a PostgreSQL feature"));
    };
    for name in [migration_role, runtime_role] {
        let valid = name.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
            && name.len() <= 63
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid {
            return Err(StoreError::BadUrl("role names are [a-z_][a-z0-9_]*, at most 63 bytes"));
        }
    }
    if migration_role == runtime_role {
        return Err(StoreError::BadUrl("the migration and runtime roles must differ"));
    }
    let existing: Vec<(String,)> =
        sqlx::query_as("SELECT rolname FROM pg_roles WHERE rolname = $1 OR rolname = $2")
            .bind(migration_role)
            .bind(runtime_role)
            .fetch_all(pool)
            .await?;
    let tables: Vec<(String,)> =
        sqlx::query_as("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
            .fetch_all(pool)
            .await?;
    let (mig, app) = (format!("\"{migration_role}\""), format!("\"{runtime_role}\""));
    let mut statements = Vec::new();
    for (name, quoted) in [(migration_role, &mig), (runtime_role, &app)] {
        if !existing.iter().any(|(role,)| role == name) {
            statements.push(format!("CREATE ROLE {quoted} LOGIN"));
        }
    }
    statements.push("REVOKE CREATE ON SCHEMA public FROM PUBLIC".to_owned());
    statements.push(format!("GRANT USAGE, CREATE ON SCHEMA public TO {mig}"));
    for (table,) in &tables {
        let table = table.replace('"', "\"\"");
        statements.push(format!("ALTER TABLE public.\"{table}\" OWNER TO {mig}"));
    }
    statements.push(format!("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {app}"));
    statements.push(format!("GRANT USAGE ON SCHEMA public TO {app}"));
    statements.push(format!(
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}"
    ));
    statements.push(format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}"));
    if tables.iter().any(|(table,)| table == "_sqlx_migrations") {
        // Which migrations ran is the migration role's business alone.
        statements.push(format!("REVOKE ALL ON public._sqlx_migrations FROM {app}"));
    }
    statements.push(format!(
        "ALTER DEFAULT PRIVILEGES FOR ROLE {mig} IN SCHEMA public \
         GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}"
    ));
    statements.push(format!(
        "ALTER DEFAULT PRIVILEGES FOR ROLE {mig} IN SCHEMA public \
         GRANT USAGE, SELECT ON SEQUENCES TO {app}"
    ));
    Ok(statements)
}

/// What the role this pool connects as may do to the schema (`rampart doctor`): the runtime role
/// made by [`least_privilege_statements`] is no superuser, cannot CREATE in `public` or in the
/// database, and owns no table (an owner may ALTER, DROP or TRUNCATE it).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SchemaRights {
    pub role: String,
    pub superuser: bool,
    pub create_in_schema: bool,
    pub create_in_database: bool,
    pub tables_owned: i64,
}

impl SchemaRights {
    /// Whether the role can change the schema at all.
    pub fn can_change_schema(&self) -> bool {
        self.superuser || self.create_in_schema || self.create_in_database || self.tables_owned > 0
    }
}

/// The connected role's [`SchemaRights`]; `None` on SQLite, which has no roles.
pub async fn schema_rights(db: &Db) -> Result<Option<SchemaRights>, StoreError> {
    let Db::Postgres(pool) = db else { return Ok(None) };
    let rights = sqlx::query_as(
        "SELECT current_user::text AS role, r.rolsuper AS superuser, \
         has_schema_privilege('public', 'CREATE') AS create_in_schema, \
         has_database_privilege(current_database(), 'CREATE') AS create_in_database, \
         (SELECT count(*) FROM pg_tables t WHERE t.schemaname = 'public' \
          AND t.tableowner = current_user) AS tables_owned \
         FROM pg_roles r WHERE r.rolname = current_user",
    )
    .fetch_optional(pool)
    .await?;
    Ok(rights)
}

/// Runs [`least_privilege_statements`] in one transaction.
pub async fn apply_statements(db: &Db, statements: &[String]) -> Result<(), StoreError> {
    let Db::Postgres(pool) = db else {
        return Err(StoreError::BadUrl("database roles are a PostgreSQL feature"));
    };
    let mut tx = pool.begin().await?;
    for statement in statements {
        sqlx::query(AssertSqlSafe(statement.clone())).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Test support: creates an empty PostgreSQL database named `name` on the server of `admin_url`.
/// DDL cannot take bound parameters, so the name is checked to be `[a-z0-9_]` before it is quoted.
#[cfg(feature = "testing")]
pub(crate) async fn create_postgres_database(
    admin_url: &str,
    name: &str,
) -> Result<(), StoreError> {
    use sqlx::Connection;

    if name.is_empty()
        || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(StoreError::BadUrl("test database names are [a-z0-9_]"));
    }
    let mut connection =
        sqlx::PgConnection::connect(admin_url).await.map_err(StoreError::Unavailable)?;
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut connection)
        .await?;
    connection.close().await?;
    Ok(())
}

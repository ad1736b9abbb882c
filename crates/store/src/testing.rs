//! A fresh database per test, on either engine.
//!
//! SQLite tests get a file in a temporary directory. PostgreSQL tests get a new database on the
//! server named by `RAMPART_TEST_DATABASE_URL`; `scripts/test` sets it (and `.ci/run` always does),
//! drops the test databases afterwards, and filters the PostgreSQL variants out when it is unset.
//! A PostgreSQL test run without the variable fails instead of passing silently.

use tempfile::TempDir;
use url::Url;

use crate::db::create_postgres_database;

/// The variable that names the PostgreSQL server for tests, e.g. `postgres://postgres@127.0.0.1/test`.
pub const TEST_DATABASE_URL_VAR: &str = "RAMPART_TEST_DATABASE_URL";

/// Test databases are named with this prefix so that `scripts/test` can drop them afterwards.
pub const TEST_DATABASE_PREFIX: &str = "rampart_t_";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestEngine {
    Sqlite,
    Postgres,
}

/// An empty database that lives as long as this value (the SQLite file is deleted on drop).
#[derive(Debug)]
pub struct TestDatabase {
    pub url: String,
    _dir: Option<TempDir>,
}

impl TestDatabase {
    /// Creates an empty database on `engine`.
    ///
    /// # Panics
    /// When the database cannot be created: this is test support, and a test without its
    /// database must fail loudly.
    #[allow(clippy::panic, clippy::expect_used)]
    pub async fn create(engine: TestEngine) -> Self {
        match engine {
            TestEngine::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite:{}", dir.path().join("rampart.db").display());
                Self { url, _dir: Some(dir) }
            }
            TestEngine::Postgres => {
                let admin_url = std::env::var(TEST_DATABASE_URL_VAR).unwrap_or_else(|_| {
                    panic!(
                        "{TEST_DATABASE_URL_VAR} is not set: run scripts/test, which sets it when \
                         PostgreSQL is reachable and otherwise filters PostgreSQL tests out"
                    )
                });
                let name = format!("{TEST_DATABASE_PREFIX}{}", uuid::Uuid::new_v4().simple());
                create_postgres_database(&admin_url, &name)
                    .await
                    .expect("create a PostgreSQL test database");
                let mut url = Url::parse(&admin_url).expect("a valid PostgreSQL URL");
                url.set_path(&name);
                Self { url: url.to_string(), _dir: None }
            }
        }
    }
}

/// Runs SQL text inside a unit of work: a test's probe (a deferred constraint, a trigger), never
/// the store's own way to a statement.
pub async fn execute_raw(
    unit: &crate::Transaction,
    sql: &'static str,
) -> Result<(), crate::StoreError> {
    unit.execute_text(sql).await
}

/// Declares, for each `async fn name(engine: TestEngine)`, two tests: `name::sqlite` and
/// `name::postgres`.
#[macro_export]
macro_rules! on_both_engines {
    ($($test:ident),+ $(,)?) => {$(
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$test($crate::testing::TestEngine::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$test($crate::testing::TestEngine::Postgres).await
            }
        }
    )+};
}

/// Declares, for each `async fn name(engine: TestEngine)`, its PostgreSQL test `name::postgres`
/// only: what needs several instances on one database (SQLite serves one instance a file).
#[macro_export]
macro_rules! on_postgres {
    ($($test:ident),+ $(,)?) => {$(
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$test($crate::testing::TestEngine::Postgres).await
            }
        }
    )+};
}

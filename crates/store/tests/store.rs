//! Store behaviour on both engines, each test in its own fresh database.

#![allow(clippy::unwrap_used, clippy::disallowed_methods)] // Tests unwrap, and inspect the raw database.

use rampart_store::installation::{InstallationRecord, claim_installation, find_installation};
use rampart_store::testing::{TestDatabase, TestEngine, execute_raw};
use rampart_store::{Db, Engine, PoolSettings, StoreError, on_both_engines};
use time::OffsetDateTime;
use uuid::Uuid;

async fn migrated(engine: TestEngine) -> (TestDatabase, Db) {
    let database = TestDatabase::create(engine).await;
    let db = Db::connect(&database.url, &PoolSettings::default()).await.unwrap();
    db.migrate().await.unwrap();
    (database, db)
}

fn record() -> InstallationRecord {
    // Whole seconds: both engines keep at least microseconds, and the test compares for equality.
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    InstallationRecord { installation_id: Uuid::new_v4(), created_at: now }
}

async fn a_fresh_database_has_no_installation_until_claimed(engine: TestEngine) {
    let (_database, db) = migrated(engine).await;
    assert_eq!(find_installation(&db).await.unwrap(), None);

    let first = record();
    assert_eq!(claim_installation(&db, &first).await.unwrap(), first);

    assert_eq!(find_installation(&db).await.unwrap(), Some(first));
}

async fn the_first_claim_wins_and_later_claims_read_it(engine: TestEngine) {
    let (_database, db) = migrated(engine).await;
    let first = record();
    claim_installation(&db, &first).await.unwrap();

    let second = claim_installation(&db, &record()).await.unwrap();

    assert_eq!(second, first);
}

async fn migrations_run_twice_without_harm(engine: TestEngine) {
    let (_database, db) = migrated(engine).await;
    db.migrate().await.unwrap();
    db.ping().await.unwrap();
}

async fn a_closed_pool_reports_the_database_unavailable(engine: TestEngine) {
    let (_database, db) = migrated(engine).await;
    db.close().await;
    assert!(matches!(db.ping().await, Err(StoreError::Unavailable(_))));
}

async fn the_engine_follows_the_url(engine: TestEngine) {
    let (_database, db) = migrated(engine).await;
    let expected = match engine {
        TestEngine::Sqlite => Engine::Sqlite,
        TestEngine::Postgres => Engine::Postgres,
    };
    assert_eq!(db.engine(), expected);
}

/// A client that failed long ago and never came back leaves no rows: any failure prunes every
/// client's failures older than the window, and the counts only see the window.
async fn failed_sign_ins_older_than_the_window_are_forgotten_for_every_client(engine: TestEngine) {
    use rampart_store::sign_in_throttle::{count_failing_clients_and_addresses, count_ip_failure};
    let (_database, db) = migrated(engine).await;
    let then = OffsetDateTime::now_utc() - time::Duration::hours(1);
    let now = OffsetDateTime::now_utc();
    let window = time::Duration::minutes(10);
    count_ip_failure(&db, "192.0.2.1", b"address-a", then, then - window).await.unwrap();
    count_ip_failure(&db, "192.0.2.1", b"address-b", then, then - window).await.unwrap();

    let from_other =
        count_ip_failure(&db, "198.51.100.7", b"address-c", now, now - window).await.unwrap();

    assert_eq!(from_other, 1);
    let (clients, addresses) =
        count_failing_clients_and_addresses(&db, then - window).await.unwrap();
    assert_eq!((clients, addresses), (1, 1), "the old client's rows are gone");
}

/// `rampart doctor`'s view of single-use links: only unused, unexpired ones are open.
async fn only_unused_unexpired_links_are_open(engine: TestEngine) {
    use rampart_store::one_time_tokens::{
        TokenPurpose, insert_one_time_token, list_open_one_time_tokens, use_one_time_token,
    };
    let (_database, db) = migrated(engine).await;
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let (hour, minute) = (time::Duration::hours(1), time::Duration::minutes(1));
    let purpose = TokenPurpose::Bootstrap;
    insert_one_time_token(&db, b"expired", purpose, None, now - hour, now - minute).await.unwrap();
    insert_one_time_token(&db, b"used", purpose, None, now, now + hour).await.unwrap();
    use_one_time_token(&db, b"used", purpose, now).await.unwrap().unwrap();
    insert_one_time_token(&db, b"reset", TokenPurpose::PasswordReset, None, now, now + hour)
        .await
        .unwrap();
    assert!(list_open_one_time_tokens(&db, purpose, now).await.unwrap().is_empty());

    insert_one_time_token(&db, b"open", purpose, None, now, now + minute).await.unwrap();

    assert_eq!(list_open_one_time_tokens(&db, purpose, now).await.unwrap(), vec![now + minute]);
}

/// SQLite has no roles; on PostgreSQL the test server's superuser can change anything.
async fn schema_rights_are_those_of_the_connected_role(engine: TestEngine) {
    let (_database, db) = migrated(engine).await;

    let rights = rampart_store::schema_rights(&db).await.unwrap();

    match engine {
        TestEngine::Sqlite => assert_eq!(rights, None),
        TestEngine::Postgres => {
            let rights = rights.unwrap();
            assert!(rights.superuser && rights.can_change_schema(), "{rights:?}");
        }
    }
}

on_both_engines!(
    only_unused_unexpired_links_are_open,
    schema_rights_are_those_of_the_connected_role,
    failed_sign_ins_older_than_the_window_are_forgotten_for_every_client,
    a_fresh_database_has_no_installation_until_claimed,
    the_first_claim_wins_and_later_claims_read_it,
    migrations_run_twice_without_harm,
    a_closed_pool_reports_the_database_unavailable,
    the_engine_follows_the_url,
);

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_foreign_keys() {
    let (_database, db) = migrated(TestEngine::Sqlite).await;
    let Db::Sqlite(pool) = &db else { unreachable!() };
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(pool).await.unwrap();
    let fks: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(pool).await.unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(fks, 1);
}

#[tokio::test]
async fn the_write_ahead_log_is_truncated_to_nothing() {
    let (database, db) = migrated(TestEngine::Sqlite).await;
    let path = database.url.strip_prefix("sqlite:").unwrap().to_owned();
    let wal = std::path::PathBuf::from(format!("{path}-wal"));
    for _ in 0..200 {
        claim_installation(&db, &record()).await.unwrap();
    }
    assert!(std::fs::metadata(&wal).unwrap().len() > 0, "the writes went through the WAL");

    db.truncate_wal().await.unwrap();

    assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0, "the WAL kept its size");
    assert!(find_installation(&db).await.unwrap().is_some(), "and nothing was lost");
}

/// A unit of work whose COMMIT fails does not hand its connection back to the pool: whatever
/// state the failure left it in (on SQLite, a full disk can leave it inside a transaction that
/// will never commit), the next unit gets a fresh connection. Seen through a temporary table,
/// which lives exactly as long as its connection. (SQLite's own case, a real full disk, is
/// `faults::a_full_disk_loses_no_acknowledged_write_and_recovers_without_a_restart`.)
#[tokio::test]
async fn a_connection_whose_commit_failed_is_discarded() {
    let database = TestDatabase::create(TestEngine::Postgres).await;
    let one = PoolSettings { max_connections: 1, ..PoolSettings::default() };
    let db = Db::connect(&database.url, &one).await.unwrap();
    db.migrate().await.unwrap();
    // A deferred constraint fails at COMMIT, after every statement went through.
    run(
        &db,
        "CREATE TABLE commit_probe (id BIGINT PRIMARY KEY, parent BIGINT \
         REFERENCES commit_probe(id) DEFERRABLE INITIALLY DEFERRED)",
    )
    .await;
    let unit = db.begin().await.unwrap();
    execute_raw(&unit, "CREATE TEMPORARY TABLE this_connection (x INT)").await.unwrap();
    unit.commit().await.unwrap();
    let unit = db.begin().await.unwrap();
    execute_raw(&unit, "SELECT * FROM this_connection").await.unwrap();
    unit.commit().await.unwrap();

    let unit = db.begin().await.unwrap();
    execute_raw(&unit, "INSERT INTO commit_probe VALUES (1, 999)").await.unwrap();
    assert!(unit.commit().await.is_err(), "the dangling reference fails the commit");

    let unit = db.begin().await.unwrap();
    assert!(
        execute_raw(&unit, "SELECT * FROM this_connection").await.is_err(),
        "the connection whose commit failed came back from the pool"
    );
}

async fn run(db: &Db, sql: &'static str) {
    match db {
        Db::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(drop),
        Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(drop),
    }
    .unwrap();
}

#[test]
fn an_unknown_scheme_is_refused_without_echoing_the_url() {
    let error = Engine::of_url("mysql://root:hunter2@db/x").unwrap_err();
    assert!(!error.to_string().contains("hunter2"));
}

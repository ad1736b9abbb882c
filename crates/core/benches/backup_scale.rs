//! Backup and restore at scale: an installation holding RECORDS records (1,000,000 by default)
//! is backed up (snapshot → JSON lines → age → file, with its manifest) and the backup restored
//! into a fresh database of the same engine (with the key check and the audit chain
//! verification a restore always does). The reference, measured in the same run: copying the
//! database's own files (SQLite: the file and its WAL) — what a backup without consistency,
//! encryption or portability would cost.
//!
//! `cargo bench -p rampart-http --bench backup_scale` (scripts/bench runs it). Env: RECORDS,
//! ENGINES (`sqlite`; add `postgres` with RAMPART_TEST_DATABASE_URL set; the copy reference is
//! SQLite's only).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, unreachable_pub)]

use std::time::Instant;

use figment::Figment;
use rampart_core::backup::{create_backup, restore_backup};
use rampart_crypto::{BackupIdentities, MasterKey};
use rampart_store::testing::{TestDatabase, TestEngine};
use rampart_store::{Db, PoolSettings};

#[path = "support/seed.rs"]
mod seed;

async fn bench(engine: TestEngine, records: usize) {
    let home = tempfile::tempdir().unwrap();
    let data_dir = home.path().join("data");
    let source = TestDatabase::create(engine).await;
    let (identity, recipient) = BackupIdentities::generate();
    let mut figment = Figment::new()
        .merge(("server.listen", "127.0.0.1:0"))
        .merge(("storage.data_dir", &data_dir))
        .merge(("log.level", "warn"))
        .merge(("backup.recipients", vec![recipient]));
    if engine == TestEngine::Postgres {
        figment = figment.merge(("database.url", &source.url));
    }
    let settings = rampart_core::config::load_with_overrides(None, figment).unwrap();
    let clock = std::sync::Arc::new(rampart_domain::SystemClock);
    let random = std::sync::Arc::new(rampart_crypto::OsRandom);
    let state = rampart_core::boot::open(settings, clock, random).await.unwrap().state;
    let name = match engine {
        TestEngine::Sqlite => "sqlite",
        TestEngine::Postgres => "postgres",
    };

    let started = Instant::now();
    seed::seed(&state.db, &state.keyring.current(), records).await;
    println!("{name}: seeded {records} records in {:.1} s", started.elapsed().as_secs_f64());

    let reference = (engine == TestEngine::Sqlite).then(|| {
        let copies = home.path().join("copy");
        std::fs::create_dir(&copies).unwrap();
        let started = Instant::now();
        let mut bytes = 0;
        for file in ["rampart.db", "rampart.db-wal"] {
            if data_dir.join(file).exists() {
                bytes += std::fs::copy(data_dir.join(file), copies.join(file)).unwrap();
            }
        }
        (started.elapsed().as_secs_f64(), bytes)
    });

    let backup = create_backup(&state).await.unwrap();
    let backup_seconds = backup.seconds;

    let target = TestDatabase::create(engine).await;
    let db = Db::connect(&target.url, &PoolSettings::default()).await.unwrap();
    db.migrate().await.unwrap();
    let master =
        MasterKey::from_bytes(&std::fs::read(data_dir.join("master.key")).unwrap()).unwrap();
    let started = Instant::now();
    let restored =
        restore_backup(&db, &master, &backup.path, BackupIdentities::parse(&identity).unwrap())
            .await
            .unwrap();
    let restore_seconds = started.elapsed().as_secs_f64();
    assert_eq!(restored.rows, backup.manifest.row_count);

    let size_mb = backup.manifest.size_bytes as f64 / 1e6;
    match reference {
        Some((copy_seconds, copy_bytes)) => println!(
            "{name}: records={records} rows={} backup {backup_seconds:.1} s ({size_mb:.0} MB, \
             {:.1}x the file copy), restore {restore_seconds:.1} s ({:.1}x the file copy); \
             file copy {copy_seconds:.2} s ({:.0} MB)",
            backup.manifest.row_count,
            backup_seconds / copy_seconds,
            restore_seconds / copy_seconds,
            copy_bytes as f64 / 1e6,
        ),
        None => println!(
            "{name}: records={records} rows={} backup {backup_seconds:.1} s ({size_mb:.0} MB), \
             restore {restore_seconds:.1} s",
            backup.manifest.row_count,
        ),
    }
    db.close().await;
}

fn main() {
    let records = std::env::var("RECORDS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let engines = std::env::var("ENGINES").unwrap_or_else(|_| "sqlite".into());
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    for engine in engines.split(',') {
        let engine = match engine.trim() {
            "sqlite" => TestEngine::Sqlite,
            "postgres" => TestEngine::Postgres,
            other => panic!("ENGINES: unknown engine {other}"),
        };
        runtime.block_on(bench(engine, records));
    }
}

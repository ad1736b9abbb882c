//! Backups and restores: a backup is a consistent copy taken while people keep writing,
//! encrypted so that only its identity opens it, restored into a fresh database of either engine
//! with everything readable again; what cannot be trusted is refused and leaves nothing behind.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rampart_core::backup::{
    BackupError, check_backup_age, create_backup, drill_restore, list_backups, manifest_path,
    restore_backup, run_scheduled_backup,
};
use rampart_crypto::{BackupIdentities, MasterKey};
use rampart_domain::ManualClock;
use rampart_store::testing::{TestDatabase, TestEngine};
use rampart_store::{Db, PoolSettings, on_both_engines};
use serde_json::{Value, json};
use time::macros::datetime;

use crate::business::{Business, business_options, customer_fields};
use crate::factors::{alert_raised, audited};
use crate::helpers::{TestApp, TestOptions, spawn_app_with};

/// The demo business with backups configured to a fresh key pair: (business, identity file text).
pub(crate) async fn backed_up_business(
    engine: TestEngine,
    clock: Option<ManualClock>,
) -> (Business, String) {
    let (identity, recipient) = BackupIdentities::generate();
    let extra = vec![("backup.recipients", toml::Value::Array(vec![recipient.into()]))];
    (business_options(engine, extra, clock).await, identity)
}

fn identities(text: &str) -> BackupIdentities {
    BackupIdentities::parse(text).unwrap()
}

fn master_key_of(app: &TestApp) -> MasterKey {
    MasterKey::from_bytes(&std::fs::read(app.data_dir.join("master.key")).unwrap()).unwrap()
}

/// A fresh, migrated database on `engine`.
async fn fresh_database(engine: TestEngine) -> (TestDatabase, Db) {
    let database = TestDatabase::create(engine).await;
    let db = Db::connect(&database.url, &PoolSettings::default()).await.unwrap();
    db.migrate().await.unwrap();
    (database, db)
}

/// A server on a restored database, with the source's master key.
async fn serve_restored(source: &TestApp, engine: TestEngine, database: &TestDatabase) -> TestApp {
    let key = std::fs::read(source.data_dir.join("master.key")).unwrap();
    let options = TestOptions {
        shared_database_url: Some(database.url.clone()),
        overrides: vec![
            ("storage.master_key", hex::encode(key).into()),
            ("mfa.required_roles", toml::Value::Array(Vec::new())),
        ],
        ..TestOptions::default()
    };
    spawn_app_with(engine, options).await
}

async fn customers_seen_by(app: &TestApp, token: &str) -> Value {
    let response = app.get_with("/api/collections/customers/records?limit=100", token).await;
    assert_eq!(response.status(), 200);
    let mut body: Value = response.json().await.unwrap();
    body.as_object_mut().unwrap().remove("next_cursor");
    for record in body["records"].as_array_mut().unwrap() {
        for key in ["created_at", "updated_at"] {
            record[key] = to_micros(&record[key]);
        }
    }
    body
}

/// PostgreSQL keeps times to the microsecond, SQLite to the nanosecond: a move from SQLite to
/// PostgreSQL keeps every time to the microsecond.
fn to_micros(time: &Value) -> Value {
    use time::format_description::well_known::Rfc3339;
    let parsed = time::OffsetDateTime::parse(time.as_str().unwrap(), &Rfc3339).unwrap();
    let micros = parsed.replace_nanosecond(parsed.microsecond() * 1000).unwrap();
    Value::String(micros.format(&Rfc3339).unwrap())
}

async fn restores_into(source_engine: TestEngine, target_engine: TestEngine) {
    let (business, identity) = backed_up_business(source_engine, None).await;
    business.record("customers", Some("sales"), None, customer_fields("Restored Ltd")).await;
    let (_, owner) =
        business.signed_in_as("boss@restore.test", &[rampart_domain::BuiltInRole::Owner]).await;
    let before = customers_seen_by(&business.app, &owner).await;
    assert!(before.to_string().contains("2 Side Street"), "the owner sees the sensitive field");

    let backup = create_backup(&business.app.state).await.unwrap();
    let bytes = std::fs::read(&backup.path).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1"), "an age file");
    let text = String::from_utf8_lossy(&bytes);
    for plain in ["Restored Ltd", "customers", "boss@restore.test", "2 Side Street"] {
        assert!(!text.contains(plain), "{plain} is readable in the backup file");
    }
    assert_eq!(backup.manifest.header.engine, source_engine_name(source_engine));
    assert!(backup.manifest.rows["records"] >= 1);

    let (database, db) = fresh_database(target_engine).await;
    let report =
        restore_backup(&db, &master_key_of(&business.app), &backup.path, identities(&identity))
            .await
            .unwrap();
    assert!(report.manifest_checked);
    assert_eq!(report.rows, backup.manifest.row_count);
    assert_eq!(
        i64::try_from(report.audit_entries).unwrap(),
        backup.manifest.audit_head.seq,
        "the restored trail verifies to the head the backup saw"
    );
    db.close().await;

    // The restored installation works: the same people sign in and see the same records.
    let restored = serve_restored(&business.app, target_engine, &database).await;
    let response =
        crate::people::login(&restored, "boss@restore.test", crate::people::PASSWORD).await;
    assert_eq!(response.status(), 200);
    let token: Value = response.json().await.unwrap();
    let after = customers_seen_by(&restored, token["token"].as_str().unwrap()).await;
    assert_eq!(after, before);
    // New writes on the restored database get fresh ids (sequences moved past the restored).
    restored_can_raise_an_alert(&restored).await;
}

async fn restored_can_raise_an_alert(app: &TestApp) {
    let raised = rampart_core::alerts::raise(
        &app.state,
        rampart_domain::AlertRule::KeyRotated,
        "after-restore",
        json!({}),
    )
    .await
    .unwrap();
    assert!(raised.is_some());
}

fn source_engine_name(engine: TestEngine) -> &'static str {
    match engine {
        TestEngine::Sqlite => "sqlite",
        TestEngine::Postgres => "postgres",
    }
}

async fn a_backup_restores_into_a_fresh_database_of_the_same_engine(engine: TestEngine) {
    restores_into(engine, engine).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_backup_restores_into_postgres() {
    restores_into(TestEngine::Sqlite, TestEngine::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_backup_restores_into_sqlite() {
    restores_into(TestEngine::Postgres, TestEngine::Sqlite).await;
}

/// Writers keep going during the backup; the copy is one moment of the database, so its audit
/// chain (events, head and checkpoints read one after another) verifies after the restore.
async fn a_backup_taken_while_writers_run_is_consistent(engine: TestEngine) {
    let (business, identity) = backed_up_business(engine, None).await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (state, stop) = (business.app.state.clone(), stop.clone());
        tokio::spawn(async move {
            let collection = rampart_core::records::load_collection(&state.db, "customers")
                .await
                .unwrap()
                .unwrap();
            let mut written = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let Value::Object(fields) = customer_fields(&format!("Writer {written}")) else {
                    unreachable!()
                };
                let new = rampart_core::records::write::NewRecord {
                    department: Some("sales".into()),
                    owner_id: None,
                    created_by: None,
                };
                rampart_core::records::write::create_record(&state, &collection, &fields, new)
                    .await
                    .unwrap();
                written += 1;
            }
            written
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let first = create_backup(&business.app.state).await.unwrap();
    let second = create_backup(&business.app.state).await.unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.await.unwrap();
    assert!(written > 0);
    assert!(
        second.manifest.audit_head.seq > first.manifest.audit_head.seq,
        "the writers carried on while the backups ran"
    );
    for backup in [first, second] {
        let (_database, db) = fresh_database(engine).await;
        restore_backup(&db, &master_key_of(&business.app), &backup.path, identities(&identity))
            .await
            .unwrap();
    }
}

/// Wrong identity, another installation's master key, a changed byte, a cut file, a database that
/// is not fresh: each is refused, and the target is left as it was (fresh: restorable after).
async fn a_restore_refuses_what_it_cannot_trust(engine: TestEngine) {
    let (business, identity) = backed_up_business(engine, None).await;
    let backup = create_backup(&business.app.state).await.unwrap();
    let master = master_key_of(&business.app);
    let (_database, db) = fresh_database(engine).await;
    let installed = || async { rampart_store::installation::find_installation(&db).await.unwrap() };

    let (stranger, _) = BackupIdentities::generate();
    let error =
        restore_backup(&db, &master, &backup.path, identities(&stranger)).await.unwrap_err();
    assert!(error.to_string().contains("none of the given identities"), "{error}");

    let other_master = MasterKey::from_bytes(&[7u8; 32]).unwrap();
    let error =
        restore_backup(&db, &other_master, &backup.path, identities(&identity)).await.unwrap_err();
    assert!(matches!(error, BackupError::WrongMasterKey), "{error}");
    assert!(installed().await.is_none(), "nothing was kept");

    let altered = copy_backup(&backup.path, "altered");
    let mut bytes = std::fs::read(&altered).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&altered, &bytes).unwrap();
    let error = restore_backup(&db, &master, &altered, identities(&identity)).await.unwrap_err();
    assert!(matches!(error, BackupError::ManifestMismatch(_)), "{error}");
    std::fs::remove_file(manifest_path(&altered)).unwrap();
    let error = restore_backup(&db, &master, &altered, identities(&identity)).await.unwrap_err();
    assert!(matches!(error, BackupError::Io(_) | BackupError::Format(_)), "{error}");

    let cut = copy_backup(&backup.path, "cut");
    std::fs::remove_file(manifest_path(&cut)).unwrap();
    let bytes = std::fs::read(&cut).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() - 100]).unwrap();
    assert!(restore_backup(&db, &master, &cut, identities(&identity)).await.is_err());
    assert!(installed().await.is_none(), "nothing was kept");

    // After all that the target is still fresh: the good backup restores.
    restore_backup(&db, &master, &backup.path, identities(&identity)).await.unwrap();
    // And now it is not fresh any more.
    let error =
        restore_backup(&db, &master, &backup.path, identities(&identity)).await.unwrap_err();
    assert!(error.to_string().contains("already holds an installation"), "{error}");
}

fn copy_backup(path: &Path, tag: &str) -> PathBuf {
    let copy = path.with_file_name(format!("{tag}.age"));
    std::fs::copy(path, &copy).unwrap();
    std::fs::copy(manifest_path(path), manifest_path(&copy)).unwrap();
    copy
}

/// A backup that cannot be made is recorded, audited and alerted; so is a backup that is too
/// old; the age of the last backup is a metric.
async fn failed_and_stale_backups_raise_alerts(engine: TestEngine) {
    let clock = ManualClock::starting_at(datetime!(2026-12-01 09:00 UTC));
    let (business, _) = backed_up_business(engine, Some(clock.clone())).await;
    let app = &business.app;
    assert!(!check_backup_age(&app.state).await.unwrap(), "a new installation is not stale yet");

    clock.advance(time::Duration::hours(49));
    assert!(check_backup_age(&app.state).await.unwrap());
    assert_eq!(alert_raised(app, "backup_stale").await, "deployment");
    create_backup(&app.state).await.unwrap();
    assert!(!check_backup_age(&app.state).await.unwrap(), "a fresh backup is not stale");
    assert_eq!(audited(app, "backup_created").await.len(), 1);

    // The directory is a file now: the backup cannot be written.
    clock.advance(time::Duration::minutes(1));
    let directory = app.data_dir.join("backups");
    std::fs::remove_dir_all(&directory).unwrap();
    std::fs::write(&directory, b"in the way").unwrap();
    assert!(create_backup(&app.state).await.is_err());
    let failures = audited(app, "backup_failed").await;
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].entry.outcome, "failure");
    assert_eq!(alert_raised(app, "backup_failed").await, "deployment");
    let newest = rampart_store::backups::latest_backup_run(&app.db).await.unwrap().unwrap();
    assert_eq!(newest.outcome, "failure");
    assert!(newest.error.unwrap().contains("backup file"));
}

/// The schedule: one backup per interval across instances, a retry an hour after a failure,
/// and only the newest `backup.keep` kept.
async fn scheduled_backups_run_once_per_interval_and_keep_the_newest(engine: TestEngine) {
    let clock = ManualClock::starting_at(datetime!(2026-12-01 09:00 UTC));
    let (identity, recipient) = BackupIdentities::generate();
    let extra = vec![
        ("backup.recipients", toml::Value::Array(vec![recipient.into()])),
        ("backup.keep", 2.into()),
        ("backup.interval_hours", 24.into()),
    ];
    let business = business_options(engine, extra, Some(clock.clone())).await;
    let state = &business.app.state;
    assert!(run_scheduled_backup(state).await.unwrap().is_some(), "the first is due at once");
    assert!(run_scheduled_backup(state).await.unwrap().is_none(), "not due again yet");
    clock.advance(time::Duration::hours(23));
    assert!(run_scheduled_backup(state).await.unwrap().is_none());
    clock.advance(time::Duration::hours(2));
    assert!(run_scheduled_backup(state).await.unwrap().is_some());
    clock.advance(time::Duration::hours(25));
    let third = run_scheduled_backup(state).await.unwrap().unwrap();

    let directory = business.app.data_dir.join("backups");
    let kept = list_backups(&directory).unwrap();
    assert_eq!(kept.len(), 2, "retention keeps the newest two");
    assert_eq!(kept[1].0, third.path);
    let files = std::fs::read_dir(&directory).unwrap().count();
    assert_eq!(files, 4, "two backups and their manifests, nothing else");

    // A drill restores the newest, and says how old its data was and how long it took.
    clock.advance(time::Duration::minutes(90));
    let master = master_key_of(&business.app);
    let drill = drill_restore(state, &master, identities(&identity), None).await.unwrap();
    assert_eq!(drill.backup, third.path);
    assert!((drill.rpo_seconds - 5400.0).abs() < 5.0, "RPO {}", drill.rpo_seconds);
    assert!(drill.rto_seconds > 0.0);
    let audited = audited(&business.app, "backup_drill").await;
    assert_eq!(audited.len(), 1);
    let recorded = rampart_store::backups::latest_successful_drill(&business.app.db).await.unwrap();
    assert_eq!(recorded.unwrap().rpo_seconds, Some(drill.rpo_seconds));
}

/// Two instances of one deployment: only one of them makes the scheduled backup.
async fn one_instance_makes_the_scheduled_backup(engine: TestEngine) {
    let (_, recipient) = BackupIdentities::generate();
    let extra = vec![("backup.recipients", toml::Value::Array(vec![recipient.clone().into()]))];
    let business = business_options(engine, extra, None).await;
    let key = std::fs::read(business.app.data_dir.join("master.key")).unwrap();
    let options = TestOptions {
        shared_database_url: Some(business.app.database_url().to_owned()),
        overrides: vec![
            ("storage.master_key", hex::encode(key).into()),
            ("backup.recipients", toml::Value::Array(vec![recipient.into()])),
        ],
        ..TestOptions::default()
    };
    let second = spawn_app_with(engine, options).await;
    let (a, b) = tokio::join!(
        run_scheduled_backup(&business.app.state),
        run_scheduled_backup(&second.state)
    );
    let made = [a.unwrap(), b.unwrap()].iter().filter(|made| made.is_some()).count();
    assert_eq!(made, 1);
}

/// The `age` tool (Debian's package) decrypts a backup with the identity: no Rampart needed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_age_command_line_tool_decrypts_a_backup() {
    if std::process::Command::new("age").arg("--version").output().is_err() {
        println!("SKIPPED: the age command-line tool is not installed (apt-get install age)");
        return;
    }
    let (business, identity) = backed_up_business(TestEngine::Sqlite, None).await;
    let backup = create_backup(&business.app.state).await.unwrap();
    let identity_file = business.app.data_dir.join("identity.txt");
    std::fs::write(&identity_file, &identity).unwrap();
    let output = std::process::Command::new("age")
        .arg("--decrypt")
        .arg("--identity")
        .arg(&identity_file)
        .arg(&backup.path)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let plain = String::from_utf8(output.stdout).unwrap();
    let header: Value = serde_json::from_str(plain.lines().next().unwrap()).unwrap();
    assert_eq!(header["format"], "rampart-backup");
    assert!(plain.contains("{\"table\":\"records\""));
    assert!(plain.lines().last().unwrap().starts_with("{\"end\":"));
}

on_both_engines!(
    a_backup_restores_into_a_fresh_database_of_the_same_engine,
    a_backup_taken_while_writers_run_is_consistent,
    a_restore_refuses_what_it_cannot_trust,
    failed_and_stale_backups_raise_alerts,
    scheduled_backups_run_once_per_interval_and_keep_the_newest,
);

// Several instances share one database: PostgreSQL only (one `serve` per SQLite file).
rampart_store::on_postgres!(one_instance_makes_the_scheduled_backup);

//! The keyring on both engines: made on first start, bound to the master key, rotated, re-wrapped,
//! and never present in the database in clear.

use std::fs;
use std::process::Command;

use rampart_core::keys::{load_or_create_keyring, rotate_data_keys, rotate_master_key};
use rampart_crypto::{FieldContext, MasterKey, OsRandom, Purpose};
use rampart_domain::SystemClock;
use rampart_http::Application;
use rampart_store::keys::list_keys;
use rampart_store::on_both_engines;
use rampart_store::testing::{TestDatabase, TestEngine};

use crate::helpers::{spawn_app, test_settings};

async fn the_first_start_makes_one_key_per_purpose(engine: TestEngine) {
    let app = spawn_app(engine).await;

    let stored = list_keys(&app.db).await.unwrap();

    let mut purposes: Vec<_> = stored.iter().map(|k| (k.purpose.as_str(), k.version)).collect();
    purposes.sort_unstable();
    assert_eq!(
        purposes,
        [("audit", 1), ("blind-index", 1), ("fields", 1), ("pepper", 1), ("webhook", 1)]
    );
}

async fn a_wrong_master_key_is_refused_and_nothing_changes(engine: TestEngine) {
    let home = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(engine).await;
    let settings = test_settings(home.path(), &database.url, vec![]);
    let db = Application::builder(settings.clone()).build().await.unwrap().state().db.clone();
    let before = list_keys(&db).await.unwrap();
    let key_file = home.path().join("data/master.key");
    fs::remove_file(&key_file).unwrap();
    fs::write(&key_file, [9u8; 32]).unwrap();
    fs::set_permissions(&key_file, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();

    let error = Application::builder(settings).build().await.unwrap_err();

    assert!(error.to_string().contains("does not match this database"), "{error}");
    assert_eq!(list_keys(&db).await.unwrap(), before);
}

async fn after_a_rotation_new_writes_use_the_new_version_and_old_values_still_decrypt(
    engine: TestEngine,
) {
    let app = spawn_app(engine).await;
    let master =
        MasterKey::from_bytes(&fs::read(app.data_dir.join("master.key")).unwrap()).unwrap();
    let place = FieldContext { table: "users", row_id: "1", field: "email" };
    let old_value =
        app.state_keyring().encrypt_field(&place, b"ada@example.com", &OsRandom).unwrap();

    let rotated = rotate_data_keys(&app.db, &master, &[Purpose::Fields], &OsRandom, &SystemClock)
        .await
        .unwrap();
    let keyring = load_or_create_keyring(&app.db, &master, &OsRandom, &SystemClock).await.unwrap();

    assert_eq!(rotated, [(Purpose::Fields, 2)]);
    assert_eq!(keyring.current_version(Purpose::Fields), Some(2));
    assert_eq!(keyring.current_version(Purpose::Pepper), Some(1));
    let new_value = keyring.encrypt_field(&place, b"ada@example.com", &OsRandom).unwrap();
    assert_eq!(rampart_crypto::field_key_version(&new_value), Some(2));
    assert_eq!(keyring.decrypt_field(&place, &old_value).unwrap().as_slice(), b"ada@example.com");
}

async fn a_new_master_key_opens_the_keyring_and_the_old_one_no_longer_does(engine: TestEngine) {
    let app = spawn_app(engine).await;
    let old = MasterKey::from_bytes(&fs::read(app.data_dir.join("master.key")).unwrap()).unwrap();
    let new = MasterKey::generate(&OsRandom).unwrap();
    let fields_key = *app.state_keyring().data_key(Purpose::Fields, 1).unwrap().expose_bytes();

    let count = rotate_master_key(&app.db, &old, &new, &OsRandom).await.unwrap();

    assert_eq!(count, 5);
    let reopened = load_or_create_keyring(&app.db, &new, &OsRandom, &SystemClock).await.unwrap();
    assert_eq!(reopened.data_key(Purpose::Fields, 1).unwrap().expose_bytes(), &fields_key);
    assert!(load_or_create_keyring(&app.db, &old, &OsRandom, &SystemClock).await.is_err());
}

/// The bytes an attacker with a copy of the database has: the SQLite files, or a pg_dump.
pub fn raw_database_bytes(engine: TestEngine, url: &str) -> Vec<u8> {
    match engine {
        TestEngine::Sqlite => {
            let path = url.trim_start_matches("sqlite:");
            let mut bytes = Vec::new();
            for suffix in ["", "-wal", "-shm"] {
                bytes.extend(fs::read(format!("{path}{suffix}")).unwrap_or_default());
            }
            assert!(!bytes.is_empty());
            bytes
        }
        TestEngine::Postgres => {
            let output = Command::new("pg_dump").arg("--data-only").arg(url).output().unwrap();
            assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
            output.stdout
        }
    }
}

async fn no_data_key_appears_in_the_raw_database(engine: TestEngine) {
    let app = spawn_app(engine).await;
    let raw = raw_database_bytes(engine, app.database_url());
    let hex_raw = String::from_utf8_lossy(&raw).to_lowercase();

    for purpose in Purpose::ALL {
        let key = *app.state_keyring().data_key(purpose, 1).unwrap().expose_bytes();
        assert!(!raw.windows(key.len()).any(|w| w == key), "{purpose} key in clear");
        assert!(!hex_raw.contains(&hex::encode(key)), "{purpose} key in hex");
    }
}

async fn a_rotation_reaches_every_running_instance_without_a_restart(engine: TestEngine) {
    let first = spawn_app(engine).await;
    let home = tempfile::tempdir().unwrap();
    // A second instance on the same database with the same master key.
    let key_hex = hex::encode(fs::read(first.data_dir.join("master.key")).unwrap());
    let settings = test_settings(
        home.path(),
        first.database_url(),
        vec![
            ("storage.master_key", key_hex.as_str().into()),
            ("keys.reload_interval_secs", 1.into()),
        ],
    );
    let second = Application::builder(settings).build().await.unwrap();
    let second_keyring = second.state().keyring.clone();
    let _running = tokio::spawn(second.run_until_stopped(std::future::pending()));
    let master = MasterKey::from_hex(&key_hex).unwrap();

    rotate_data_keys(&first.db, &master, &[Purpose::Fields], &OsRandom, &SystemClock)
        .await
        .unwrap();

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while second_keyring.current().current_version(Purpose::Fields) != Some(2) {
        assert!(std::time::Instant::now() < deadline, "the second instance never saw v2");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

on_both_engines!(
    the_first_start_makes_one_key_per_purpose,
    a_wrong_master_key_is_refused_and_nothing_changes,
    after_a_rotation_new_writes_use_the_new_version_and_old_values_still_decrypt,
    a_new_master_key_opens_the_keyring_and_the_old_one_no_longer_does,
    no_data_key_appears_in_the_raw_database,
);

// Several instances share one database: PostgreSQL only (one `serve` per SQLite file).
rampart_store::on_postgres!(a_rotation_reaches_every_running_instance_without_a_restart);

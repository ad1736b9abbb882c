//! Faults of the database and the disk: an outage answers 503 with `Retry-After`, a full disk
//! 507, and neither loses what was acknowledged; `/readyz` tells a database that cannot take a
//! write; a read goes on when its session's last-seen time cannot be written; a start that
//! cannot listen, or whose key is mistyped, creates nothing.

use std::process::Command;

use rampart_domain::{BuiltInRole, ManualClock};
use rampart_store::on_both_engines;
use rampart_store::testing::{TestDatabase, TestEngine};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestOptions, error_of, spawn_app, spawn_app_with, test_settings};
use crate::people::{bearer, create_user};

/// Makes `table` refuse every insert and update, as a read-only database or a full disk would.
fn refuse_writes_to(app: &TestApp, engine: TestEngine, table: &str) {
    app.run_sql(&match engine {
        TestEngine::Sqlite => format!(
            "CREATE TRIGGER refuse_insert BEFORE INSERT ON {table} \
             BEGIN SELECT RAISE(ABORT, 'injected: read-only'); END; \
             CREATE TRIGGER refuse_update BEFORE UPDATE ON {table} \
             BEGIN SELECT RAISE(ABORT, 'injected: read-only'); END;"
        ),
        TestEngine::Postgres => format!(
            "CREATE FUNCTION refuse_write() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'injected: read-only'; END $$; \
             CREATE TRIGGER refuse_write BEFORE INSERT OR UPDATE ON {table} \
             FOR EACH ROW EXECUTE FUNCTION refuse_write();"
        ),
    });
}

fn allow_writes_to(app: &TestApp, engine: TestEngine, table: &str) {
    app.run_sql(&match engine {
        TestEngine::Sqlite => "DROP TRIGGER refuse_insert; DROP TRIGGER refuse_update;".to_owned(),
        TestEngine::Postgres => {
            format!("DROP TRIGGER refuse_write ON {table}; DROP FUNCTION refuse_write();")
        }
    });
}

async fn an_outage_answers_503_unavailable_with_retry_after(engine: TestEngine) {
    let app = spawn_app(engine).await;
    create_user(&app, "staff@fault.test", &[BuiltInRole::Staff]).await;
    let token = bearer(&app, "staff@fault.test").await;
    app.db.close().await;

    for response in [
        app.get_with("/api/me", &token).await,
        crate::people::login(&app, "staff@fault.test", crate::people::PASSWORD).await,
    ] {
        assert_eq!(response.status(), 503);
        let retry_after = response.headers().get("retry-after").cloned();
        let (_, error) = error_of(response).await;
        assert_eq!(error["code"], "unavailable", "{error}");
        assert!(retry_after.is_some(), "503 without Retry-After");
    }
    assert_eq!(app.get("/healthz").await.status(), 200, "the process itself is still up");
}

async fn readyz_fails_while_the_database_cannot_take_a_write(engine: TestEngine) {
    let app = spawn_app(engine).await;
    assert_eq!(app.get("/readyz").await.status(), 200);

    refuse_writes_to(&app, engine, "job_progress");
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503, "ready while writes fail");
    assert_eq!(error_of(response).await.1["code"], "not_ready");

    allow_writes_to(&app, engine, "job_progress");
    assert_eq!(app.get("/readyz").await.status(), 200, "ready again once writes work");
}

async fn a_read_goes_on_when_its_session_cannot_be_touched(engine: TestEngine) {
    let clock = ManualClock::starting_at(time::OffsetDateTime::now_utc());
    let options = TestOptions { clock: Some(clock.clone()), ..TestOptions::default() };
    let app = spawn_app_with(engine, options).await;
    create_user(&app, "reader@fault.test", &[BuiltInRole::Staff]).await;
    let token = bearer(&app, "reader@fault.test").await;
    // Long enough since the last touch that this request would write last-seen again.
    clock.advance(time::Duration::minutes(5));

    refuse_writes_to(&app, engine, "sessions");
    let response = app.get_with("/api/me", &token).await;
    allow_writes_to(&app, engine, "sessions");

    assert_eq!(response.status(), 200, "a read failed because last-seen could not be written");
    let me: Value = response.json().await.unwrap();
    assert_eq!(me["email"], "reader@fault.test");
}

async fn a_start_that_cannot_listen_creates_nothing(engine: TestEngine) {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let home = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(engine).await;
    let mut settings = test_settings(home.path(), &database.url, vec![]);
    settings.server.listen = taken.local_addr().unwrap();

    let error = rampart_http::Application::builder(settings).build().await.unwrap_err();

    assert!(error.to_string().contains("cannot listen"), "{error}");
    assert!(!home.path().join("data").exists(), "the data directory was created anyway");
}

async fn a_mistyped_master_key_creates_nothing(engine: TestEngine) {
    let home = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(engine).await;
    let settings =
        test_settings(home.path(), &database.url, vec![("storage.master_key", "00zz".into())]);

    let error = rampart_http::Application::builder(settings).build().await.unwrap_err();

    assert!(error.to_string().contains("storage.master_key"), "{error}");
    assert!(!home.path().join("data").exists(), "the data directory was created anyway");
    if engine == TestEngine::Postgres {
        let db = rampart_store::Db::connect(&database.url, &Default::default()).await.unwrap();
        assert!(rampart_store::installation::find_installation(&db).await.is_err(), "migrated");
    }
}

on_both_engines!(
    an_outage_answers_503_unavailable_with_retry_after,
    readyz_fails_while_the_database_cannot_take_a_write,
    a_read_goes_on_when_its_session_cannot_be_touched,
    a_start_that_cannot_listen_creates_nothing,
    a_mistyped_master_key_creates_nothing,
);

/// One `serve` per SQLite file: a second start on the same database is refused with the path
/// of the lock, and starts once the first has gone.
#[tokio::test]
async fn a_second_serve_on_one_sqlite_file_is_refused_until_the_first_stops() {
    let database = TestDatabase::create(TestEngine::Sqlite).await;
    let (first_home, second_home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first =
        rampart_http::Application::builder(test_settings(first_home.path(), &database.url, vec![]))
            .build()
            .await
            .unwrap();
    let key = std::fs::read(first_home.path().join("data/master.key")).unwrap();
    let second_settings = || {
        test_settings(
            second_home.path(),
            &database.url,
            vec![("storage.master_key", hex::encode(&key).into())],
        )
    };

    let refused = rampart_http::Application::builder(second_settings()).build().await.unwrap_err();
    let message = refused.to_string();
    assert!(message.contains("another `rampart serve`") && message.contains(".lock"), "{message}");

    drop(first);
    rampart_http::Application::builder(second_settings()).build().await.unwrap();
}

/// A size-limited tmpfs, mounted for one test and unmounted when dropped (CI runs as root).
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> Self {
        let uid = Command::new("id").arg("-u").output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&uid.stdout).trim(),
            "0",
            "the full-disk test mounts a tmpfs: run it as root (CI does)"
        );
        let dir = tempfile::tempdir().unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700"), "tmpfs"])
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(status.success(), "mount a tmpfs");
        Self { dir }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // Lazily: a test that failed may still hold files open on it.
        let _ = Command::new("umount").arg("-l").arg(self.dir.path()).status();
    }
}

/// SQLite on a disk that fills up: every create answered 201 is there afterwards (and after a
/// restart), the ones that did not fit answer 507 `insufficient_storage`, and once space is
/// freed writes work again without a restart.
#[tokio::test]
async fn a_full_disk_loses_no_acknowledged_write_and_recovers_without_a_restart() {
    let disk = SmallDisk::mount("8m");
    let ballast = disk.dir.path().join("ballast");
    let url = format!("sqlite:{}", disk.dir.path().join("rampart.db").display());
    let options = TestOptions { shared_database_url: Some(url.clone()), ..TestOptions::default() };
    let business = crate::business::business_on(TestEngine::Sqlite, options).await;
    let app = &business.app;
    let (_, owner) = business.signed_in_as("owner@full.test", &[BuiltInRole::Owner]).await;
    // All but 2 MiB of what is left, taken now and given back later.
    let free = fs_free_bytes(disk.dir.path());
    let taken = free.saturating_sub(2 << 20);
    std::fs::write(&ballast, vec![0u8; usize::try_from(taken).unwrap()]).unwrap();

    let mut acknowledged = Vec::new();
    let mut full = 0;
    for n in 0..5000 {
        let mut fields = crate::business::customer_fields(&format!("Customer {n}"));
        // Sealed (sensitive) and close to its 1,000-character limit: the disk fills in a few
        // hundred creates.
        fields["address"] = json!(format!("{n} {}", "x".repeat(990)));
        let response = app
            .post_with(
                "/api/collections/customers/records",
                &owner,
                json!({ "department": "support", "fields": fields }),
            )
            .await;
        match response.status().as_u16() {
            201 => acknowledged.push(response.json::<Value>().await.unwrap()["id"].clone()),
            507 => {
                let (_, error) = error_of(response).await;
                assert_eq!(error["code"], "insufficient_storage", "{error}");
                full += 1;
                if full == 20 {
                    break;
                }
            }
            other => {
                panic!("a create on a full disk answered {other}: {:?}", response.text().await)
            }
        }
    }
    assert!(full > 0, "the disk never filled ({} creates)", acknowledged.len());
    assert_eq!(app.get("/readyz").await.status(), 503, "ready on a full disk");

    std::fs::remove_file(&ballast).unwrap();
    let after = app
        .post_with(
            "/api/collections/customers/records",
            &owner,
            json!({ "department": "support", "fields": crate::business::customer_fields("After") }),
        )
        .await;
    assert_eq!(after.status(), 201, "writes did not come back once space was freed");
    acknowledged.push(after.json::<Value>().await.unwrap()["id"].clone());
    assert_eq!(app.get("/readyz").await.status(), 200);

    let missing = missing_in(app, &owner, &acknowledged).await;
    assert!(missing.is_empty(), "acknowledged and lost: {missing:?}");

    // And after a restart, from the file alone.
    let key = std::fs::read(app.data_dir.join("master.key")).unwrap();
    let mut business = business;
    business.app.stop().await.unwrap();
    let options = TestOptions {
        shared_database_url: Some(url),
        overrides: vec![
            ("storage.master_key", hex::encode(key).into()),
            ("mfa.required_roles", toml::Value::Array(Vec::new())),
        ],
        ..TestOptions::default()
    };
    let restarted = spawn_app_with(TestEngine::Sqlite, options).await;
    let token = bearer(&restarted, "owner@full.test").await;
    let missing = missing_in(&restarted, &token, &acknowledged).await;
    assert!(missing.is_empty(), "acknowledged and lost after a restart: {missing:?}");
    println!(
        "full disk: {} acknowledged creates all present, {full} refused with 507",
        acknowledged.len()
    );
}

/// The acknowledged records `token` cannot read back.
async fn missing_in(app: &TestApp, token: &str, ids: &[Value]) -> Vec<Value> {
    let mut missing = Vec::new();
    for id in ids {
        let path = format!("/api/collections/customers/records/{}", id.as_str().unwrap());
        if app.get_with(&path, token).await.status() != 200 {
            missing.push(id.clone());
        }
    }
    missing
}

/// Free bytes of the file system holding `path`, from `df`.
fn fs_free_bytes(path: &std::path::Path) -> u64 {
    let output = Command::new("df").args(["--output=avail", "-B1"]).arg(path).output().unwrap();
    String::from_utf8_lossy(&output.stdout).lines().nth(1).unwrap().trim().parse().unwrap()
}

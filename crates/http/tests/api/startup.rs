//! What the first start creates, what a second start reuses, and what makes a start refuse.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use rampart_http::Application;
use rampart_store::testing::{TestDatabase, TestEngine};
use rampart_store::{Db, PoolSettings, on_both_engines};

use crate::helpers::{TestOptions, client_trusting, spawn_app, spawn_app_with, test_settings};

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

async fn the_first_start_creates_a_private_data_directory(engine: TestEngine) {
    let app = spawn_app(engine).await;
    let dir = &app.data_dir;

    assert_eq!(mode(dir), 0o700);
    assert_eq!(mode(&dir.join("master.key")), 0o600);
    assert_eq!(fs::read(dir.join("master.key")).unwrap().len(), 32);
    assert_eq!(mode(&dir.join("tls/key.pem")), 0o600);
    assert!(dir.join("tls/cert.pem").is_file());
    assert!(dir.join("tls/ca.pem").is_file());
    let installation = rampart_store::installation::find_installation(&app.db).await.unwrap();
    assert!(installation.is_some());
}

/// Builds and drops an application over `home` and `database`, returning what it reported.
async fn start_once(home: &Path, database: &TestDatabase) -> rampart_http::StartupReport {
    let settings = test_settings(home, &database.url, vec![]);
    let app = Application::builder(settings).build().await.unwrap();
    app.report().clone()
}

async fn a_second_start_reuses_the_key_the_certificate_and_the_database(engine: TestEngine) {
    let home = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(engine).await;
    let first = start_once(home.path(), &database).await;
    let key = fs::read(home.path().join("data/master.key")).unwrap();
    let cert = fs::read(home.path().join("data/tls/cert.pem")).unwrap();

    let second = start_once(home.path(), &database).await;

    assert!(first.created_data_dir && first.created_master_key && first.created_certificate);
    assert!(!second.created_data_dir && !second.created_master_key && !second.created_certificate);
    assert_eq!(fs::read(home.path().join("data/master.key")).unwrap(), key);
    assert_eq!(fs::read(home.path().join("data/tls/cert.pem")).unwrap(), cert);
}

async fn a_data_directory_others_can_read_is_refused_with_the_fix(engine: TestEngine) {
    let home = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(engine).await;
    let data = home.path().join("data");
    fs::create_dir(&data).unwrap();
    fs::set_permissions(&data, fs::Permissions::from_mode(0o755)).unwrap();

    let error = Application::builder(test_settings(home.path(), &database.url, vec![]))
        .build()
        .await
        .unwrap_err();

    let message = error.to_string();
    assert!(message.contains(&format!("chmod 700 {}", data.display())), "{message}");
    assert!(!data.join("master.key").exists(), "nothing is created in a refused directory");
}

async fn a_master_key_others_can_read_is_refused_with_the_fix(engine: TestEngine) {
    let home = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(engine).await;
    start_once(home.path(), &database).await;
    let key = home.path().join("data/master.key");
    fs::set_permissions(&key, fs::Permissions::from_mode(0o644)).unwrap();

    let error = Application::builder(test_settings(home.path(), &database.url, vec![]))
        .build()
        .await
        .unwrap_err();

    assert!(error.to_string().contains(&format!("chmod 600 {}", key.display())), "{error}");
}

async fn a_database_with_data_but_no_master_key_is_refused_and_left_alone(engine: TestEngine) {
    let home = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(engine).await;
    start_once(home.path(), &database).await;
    let key = home.path().join("data/master.key");
    fs::remove_file(&key).unwrap();

    let error = Application::builder(test_settings(home.path(), &database.url, vec![]))
        .build()
        .await
        .unwrap_err();

    assert!(error.to_string().contains("already holds data"), "{error}");
    assert!(!key.exists(), "no new key was written");
}

async fn a_master_key_from_the_settings_writes_no_key_file(engine: TestEngine) {
    let hex_key = "11".repeat(32);
    let app = spawn_app_with(
        engine,
        TestOptions {
            overrides: vec![("storage.master_key", hex_key.as_str().into())],
            ..TestOptions::default()
        },
    )
    .await;

    assert!(!app.data_dir.join("master.key").exists());
    assert_eq!(app.get("/healthz").await.status(), 200);
}

async fn a_configured_certificate_is_served(engine: TestEngine) {
    let pki = tempfile::tempdir().unwrap();
    let certs = rampart_crypto::LocalCertificates::generate(
        &["localhost".into()],
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    let (ca, cert, key) =
        (pki.path().join("ca.pem"), pki.path().join("cert.pem"), pki.path().join("key.pem"));
    fs::write(&ca, &certs.ca_pem).unwrap();
    fs::write(&cert, &certs.cert_pem).unwrap();
    fs::write(&key, certs.key_pem.as_bytes()).unwrap();
    let app = spawn_app_with(
        engine,
        TestOptions {
            overrides: vec![
                ("tls.mode", "files".into()),
                ("tls.cert_file", cert.to_str().unwrap().into()),
                ("tls.key_file", key.to_str().unwrap().into()),
            ],
            ..TestOptions::default()
        },
    )
    .await;

    let client = client_trusting(&ca, app.address);
    let response = client.get(app.at("/healthz")).send().await.unwrap();

    assert_eq!(response.status(), 200);
    assert!(!app.data_dir.join("tls").exists(), "no certificate was generated");
}

async fn the_http_listener_only_redirects_to_the_public_origin(engine: TestEngine) {
    let app = spawn_app_with(
        engine,
        TestOptions {
            overrides: vec![
                ("server.redirect_listen", "127.0.0.1:0".into()),
                ("server.public_origin", "https://shop.example:8443".into()),
            ],
            ..TestOptions::default()
        },
    )
    .await;
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .tls_backend_preconfigured(
            rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth(),
        )
        .build()
        .unwrap();
    let redirect = app.redirect_address.unwrap();

    let response = plain
        .post(format!("http://{redirect}/api/orders?page=2"))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 308);
    assert_eq!(response.headers()["location"], "https://shop.example:8443/api/orders?page=2");
}

on_both_engines!(
    the_first_start_creates_a_private_data_directory,
    a_second_start_reuses_the_key_the_certificate_and_the_database,
    a_data_directory_others_can_read_is_refused_with_the_fix,
    a_master_key_others_can_read_is_refused_with_the_fix,
    a_database_with_data_but_no_master_key_is_refused_and_left_alone,
    a_master_key_from_the_settings_writes_no_key_file,
    a_configured_certificate_is_served,
    the_http_listener_only_redirects_to_the_public_origin,
);

#[tokio::test]
async fn a_database_that_cannot_be_reached_stops_the_start() {
    let home = tempfile::tempdir().unwrap();
    let url = "postgres://nobody@127.0.0.1:1/none";

    let error = Application::builder(test_settings(home.path(), url, vec![])).build().await;

    assert!(error.is_err());
    let _ = Db::connect(url, &PoolSettings::default()).await.unwrap_err();
}

//! `spawn_app`: a running Rampart on a free port with its own data directory and fresh database.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use figment::Figment;
use rampart_core::config::{self, Settings};
use rampart_http::routes::RouteTable;
use rampart_http::{Application, StartupError};
use rampart_store::Db;
use rampart_store::testing::{TestDatabase, TestEngine};
use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct TestApp {
    /// `https://localhost:PORT`
    pub url: String,
    pub address: std::net::SocketAddr,
    pub redirect_address: Option<std::net::SocketAddr>,
    pub client: reqwest::Client,
    pub db: Db,
    pub data_dir: PathBuf,
    keyring: rampart_core::keys::LiveKeyring,
    /// The running server's state, for tests that call library functions directly.
    pub state: rampart_core::AppState,
    /// The first-owner link the start printed (a fresh installation has one).
    pub bootstrap_link: Option<String>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), StartupError>>>,
    _home: TempDir,
    _database: TestDatabase,
}

/// Options for a test server beyond the defaults.
#[derive(Default)]
pub struct TestOptions {
    pub overrides: Vec<(&'static str, toml::Value)>,
    pub routes: Option<RouteTable>,
    /// A clock the test moves (expiry, throttling) instead of sleeping.
    pub clock: Option<rampart_domain::ManualClock>,
    /// Share this database instead of making a fresh one (a second instance of one deployment).
    pub shared_database_url: Option<String>,
}

pub async fn spawn_app(engine: TestEngine) -> TestApp {
    spawn_app_with(engine, TestOptions::default()).await
}

pub async fn spawn_app_with(engine: TestEngine, options: TestOptions) -> TestApp {
    let home = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(engine).await;
    let database_url = options.shared_database_url.clone().unwrap_or_else(|| database.url.clone());
    let settings = test_settings(home.path(), &database_url, options.overrides);
    let data_dir = settings.storage.data_dir.clone();

    let mut builder = Application::builder(settings);
    if let Some(routes) = options.routes {
        builder = builder.extra_routes(routes);
    }
    if let Some(clock) = options.clock {
        builder = builder.clock(Arc::new(clock));
    }
    let app = builder.build().await.expect("the test server starts");
    let address = app.local_addr();
    let redirect_address = app.redirect_addr();
    let db = app.state().db.clone();
    let keyring = app.state().keyring.clone();
    let state = app.state().clone();
    let bootstrap_link = app
        .report()
        .bootstrap_link
        .as_ref()
        .map(|link| secrecy::ExposeSecret::expose_secret(link).to_owned());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));

    TestApp {
        url: format!("https://localhost:{}", address.port()),
        address,
        redirect_address,
        client: client_trusting(&data_dir.join("tls/ca.pem"), address),
        db,
        data_dir,
        keyring,
        state,
        bootstrap_link,
        stop: Some(stop),
        task: Some(task),
        _home: home,
        _database: database,
    }
}

/// A second `serve` on the same database, with the same master key: one deployment.
pub async fn second_instance(first: &TestApp, engine: TestEngine) -> TestApp {
    let key = std::fs::read(first.data_dir.join("master.key")).unwrap();
    let options = TestOptions {
        shared_database_url: Some(first.database_url().to_owned()),
        overrides: vec![("storage.master_key", hex::encode(key).into())],
        ..TestOptions::default()
    };
    spawn_app_with(engine, options).await
}

/// Settings for a test: defaults, a data directory under `home`, port 0, the given database.
pub fn test_settings(
    home: &Path,
    database_url: &str,
    overrides: Vec<(&'static str, toml::Value)>,
) -> Settings {
    let mut figment = Figment::new()
        .merge(("server.listen", "127.0.0.1:0"))
        .merge(("storage.data_dir", home.join("data")))
        .merge(("database.url", database_url))
        .merge(("log.level", "warn"));
    for (key, value) in overrides {
        figment = figment.merge((key, value));
    }
    config::load_with_overrides(None, figment).expect("valid test settings")
}

/// An HTTPS client that trusts only `ca_file` and resolves `localhost` to `address`.
/// (A missing file trusts nothing: with `tls.mode = "files"` the test brings its own authority.)
pub fn client_trusting(ca_file: &Path, address: std::net::SocketAddr) -> reqwest::Client {
    let mut roots = RootCertStore::empty();
    if ca_file.exists() {
        roots.add(CertificateDer::from_pem_file(ca_file).unwrap()).unwrap();
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .resolve("localhost", address)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

impl TestApp {
    /// The running server's keyring as it is now (what `AppState` holds).
    pub fn state_keyring(&self) -> Arc<rampart_crypto::Keyring> {
        self.keyring.current()
    }

    pub fn database_url(&self) -> &str {
        &self._database.url
    }

    /// Runs SQL with the engine's own command-line client (sqlite3, psql), as someone with
    /// direct access to the database would: for tests of tampering.
    pub fn run_sql(&self, sql: &str) {
        let url = self.database_url();
        let output = match url.strip_prefix("sqlite:") {
            // Waiting for the write lock as the server does: a unit just refused may still be
            // rolling back on the runtime when the test's next statement comes.
            Some(path) => std::process::Command::new("sqlite3")
                .args(["-cmd", ".timeout 5000"])
                .arg(path)
                .arg(sql)
                .output(),
            None => std::process::Command::new("psql")
                .args([url, "-v", "ON_ERROR_STOP=1", "-qc", sql])
                .output(),
        }
        .expect("sqlite3 and psql are installed (.ci/run installs them)");
        assert!(output.status.success(), "{sql}: {}", String::from_utf8_lossy(&output.stderr));
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.at(path)).send().await.unwrap()
    }

    /// Asks the server to stop, as SIGTERM would, and waits until it has.
    pub async fn stop(&mut self) -> Result<(), StartupError> {
        self.begin_stop();
        self.wait_stopped().await
    }

    pub fn begin_stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    pub async fn wait_stopped(&mut self) -> Result<(), StartupError> {
        match self.task.take() {
            Some(task) => task.await.unwrap(),
            None => Ok(()),
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.begin_stop();
    }
}

/// The error body every error response carries.
pub async fn error_of(response: reqwest::Response) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.expect("an error body in JSON");
    (status, body["error"].clone())
}

//! What the command tests share: running `rampart` in a directory, and making an installation
//! the way an operator does.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const RAMPART: &str = env!("CARGO_BIN_EXE_rampart");

pub fn rampart(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(RAMPART)
        .current_dir(dir)
        .args(args)
        .env("RAMPART_SERVER__LISTEN", "127.0.0.1:0")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// Makes an installation the way an operator does: start `rampart serve` once, then stop it.
pub fn install(dir: &Path) {
    install_with(dir, &[], &[]);
}

/// As [`install`], with more arguments (`--config FILE`) and environment variables (e.g.
/// libfaketime's, for an installation made long ago).
pub fn install_with(dir: &Path, args: &[&str], envs: &[(&str, &str)]) {
    let mut child = Command::new(RAMPART)
        .current_dir(dir)
        .arg("serve")
        .args(args)
        .envs(envs.iter().copied())
        .env("RAMPART_SERVER__LISTEN", "127.0.0.1:0")
        .env("RAMPART_LOG__LEVEL", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stderr));
    assert!(
        lines.any(|line| line.unwrap_or_default().starts_with("rampart: listening on")),
        "serve did not start"
    );
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(child.wait().unwrap().success());
}

/// `rampart user create-owner --email ADDRESS` with the password on standard input.
pub fn create_owner(dir: &Path, email: &str, password: &str) -> (bool, String, String) {
    create_owner_with(dir, email, password, &[])
}

/// As [`create_owner`], with more arguments (`--config FILE`).
pub fn create_owner_with(
    dir: &Path,
    email: &str,
    password: &str,
    args: &[&str],
) -> (bool, String, String) {
    use std::io::Write;
    let mut child = Command::new(RAMPART)
        .current_dir(dir)
        .args(["user", "create-owner", "--email", email])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// The `--config` file of an installation in `home` on `engine`: SQLite in the data directory
/// (the default), or a fresh PostgreSQL database, returned so that it lives as long as the test.
pub async fn config_for(
    home: &Path,
    engine: rampart_store::testing::TestEngine,
) -> (std::path::PathBuf, Option<rampart_store::testing::TestDatabase>) {
    use rampart_store::testing::{TestDatabase, TestEngine};
    let database = match engine {
        TestEngine::Sqlite => None,
        TestEngine::Postgres => Some(TestDatabase::create(engine).await),
    };
    let config = home.join("rampart.toml");
    let url = database.as_ref().map(|database| format!("[database]\nurl = \"{}\"\n", database.url));
    std::fs::write(&config, url.unwrap_or_default()).unwrap();
    (config, database)
}

/// A running `rampart serve` in `dir`, with its URL once it announced it.
pub struct Server {
    pub child: Child,
    pub url: String,
    /// What it printed to standard error before the URL.
    pub announced: Vec<String>,
    pub stderr_lines: mpsc::Receiver<String>,
}

pub fn start_server(dir: &Path) -> Server {
    start_server_with(dir, &[], &[])
}

/// As [`start_server`], with more arguments (`--config FILE`) and environment variables.
pub fn start_server_with(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> Server {
    let mut child = Command::new(RAMPART)
        .current_dir(dir)
        .arg("serve")
        .args(args)
        .env("RAMPART_SERVER__LISTEN", "127.0.0.1:0")
        .envs(envs.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (send, stderr_lines) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let _ = send.send(line.unwrap_or_default());
        }
    });
    let mut seen = Vec::new();
    let url = loop {
        let line = stderr_lines
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("no URL announced; stderr so far: {seen:#?}"));
        if let Some(url) = line.strip_prefix("rampart: listening on ") {
            break url.to_owned();
        }
        seen.push(line);
    };
    Server { child, url, announced: seen, stderr_lines }
}

impl Server {
    /// SIGTERM, then its exit status, standard output and standard error.
    pub fn terminate(mut self) -> (bool, String, String) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let mut stdout = String::new();
        if let Some(mut pipe) = self.child.stdout.take() {
            std::io::Read::read_to_string(&mut pipe, &mut stdout).unwrap();
        }
        let status = self.child.wait().unwrap();
        let mut stderr = std::mem::take(&mut self.announced);
        stderr.extend(self.stderr_lines.try_iter());
        (status.success(), stdout, stderr.join("\n"))
    }
}

/// A test that fails half-way does not leave its server running.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTPS client that trusts the server's generated authority, for `url`'s port on loopback.
pub fn client(ca: &Path, url: &str) -> reqwest::Client {
    let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    let mut roots = rustls::RootCertStore::empty();
    let pem = std::fs::read(ca).unwrap();
    for cert in
        <rustls::pki_types::CertificateDer<'_> as rustls::pki_types::pem::PemObject>::pem_slice_iter(
            &pem,
        )
    {
        roots.add(cert.unwrap()).unwrap();
    }
    let tls = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .resolve("localhost", ([127, 0, 0, 1], port).into())
        .build()
        .unwrap()
}

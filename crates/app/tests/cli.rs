//! The `rampart` binary as an operator runs it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

mod support;

use support::{client, create_owner, start_server};

const RAMPART: &str = env!("CARGO_BIN_EXE_rampart");

fn rampart(dir: &Path) -> Command {
    let mut command = Command::new(RAMPART);
    command.current_dir(dir).stdin(Stdio::null());
    command
}

fn run(command: &mut Command) -> (bool, String, String) {
    let Output { status, stdout, stderr } = command.output().unwrap();
    (status.success(), String::from_utf8(stdout).unwrap(), String::from_utf8(stderr).unwrap())
}

#[test]
fn version_prints_the_version() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, stdout, _) = run(rampart(dir.path()).arg("version"));
    assert!(ok);
    assert_eq!(stdout.trim(), format!("rampart {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn config_check_accepts_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, stdout, stderr) = run(rampart(dir.path()).args(["config", "check"]));
    assert!(ok, "{stderr}");
    assert!(stdout.contains("configuration is valid"));
    assert!(!dir.path().join("rampart-data").exists(), "checking starts nothing");
}

#[test]
fn config_check_names_the_bad_key_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.toml"), "[server]\nrequest_timeout_secs = \"soon\"\n")
        .unwrap();
    let (ok, _, stderr) =
        run(rampart(dir.path()).args(["config", "check", "--config", "bad.toml"]));
    assert!(!ok);
    assert!(stderr.contains("server.request_timeout_secs"), "{stderr}");
}

#[test]
fn config_show_redacts_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let key = "ab".repeat(32);
    let (ok, stdout, stderr) = run(rampart(dir.path())
        .args(["config", "show"])
        .env("RAMPART_DATABASE__URL", "postgres://app:hunter2@db.internal/rampart")
        .env("RAMPART_STORAGE__MASTER_KEY", &key));
    assert!(ok, "{stderr}");
    assert!(stdout.contains("postgres://app:REDACTED@db.internal/rampart"), "{stdout}");
    assert!(stdout.contains("master_key = \"[redacted]\""), "{stdout}");
    assert!(!stdout.contains("hunter2") && !stdout.contains(&key), "{stdout}");
}

#[test]
fn serve_refuses_a_data_directory_others_can_read() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("rampart-data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();

    let (ok, _, stderr) =
        run(rampart(dir.path()).arg("serve").env("RAMPART_SERVER__LISTEN", "127.0.0.1:0"));

    assert!(!ok);
    assert!(stderr.contains("chmod 700"), "{stderr}");
}

#[test]
fn a_bad_master_key_file_is_named_once_and_nothing_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("rampart-master.key");
    std::fs::write(&key_file, "not a key\n").unwrap();
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();

    let (ok, _, stderr) = run(rampart(dir.path())
        .arg("serve")
        .env("RAMPART_SERVER__LISTEN", "127.0.0.1:0")
        .env("RAMPART_STORAGE__MASTER_KEY_FILE", &key_file));

    assert!(!ok);
    let line = stderr.lines().find(|line| line.starts_with("rampart:")).unwrap_or_default();
    assert_eq!(
        line,
        format!(
            "rampart: storage.master_key_file ({}): a master key given as text must be 64 \
             hexadecimal digits",
            key_file.display()
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("not a key"), "the file's contents are never shown: {stderr}");
    assert!(!dir.path().join("rampart-data").exists(), "nothing created");
}

#[test]
fn a_port_in_use_is_named_and_nothing_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();

    let (ok, _, stderr) =
        run(rampart(dir.path()).arg("serve").env("RAMPART_SERVER__LISTEN", &address));

    assert!(!ok);
    assert!(stderr.contains(&format!("cannot listen on {address}")), "{stderr}");
    assert!(!dir.path().join("rampart-data").exists(), "nothing created: {stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_serve_creates_everything_serves_https_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path());
    let data = dir.path().join("rampart-data");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("master.key")), 0o600);
    assert_eq!(mode(&data.join("rampart.db")), 0o600);
    assert_eq!(mode(&data.join("rampart.db-wal")), 0o600);
    assert!(server.url.starts_with("https://localhost:"), "{}", server.url);

    let http = client(&data.join("tls/ca.pem"), &server.url);
    let response = http.get(format!("{}/healthz", server.url)).send().await.unwrap();
    assert_eq!(response.status(), 200);

    let (ok, stdout, stderr) = server.terminate();
    assert!(ok, "exit after SIGTERM: {stderr}");
    assert!(stdout.contains("shutting down"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_sent_to_the_server_reaches_its_output() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path());
    let http = client(&dir.path().join("rampart-data/tls/ca.pem"), &server.url);
    let base = server.url.clone();
    let secrets = [
        "hdr-secret-0c1d2e",
        "cookie-secret-3f4a5b",
        "body-secret-6c7d8e",
        "query-secret-9fa0b1",
        "path-secret-c2d3e4",
    ];

    let requests = [
        http.get(format!("{base}/healthz?token={}", secrets[3]))
            .header("authorization", format!("Bearer {}", secrets[0]))
            .header("cookie", format!("__Host-rampart_session={}", secrets[1])),
        http.post(format!("{base}/healthz"))
            .header("content-type", "application/json")
            .body(format!("{{\"password\": \"{}\"}}", secrets[2])),
        http.get(format!("{base}/api/password/reset/{}", secrets[4])),
    ];
    let mut statuses = Vec::new();
    for request in requests {
        statuses.push(request.send().await.unwrap().status().as_u16());
    }
    assert_eq!(statuses, [200, 405, 404]);

    let (ok, stdout, stderr) = server.terminate();
    assert!(ok);
    let request_lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).expect("JSON log lines"))
        .filter(|line| line["message"] == "request")
        .collect();
    assert_eq!(request_lines.len(), 3, "one line per request: {stdout}");
    for secret in secrets {
        assert!(!stdout.contains(secret), "{secret} in the log:\n{stdout}");
        assert!(!stderr.contains(secret), "{secret} on stderr:\n{stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_serve_prints_an_owner_link_to_the_terminal_and_the_cli_creates_the_owner() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path());
    let link = server
        .stderr_lines
        .recv_timeout(Duration::from_secs(10))
        .and_then(|_| server.stderr_lines.recv_timeout(Duration::from_secs(10)))
        .unwrap();
    // The link names the public origin (the default, https://localhost:8443, here).
    assert!(link.trim().starts_with("https://localhost:8443/setup#token="), "{link}");
    let token = link.trim().rsplit('=').next().unwrap().to_owned();
    assert_eq!(token.len(), 32, "128 bits");

    let password = "owner passphrase from stdin 4e7b";
    let (weak_ok, _, weak_err) = create_owner(dir.path(), "owner@example.com", "password");
    assert!(!weak_ok && weak_err.contains("password:"), "{weak_err}");
    let (ok, stdout, stderr) = create_owner(dir.path(), "owner@example.com", password);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("created the owner owner@example.com"), "{stdout}");
    let (again, _, again_err) = create_owner(dir.path(), "second@example.com", password);
    assert!(!again && again_err.contains("an owner exists already"), "{again_err}");

    let http = client(&dir.path().join("rampart-data/tls/ca.pem"), &server.url);
    let login = http
        .post(format!("{}/api/auth/login", server.url))
        .json(&serde_json::json!({ "email": "owner@example.com", "password": password, "session": "token" }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let (_, stdout, _) = server.terminate();
    assert!(!stdout.contains(&token), "the owner link never reaches the log");
    assert!(!stdout.contains(password));
}

//! `rampart serve` confines itself: a file outside its allowed paths cannot be opened by the
//! running server, while the server itself works. The proof asks the running process itself:
//! gdb attaches to it and makes it call `open(2)`, as an exploited bug in it would.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

mod support;

use rampart_store::testing::{TestDatabase, TestEngine};
use support::{Server, client, create_owner_with, start_server_with};

/// What `open(path, flags)` returned inside the server's process, and the errno after it.
fn open_inside(server: &Server, path: &Path, flags: i32) -> (i64, i64) {
    let pid = server.child.id().to_string();
    // libc's `open64`, evaluated as C: a Rust binary has symbols named `open` of its own.
    let call = format!("call (int) open64(\"{}\", {flags}, 0600)", path.display());
    let errno = "call (int) *__errno_location()";
    let output = Command::new("gdb")
        .args(["--batch", "--nx", "-p", &pid, "-ex", "set language c", "-ex", &call, "-ex", errno])
        .output()
        .expect("gdb runs (apt-get install gdb)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    // gdb prints each result as `$1 = -1`, `$2 = 13`.
    let results: Vec<i64> = stdout
        .lines()
        .filter_map(|line| line.strip_prefix('$'))
        .filter_map(|line| line.split_once(" = "))
        .map(|(_, value)| value.trim().parse().unwrap())
        .collect();
    assert_eq!(
        results.len(),
        2,
        "gdb output:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (results[0], results[1])
}

const O_RDONLY: i32 = 0;
const O_WRONLY_CREAT: i32 = 0o1 | 0o100;
const EACCES: i64 = 13;

fn no_new_privs(server: &Server) -> bool {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.id())).unwrap();
    status.lines().any(|line| line.split_whitespace().eq(["NoNewPrivs:", "1"]))
}

async fn the_running_server_cannot_open_files_outside_its_allowed_paths(engine: TestEngine) {
    let home = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let secret = elsewhere.path().join("not-rampart.txt");
    std::fs::write(&secret, "another service's data").unwrap();
    // SQLite in the data directory (the default), or a PostgreSQL database.
    let database = match engine {
        TestEngine::Sqlite => None,
        TestEngine::Postgres => Some(TestDatabase::create(engine).await),
    };
    let config = home.path().join("rampart.toml");
    let url = database.as_ref().map(|database| format!("[database]\nurl = \"{}\"\n", database.url));
    std::fs::write(&config, url.unwrap_or_default()).unwrap();
    let config_args = ["--config", config.to_str().unwrap()];
    let server = start_server_with(home.path(), &config_args, &[]);
    let data = home.path().join("rampart-data");

    // The server works in its sandbox: HTTPS, the database, password hashing, sessions.
    let (created, _, stderr) =
        create_owner_with(home.path(), "owner@example.com", "a long pass phrase 42", &config_args);
    assert!(created, "{stderr}");
    let http = client(&data.join("tls/ca.pem"), &server.url);
    let health = http.get(format!("{}/readyz", server.url)).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let sign_in = http
        .post(format!("{}/api/auth/login", server.url))
        .json(
            &serde_json::json!({"email": "owner@example.com", "password": "a long pass phrase 42"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(sign_in.status(), 200, "{}", sign_in.text().await.unwrap());

    assert!(no_new_privs(&server), "no_new_privs is not set");
    // Inside its data directory it may read and create files…
    let (fd, _) = open_inside(&server, &data.join("master.key"), O_RDONLY);
    assert!(fd >= 0, "the server cannot read its own master key (fd {fd})");
    let (fd, _) = open_inside(&server, &data.join("scratch"), O_WRONLY_CREAT);
    assert!(fd >= 0, "the server cannot create a file in its data directory (fd {fd})");
    // …but nothing else: not a readable file elsewhere, not the system's accounts, and no new
    // file outside.
    for path in [secret.as_path(), Path::new("/etc/passwd")] {
        assert_eq!(open_inside(&server, path, O_RDONLY), (-1, EACCES), "{}", path.display());
    }
    let planted = elsewhere.path().join("planted");
    assert_eq!(open_inside(&server, &planted, O_WRONLY_CREAT), (-1, EACCES));
    assert!(!planted.exists());

    // Still serving after the probes, and the log says it is sandboxed.
    let health = http.get(format!("{}/healthz", server.url)).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let (ok, stdout, stderr) = server.terminate();
    assert!(ok, "{stderr}");
    assert!(stdout.contains("sandboxed with Landlock"), "{stdout}");
    assert!(!stderr.contains("UNSANDBOXED"), "{stderr}");
}

rampart_store::on_both_engines!(the_running_server_cannot_open_files_outside_its_allowed_paths);

#[test]
fn serve_says_when_the_sandbox_is_switched_off() {
    let home = tempfile::tempdir().unwrap();
    let server = start_server_with(home.path(), &[], &[("RAMPART_SANDBOX__ENABLED", "false")]);
    assert!(!no_new_privs(&server));
    let (ok, _, stderr) = server.terminate();
    assert!(ok);
    assert!(stderr.contains("running UNSANDBOXED: sandbox.enabled = false"), "{stderr}");
}

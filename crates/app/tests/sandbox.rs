//! `rampart serve` confines itself: a file outside its allowed paths cannot be opened by the
//! running server, while the server itself works. The proof asks the running process itself: a
//! small library preloaded into it (`support/sandbox_probe.c`, built here with the system's C
//! compiler) makes it call `open(2)` when signalled, as an exploited bug in it would. (gdb's
//! `call`, used before, cannot restore the registers of a CPU with AMX state: gdb 13 fails with
//! "Couldn't write extended state status".)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

mod support;

use rampart_store::testing::TestEngine;
use support::{Server, client, config_for, create_owner_with, start_server_with};

/// How the probe opens a file.
#[derive(Clone, Copy)]
enum Open {
    Read,
    Create,
}

/// The probe library, compiled into `dir`.
fn build_probe(dir: &Path) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/sandbox_probe.c");
    let library = dir.join("sandbox_probe.so");
    let output = Command::new("cc")
        .args(["-shared", "-fPIC", "-O1", "-Wall", "-Werror", "-o"])
        .arg(&library)
        .arg(&source)
        .output()
        .expect("a C compiler runs (apt-get install gcc)");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    library
}

/// The probe's `SANDBOX_PROBE`: one line per file, `r PATH` or `c PATH`.
fn probe_spec(files: &[(PathBuf, Open)]) -> String {
    let line = |(path, open): &(PathBuf, Open)| {
        let mode = match open {
            Open::Read => 'r',
            Open::Create => 'c',
        };
        format!("{mode} {}", path.display())
    };
    files.iter().map(line).collect::<Vec<_>>().join("\n")
}

/// Signals the running server to open its probe's files: what `open` returned for each, and
/// the errno after it (0 on success).
fn probe(server: &Server, count: usize) -> Vec<(i64, i64)> {
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-USR2", &pid]).status().unwrap().success());
    let mut results = vec![None; count];
    while results.iter().any(Option::is_none) {
        let line = server
            .stderr_lines
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("the probe answered only {results:?}"));
        let Some(report) = line.strip_prefix("sandbox-probe: ") else { continue };
        let numbers: Vec<i64> = report.split(' ').map(|n| n.parse().unwrap()).collect();
        results[usize::try_from(numbers[0]).unwrap()] = Some((numbers[1], numbers[2]));
    }
    results.into_iter().map(Option::unwrap).collect()
}

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
    let (config, _database) = config_for(home.path(), engine).await;
    let config_args = ["--config", config.to_str().unwrap()];
    let data = home.path().join("rampart-data");
    let planted = elsewhere.path().join("planted");
    // Inside its data directory it may read and create files; nothing else: not a readable
    // file elsewhere, not the system's accounts, and no new file outside.
    let files = [
        (data.join("master.key"), Open::Read),
        (data.join("scratch"), Open::Create),
        (secret.clone(), Open::Read),
        (PathBuf::from("/etc/passwd"), Open::Read),
        (planted.clone(), Open::Create),
    ];
    let library = build_probe(elsewhere.path());
    let preload =
        [("LD_PRELOAD", library.to_str().unwrap()), ("SANDBOX_PROBE", &probe_spec(&files))];
    let server = start_server_with(home.path(), &config_args, &preload);

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

    let opened = probe(&server, files.len());

    let [master_key, scratch, elsewhere_file, passwd, planted_file] = opened[..] else {
        panic!("{opened:?}")
    };
    assert!(master_key.0 >= 0, "the server cannot read its own master key: {master_key:?}");
    assert!(scratch.0 >= 0, "the server cannot create a file in its data directory: {scratch:?}");
    assert_eq!(elsewhere_file, (-1, EACCES), "{}", secret.display());
    assert_eq!(passwd, (-1, EACCES), "/etc/passwd");
    assert_eq!(planted_file, (-1, EACCES), "{}", planted.display());
    assert!(!planted.exists());
    assert!(data.join("scratch").exists());

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

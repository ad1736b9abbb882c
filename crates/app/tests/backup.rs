//! The backup commands as an operator runs them: make a key pair, back up, list, verify, drill,
//! and restore on another machine (a new directory with only the master key copied).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use support::{install, rampart};

/// `backup keygen` into `file`; returns the recipient it printed.
fn keygen(dir: &Path, file: &str) -> String {
    let (ok, stdout, stderr) = rampart(dir, &["backup", "keygen", "--output", file]);
    assert!(ok, "{stderr}");
    let recipient = stdout
        .lines()
        .find_map(|line| line.strip_prefix("add to backup.recipients: "))
        .expect("the recipient is printed")
        .to_owned();
    assert!(recipient.starts_with("age1"), "{recipient}");
    let mode = std::fs::metadata(dir.join(file)).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the identity file is private");
    recipient
}

#[test]
fn an_operator_backs_up_verifies_drills_and_restores_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    install(dir.path());
    let (refused, _, stderr) = rampart(dir.path(), &["backup", "create"]);
    assert!(!refused, "a backup needs a recipient");
    assert!(stderr.contains("no backup recipient is configured"), "{stderr}");

    let recipient = keygen(dir.path(), "backup-identity.txt");
    std::fs::write(
        dir.path().join("rampart.toml"),
        format!("[backup]\nrecipients = [\"{recipient}\"]\n"),
    )
    .unwrap();
    let with_config = |args: &[&str]| {
        let mut all = vec!["--config", "rampart.toml"];
        all.extend_from_slice(args);
        rampart(dir.path(), &all)
    };
    let (ok, stdout, stderr) = with_config(&["backup", "create"]);
    assert!(ok, "{stderr}");
    assert!(stdout.starts_with("backup written: "), "{stdout}");
    let path = stdout.lines().next().unwrap()["backup written: ".len()..]
        .split(" (")
        .next()
        .unwrap()
        .to_owned();
    assert!(path.ends_with(".age"), "{path}");

    let (ok, stdout, _) = with_config(&["backup", "list"]);
    assert!(ok && stdout.contains(&path), "{stdout}");
    let (ok, stdout, stderr) =
        with_config(&["backup", "verify", &path, "--identity", "backup-identity.txt"]);
    assert!(ok, "{stderr}");
    assert!(stdout.starts_with("backup OK: "), "{stdout}");
    assert!(stdout.contains("manifest matches"), "{stdout}");
    keygen(dir.path(), "someone-else.txt");
    let (ok, _, stderr) =
        with_config(&["backup", "verify", &path, "--identity", "someone-else.txt"]);
    assert!(!ok);
    assert!(stderr.contains("NOT a good backup"), "{stderr}");

    let (ok, stdout, stderr) =
        with_config(&["drill", "restore", "--identity", "backup-identity.txt"]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("drill passed"), "{stdout}");
    assert!(stdout.contains("RTO "), "{stdout}");

    // Another machine: an empty data directory holding only the master key.
    let elsewhere = tempfile::tempdir().unwrap();
    let data = elsewhere.path().join("rampart-data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::copy(dir.path().join("rampart-data/master.key"), data.join("master.key")).unwrap();
    std::fs::set_permissions(data.join("master.key"), std::fs::Permissions::from_mode(0o600))
        .unwrap();
    let backup = dir.path().join(&path);
    let identity = dir.path().join("backup-identity.txt");
    let restore = ["restore", backup.to_str().unwrap(), "--identity", identity.to_str().unwrap()];
    let (ok, stdout, stderr) = rampart(elsewhere.path(), &restore);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("audit trail verified"), "{stdout}");
    assert!(stdout.contains("manifest matched"), "{stdout}");
    let (ok, stdout, stderr) = rampart(elsewhere.path(), &["audit", "verify"]);
    assert!(ok, "{stdout}{stderr}");
    let (again, _, stderr) = rampart(elsewhere.path(), &restore);
    assert!(!again, "a second restore over the first is refused");
    assert!(stderr.contains("already holds a Rampart installation"), "{stderr}");
}

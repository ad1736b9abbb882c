//! `rampart keys …` as an operator runs them, on the embedded database.

#![allow(clippy::unwrap_used, clippy::panic)]

mod support;

use support::{install, rampart};

#[test]
fn keys_commands_need_an_existing_installation() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("rampart-data")).unwrap();
    std::fs::set_permissions(
        dir.path().join("rampart-data"),
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();

    let (ok, _, stderr) = rampart(dir.path(), &["keys", "status"]);

    assert!(!ok);
    assert!(stderr.contains("start `rampart serve` once"), "{stderr}");
    assert!(!dir.path().join("rampart-data/master.key").exists());
    assert!(!dir.path().join("rampart-data/rampart.db").exists(), "nothing is created");
}

#[test]
fn status_then_rotate_then_status_shows_the_new_version() {
    let dir = tempfile::tempdir().unwrap();
    install(dir.path());

    let (ok, before, stderr) = rampart(dir.path(), &["keys", "status"]);
    assert!(ok, "{stderr}");
    assert!(before.contains("fields       current v1"), "{before}");

    let (ok, rotated, stderr) = rampart(dir.path(), &["keys", "rotate", "--purpose", "fields"]);
    assert!(ok, "{stderr}");
    assert!(rotated.contains("fields: now v2"), "{rotated}");

    let (_, after, _) = rampart(dir.path(), &["keys", "status"]);
    assert!(after.contains("fields       current v2"), "{after}");
    assert!(after.contains("pepper       current v1"), "{after}");
}

#[test]
fn rotate_refuses_an_unknown_purpose() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = rampart(dir.path(), &["keys", "rotate", "--purpose", "everything"]);
    assert!(!ok);
    assert!(stderr.contains("unknown purpose"), "{stderr}");
}

#[test]
fn after_rotate_master_the_server_starts_with_the_new_key_only() {
    let dir = tempfile::tempdir().unwrap();
    install(dir.path());
    let key_file = dir.path().join("rampart-data/master.key");
    let old_key = std::fs::read(&key_file).unwrap();
    let new_key_file = dir.path().join("new.key");
    std::fs::write(&new_key_file, "ab".repeat(32)).unwrap();

    let (ok, stdout, stderr) =
        rampart(dir.path(), &["keys", "rotate-master", "--new-key-file", "new.key"]);

    assert!(ok, "{stderr}");
    assert!(stdout.contains("re-wrapped 5 data keys"), "{stdout}");
    assert_eq!(std::fs::read(&key_file).unwrap(), [0xab; 32]);
    let mode = std::fs::metadata(&key_file).unwrap().permissions();
    assert_eq!(std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777, 0o600);
    let (ok, status, _) = rampart(dir.path(), &["keys", "status"]);
    assert!(ok, "{status}");

    std::fs::write(&key_file, &old_key).unwrap();
    let (ok, _, stderr) = rampart(dir.path(), &["keys", "status"]);
    // `status` reads only the table, so check with a command that unwraps: rotate.
    assert!(ok, "{stderr}");
    let (ok, _, stderr) = rampart(dir.path(), &["keys", "rotate", "--purpose", "webhook"]);
    assert!(!ok);
    assert!(stderr.contains("does not match this database"), "{stderr}");
}

#[test]
fn reencrypt_runs_after_a_rotation_and_keeps_fresh_old_keys() {
    let dir = tempfile::tempdir().unwrap();
    install(dir.path());
    let (ok, _, stderr) = rampart(dir.path(), &["keys", "rotate", "--purpose", "fields"]);
    assert!(ok, "{stderr}");

    let (ok, stdout, stderr) = rampart(dir.path(), &["keys", "reencrypt", "--batch-size", "50"]);

    assert!(ok, "{stderr}");
    assert!(stdout.contains("checked 0 values, rewrote 0"), "{stdout}");
    assert!(stdout.contains("no key version retired"), "{stdout}");
    let (_, status, _) = rampart(dir.path(), &["keys", "status"]);
    assert!(status.contains("    v1") && status.contains("fields       current v2"), "{status}");
}

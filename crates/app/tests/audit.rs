//! `rampart audit verify | new-segment | public-key | export` as an operator runs them, on the embedded
//! database, with the trail edited behind Rampart's back by the sqlite3 client.

#![allow(clippy::unwrap_used, clippy::panic)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use support::{create_owner, install, rampart};

/// The first owner, from the command line: an audited action.
fn create_the_owner(dir: &std::path::Path) {
    let (ok, _, stderr) =
        create_owner(dir, "owner@example.com", "a long passphrase of the owner's");
    assert!(ok, "{stderr}");
}

#[test]
fn verify_passes_an_untouched_trail_and_names_an_edited_entry() {
    let dir = tempfile::tempdir().unwrap();
    install(dir.path());
    create_the_owner(dir.path());

    let (ok, stdout, stderr) = rampart(dir.path(), &["audit", "verify"]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("audit trail intact"), "{stdout}");

    let db = dir.path().join("rampart-data/rampart.db");
    let edit = Command::new("sqlite3")
        .arg(&db)
        .arg("UPDATE audit_events SET actor_user_id = NULL WHERE seq = 1")
        .status()
        .unwrap();
    assert!(edit.success());

    let (ok, _, stderr) = rampart(dir.path(), &["audit", "verify"]);
    assert!(!ok, "an edited trail fails verification");
    assert!(stderr.contains("entry 1 was altered"), "{stderr}");

    // The documented way back: only with --confirm; then the new segment verifies and the
    // closed one is listed with what was found.
    let (ok, _, stderr) = rampart(dir.path(), &["audit", "new-segment"]);
    assert!(!ok && stderr.contains("--confirm"), "{stderr}");
    let (ok, stdout, stderr) = rampart(dir.path(), &["audit", "new-segment", "--confirm"]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("segment 1 closed (entry 1 was altered)"), "{stdout}");
    let (ok, stdout, stderr) = rampart(dir.path(), &["audit", "verify"]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("closed segment 1: entry 1 was altered"), "{stdout}");
    let (ok, _, stderr) = rampart(dir.path(), &["audit", "new-segment", "--confirm"]);
    assert!(!ok && stderr.contains("no break to close"), "{stderr}");
}

#[test]
fn public_key_prints_each_audit_key_version() {
    let dir = tempfile::tempdir().unwrap();
    install(dir.path());
    let (ok, _, stderr) = rampart(dir.path(), &["keys", "rotate", "--purpose", "audit"]);
    assert!(ok, "{stderr}");

    let (ok, stdout, stderr) = rampart(dir.path(), &["audit", "public-key"]);

    assert!(ok, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    for (line, version) in lines.iter().zip(["v1", "v2"]) {
        let parts: Vec<&str> = line.split(' ').collect();
        assert_eq!(parts[..2], [version, "ed25519"], "{line}");
        assert!(parts[2].len() == 64 && parts[2].bytes().all(|b| b.is_ascii_hexdigit()), "{line}");
    }
    assert_ne!(lines[0].split(' ').nth(2), lines[1].split(' ').nth(2));
}

#[test]
fn export_writes_ocsf_lines_to_a_private_file_and_is_itself_audited() {
    let dir = tempfile::tempdir().unwrap();
    install(dir.path());
    create_the_owner(dir.path());

    let (ok, _, stderr) =
        rampart(dir.path(), &["audit", "export", "--since", "2020-01-01", "--output", "out.jsonl"]);

    assert!(ok, "{stderr}");
    let file = dir.path().join("out.jsonl");
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    let events: Vec<serde_json::Value> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let created = events.iter().find(|e| e["unmapped"]["action"] == "user_created").unwrap();
    assert_eq!(created["class_uid"], 3001, "an account change");
    assert_eq!(created["type_uid"], 300_101);
    assert_eq!(created["metadata"]["product"]["name"], "Rampart");
    assert!(created["time"].as_i64().unwrap() > 1_700_000_000_000, "milliseconds since 1970");

    let (ok, _, stderr) = rampart(dir.path(), &["audit", "export", "--output", "out.jsonl"]);
    assert!(!ok, "an existing file is never overwritten");
    assert!(stderr.contains("must not exist"), "{stderr}");

    let (_, stdout, _) = rampart(dir.path(), &["audit", "export", "--since", "2099-01-01"]);
    assert_eq!(stdout, "", "nothing that far ahead");
    let (_, all, _) = rampart(dir.path(), &["audit", "export"]);
    assert!(all.contains("\"audit_exported\""), "exports are audited: {all}");
    let (ok, _, stderr) = rampart(dir.path(), &["audit", "export", "--until", "yesterday"]);
    assert!(!ok);
    assert!(stderr.contains("--until"), "{stderr}");
}

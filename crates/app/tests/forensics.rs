//! `rampart incident report | verify-bundle | notify` as an operator runs them, on the embedded
//! database.

#![allow(clippy::unwrap_used, clippy::panic)]

mod support;

use std::path::Path;

use support::{create_owner, install, rampart};

const OWNER: &str = "owner@example.com";

fn an_installation_with_an_owner() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    install(dir.path());
    let (ok, _, stderr) = create_owner(dir.path(), OWNER, "a long passphrase of the owner's");
    assert!(ok, "{stderr}");
    dir
}

fn report(dir: &Path, bundle: &str) -> (bool, String, String) {
    rampart(dir, &["incident", "report", "--since", "2000-01-01", bundle])
}

#[test]
fn a_report_bundle_verifies_until_one_byte_changes() {
    let dir = an_installation_with_an_owner();
    let (ok, stdout, stderr) = report(dir.path(), "bundle");
    assert!(ok, "{stderr}");
    assert!(stdout.contains("forensics bundle written to bundle"), "{stdout}");

    let (ok, stdout, stderr) = rampart(dir.path(), &["incident", "verify-bundle", "bundle"]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("bundle intact: 6 files"), "{stdout}");

    let config = dir.path().join("bundle/config.toml");
    let mut bytes = std::fs::read(&config).unwrap();
    bytes[0] ^= 0x20;
    std::fs::write(&config, bytes).unwrap();
    let (ok, _, stderr) = rampart(dir.path(), &["incident", "verify-bundle", "bundle"]);
    assert!(!ok, "a changed bundle fails");
    assert!(stderr.contains("config.toml was altered"), "{stderr}");
}

#[test]
fn away_from_the_installation_verify_bundle_needs_the_public_key() {
    let dir = an_installation_with_an_owner();
    let (ok, _, stderr) = report(dir.path(), "bundle");
    assert!(ok, "{stderr}");
    let (_, keys, _) = rampart(dir.path(), &["audit", "public-key"]);
    let key = keys.lines().next().unwrap().split(' ').nth(2).unwrap().to_owned();
    let elsewhere = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle");
    let bundle = bundle.to_str().unwrap();

    let (ok, _, stderr) = rampart(elsewhere.path(), &["incident", "verify-bundle", bundle]);
    assert!(!ok, "no installation here to vouch for the key");
    assert!(stderr.contains("--public-key"), "{stderr}");

    let (ok, stdout, stderr) =
        rampart(elsewhere.path(), &["incident", "verify-bundle", bundle, "--public-key", &key]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("bundle intact"), "{stdout}");

    let other = "11".repeat(32);
    let (ok, _, stderr) =
        rampart(elsewhere.path(), &["incident", "verify-bundle", bundle, "--public-key", &other]);
    assert!(!ok);
    assert!(stderr.contains("not a trusted audit key"), "{stderr}");
}

#[test]
fn a_report_is_not_written_over_an_older_bundle() {
    let dir = an_installation_with_an_owner();
    assert!(report(dir.path(), "bundle").0);

    let (ok, _, stderr) = report(dir.path(), "bundle");

    assert!(!ok);
    assert!(stderr.contains("is not empty"), "{stderr}");
}

#[test]
fn notify_dry_run_prints_only_the_count_and_a_header_in_the_subject_is_refused() {
    let dir = an_installation_with_an_owner();
    std::fs::write(dir.path().join("notice.txt"), "Subject: About your data\n\nHello.\n").unwrap();
    let args = |template: &'static str| {
        [
            "incident",
            "notify",
            "--read-by",
            OWNER,
            "--since",
            "2000-01-01",
            "--until",
            "2100-01-01",
            "--template",
            template,
            "--dry-run",
        ]
    };

    let (ok, stdout, stderr) = rampart(dir.path(), &args("notice.txt"));
    assert!(ok, "{stderr}");
    assert_eq!(stdout, "0\n", "the owner read no sensitive record");

    std::fs::write(dir.path().join("bad.txt"), "Subject: Hi\rBcc: all@example.com\n\nHello.\n")
        .unwrap();
    let (ok, _, stderr) = rampart(dir.path(), &args("bad.txt"));
    assert!(!ok);
    assert!(stderr.contains("subject"), "{stderr}");
}

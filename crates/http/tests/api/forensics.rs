//! The forensics bundle (`rampart incident report`, `verify-bundle`): what an assessor finds in
//! it after an incident, that it holds no secret and no address, and that any change to it —
//! a byte, a file removed or added, a manifest signed with another key — is caught.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use rampart_core::incident::report::{
    BundleProblem, SignedManifest, Window, verify_bundle, write_report,
};
use rampart_crypto::{DataKey, Keyring, OsRandom, Purpose};
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use crate::business::{Business, business_options};
use crate::helpers::TestApp;
use crate::people::login_from;

const PLANTED: &str = "planted-smtp-password-4711";
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const FILES: [&str; 7] = [
    "alerts.json",
    "audit.jsonl",
    "config.toml",
    "manifest.json",
    "sensitive_reads.json",
    "sign_ins.json",
    "version.json",
];

fn read_json(dir: &Path, name: &str) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap()
}

fn installation_keys(app: &TestApp) -> Vec<[u8; 32]> {
    app.state_keyring().audit_public_keys().unwrap().into_iter().map(|(_, key)| key).collect()
}

/// A copy of the bundle to tamper with.
fn copy_of(bundle: &Path) -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(bundle).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), copy.path().join(entry.file_name())).unwrap();
    }
    copy
}

/// The demo business where, within the window, sales signs in from one address and someone
/// fails eight times from another (an alert), and finance reads its customers' sensitive fields.
async fn an_incident(engine: TestEngine) -> (Business, Window, Vec<String>) {
    let extra = vec![
        ("server.trusted_proxies", vec!["127.0.0.1"].into()),
        ("smtp.username", "mailer".into()),
        ("smtp.password", PLANTED.into()),
    ];
    let business = business_options(engine, extra, None).await;
    let since = OffsetDateTime::now_utc() - Duration::minutes(5);
    let app = &business.app;
    let sales = business.people.iter().find(|p| p.email.starts_with("sales@")).unwrap();
    assert_eq!(login_from(app, "203.0.113.5", &sales.email, &sales.password, FIREFOX).await, 200);
    for _ in 0..8 {
        login_from(app, "198.51.100.7", &sales.email, "not the password, sorry", "curl/8.5.0")
            .await;
    }
    let finance = business.token_of("finance").await;
    let page: Value =
        app.get_with("/api/collections/customers/records", &finance).await.json().await.unwrap();
    let read: Vec<String> = page["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|record| record["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!read.is_empty(), "finance sees its customers");
    let window = Window::new(since, OffsetDateTime::now_utc() + Duration::minutes(5)).unwrap();
    (business, window, read)
}

async fn the_bundle_shows_sign_ins_reads_and_alerts_without_secrets_or_addresses(
    engine: TestEngine,
) {
    let (business, window, read) = an_incident(engine).await;
    let app = &business.app;
    let home = tempfile::tempdir().unwrap();
    let bundle = home.path().join("bundle");

    let summary = write_report(&app.state, &bundle, window).await.unwrap();

    let mut names: Vec<String> = std::fs::read_dir(&bundle)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, FILES);
    assert_eq!(summary.files, 6);
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&bundle), 0o700);
    for name in FILES {
        assert_eq!(mode(&bundle.join(name)), 0o600, "{name}");
    }

    let sign_ins = read_json(&bundle, "sign_ins.json");
    let sales = business.id_of("sales").to_string();
    let good = &sign_ins["by_ip"]["203.0.113.5"];
    assert_eq!((good["successes"].as_u64(), good["failures"].as_u64()), (Some(1), Some(0)));
    assert_eq!(good["accounts"], json!([sales]));
    let bad = &sign_ins["by_ip"]["198.51.100.7"];
    assert_eq!(bad["successes"], 0);
    assert!(bad["failures"].as_u64().unwrap() >= 5, "{bad}");
    assert_eq!(bad["accounts"], json!([sales]));
    assert!(bad["first_seen"].as_str().unwrap() <= bad["last_seen"].as_str().unwrap());
    assert_eq!(sign_ins["by_user_agent"][FIREFOX]["successes"], 1);
    assert!(sign_ins["by_user_agent"]["curl/8.5.0"]["failures"].as_u64().unwrap() >= 5);

    let reads = read_json(&bundle, "sensitive_reads.json");
    let finance = business.id_of("finance").to_string();
    let listed: Vec<&str> = reads[&finance]["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|read| read["record"].as_str().unwrap())
        .collect();
    assert_eq!(listed, read.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(reads.as_object().unwrap().len(), 1, "only finance read sensitive fields: {reads}");

    let alerts = read_json(&bundle, "alerts.json");
    assert!(
        alerts.as_array().unwrap().iter().any(|alert| alert["rule"] == "account_throttled"),
        "{alerts}"
    );
    let audit = std::fs::read_to_string(bundle.join("audit.jsonl")).unwrap();
    assert_eq!(audit.lines().count(), summary.events);
    let last: Value = serde_json::from_str(audit.lines().last().unwrap()).unwrap();
    assert_eq!(last["unmapped"]["action"], "incident_report", "the slice ends with its own making");
    assert_eq!(last["metadata"]["uid"], summary.audit_head_seq.to_string());
    let first: Value = serde_json::from_str(audit.lines().next().unwrap()).unwrap();
    assert!(first["metadata"]["uid"].as_str().is_some(), "the chain position");
    assert_eq!(first["unmapped"]["chain_hash"].as_str().unwrap().len(), 64);
    assert!(audit.contains("\"sensitive_read\""));

    let version = read_json(&bundle, "version.json");
    assert_eq!(version["engine"], app.db.engine().name());
    assert!(version["schema_version"].as_i64().unwrap() >= 14);
    assert!(version["dependencies"].as_array().unwrap().iter().any(|d| d["name"] == "ring"));
    let manifest = read_json(&bundle, "manifest.json");
    assert_eq!(manifest["files"].as_object().unwrap().len(), 6);
    assert!(manifest["audit_head"]["seq"].as_i64().unwrap() > 0);
    assert_eq!(manifest["signing_key"]["algorithm"], "ed25519");

    let config = std::fs::read_to_string(bundle.join("config.toml")).unwrap();
    assert!(config.contains("[redacted]"), "the password's place is shown redacted");
    let addresses: Vec<&str> = business
        .people
        .iter()
        .map(|p| p.email.as_str())
        .chain(["buyer@acme.example", "ap@globex.example", "ada@example.com"])
        .collect();
    for name in FILES {
        let text = std::fs::read_to_string(bundle.join(name)).unwrap();
        assert!(!text.contains(PLANTED), "{name} holds the SMTP password");
        for address in &addresses {
            assert!(!text.contains(address), "{name} holds {address}");
        }
    }
    let reports = crate::factors::audited(app, "incident_report").await;
    assert_eq!(reports.len(), 1);
}

async fn verify_bundle_catches_a_changed_byte_a_missing_or_added_file_and_another_key(
    engine: TestEngine,
) {
    let (business, window, _) = an_incident(engine).await;
    let app = &business.app;
    let home = tempfile::tempdir().unwrap();
    let bundle = home.path().join("bundle");
    write_report(&app.state, &bundle, window).await.unwrap();
    let trusted = installation_keys(app);

    let check = verify_bundle(&bundle, &trusted).unwrap();
    assert_eq!(check.files, 6);

    let changed = copy_of(&bundle);
    let path = changed.path().join("sign_ins.json");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[10] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();
    assert_eq!(
        verify_bundle(changed.path(), &trusted),
        Err(BundleProblem::Altered("sign_ins.json".into()))
    );

    let missing = copy_of(&bundle);
    std::fs::remove_file(missing.path().join("alerts.json")).unwrap();
    assert_eq!(
        verify_bundle(missing.path(), &trusted),
        Err(BundleProblem::Missing("alerts.json".into()))
    );

    let added = copy_of(&bundle);
    std::fs::write(added.path().join("notes.txt"), "an afterthought").unwrap();
    assert_eq!(
        verify_bundle(added.path(), &trusted),
        Err(BundleProblem::Extra("notes.txt".into()))
    );

    // The manifest changed (a wider window claimed) without a new signature.
    let edited = copy_of(&bundle);
    let mut signed = SignedManifest::read(edited.path()).unwrap().unwrap().unwrap();
    signed.manifest.since = "2000-01-01T00:00:00Z".into();
    std::fs::write(edited.path().join("manifest.json"), signed.to_bytes().unwrap()).unwrap();
    assert_eq!(verify_bundle(edited.path(), &trusted), Err(BundleProblem::BadSignature));

    // A forger alters a file, fixes its hash and signs the manifest with a key of their own.
    let forged = copy_of(&bundle);
    std::fs::write(forged.path().join("sensitive_reads.json"), "{}\n").unwrap();
    let mut signed = SignedManifest::read(forged.path()).unwrap().unwrap().unwrap();
    let entry = signed.manifest.files.get_mut("sensitive_reads.json").unwrap();
    entry.sha256 = rampart_crypto::sha256_hex(b"{}\n");
    entry.size_bytes = 3;
    let mut other = Keyring::new();
    other.insert(Purpose::Audit, 1, DataKey::generate(&OsRandom).unwrap());
    let other_signer = other.checkpoint_signer().unwrap();
    let resigned = signed.manifest.signed_by(&other_signer).unwrap();
    std::fs::write(forged.path().join("manifest.json"), resigned.to_bytes().unwrap()).unwrap();
    assert_eq!(
        verify_bundle(forged.path(), &trusted),
        Err(BundleProblem::UntrustedKey(hex::encode(other_signer.public_key())))
    );
    assert!(
        verify_bundle(forged.path(), &[other_signer.public_key()]).is_ok(),
        "only when that key is trusted explicitly"
    );
}

async fn a_bundle_is_not_written_into_a_directory_with_files(engine: TestEngine) {
    let (business, window, _) = an_incident(engine).await;
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("keep.txt"), "mine").unwrap();

    let refused = write_report(&business.app.state, home.path(), window).await;

    assert!(refused.unwrap_err().to_string().contains("not empty"));
    assert_eq!(std::fs::read_dir(home.path()).unwrap().count(), 1);
}

on_both_engines!(
    the_bundle_shows_sign_ins_reads_and_alerts_without_secrets_or_addresses,
    verify_bundle_catches_a_changed_byte_a_missing_or_added_file_and_another_key,
    a_bundle_is_not_written_into_a_directory_with_files,
);

//! `rampart incident …`: incidents, lockdown and containment from the command line, recorded in
//! the trail.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests unwrap: a failed expectation stops them.

mod support;

use support::{create_owner, install, rampart};

#[test]
fn lockdown_is_switched_from_the_command_line_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    install(dir.path());

    let (on, stdout, stderr) =
        rampart(dir.path(), &["incident", "lockdown", "on", "--reason", "drill"]);
    assert!(on, "{stderr}");
    assert!(stdout.contains("lockdown is on"), "{stdout}");
    let (off, stdout, stderr) = rampart(dir.path(), &["incident", "lockdown", "off"]);
    assert!(off, "{stderr}");
    assert!(stdout.contains("lockdown is off"), "{stdout}");
    let (bad, _, stderr) = rampart(dir.path(), &["incident", "lockdown", "maybe"]);
    assert!(!bad);
    assert!(stderr.contains("possible values"), "{stderr}");

    let (verified, stdout, stderr) = rampart(dir.path(), &["audit", "verify"]);
    assert!(verified, "{stdout}{stderr}");
}

/// The id in "opened incident <id> (…".
fn opened_id(stdout: &str) -> String {
    let rest = stdout.split("opened incident ").nth(1).expect("an id");
    rest.split_whitespace().next().unwrap().to_owned()
}

#[test]
fn incidents_are_opened_updated_closed_and_shown_with_their_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    install(dir);

    let (ok, stdout, stderr) = rampart(
        dir,
        &[
            "incident",
            "open",
            "--severity",
            "high",
            "--summary",
            "stolen laptop",
            "--note",
            "reported by phone",
        ],
    );
    assert!(ok, "{stderr}");
    let id = opened_id(&stdout);
    let (ok, stdout, stderr) =
        rampart(dir, &["incident", "update", &id, "--status", "contained", "--severity", "medium"]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("is contained (medium)"), "{stdout}");
    let (bad, _, stderr) =
        rampart(dir, &["incident", "open", "--severity", "huge", "--summary", "x"]);
    assert!(!bad);
    assert!(stderr.contains("possible values"), "{stderr}");

    let (ok, stdout, stderr) =
        rampart(dir, &["incident", "close", &id, "--note", "wiped remotely"]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("is closed"), "{stdout}");
    let (again, _, stderr) = rampart(dir, &["incident", "update", &id, "--note", "more"]);
    assert!(!again, "a closed incident changes no more");
    assert!(stderr.contains("closed"), "{stderr}");

    let (ok, stdout, stderr) = rampart(dir, &["incident", "show", &id]);
    assert!(ok, "{stderr}");
    for expected in [
        "incident_opened",
        "incident_updated",
        "incident_closed",
        "reported by phone",
        "wiped remotely",
    ] {
        assert!(stdout.contains(expected), "{expected} missing from:\n{stdout}");
    }
    let (ok, stdout, _) = rampart(dir, &["incident", "list", "--status", "closed"]);
    assert!(ok);
    assert!(stdout.contains(&id) && stdout.contains("stolen laptop"), "{stdout}");

    let (verified, stdout, stderr) = rampart(dir, &["audit", "verify"]);
    assert!(verified, "{stdout}{stderr}");
}

#[test]
fn every_containment_command_is_recorded_on_the_incident_and_in_the_trail() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    install(dir);
    let owner = "owner@cli-incident.test";
    let (ok, _, stderr) = create_owner(dir, owner, "a long passphrase of the owner's");
    assert!(ok, "{stderr}");
    let (ok, stdout, stderr) =
        rampart(dir, &["incident", "open", "--severity", "critical", "--summary", "breach"]);
    assert!(ok, "{stderr}");
    let id = opened_id(&stdout);
    let why = ["--incident", id.as_str(), "--reason", "drill"];
    let run = |args: &[&str]| {
        let mut all = vec!["incident"];
        all.extend_from_slice(args);
        all.extend_from_slice(&why);
        let (ok, stdout, stderr) = rampart(dir, &all);
        assert!(ok, "{args:?}: {stderr}");
        stdout
    };

    assert!(run(&["revoke-sessions"]).contains("sessions revoked: 0 sessions ended"));
    assert!(run(&["revoke-sessions", "--user", owner]).contains("sessions revoked"));
    assert!(run(&["revoke-api-keys"]).contains("API keys revoked: 0 sessions ended, 0 API keys"));
    let reset = run(&["force-password-reset", "--user", owner]);
    assert!(reset.contains("1 passwords reset, 1 reset e-mails queued"), "{reset}");
    let everyone = run(&["force-password-reset", "--all"]);
    assert!(everyone.contains("1 passwords reset"), "{everyone}");
    let rotated = run(&["rotate-keys", "--purpose", "fields"]);
    assert!(rotated.contains("fields: now v2"), "{rotated}");
    assert!(run(&["disable-user", owner]).contains("1 accounts disabled"));

    let (missing, _, stderr) =
        rampart(dir, &["incident", "disable-user", "nobody@cli-incident.test"]);
    assert!(!missing);
    assert!(stderr.contains("no account"), "{stderr}");
    assert!(!stderr.contains("nobody@"), "the address is not repeated: {stderr}");
    let (neither, _, stderr) = rampart(dir, &["incident", "force-password-reset"]);
    assert!(!neither);
    assert!(stderr.contains("--all") || stderr.contains("required"), "{stderr}");

    let (ok, stdout, stderr) = rampart(dir, &["incident", "show", &id]);
    assert!(ok, "{stderr}");
    for action in [
        "session_revoked_all",
        "apikey_revoked",
        "authn_password_reset_forced",
        "key_rotated",
        "user_disabled",
    ] {
        assert!(stdout.contains(action), "{action} missing from the timeline:\n{stdout}");
    }

    let (ok, _, stderr) = rampart(dir, &["incident", "close", &id]);
    assert!(ok, "{stderr}");
    let (closed, _, stderr) = rampart(dir, &["incident", "revoke-api-keys", "--incident", &id]);
    assert!(!closed, "no containment in the name of a closed incident");
    assert!(stderr.contains("closed"), "{stderr}");

    let (verified, stdout, stderr) = rampart(dir, &["audit", "verify"]);
    assert!(verified, "{stdout}{stderr}");
}

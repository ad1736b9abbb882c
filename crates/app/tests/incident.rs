//! `rampart incident lockdown on|off`: containment from the command line, recorded in the trail.

mod support;

use support::{install, rampart};

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

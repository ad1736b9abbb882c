//! `rampart seed-demo`: an operator loads the example business into a fresh installation, signs
//! in as one of the printed people, and a second run refuses rather than doubling everything.

mod support;

use support::{install, rampart};

#[test]
fn seed_demo_loads_the_example_business_once() {
    let dir = tempfile::tempdir().unwrap();
    install(dir.path());

    let (ok, stdout, stderr) = rampart(dir.path(), &["seed-demo"]);

    assert!(ok, "{stderr}");
    assert!(stdout.contains("seeded departments sales, support, finance, hr"), "{stdout}");
    for person in ["sales@demo.rampart.test", "hr@demo.rampart.test", "customer@demo.rampart.test"]
    {
        let line = stdout.lines().find(|line| line.contains(person)).unwrap_or_default();
        let password = line.split_whitespace().nth(1).unwrap_or_default();
        assert_eq!(password.len(), 24, "{person} has a printed password: {line}");
    }
    assert!(stdout.contains("staff in sales"), "{stdout}");
    assert!(!stderr.contains("@demo.rampart.test"), "addresses stay out of the log: {stderr}");

    let (again, _, stderr) = rampart(dir.path(), &["seed-demo"]);
    assert!(!again, "a second run must refuse");
    assert!(stderr.contains("seeded already"), "{stderr}");
}

//! `rampart doctor` as an operator (or cron) runs it: a deliberately misconfigured installation
//! gets a line per problem and a non-zero exit; a well-kept one gets only ok/skip lines and 0.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use rampart_core::boot::ExistingInstallation;
use rampart_core::config;
use rampart_domain::TotpCode;
use support::{create_owner_with, install_with, rampart};

/// The doctor line of `check`: its status word and message, or a panic naming what was printed.
fn line<'a>(stdout: &'a str, check: &str) -> &'a str {
    stdout
        .lines()
        .find(|line| line.split_whitespace().nth(1) == Some(check))
        .unwrap_or_else(|| panic!("no {check} line in:\n{stdout}"))
}

fn status_of<'a>(stdout: &'a str, check: &str) -> &'a str {
    line(stdout, check).split_whitespace().next().unwrap()
}

/// Every line is one check's: a status word, then a name no other line has.
fn assert_one_line_per_check(stdout: &str) {
    let mut names = std::collections::HashSet::new();
    for line in stdout.lines() {
        let mut words = line.split_whitespace();
        let status = words.next().unwrap_or_default();
        assert!(["ok", "skip", "warn", "FAIL"].contains(&status), "{line}");
        assert!(names.insert(words.next().unwrap_or_default().to_owned()), "twice: {line}");
    }
    assert!(names.len() >= 8, "{stdout}");
}

/// A RustSec advisory database in the format of the real one: `crates/NAME/ID.md`, TOML front
/// matter in a fenced block, then the description.
fn advisory_db(root: &Path, advisories: &[(&str, &str, &str)]) -> PathBuf {
    for (id, package, patched) in advisories {
        let dir = root.join("crates").join(package);
        std::fs::create_dir_all(&dir).unwrap();
        let text = format!(
            "```toml\n[advisory]\nid = \"{id}\"\npackage = \"{package}\"\ndate = \"2026-01-01\"\n\
             url = \"https://example.com/{id}\"\n\n[versions]\npatched = [{patched}]\n```\n\n\
             # A flaw in {package}\n\nWritten for this test.\n"
        );
        std::fs::write(dir.join(format!("{id}.md")), text).unwrap();
    }
    root.to_owned()
}

/// Settings files for the tests: `data_dir` absolute, so that the library reads the same place
/// the commands (run in `dir`) do.
fn write_config(dir: &Path, name: &str, extra: &str) -> String {
    let text =
        format!("[storage]\ndata_dir = \"{}\"\n\n{extra}", dir.join("rampart-data").display());
    std::fs::write(dir.join(name), text).unwrap();
    name.to_owned()
}

/// Enrols an authenticator app for every owner, through the same functions the API uses, with
/// codes from oathtool (an independent TOTP implementation).
fn enrol_totp_for_the_owners(config_file: &Path) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let settings = config::load(Some(config_file)).unwrap();
        let state = ExistingInstallation::open(&settings)
            .await
            .unwrap()
            .into_app_state(settings)
            .await
            .unwrap();
        let owners =
            rampart_store::roles::list_users_with_roles(&state.db, &["owner"]).await.unwrap();
        assert!(!owners.is_empty());
        for id in owners {
            let account =
                rampart_core::accounts::find_account_by_id(&state, id).await.unwrap().unwrap();
            let enrolment =
                rampart_core::mfa::start_totp_enrolment(&state, &account).await.unwrap().unwrap();
            let output = Command::new("oathtool")
                .args(["--totp", "-b", "-d", "6"])
                .arg(enrolment.secret.as_str())
                .output()
                .expect("oathtool runs (apt-get install oathtool)");
            let code = String::from_utf8(output.stdout).unwrap();
            let code = TotpCode::parse(code.trim()).unwrap();
            let work = rampart_core::unit_of_work::UnitOfWork::begin(&state).await.unwrap();
            assert!(rampart_core::mfa::confirm_totp(&work, id, &code).await.unwrap());
            work.commit().await.unwrap();
        }
    });
}

/// libfaketime (Debian's `faketime` package), which moves the clock of the program it is
/// preloaded into.
fn faketime_library() -> &'static str {
    const PATHS: [&str; 2] = [
        "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
    ];
    PATHS
        .into_iter()
        .find(|path| Path::new(path).is_file())
        .expect("libfaketime is installed (apt-get install faketime)")
}

#[test]
fn doctor_names_each_problem_of_a_misconfigured_instance_and_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    // Installed 400 days ago (the data keys date from then), started again today: the start
    // prints a new bootstrap link, which nobody has used.
    install_with(path, &[], &[("LD_PRELOAD", faketime_library()), ("FAKETIME", "-400d")]);
    install_with(path, &[], &[]);
    let vulnerable = advisory_db(
        &path.join("vulnerable-db"),
        &[("RUSTSEC-2099-0001", "sqlx", "\">= 999.0.0\"")],
    );
    let config = write_config(
        path,
        "misconfigured.toml",
        &format!(
            "[server]\ntrusted_proxies = [\"127.0.0.1\"]\n\n[tls]\nmode = \"behind-proxy\"\n\n\
             [sandbox]\nenabled = false\n\n[doctor]\nadvisory_db = \"{}\"\n",
            vulnerable.display()
        ),
    );

    let (ok, stdout, stderr) = rampart(path, &["doctor", "--config", &config]);

    assert!(!ok, "{stdout}");
    assert!(stderr.contains("doctor: 4 failed"), "{stderr}");
    assert_eq!(status_of(&stdout, "backup-fresh"), "FAIL");
    assert!(line(&stdout, "backup-fresh").contains("set backup.recipients"), "{stdout}");
    assert_eq!(status_of(&stdout, "restore-drill"), "FAIL");
    assert!(line(&stdout, "restore-drill").contains("no restore drill yet"), "{stdout}");
    assert_eq!(status_of(&stdout, "tls"), "warn");
    assert!(line(&stdout, "tls").contains("TLS is off on Rampart's listener"), "{stdout}");
    assert_eq!(status_of(&stdout, "hsts"), "warn");
    assert_eq!(status_of(&stdout, "bootstrap-token"), "FAIL");
    assert!(line(&stdout, "bootstrap-token").contains("unused link"), "{stdout}");
    assert_eq!(status_of(&stdout, "admin-mfa"), "skip", "no owner yet");
    assert_eq!(status_of(&stdout, "key-age"), "warn");
    assert!(line(&stdout, "key-age").contains("fields v1 is 400 days old"), "{stdout}");
    assert_eq!(status_of(&stdout, "db-runtime-role"), "skip");
    assert_eq!(status_of(&stdout, "sandbox"), "warn");
    assert!(line(&stdout, "sandbox").contains("sandbox.enabled = false"), "{stdout}");
    assert_eq!(status_of(&stdout, "advisories"), "FAIL");
    assert!(line(&stdout, "advisories").contains("RUSTSEC-2099-0001 sqlx"), "{stdout}");

    // An owner made from the command line, with no second factor; the key file opened up.
    let (ok, _, stderr) = create_owner_with(
        path,
        "owner@example.com",
        "a long passphrase of ours",
        &["--config", &config],
    );
    assert!(ok, "{stderr}");
    let key = path.join("rampart-data/master.key");
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();

    let (ok, stdout, stderr) = rampart(path, &["doctor", "--config", &config]);

    assert!(!ok, "{stdout}");
    assert!(stderr.contains("doctor: 5 failed"), "{stderr}");
    assert_eq!(status_of(&stdout, "admin-mfa"), "FAIL");
    assert!(line(&stdout, "admin-mfa").contains("1 of 1 holders"), "{stdout}");
    assert!(!stdout.contains("owner@example.com"), "no address in the report: {stdout}");
    assert_eq!(status_of(&stdout, "master-key"), "FAIL");
    assert!(line(&stdout, "master-key").contains("mode 644"), "{stdout}");
    assert!(line(&stdout, "master-key").contains("chmod 600"), "{stdout}");
    assert_eq!(status_of(&stdout, "bootstrap-token"), "ok", "create-owner spent the link");
    assert_one_line_per_check(&stdout);
}

#[test]
fn doctor_finds_a_well_kept_instance_clean_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    install_with(path, &[], &[]);
    let data = path.join("rampart-data");
    // Our own certificate files (here: the ones the first start made), an owner with an
    // authenticator app, and an advisory database with nothing that concerns our versions —
    // but the advisory deny.toml accepts, which doctor must accept too.
    let clean = advisory_db(
        &path.join("clean-db"),
        &[("RUSTSEC-2099-0002", "sqlx", "\">= 0.0.1\""), ("RUSTSEC-2023-0071", "rsa", "")],
    );
    // Backups to a key pair made here, one made and drilled.
    let (ok, stdout, stderr) = rampart(path, &["backup", "keygen", "--output", "identity.txt"]);
    assert!(ok, "{stderr}");
    let recipient = stdout.lines().find_map(|l| l.strip_prefix("add to backup.recipients: "));
    let config = write_config(
        path,
        "good.toml",
        &format!(
            "[tls]\nmode = \"files\"\ncert_file = \"{}\"\nkey_file = \"{}\"\n\n\
             [doctor]\nadvisory_db = \"{}\"\n\n[backup]\nrecipients = [\"{}\"]\n",
            data.join("tls/cert.pem").display(),
            data.join("tls/key.pem").display(),
            clean.display(),
            recipient.unwrap(),
        ),
    );
    let (ok, _, stderr) = rampart(path, &["--config", &config, "backup", "create"]);
    assert!(ok, "{stderr}");
    let drill = ["--config", &config, "drill", "restore", "--identity", "identity.txt"];
    let (ok, _, stderr) = rampart(path, &drill);
    assert!(ok, "{stderr}");
    let (ok, _, stderr) = create_owner_with(
        path,
        "owner@example.com",
        "a long passphrase of ours",
        &["--config", &config],
    );
    assert!(ok, "{stderr}");
    enrol_totp_for_the_owners(&path.join(&config));

    let (ok, stdout, stderr) = rampart(path, &["doctor", "--strict", "--config", &config]);

    assert!(ok, "{stdout}{stderr}");
    assert_one_line_per_check(&stdout);
    for line in stdout.lines() {
        assert!(line.starts_with("ok ") || line.starts_with("skip "), "{line}");
    }
    assert!(line(&stdout, "admin-mfa").contains("all 1 holders"), "{stdout}");
    assert!(line(&stdout, "sandbox").contains("Landlock is enforced on this kernel"), "{stdout}");
    assert!(line(&stdout, "advisories").contains("RUSTSEC-2023-0071 (rsa used only"), "{stdout}");
    assert!(line(&stdout, "db-runtime-role").contains("SQLite"), "{stdout}");
    assert!(line(&stdout, "backup-fresh").contains("the newest backup is 0 hours old"), "{stdout}");
    assert!(line(&stdout, "restore-drill").contains("passed 0 days ago (RTO"), "{stdout}");

    // No database where the setting points: a warning that says so, which only --strict fails.
    let (ok, stdout, _) =
        rampart(path, &["doctor", "--config", &config, "--advisory-db", "no-such-db"]);
    assert!(ok, "{stdout}");
    assert_eq!(status_of(&stdout, "advisories"), "warn");
    assert!(line(&stdout, "advisories").contains("no advisory database at no-such-db"));
    let (ok, _, stderr) =
        rampart(path, &["doctor", "--strict", "--config", &config, "--advisory-db", "no-such-db"]);
    assert!(!ok);
    assert!(stderr.contains("doctor: 0 failed, 1 warnings (--strict)"), "{stderr}");
}

/// The RustSec snapshot the project ships (`../shared/advisory-db`), cloned from its bundle:
/// doctor reads a real database, and finds what `scripts/deny` finds on this tree.
#[test]
fn doctor_reads_the_real_advisory_database_snapshot() {
    let bundle = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/advisory-db/advisory-db.bundle");
    if !bundle.is_file() {
        eprintln!("skipped: no snapshot at {}", bundle.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    install_with(path, &[], &[]);
    let checkout = path.join("advisory-db");
    let cloned = Command::new("git")
        .args(["clone", "--quiet"])
        .arg(&bundle)
        .arg(&checkout)
        .status()
        .unwrap();
    assert!(cloned.success());

    // The bundle itself is not a database: doctor says what to do with it.
    let (_, stdout, _) = rampart(path, &["doctor", "--advisory-db", bundle.to_str().unwrap()]);
    assert_eq!(status_of(&stdout, "advisories"), "warn");
    assert!(line(&stdout, "advisories").contains("git clone"), "{stdout}");

    let (_, stdout, _) = rampart(path, &["doctor", "--advisory-db", "advisory-db"]);
    assert_eq!(status_of(&stdout, "advisories"), "ok", "{stdout}");
    assert!(line(&stdout, "advisories").contains("advisories in advisory-db"), "{stdout}");
}

/// `url` with another user name (the test server trusts local connections).
fn as_role(url: &str, role: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let host = rest.split_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{role}@{host}")
}

#[test]
fn doctor_tells_a_superuser_connection_from_the_runtime_role_on_postgres() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let database = runtime.block_on(rampart_store::testing::TestDatabase::create(
        rampart_store::testing::TestEngine::Postgres,
    ));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    let superuser =
        write_config(path, "superuser.toml", &format!("[database]\nurl = \"{}\"\n", database.url));
    install_with(path, &["--config", &superuser], &[]);

    let (ok, stdout, _) = rampart(path, &["doctor", "--config", &superuser]);

    assert!(!ok, "{stdout}");
    assert_eq!(status_of(&stdout, "db-runtime-role"), "FAIL");
    assert!(line(&stdout, "db-runtime-role").contains("is a superuser"), "{stdout}");
    assert!(line(&stdout, "db-runtime-role").contains("rampart db setup-roles"), "{stdout}");

    let suffix = format!(
        "{:x}",
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
            ^ u128::from(std::process::id())
    );
    let (migrator, runtime_role) =
        (format!("rampart_t_{suffix}_mig"), format!("rampart_t_{suffix}_app"));
    let (ok, stdout, stderr) = rampart(
        path,
        &[
            "db",
            "setup-roles",
            "--config",
            &superuser,
            "--migration-role",
            &migrator,
            "--runtime-role",
            &runtime_role,
        ],
    );
    assert!(ok, "{stdout}{stderr}");
    let least_privilege = write_config(
        path,
        "least-privilege.toml",
        &format!(
            "[database]\nurl = \"{}\"\nmigration_url = \"{}\"\n",
            as_role(&database.url, &runtime_role),
            as_role(&database.url, &migrator)
        ),
    );

    let (_, stdout, stderr) = rampart(path, &["doctor", "--config", &least_privilege]);

    assert_eq!(status_of(&stdout, "db-runtime-role"), "ok", "{stdout}{stderr}");
    assert!(line(&stdout, "db-runtime-role").contains(&runtime_role), "{stdout}");
}

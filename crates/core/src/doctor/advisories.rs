//! Dependency advisories: the `Cargo.lock` this binary was built from, checked against a RustSec
//! advisory database on disk, with the ignore list of `deny.toml` (both embedded at build time,
//! so doctor and `cargo deny` judge the same crates the same way). No network: the database is
//! a checkout the operator keeps fresh; missing, the line says so and fails nothing.

use std::path::Path;
use std::str::FromStr;

use rustsec::advisory::{Id, Informational};
use rustsec::report::{Report, Settings as ReportSettings};
use rustsec::{Database, Lockfile};
use serde::Deserialize;

use super::{Context, Finding};

const CHECK: &str = "advisories";

/// The exact versions this binary was built with.
const CARGO_LOCK: &str = include_str!("../../../../Cargo.lock");

/// The dependency policy whose `[advisories] ignore` list doctor honours too.
const DENY_TOML: &str = include_str!("../../../../deny.toml");

#[derive(Deserialize)]
struct DenyToml {
    advisories: DenyAdvisories,
}

#[derive(Deserialize)]
struct DenyAdvisories {
    #[serde(default)]
    ignore: Vec<Ignored>,
}

/// One accepted advisory, with the reason `deny.toml` records for it.
#[derive(Debug, Deserialize)]
struct Ignored {
    id: String,
    reason: String,
}

fn ignored_advisories() -> Result<Vec<Ignored>, String> {
    toml::from_str::<DenyToml>(DENY_TOML)
        .map(|deny| deny.advisories.ignore)
        .map_err(|error| format!("deny.toml's ignore list is unreadable: {error}"))
}

pub(super) fn dependencies(context: &Context<'_>) -> Finding {
    let path = context.advisory_db.as_path();
    let database = match open_database(path) {
        Ok(database) => database,
        Err(finding) => return *finding,
    };
    match check(&database, path) {
        Ok(finding) | Err(finding) => finding,
    }
}

/// The database at `path`, or the warning that says why there is none to use.
fn open_database(path: &Path) -> Result<Database, Box<Finding>> {
    let shown = path.display();
    let warn = |message: String| Box::new(Finding::warn(CHECK, message));
    if !path.exists() {
        return Err(warn(format!(
            "not checked: no advisory database at {shown}; clone the RustSec advisory database \
             there (and pull it before each run), or give --advisory-db PATH / doctor.advisory_db"
        )));
    }
    let bundle = if path.is_file() { Some(path.to_owned()) } else { find_bundle(path) };
    if !path.join("crates").is_dir() {
        return Err(warn(match bundle {
            Some(bundle) => format!(
                "not checked: {} is a git bundle, not a checkout; run `git clone {} DIR` and give \
                 DIR as --advisory-db or doctor.advisory_db",
                bundle.display(),
                bundle.display()
            ),
            None => format!("not checked: {shown} is not a RustSec advisory database (no crates/)"),
        }));
    }
    Database::open(path)
        .map_err(|error| warn(format!("not checked: cannot read the database at {shown}: {error}")))
}

/// A `*.bundle` file in `dir` (the form the snapshot is shipped in).
fn find_bundle(dir: &Path) -> Option<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|ext| ext == "bundle") && path.is_file())
}

fn check(database: &Database, path: &Path) -> Result<Finding, Finding> {
    let lockfile = Lockfile::from_str(CARGO_LOCK)
        .map_err(|error| Finding::fail(CHECK, format!("the embedded Cargo.lock: {error}")))?;
    let ignored = ignored_advisories().map_err(|message| Finding::fail(CHECK, message))?;
    let settings = ReportSettings {
        // Advisories limited to other platforms do not concern this binary.
        target_arch: vec![std::env::consts::ARCH.to_owned()],
        target_os: vec![std::env::consts::OS.to_owned()],
        severity: None,
        ignore: ignored.iter().filter_map(|entry| Id::from_str(&entry.id).ok()).collect(),
        informational_warnings: vec![Informational::Unmaintained, Informational::Unsound],
    };
    let report = Report::generate(database, &lockfile, &settings);

    let mut problems: Vec<String> = report
        .vulnerabilities
        .list
        .iter()
        .map(|found| {
            format!(
                "{} {} {} ({}; fixed in {})",
                found.advisory.id,
                found.package.name,
                found.package.version,
                found.advisory.title,
                patched(found.versions.patched())
            )
        })
        .collect();
    let vulnerable = problems.len();
    for warning in report.warnings.values().flatten() {
        let id = warning.advisory.as_ref().map_or_else(String::new, |a| a.id.to_string());
        problems.push(format!(
            "{id} {} {} ({})",
            warning.package.name, warning.package.version, warning.kind
        ));
    }
    let accepted = ignored
        .iter()
        .map(|entry| format!("{} ({})", entry.id, entry.reason))
        .collect::<Vec<_>>()
        .join(", ");
    let checked = format!(
        "{} crates checked against {} advisories in {}",
        lockfile.packages.len(),
        database.iter().count(),
        path.display()
    );
    if problems.is_empty() {
        let ignored_note =
            if accepted.is_empty() { String::new() } else { format!("; accepted: {accepted}") };
        return Ok(Finding::ok(CHECK, format!("no known advisory: {checked}{ignored_note}")));
    }
    let advice = "update the crates (cargo update -p NAME) and rebuild Rampart";
    let message = format!("{}: {advice} ({checked})", problems.join("; "));
    if vulnerable > 0 {
        Err(Finding::fail(CHECK, message))
    } else {
        Ok(Finding::warn(CHECK, message))
    }
}

fn patched(requirements: &[rustsec::VersionReq]) -> String {
    if requirements.is_empty() {
        return "no release yet".to_owned();
    }
    requirements.iter().map(ToString::to_string).collect::<Vec<_>>().join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_lock_file_parses_and_names_our_crates() {
        let lockfile = Lockfile::from_str(CARGO_LOCK).unwrap();
        assert!(lockfile.packages.iter().any(|p| p.name.as_str() == "rampart-http"));
    }

    #[test]
    fn doctor_ignores_what_deny_toml_ignores_and_knows_why() {
        let ignored = ignored_advisories().unwrap();
        let marvin = ignored.iter().find(|entry| entry.id == "RUSTSEC-2023-0071").unwrap();
        assert!(marvin.reason.contains("verify"), "{}", marvin.reason);
        assert!(ignored.iter().all(|entry| Id::from_str(&entry.id).is_ok()));
    }
}

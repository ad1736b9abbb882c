//! `version.json`: what produced the bundle — Rampart's version, the schema version, the engine,
//! and every dependency with its exact version, from the `Cargo.lock` embedded at build time (as
//! `rampart doctor` checks advisories against), so an assessor can match the build to advisories.

use serde::{Deserialize, Serialize};

/// The exact versions this binary was built with.
const CARGO_LOCK: &str = include_str!("../../../../../Cargo.lock");

#[derive(Debug, Serialize)]
pub(crate) struct VersionInfo {
    pub rampart_version: &'static str,
    pub schema_version: i64,
    pub engine: &'static str,
    pub dependencies: Vec<Dependency>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Dependency {
    pub name: String,
    pub version: String,
}

#[derive(Deserialize)]
struct Lockfile {
    #[serde(default)]
    package: Vec<Dependency>,
}

/// Every package of the embedded lock file, by name then version. An unreadable lock file (it
/// is checked by the test below) gives an empty list rather than no bundle.
pub(crate) fn dependencies() -> Vec<Dependency> {
    let mut packages =
        toml::from_str::<Lockfile>(CARGO_LOCK).map(|lock| lock.package).unwrap_or_default();
    packages.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    packages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_lock_file_lists_rampart_and_its_dependencies() {
        let all = dependencies();
        assert!(all.iter().any(|d| d.name == "rampart-http"));
        assert!(all.iter().any(|d| d.name == "ring"));
    }
}

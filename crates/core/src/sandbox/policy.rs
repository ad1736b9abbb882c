//! Which paths `rampart serve` keeps, from its settings: everything else on the filesystem is
//! out of reach once the sandbox is in place.

use std::path::PathBuf;

use rampart_store::local_files::local_files;
use secrecy::ExposeSecret;

use crate::config::Settings;

/// Read by the system's name resolver (getaddrinfo) whenever a host name is looked up: the
/// PostgreSQL server, the SMTP relay, the alert webhook, the ACME directory.
const NAME_SERVICE_FILES: &[&str] = &[
    "/etc/hosts",
    "/etc/resolv.conf",
    "/etc/nsswitch.conf",
    "/etc/host.conf",
    "/etc/gai.conf",
    "/etc/services",
];

/// The resolver loads its modules (`libnss_*.so`) at the first lookup, through the dynamic
/// linker's cache. Read-only system code, the same for every process on the machine.
const SYSTEM_LIBRARIES: &[&str] = &["/etc/ld.so.cache", "/lib", "/lib64", "/usr/lib", "/usr/lib64"];

/// SQLite seeds its random numbers from `/dev/urandom`; the standard library sizes thread pools
/// from the process's own cgroup CPU quota (`/proc/self/cgroup`, `/sys/fs/cgroup`).
const PROCESS_FILES: &[&str] = &["/dev/urandom", "/proc/self", "/sys/fs/cgroup"];

/// The paths the sandbox leaves open. Paths that do not exist are skipped when it is applied
/// (nothing can be created there then either).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Read, write, create, rename and delete files beneath these.
    pub read_write: Vec<PathBuf>,
    /// Read files and list directories beneath these.
    pub read_only: Vec<PathBuf>,
}

impl Policy {
    /// What `serve` needs with `settings`, plus the operator's `sandbox.read_only` and
    /// `sandbox.read_write`.
    pub fn for_settings(settings: &Settings) -> Self {
        let mut read_write =
            vec![settings.storage.data_dir.clone(), settings.backup.directory(&settings.storage)];
        let mut read_only: Vec<PathBuf> = [&settings.tls.cert_file, &settings.tls.key_file]
            .into_iter()
            .chain([&settings.tls.acme.ca_file, &settings.smtp.ca_file, &settings.site.dir])
            .flatten()
            .cloned()
            .collect();
        // A URL that does not parse fails the start right after, when the pool connects.
        if let Ok(database) = local_files(settings.database_url().expose_secret()) {
            read_write.extend(database.read_write);
            read_only.extend(database.read_only);
        }
        read_write.extend(settings.sandbox.read_write.iter().cloned());
        read_only.extend(settings.sandbox.read_only.iter().cloned());
        read_only.extend(
            NAME_SERVICE_FILES
                .iter()
                .chain(SYSTEM_LIBRARIES)
                .chain(PROCESS_FILES)
                .map(PathBuf::from),
        );
        Self { read_write: without_repeats(read_write), read_only: without_repeats(read_only) }
    }
}

/// `paths` in their order, each once (the default SQLite file is in the data directory).
fn without_repeats(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut seen = std::collections::HashSet::new();
    paths.into_iter().filter(|path| seen.insert(path.clone())).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::path::Path;

    use super::*;

    fn settings(overrides: &[(&str, toml::Value)]) -> Settings {
        let mut figment = figment::Figment::new();
        for (key, value) in overrides {
            figment = figment.merge((*key, value.clone()));
        }
        crate::config::load_with_overrides(None, figment).unwrap()
    }

    fn text(value: &str) -> toml::Value {
        toml::Value::String(value.to_owned())
    }

    #[test]
    fn the_data_and_backup_directories_are_the_only_writable_places_by_default() {
        let policy = Policy::for_settings(&settings(&[("storage.data_dir", text("/srv/rampart"))]));
        assert_eq!(
            policy.read_write,
            vec![PathBuf::from("/srv/rampart"), PathBuf::from("/srv/rampart/backups")]
        );
        assert!(!policy.read_only.iter().any(|path| path.starts_with("/srv")));
        assert!(!policy.read_only.iter().any(|path| path == Path::new("/etc")));
        assert!(!policy.read_only.iter().any(|path| path.starts_with("/home")));
    }

    #[test]
    fn certificates_a_sqlite_file_elsewhere_and_extra_paths_are_added() {
        // The configuration is checked at load: the certificate files must exist.
        let tls = tempfile::tempdir().unwrap();
        let (cert, key) = (tls.path().join("cert.pem"), tls.path().join("key.pem"));
        std::fs::write(&cert, "certificate").unwrap();
        std::fs::write(&key, "key").unwrap();
        let policy = Policy::for_settings(&settings(&[
            ("storage.data_dir", text("/srv/rampart")),
            ("tls.mode", text("files")),
            ("tls.cert_file", text(cert.to_str().unwrap())),
            ("tls.key_file", text(key.to_str().unwrap())),
            ("database.url", text("sqlite:/var/db/rampart/main.db")),
            ("backup.directory", text("/mnt/backups")),
            ("sandbox.read_only", toml::Value::Array(vec![text("/opt/ca.pem")])),
        ]));
        assert!(policy.read_write.contains(&PathBuf::from("/var/db/rampart")));
        assert!(policy.read_write.contains(&PathBuf::from("/mnt/backups")));
        for file in [cert, key, PathBuf::from("/opt/ca.pem")] {
            assert!(policy.read_only.contains(&file), "{}", file.display());
        }
    }
}

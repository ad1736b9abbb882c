//! The files on this machine that connections to a `database.url` open while the server runs:
//! what `rampart serve`'s sandbox must leave reachable.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;

use crate::{Engine, StoreError};

/// What a pool opens after start-up, beyond its sockets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalFiles {
    /// Where SQLite keeps the database: the directory, because it creates `-wal`, `-shm` and
    /// journal files beside the database file.
    pub read_write: Option<PathBuf>,
    /// Files PostgreSQL's TLS reads at every new connection: `sslrootcert`, `sslcert`, `sslkey`.
    pub read_only: Vec<PathBuf>,
}

/// The local files of `url` (`sqlite:PATH` or `postgres://…`).
pub fn local_files(url: &str) -> Result<LocalFiles, StoreError> {
    match Engine::of_url(url)? {
        Engine::Sqlite => {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|_| StoreError::BadUrl("not a valid sqlite: URL"))?;
            let file = options.get_filename();
            if file.as_os_str().is_empty() || file == Path::new(":memory:") {
                return Ok(LocalFiles::default());
            }
            let directory = match file.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
                _ => PathBuf::from("."),
            };
            Ok(LocalFiles { read_write: Some(directory), read_only: Vec::new() })
        }
        Engine::Postgres => {
            let parsed = url::Url::parse(url)
                .map_err(|_| StoreError::BadUrl("not a valid postgres:// URL"))?;
            let read_only = parsed
                .query_pairs()
                .filter(|(key, _)| matches!(key.as_ref(), "sslrootcert" | "sslcert" | "sslkey"))
                .map(|(_, value)| PathBuf::from(value.as_ref()))
                .collect();
            Ok(LocalFiles { read_write: None, read_only })
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn sqlite_needs_the_directory_of_its_file() {
        let files = local_files("sqlite:/var/lib/rampart/rampart.db?mode=rwc").unwrap();
        assert_eq!(files.read_write, Some(PathBuf::from("/var/lib/rampart")));
        assert!(files.read_only.is_empty());
        let relative = local_files("sqlite:rampart.db").unwrap();
        assert_eq!(relative.read_write, Some(PathBuf::from(".")));
    }

    #[test]
    fn postgres_needs_its_tls_files_only() {
        let files = local_files(
            "postgres://rampart@db.internal/rampart?sslmode=verify-full&sslrootcert=/etc/rampart/db-ca.pem",
        )
        .unwrap();
        assert_eq!(files.read_write, None);
        assert_eq!(files.read_only, vec![PathBuf::from("/etc/rampart/db-ca.pem")]);
        assert_eq!(
            local_files("postgres://postgres@127.0.0.1/test").unwrap(),
            LocalFiles::default()
        );
    }

    #[test]
    fn another_scheme_is_refused() {
        assert!(local_files("mysql://root@localhost/test").is_err());
    }
}

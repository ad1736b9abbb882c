//! One `rampart serve` per SQLite database: several processes on one SQLite file would each run
//! the background chores and fight over its one write lock, and nothing would say so. The first
//! to start holds an exclusive lock on `<database>.lock` (in the data directory for the default
//! database) for as long as it serves; a second is refused with the path. The kernel lets go of
//! the lock when the process ends, however it ends. Several instances share PostgreSQL instead.

use std::fs::{File, OpenOptions, TryLockError};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use secrecy::ExposeSecret;

use super::BootError;
use crate::config::Settings;

/// Held while this process serves the SQLite database; dropping it lets another start.
#[derive(Debug)]
pub struct InstanceLock {
    _file: File,
}

impl InstanceLock {
    /// Takes the lock of the SQLite database `settings` name; `None` for PostgreSQL.
    pub(super) fn take(settings: &Settings) -> Result<Option<Self>, BootError> {
        let Some(database) = sqlite_file(settings.database_url().expose_secret()) else {
            return Ok(None);
        };
        let path = lock_path(&database);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&path)
            .map_err(|error| BootError::Filesystem {
                path: path.clone(),
                problem: error.to_string(),
            })?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Self { _file: file })),
            Err(TryLockError::WouldBlock) => Err(BootError::AlreadyServing { lock: path }),
            Err(TryLockError::Error(error)) => {
                Err(BootError::Filesystem { path, problem: error.to_string() })
            }
        }
    }
}

/// The file of a `sqlite:` database URL (`sqlite:/path`, `sqlite:///path`, `sqlite://path`,
/// options after `?` left out); `None` for any other engine or an in-memory database.
pub(super) fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::sqlite_file;

    #[test]
    fn the_database_file_is_read_from_each_form_of_a_sqlite_url() {
        assert_eq!(
            sqlite_file("sqlite:/var/lib/r/rampart.db").unwrap().to_str(),
            Some("/var/lib/r/rampart.db")
        );
        assert_eq!(
            sqlite_file("sqlite:///var/lib/r/rampart.db?mode=rwc").unwrap().to_str(),
            Some("/var/lib/r/rampart.db")
        );
        assert_eq!(
            sqlite_file("sqlite:data/rampart.db").unwrap().to_str(),
            Some("data/rampart.db")
        );
        assert_eq!(sqlite_file("postgres://db/rampart"), None);
        assert_eq!(sqlite_file("sqlite::memory:"), None);
    }
}

//! The data directory: created 0700 on first start; refused if others can read it.

use std::fs::{self, DirBuilder};
use std::io;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;

use super::StartupError;

/// Makes sure `path` is a directory only its owner can enter. Returns whether it was created now.
pub(super) fn prepare_private_dir(path: &Path) -> Result<bool, StartupError> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            check_private(path, meta.permissions().mode(), 0o700)?;
            Ok(false)
        }
        Ok(_) => Err(StartupError::Filesystem {
            path: path.to_owned(),
            problem: "exists but is not a directory".into(),
        }),
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            DirBuilder::new().recursive(true).mode(0o700).create(path).map_err(|error| {
                StartupError::Filesystem { path: path.to_owned(), problem: error.to_string() }
            })?;
            // `mode` is filtered by the umask; set it exactly.
            fs::set_permissions(path, fs::Permissions::from_mode(0o700)).map_err(|error| {
                StartupError::Filesystem { path: path.to_owned(), problem: error.to_string() }
            })?;
            Ok(true)
        }
        Err(error) => {
            Err(StartupError::Filesystem { path: path.to_owned(), problem: error.to_string() })
        }
    }
}

/// Refuses a file or directory that anyone but its owner may read, write or enter.
pub(super) fn check_private(path: &Path, mode: u32, wanted: u32) -> Result<(), StartupError> {
    if mode & 0o077 != 0 {
        return Err(StartupError::TooOpen {
            path: path.to_owned(),
            mode: mode & 0o777,
            fix: format!("chmod {wanted:o} {}", path.display()),
        });
    }
    Ok(())
}

//! The data directory and the private files in it: directories 0700, files 0600, refused when
//! others can read them, replaced atomically. Used by start-up (master key, certificates) and by
//! the sandbox (which must create the data directory before it allows it).

use std::fs::{self, DirBuilder, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use std::path::PathBuf;

/// A private file or directory that cannot be made or used as one.
#[derive(Debug, thiserror::Error)]
pub enum PrivateFileError {
    #[error("{path}: {problem}")]
    Filesystem { path: PathBuf, problem: String },
    #[error("{path} is accessible to other users (mode {mode:o}); fix it with: {fix}")]
    TooOpen { path: PathBuf, mode: u32, fix: String },
}

/// Makes sure `path` is a directory only its owner can enter. Returns whether it was created now.
pub fn prepare_private_dir(path: &Path) -> Result<bool, PrivateFileError> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            check_private(path, meta.permissions().mode(), 0o700)?;
            Ok(false)
        }
        Ok(_) => Err(PrivateFileError::Filesystem {
            path: path.to_owned(),
            problem: "exists but is not a directory".into(),
        }),
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            DirBuilder::new().recursive(true).mode(0o700).create(path).map_err(|error| {
                PrivateFileError::Filesystem { path: path.to_owned(), problem: error.to_string() }
            })?;
            // `mode` is filtered by the umask; set it exactly.
            fs::set_permissions(path, fs::Permissions::from_mode(0o700)).map_err(|error| {
                PrivateFileError::Filesystem { path: path.to_owned(), problem: error.to_string() }
            })?;
            Ok(true)
        }
        Err(error) => {
            Err(PrivateFileError::Filesystem { path: path.to_owned(), problem: error.to_string() })
        }
    }
}

/// Refuses a file or directory that anyone but its owner may read, write or enter.
pub fn check_private(path: &Path, mode: u32, wanted: u32) -> Result<(), PrivateFileError> {
    if mode & 0o077 != 0 {
        return Err(PrivateFileError::TooOpen {
            path: path.to_owned(),
            mode: mode & 0o777,
            fix: format!("chmod {wanted:o} {}", path.display()),
        });
    }
    Ok(())
}

/// Writes a new file readable by its owner only; never replaces an existing one.
pub fn write_new_private_file(path: &Path, contents: &[u8]) -> Result<(), PrivateFileError> {
    let filesystem_error = |error: io::Error| PrivateFileError::Filesystem {
        path: path.to_owned(),
        problem: error.to_string(),
    };
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(filesystem_error)?;
    file.write_all(contents).map_err(filesystem_error)?;
    file.sync_all().map_err(filesystem_error)
}

/// Replaces (or creates) `path` with `contents`, mode 0600, atomically: a new file is written
/// beside it and renamed over it, so a crash leaves either the old contents or the new.
pub fn replace_private_file(path: &Path, contents: &[u8]) -> Result<(), PrivateFileError> {
    let mut staged = path.as_os_str().to_owned();
    staged.push(".new");
    let staged = std::path::PathBuf::from(staged);
    match fs::remove_file(&staged) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => {
            return Err(PrivateFileError::Filesystem { path: staged, problem: error.to_string() });
        }
        _ => {}
    }
    write_new_private_file(&staged, contents)?;
    fs::rename(&staged, path).map_err(|error| PrivateFileError::Filesystem {
        path: path.to_owned(),
        problem: error.to_string(),
    })
}

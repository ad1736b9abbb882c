//! Files a backup writes: only their owner may read them (0600, in a 0700 directory), and a
//! backup appears under its name only once it is complete.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

use super::BackupError;

pub(crate) fn ensure_private_directory(directory: &Path) -> Result<(), BackupError> {
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(directory)?;
    Ok(())
}

/// Creates `path` (which must not exist) readable by its owner only.
pub(crate) fn create_private_file(path: &Path) -> Result<File, BackupError> {
    Ok(OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?)
}

/// Writes `bytes` to `path` through a temporary name, so a reader never sees half of it.
pub(crate) fn write_private_file(path: &Path, bytes: &[u8]) -> Result<(), BackupError> {
    let partial = path.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let mut file = create_private_file(&partial)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&partial, path)?;
    Ok(())
}

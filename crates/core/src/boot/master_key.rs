//! Where the master key comes from, and the rule that protects an existing database from a start
//! with the wrong key or none: a new key is made only for a database that has never been claimed.

use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use rampart_crypto::MasterKey;
use rampart_domain::Random;
use secrecy::ExposeSecret;

use super::BootError;
use crate::config::StorageSettings;
use crate::private_files::{check_private, replace_private_file, write_new_private_file};

pub(crate) const MASTER_KEY_FILE: &str = "master.key";

/// The key given in the settings (`storage.master_key(_file)`), if any: checked before anything
/// is created, so that a mistyped key stops the start with nothing written.
pub(super) fn configured(storage: &StorageSettings) -> Result<Option<MasterKey>, BootError> {
    storage
        .master_key
        .as_ref()
        .map(|text| {
            MasterKey::from_hex(text.expose_secret()).map_err(|error| {
                // Say where the key came from (never the key): the file, or the setting.
                let source = match &storage.master_key_file {
                    Some(file) => format!("storage.master_key_file ({})", file.display()),
                    None => "storage.master_key".to_owned(),
                };
                BootError::MasterKey(format!("{source}: {error}"))
            })
        })
        .transpose()
}

/// The key from the settings, or from `master.key` in the data directory, created when absent
/// and `may_create` (the database has no installation yet).
pub(super) fn load_or_create(
    storage: &StorageSettings,
    random: &dyn Random,
    may_create: bool,
) -> Result<(MasterKey, bool), BootError> {
    if let Some(key) = configured(storage)? {
        return Ok((key, false));
    }

    let path = storage.data_dir.join(MASTER_KEY_FILE);
    match fs::metadata(&path) {
        Ok(meta) => {
            check_private(&path, meta.permissions().mode(), 0o600)?;
            let bytes = zeroize::Zeroizing::new(fs::read(&path).map_err(|error| {
                BootError::Filesystem { path: path.clone(), problem: error.to_string() }
            })?);
            let key = MasterKey::from_bytes(&bytes)
                .map_err(|error| BootError::MasterKey(format!("{}: {error}", path.display())))?;
            Ok((key, false))
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            if !may_create {
                return Err(BootError::MasterKey(format!(
                    "{} is missing but the database already holds data: refusing to start with a \
                     new key that could not read it. Restore the key file, or set \
                     storage.master_key_file to where it is kept.",
                    path.display()
                )));
            }
            let key = MasterKey::generate(random)
                .map_err(|error| BootError::MasterKey(format!("a new master key: {error}")))?;
            write_new_private_file(&path, key.expose_bytes())?;
            Ok((key, true))
        }
        Err(error) => Err(BootError::Filesystem { path, problem: error.to_string() }),
    }
}

/// Replaces the key file at `path` with `key`, atomically (never half of either key).
pub(crate) fn replace_key_file(path: &Path, key: &MasterKey) -> Result<(), BootError> {
    Ok(replace_private_file(path, key.expose_bytes())?)
}

//! The master key file: readable by its owner alone, as `rampart serve` demands (it refuses to
//! start otherwise, so this line says why before the next restart does).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::{Context, Finding};
use crate::boot::MASTER_KEY_FILE;

const CHECK: &str = "master-key";

/// The environment variable that holds the key under `deploy/rampart-admin` and systemd.
const KEY_VARIABLE: &str = "RAMPART_STORAGE__MASTER_KEY";

pub(super) fn permissions(context: &Context<'_>) -> Finding {
    let storage = &context.settings.storage;
    if let Some(file) = &storage.master_key_file {
        return file_mode(file);
    }
    if storage.master_key.is_some() {
        // Given as a value: there is no file of ours to check.
        return if std::env::var_os(KEY_VARIABLE).is_some() {
            Finding::ok(
                CHECK,
                format!(
                    "from the environment ({KEY_VARIABLE}): no key file to check; keep whatever \
                     sets it readable by root and rampart only"
                ),
            )
        } else {
            Finding::warn(
                CHECK,
                "written in the configuration file (storage.master_key): move it to a file \
                 of mode 0600 named by storage.master_key_file",
            )
        };
    }
    file_mode(&storage.data_dir.join(MASTER_KEY_FILE))
}

/// 0600 or 0400: no bit for the group or others.
fn file_mode(path: &Path) -> Finding {
    let mode = match std::fs::metadata(path) {
        Ok(meta) => meta.permissions().mode() & 0o777,
        Err(error) => {
            return Finding::fail(CHECK, format!("cannot read {}: {error}", path.display()));
        }
    };
    if mode & 0o077 != 0 {
        return Finding::fail(
            CHECK,
            format!(
                "{} has mode {mode:o}: other users can read it (Rampart will not start); fix it \
                 with: chmod 600 {}",
                path.display(),
                path.display()
            ),
        );
    }
    Finding::ok(CHECK, format!("{} has mode {mode:o}", path.display()))
}

//! The sandbox `rampart serve` puts itself in once its configuration is read and before it
//! starts a thread: Landlock, the kernel's unprivileged access control, leaves it its data,
//! backup and database directories to read and write, its certificate files and what the
//! system's resolver reads to read, and nothing else on the filesystem; no_new_privs keeps it
//! (and anything it could be tricked into starting) from gaining privileges.
//!
//! A flaw in Rampart or a dependency that lets an attacker open a path therefore reaches no
//! other file on the machine: not `/etc/shadow`, not SSH keys, not another service's data.
//!
//! - `policy.rs`: which paths, from the settings;
//! - `landlock_rules.rs`: the policy as Landlock rules, and what the kernel supports.
//!
//! On a kernel without Landlock `serve` still starts (no_new_privs only), logs that it runs
//! unsandboxed, and `rampart doctor` reports it. Any other failure stops the start: a sandbox
//! that was asked for and could not be set up is not silently skipped.

mod landlock_rules;
mod policy;

use std::fmt;
use std::path::PathBuf;

pub use landlock_rules::Support;
pub use policy::Policy;

use crate::config::Settings;
use crate::private_files::{PrivateFileError, prepare_private_dir};

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("sandbox: {0}")]
    Landlock(#[from] landlock::RulesetError),
    #[error(transparent)]
    DataDirectory(#[from] PrivateFileError),
    #[error("backup.directory {}: {source}", path.display())]
    BackupDirectory { path: PathBuf, source: crate::backup::BackupError },
}

/// How `serve` is confined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxStatus {
    /// Landlock restricts the filesystem: everything asked for (`complete`), or what an older
    /// kernel knows.
    Enforced { complete: bool, no_new_privs: bool },
    /// Landlock is not available (not in the kernel, or its system calls filtered): the
    /// filesystem is not restricted.
    Unsupported { no_new_privs: bool },
    /// `sandbox.enabled = false`.
    Disabled,
}

impl SandboxStatus {
    pub fn is_enforced(self) -> bool {
        matches!(self, Self::Enforced { .. })
    }
}

impl fmt::Display for SandboxStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let privileges = |no_new_privs: bool| {
            if no_new_privs { "no_new_privs set" } else { "no_new_privs NOT set" }
        };
        match *self {
            Self::Enforced { complete: true, no_new_privs } => {
                write!(f, "sandboxed with Landlock, {}", privileges(no_new_privs))
            }
            Self::Enforced { complete: false, no_new_privs } => write!(
                f,
                "sandboxed with Landlock as far as this kernel supports (older than Linux 6.12), {}",
                privileges(no_new_privs)
            ),
            Self::Unsupported { no_new_privs } => write!(
                f,
                "running UNSANDBOXED: Landlock is not available (a kernel without it, or a \
                 system-call filter that blocks it), the whole filesystem is reachable; {}",
                privileges(no_new_privs)
            ),
            Self::Disabled => f.write_str("running UNSANDBOXED: sandbox.enabled = false"),
        }
    }
}

/// The outcome of [`confine`], for the application builder.
#[derive(Debug, Clone)]
pub struct Confinement {
    pub status: SandboxStatus,
    /// Whether the data directory was created now (the sandbox needs it to exist).
    pub created_data_dir: bool,
    pub policy: Policy,
}

/// Creates the directories `serve` writes to (so that they can be allowed), then restricts the
/// calling thread and all threads it starts from now on. Call it on the main thread before the
/// async runtime is built.
pub fn confine(settings: &Settings) -> Result<Confinement, SandboxError> {
    let created_data_dir = prepare_private_dir(&settings.storage.data_dir)?;
    if !settings.backup.recipients.is_empty() {
        let path = settings.backup.directory(&settings.storage);
        crate::backup::files::ensure_private_directory(&path)
            .map_err(|source| SandboxError::BackupDirectory { path, source })?;
    }
    let policy = Policy::for_settings(settings);
    let status = if settings.sandbox.enabled {
        landlock_rules::restrict(&policy)?
    } else {
        SandboxStatus::Disabled
    };
    Ok(Confinement { status, created_data_dir, policy })
}

/// What the running kernel would enforce, without restricting anything (for `doctor`).
pub fn kernel_support() -> Support {
    landlock_rules::kernel_support()
}

//! The policy as Landlock rules, and whether this kernel can enforce them.

use landlock::{
    ABI, Access, AccessFs, BitFlags, CompatLevel, Compatible, RestrictionStatus, Ruleset,
    RulesetAttr, RulesetCreatedAttr, RulesetError, RulesetStatus, Scope, make_bitflags,
    path_beneath_rules,
};

use super::{Policy, SandboxError, SandboxStatus};

/// The newest Landlock ABI whose restrictions we ask for (Linux 6.12: filesystem rights, device
/// ioctls, and the scopes below). On an older kernel the crate keeps what that kernel knows.
const WANTED: ABI = ABI::V6;

/// Beneath the data, backup and database directories: everything a database and a backup
/// writer do (create, write, truncate, rename, delete), but no running programs, no device,
/// socket or FIFO files and no symbolic links.
fn read_write() -> BitFlags<AccessFs> {
    make_bitflags!(AccessFs::{
        ReadFile | ReadDir | WriteFile | Truncate | MakeReg | MakeDir | RemoveFile | RemoveDir | Refer
    })
}

/// Beneath certificates, name-service files and system libraries: reading only.
fn read_only() -> BitFlags<AccessFs> {
    make_bitflags!(AccessFs::{ReadFile | ReadDir})
}

/// Restricts the calling thread and every thread it starts from now on, and sets
/// no_new_privs. Call before any other thread exists (threads already running keep their
/// rights).
pub(super) fn restrict(policy: &Policy) -> Result<SandboxStatus, SandboxError> {
    let status = ruleset(CompatLevel::BestEffort)?
        .create()?
        .add_rules(path_beneath_rules(&policy.read_write, read_write()))?
        .add_rules(path_beneath_rules(&policy.read_only, read_only()))?
        .restrict_self()?;
    Ok(describe(&status))
}

/// Every filesystem right of [`WANTED`] is handled (so denied unless a rule grants it); the
/// process may neither signal processes outside its sandbox nor reach abstract UNIX sockets
/// made outside it. `BestEffort` keeps what the kernel knows; `HardRequirement` fails instead.
fn ruleset(level: CompatLevel) -> Result<Ruleset, RulesetError> {
    Ruleset::default()
        .set_compatibility(level)
        .handle_access(AccessFs::from_all(WANTED))?
        .scope(Scope::from_all(WANTED))
}

fn describe(status: &RestrictionStatus) -> SandboxStatus {
    match status.ruleset {
        RulesetStatus::FullyEnforced => {
            SandboxStatus::Enforced { complete: true, no_new_privs: status.no_new_privs }
        }
        RulesetStatus::PartiallyEnforced => {
            SandboxStatus::Enforced { complete: false, no_new_privs: status.no_new_privs }
        }
        _ => SandboxStatus::Unsupported { no_new_privs: status.no_new_privs },
    }
}

/// What this kernel can enforce, found without restricting anything: whether a ruleset with
/// everything [`restrict`] asks for, or with the first ABI's rights only, can be created.
pub(super) fn kernel_support() -> Support {
    let everything = ruleset(CompatLevel::HardRequirement).and_then(|ruleset| ruleset.create());
    if everything.is_ok() {
        return Support::Complete;
    }
    let first_abi = Ruleset::default()
        .set_compatibility(CompatLevel::HardRequirement)
        .handle_access(AccessFs::from_all(ABI::V1))
        .and_then(|ruleset| ruleset.create());
    if first_abi.is_ok() { Support::Partial } else { Support::None }
}

/// How much of the sandbox the running kernel enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// Every restriction `serve` asks for.
    Complete,
    /// Landlock, but an ABI older than 6: some rights (e.g. truncation, device ioctls, scopes)
    /// are not restricted.
    Partial,
    /// No Landlock (not built in, or not enabled at boot).
    None,
}

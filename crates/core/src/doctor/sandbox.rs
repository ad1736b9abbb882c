//! The sandbox `serve` enters at start (`sandbox/`): switched on, and enforced by this kernel.
//! Doctor runs on the machine that serves, so the kernel it asks is the server's.

use super::{Context, Finding};
use crate::sandbox::{Support, kernel_support};

const CHECK: &str = "sandbox";

pub(super) fn landlock(context: &Context<'_>) -> Finding {
    if !context.settings.sandbox.enabled {
        return Finding::warn(
            CHECK,
            "sandbox.enabled = false: serve runs with the whole filesystem in reach; remove the \
             setting (or allow the missing path with sandbox.read_only / sandbox.read_write)",
        );
    }
    let extra =
        context.settings.sandbox.read_only.len() + context.settings.sandbox.read_write.len();
    let exceptions = match extra {
        0 => String::new(),
        n => format!(" ({n} extra path(s) allowed by sandbox.read_only / read_write)"),
    };
    match kernel_support() {
        Support::Complete => Finding::ok(
            CHECK,
            format!(
                "Landlock is enforced on this kernel: serve reaches only its data, backup and \
                 database directories and the files it reads{exceptions}"
            ),
        ),
        Support::Partial => Finding::warn(
            CHECK,
            format!(
                "this kernel's Landlock is older than ABI 6 (Linux 6.12): serve is sandboxed, but \
                 not every right is restricted (truncation, device ioctls or signal and socket \
                 scopes); update the kernel{exceptions}"
            ),
        ),
        Support::None => Finding::warn(
            CHECK,
            "Landlock is not available here (a kernel without it or without `landlock` in its \
             lsm= boot parameter, or a system-call filter that blocks it): serve runs \
             unsandboxed, with only no_new_privs; use Linux 5.13 or later with Landlock enabled",
        ),
    }
}

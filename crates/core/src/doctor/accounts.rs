//! Accounts: every administrator has a second factor, and no bootstrap link is still usable.

use rampart_domain::BuiltInRole;
use rampart_store::one_time_tokens::{TokenPurpose, list_open_one_time_tokens};
use rampart_store::roles::list_users_with_roles;
use time::format_description::well_known::Rfc3339;

use super::{Context, Finding};
use crate::mfa::factors_in;

/// Holders of owner or admin (whatever `mfa.required_roles` says), and of every role that
/// setting lists, must have an authenticator app or a passkey. Names user ids, never addresses.
pub(super) async fn administrators_have_second_factor(context: &Context<'_>) -> Finding {
    const CHECK: &str = "admin-mfa";
    let mut roles: Vec<&str> = vec![BuiltInRole::Owner.as_str(), BuiltInRole::Admin.as_str()];
    for role in &context.settings.mfa.required_roles {
        if !roles.contains(&role.as_str()) {
            roles.push(role);
        }
    }
    let holders = match list_users_with_roles(context.db, &roles).await {
        Ok(holders) => holders,
        Err(error) => return Finding::unreadable(CHECK, &error),
    };
    if holders.is_empty() {
        return Finding::skip(CHECK, format!("no account holds {} yet", roles.join(", ")));
    }
    let mut without = Vec::new();
    for user_id in &holders {
        match factors_in(context.db, *user_id).await {
            Ok(factors) if factors.any() => {}
            Ok(_) => without.push(user_id.to_string()),
            Err(error) => return Finding::unreadable(CHECK, &error),
        }
    }
    if without.is_empty() {
        return Finding::ok(
            CHECK,
            format!("all {} holders of {} have a second factor", holders.len(), roles.join(", ")),
        );
    }
    Finding::fail(
        CHECK,
        format!(
            "{} of {} holders of {} have no second factor (user ids {}): each must enrol an \
             authenticator app or a passkey",
            without.len(),
            holders.len(),
            roles.join(", "),
            without.join(", ")
        ),
    )
}

/// The first owner's link creates an owner for whoever holds it: once used or expired it is
/// harmless, until then it is the keys to the installation.
pub(super) async fn no_open_bootstrap_link(context: &Context<'_>) -> Finding {
    const CHECK: &str = "bootstrap-token";
    let open =
        match list_open_one_time_tokens(context.db, TokenPurpose::Bootstrap, context.now).await {
            Ok(open) => open,
            Err(error) => return Finding::unreadable(CHECK, &error),
        };
    let Some(latest) = open.first() else {
        return Finding::ok(CHECK, "no unused bootstrap link");
    };
    let latest = latest.replace_nanosecond(0).unwrap_or(*latest);
    let until = latest.format(&Rfc3339).unwrap_or_else(|_| latest.to_string());
    Finding::fail(
        CHECK,
        format!(
            "an unused link to create the first owner is open until {until}: create the owner \
             with it now (or with `rampart user create-owner`)"
        ),
    )
}

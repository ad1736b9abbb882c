//! Data key ages: each purpose's newest version (the one new writes use) against
//! `doctor.max_key_age_days`. Reads the keys table only; nothing is unwrapped.

use super::{Context, Finding};
use crate::keys::key_status;

pub(super) async fn ages(context: &Context<'_>) -> Finding {
    const CHECK: &str = "key-age";
    let max_days = i64::try_from(context.settings.doctor.max_key_age_days).unwrap_or(i64::MAX);
    let purposes = match key_status(context.db).await {
        Ok(purposes) => purposes,
        Err(error) => return Finding::fail(CHECK, format!("could not be checked: {error}")),
    };
    let mut old = Vec::new();
    let mut oldest = 0;
    for purpose in &purposes {
        let Some(newest) = purpose.versions.last() else {
            old.push(format!("{} has no key yet", purpose.purpose.name()));
            continue;
        };
        let age = (context.now - newest.created_at).whole_days();
        oldest = oldest.max(age);
        if age >= max_days {
            old.push(format!("{} v{} is {age} days old", purpose.purpose.name(), newest.version));
        }
    }
    if old.is_empty() {
        return Finding::ok(
            CHECK,
            format!("every data key is younger than {max_days} days (oldest: {oldest} days)"),
        );
    }
    Finding::warn(
        CHECK,
        format!(
            "{} (doctor.max_key_age_days = {max_days}): rotate with `rampart keys rotate \
             --purpose all`, then `rampart keys reencrypt`",
            old.join(", ")
        ),
    )
}

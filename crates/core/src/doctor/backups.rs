//! Recovery: backups are configured and fresh, and a restore drill proved them lately.

use rampart_store::backups::{latest_successful_backup, latest_successful_drill};

use super::{Context, Finding};

pub(super) async fn backup_fresh(context: &Context<'_>) -> Finding {
    const CHECK: &str = "backup-fresh";
    let settings = &context.settings.backup;
    if settings.recipients.is_empty() {
        return Finding::fail(
            CHECK,
            "no backups: set backup.recipients to an age public key (`rampart backup keygen`)",
        );
    }
    let newest = match latest_successful_backup(context.db).await {
        Ok(newest) => newest,
        Err(error) => return Finding::unreadable(CHECK, &error),
    };
    let Some(newest) = newest else {
        return Finding::fail(CHECK, "no successful backup yet: run `rampart backup create`");
    };
    let hours = (context.now - newest.finished_at).whole_hours();
    if context.now - newest.finished_at > settings.max_age() {
        return Finding::fail(
            CHECK,
            format!(
                "the newest successful backup is {hours} hours old (backup.max_age_hours = {}): \
                 see `rampart backup list` and the backup_failed alerts",
                settings.max_age_hours
            ),
        );
    }
    let schedule = match settings.interval_hours {
        0 => "no schedule: made by `rampart backup create` only".to_owned(),
        hours => format!("every {hours} h"),
    };
    Finding::ok(CHECK, format!("the newest backup is {hours} hours old ({schedule})"))
}

pub(super) async fn restore_drill(context: &Context<'_>) -> Finding {
    const CHECK: &str = "restore-drill";
    let max_days = i64::try_from(context.settings.backup.max_drill_age_days).unwrap_or(i64::MAX);
    let drill = match latest_successful_drill(context.db).await {
        Ok(drill) => drill,
        Err(error) => return Finding::unreadable(CHECK, &error),
    };
    let Some(drill) = drill else {
        return Finding::fail(
            CHECK,
            "no restore drill yet: run `rampart drill restore --identity FILE`",
        );
    };
    let days = (context.now - drill.finished_at).whole_days();
    let figures = format!(
        "RTO {:.1} s, RPO {:.0} s",
        drill.rto_seconds.unwrap_or_default(),
        drill.rpo_seconds.unwrap_or_default()
    );
    if days >= max_days {
        return Finding::fail(
            CHECK,
            format!(
                "the last successful drill was {days} days ago (backup.max_drill_age_days = \
                 {max_days}; {figures}): run `rampart drill restore --identity FILE`"
            ),
        );
    }
    Finding::ok(CHECK, format!("the last drill passed {days} days ago ({figures})"))
}

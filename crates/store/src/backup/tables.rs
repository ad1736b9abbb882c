//! Which tables a backup holds, in an order a restore can insert them in: every table after the
//! tables it refers to (the migrations' order). The list is written out, not read from the
//! catalog, so that a table a new migration adds cannot be left out of backups silently:
//! [`check_tables`] refuses to back up a database whose tables differ from it.

use crate::{Db, StoreError};

pub const TABLES: &[&str] = &[
    "installation",
    "keys",
    "users",
    "job_progress",
    "user_roles",
    "sessions",
    "sign_in_failures_by_address",
    "sign_in_failures_by_ip",
    "blocked_ips",
    "one_time_tokens",
    "known_devices",
    "api_keys",
    "outbox",
    "audit_events",
    "audit_head",
    "audit_checkpoints",
    "audit_segments",
    "totp_factors",
    "recovery_codes",
    "passkeys",
    "webauthn_challenges",
    "alerts",
    "alert_deliveries",
    "departments",
    "custom_roles",
    "user_role_departments",
    "collections",
    "records",
    "record_lookup",
    "form_submissions",
    "lockdown",
    "backup_runs",
    "restore_drills",
    "incidents",
    "incident_notes",
    "incident_notifications",
    "mail_requests",
    "invitations",
    "email_changes",
];

/// Fails when the database has a table the list lacks, or lacks one the list has.
pub async fn check_tables(db: &Db) -> Result<(), StoreError> {
    let mut found = db.table_names().await?;
    found.sort();
    let mut expected: Vec<String> = TABLES.iter().map(|t| (*t).to_owned()).collect();
    expected.sort();
    if found == expected {
        Ok(())
    } else {
        Err(StoreError::Conflict(
            "the database's tables are not the ones this version of Rampart backs up",
        ))
    }
}

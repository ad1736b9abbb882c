//! The re-encryption job: after a rotation, rewrite every encrypted value and blind index under
//! the newest keys, then retire the old versions.
//!
//! It walks the encrypted columns in id order, in batches, saving its cursor in `job_progress`
//! after each batch: killed midway, it resumes where it stopped. A row changed meanwhile by a
//! writer is left to the writer (the update is conditional on the old ciphertext). Old versions
//! stay readable until a complete pass finds nothing using them *and* the newest version is older
//! than [`RETIRE_GRACE`], so that an instance still holding the previous keyring for a few
//! seconds cannot write a value nobody can read.
//!
//! Encrypted columns today: `users.email` (+ its blind index) and `totp_factors.secret`
//! (one row per user with an authenticator, rewritten after the users), rewritten below, and
//! `outbox.message_ciphertext`, not rewritten (queued e-mail is gone within hours) but counted as
//! using its key version, which is retired only once the queue no longer needs it; then business
//! records' sealed parts and lookups (`records/rekey.rs`, its own resumable cursor). Each new
//! encrypted column joins the pass below. `incident_notifications.email_index` cannot be
//! rewritten (the address is not stored): its blind-index versions are only counted as in use.
//! `invitations.email` and `email_changes.email` (+ indexes) are counted as in use, not
//! rewritten: the rows live days.

use std::collections::BTreeSet;

use rampart_crypto::{Keyring, Purpose, field_key_version};
use rampart_domain::{Clock, Random};
use rampart_store::email_skeletons::set_email_skeleton;
use rampart_store::jobs::{
    JobProgressRow, delete_job_progress, find_job_progress, save_job_progress,
};
use rampart_store::keys::{delete_key, list_keys};
use rampart_store::outbox::list_outbox_messages_after;
use rampart_store::totp_factors::{list_totp_factors, update_totp_secret};
use rampart_store::users::{list_users_after, replace_email_encryption};
use rampart_store::{Db, StoreError};
use time::Duration;
use uuid::Uuid;

use super::KeysError;
use super::load::identify;
use crate::accounts::reencrypted_email;
use crate::mfa::reencrypted_totp_secret;

const JOB: &str = "reencrypt";

/// How long a new key version must have existed before older ones may be deleted: well above
/// `keys.reload_interval_secs`, so every instance writes with it by then.
pub const RETIRE_GRACE: Duration = Duration::minutes(5);

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReencryptReport {
    pub checked: u64,
    pub rewritten: u64,
    /// False when the run stopped at `max_batches` before the end.
    pub complete: bool,
    pub retired: Vec<(Purpose, u32)>,
}

/// Runs the job from where it last stopped. `max_batches` bounds this run (the rest is left for
/// the next one, as after a crash).
pub async fn reencrypt(
    db: &Db,
    keyring: &Keyring,
    random: &dyn Random,
    clock: &dyn Clock,
    batch_size: u64,
    max_batches: Option<u64>,
) -> Result<ReencryptReport, KeysError> {
    let saved = find_job_progress(db, JOB).await?;
    let mut cursor = saved.as_ref().and_then(|p| Uuid::parse_str(&p.cursor).ok());
    let mut report = ReencryptReport {
        checked: saved.as_ref().map_or(0, |p| p.checked.unsigned_abs()),
        rewritten: saved.as_ref().map_or(0, |p| p.updated.unsigned_abs()),
        ..ReencryptReport::default()
    };
    let mut batches = 0;
    loop {
        if max_batches.is_some_and(|max| batches >= max) {
            return Ok(report);
        }
        let rows = list_users_after(db, cursor, batch_size).await?;
        let Some(last) = rows.last() else { break };
        cursor = Some(last.id);
        for row in &rows {
            report.checked += 1;
            let Some((ciphertext, index, skeleton)) = reencrypted_email(keyring, row, random)
                .map_err(|error| KeysError::Corrupt(format!("account {}: {error}", row.id)))?
            else {
                continue;
            };
            let changed = replace_email_encryption(
                db,
                row.id,
                &row.email_ciphertext,
                ciphertext,
                index.digest.to_vec(),
                i64::from(index.version),
            )
            .await?;
            if changed {
                // A look-alike pair from before look-alikes were refused keeps its NULL.
                match set_email_skeleton(db, row.id, skeleton.digest.to_vec()).await {
                    Ok(()) | Err(StoreError::Duplicate) => {}
                    Err(other) => return Err(other.into()),
                }
            }
            report.rewritten += u64::from(changed);
        }
        batches += 1;
        save_job_progress(
            db,
            &JobProgressRow {
                name: JOB.into(),
                cursor: last.id.to_string(),
                checked: i64::try_from(report.checked).unwrap_or(i64::MAX),
                updated: i64::try_from(report.rewritten).unwrap_or(i64::MAX),
                updated_at: clock.now(),
            },
        )
        .await?;
        tracing::info!(
            checked = report.checked,
            rewritten = report.rewritten,
            "re-encryption progress"
        );
    }
    for factor in list_totp_factors(db).await? {
        report.checked += 1;
        let Some(ciphertext) =
            reencrypted_totp_secret(keyring, &factor, random).map_err(|error| {
                KeysError::Corrupt(format!("TOTP secret of {}: {error}", factor.user_id))
            })?
        else {
            continue;
        };
        let changed =
            update_totp_secret(db, factor.user_id, &factor.secret_ciphertext, &ciphertext).await?;
        report.rewritten += u64::from(changed);
    }
    let (checked, rewritten) =
        crate::records::rekey::reencrypt_records(db, keyring, random, clock, batch_size).await?;
    report.checked += checked;
    report.rewritten += rewritten;
    delete_job_progress(db, JOB).await?;
    report.complete = true;
    report.retired = retire_unused_versions(db, keyring, clock).await?;
    Ok(report)
}

/// Deletes field and blind-index key versions older than the newest when no stored value uses
/// them any more and the newest has existed for [`RETIRE_GRACE`].
async fn retire_unused_versions(
    db: &Db,
    keyring: &Keyring,
    clock: &dyn Clock,
) -> Result<Vec<(Purpose, u32)>, KeysError> {
    let (fields_in_use, indexes_in_use) = versions_in_use(db).await?;
    let stored = list_keys(db).await?;
    let mut retired = Vec::new();
    for (purpose, in_use) in
        [(Purpose::Fields, &fields_in_use), (Purpose::BlindIndex, &indexes_in_use)]
    {
        let Some(current) = keyring.current_version(purpose) else { continue };
        let current_is_settled = stored.iter().any(|row| {
            identify(row).is_ok_and(|id| id == (purpose, current))
                && clock.now() - row.created_at >= RETIRE_GRACE
        });
        if !current_is_settled {
            continue;
        }
        for version in keyring.versions(purpose) {
            if version < current && !in_use.contains(&version) {
                delete_key(db, purpose.name(), i64::from(version)).await?;
                retired.push((purpose, version));
            }
        }
    }
    Ok(retired)
}

/// Every field-key and blind-index version some stored value still uses (a full, read-only pass).
async fn versions_in_use(db: &Db) -> Result<(BTreeSet<u32>, BTreeSet<u32>), KeysError> {
    let (mut fields, mut indexes) = (BTreeSet::new(), BTreeSet::new());
    let mut cursor = None;
    loop {
        let rows = list_users_after(db, cursor, 500).await?;
        let Some(last) = rows.last() else { break };
        cursor = Some(last.id);
        for row in &rows {
            fields.extend(field_key_version(&row.email_ciphertext));
            indexes.extend(u32::try_from(row.email_index_version).ok());
        }
    }
    let totp = list_totp_factors(db).await?;
    fields.extend(totp.iter().filter_map(|factor| field_key_version(&factor.secret_ciphertext)));
    // Queued e-mail is not rewritten (it is short-lived), so its key stays until it is sent.
    let mut cursor = None;
    loop {
        let rows = list_outbox_messages_after(db, cursor, 500).await?;
        let Some(last) = rows.last() else { break };
        cursor = Some(last.id);
        fields.extend(rows.iter().filter_map(|row| field_key_version(&row.message_ciphertext)));
    }
    // Invitations and requested changes of address are not rewritten either (they expire within
    // days and are deleted a week after): their key versions stay while their rows do.
    let mut short_lived = rampart_store::invitations::invitation_key_uses(db).await?;
    short_lived.extend(rampart_store::email_changes::email_change_key_uses(db).await?);
    for (ciphertext, index_version) in short_lived {
        fields.extend(field_key_version(&ciphertext));
        indexes.extend(u32::try_from(index_version).ok());
    }
    let (record_fields, record_indexes) = crate::records::rekey::record_key_versions(db).await?;
    fields.extend(record_fields);
    indexes.extend(record_indexes);
    // Who an incident notification reached is kept only as a blind index, which cannot be
    // recomputed under a new key without the address: its key version stays while rows use it.
    let notified = rampart_store::incident_notifications::distinct_email_index_versions(db).await?;
    indexes.extend(notified.into_iter().filter_map(|version| u32::try_from(version).ok()));
    Ok((fields, indexes))
}

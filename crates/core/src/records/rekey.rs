//! Records in the re-encryption job (`rampart keys reencrypt`): each record whose sealed part
//! or lookups are not under the newest keys is rewritten under them, in id order, in batches,
//! with its cursor saved after each batch (killed midway, the next run resumes). The rewrite is
//! conditional on the record not having changed meanwhile (a writer wins; its write already used
//! the newest keys).

use std::collections::{BTreeSet, HashMap};

use rampart_crypto::{Keyring, Purpose, field_key_version};
use rampart_domain::{Clock, Random};
use rampart_store::Db;
use rampart_store::jobs::{
    JobProgressRow, delete_job_progress, find_job_progress, save_job_progress,
};
use rampart_store::records::{
    RecordRow, distinct_lookup_versions, list_records_after, replace_record_storage,
};
use uuid::Uuid;

use super::seal::{open_sensitive, stored_form};
use super::{Collection, load_collection};
use crate::keys::KeysError;

const JOB: &str = "reencrypt_records";

/// Rewrites what is due; returns (records checked, records rewritten).
pub async fn reencrypt_records(
    db: &Db,
    keyring: &Keyring,
    random: &dyn Random,
    clock: &dyn Clock,
    batch_size: u64,
) -> Result<(u64, u64), KeysError> {
    let fields_now = keyring.current_version(Purpose::Fields);
    let older_indexes = keyring.versions(Purpose::BlindIndex).len() > 1;
    let saved = find_job_progress(db, JOB).await?;
    let mut cursor = saved.as_ref().and_then(|p| Uuid::parse_str(&p.cursor).ok());
    let (mut checked, mut rewritten) = (0, 0);
    let mut collections: HashMap<String, Collection> = HashMap::new();
    loop {
        let rows = list_records_after(db, None, cursor, batch_size).await?;
        let Some(last) = rows.last() else { break };
        cursor = Some(last.id);
        for row in &rows {
            checked += 1;
            let sealed_is_old =
                row.sealed.as_deref().is_some_and(|s| field_key_version(s) != fields_now);
            if !(sealed_is_old || older_indexes) {
                continue;
            }
            if !collections.contains_key(&row.collection) {
                let found = load_collection(db, &row.collection)
                    .await
                    .map_err(|error| KeysError::Corrupt(error.to_string()))?
                    .ok_or_else(|| {
                        KeysError::Corrupt(format!("record {}: no collection", row.id))
                    })?;
                collections.insert(row.collection.clone(), found);
            }
            let collection = &collections[&row.collection];
            rewritten += u64::from(rewrite(db, keyring, random, collection, row).await?);
        }
        save_job_progress(
            db,
            &JobProgressRow {
                name: JOB.into(),
                cursor: last.id.to_string(),
                checked: i64::try_from(checked).unwrap_or(i64::MAX),
                updated: i64::try_from(rewritten).unwrap_or(i64::MAX),
                updated_at: clock.now(),
            },
        )
        .await?;
        tracing::info!(checked, rewritten, "re-encryption progress (records)");
    }
    delete_job_progress(db, JOB).await?;
    Ok((checked, rewritten))
}

async fn rewrite(
    db: &Db,
    keyring: &Keyring,
    random: &dyn Random,
    collection: &Collection,
    row: &RecordRow,
) -> Result<bool, KeysError> {
    let corrupt = |error: rampart_crypto::CryptoError| {
        KeysError::Corrupt(format!("record {}: {error}", row.id))
    };
    let name = collection.name.as_str();
    let sensitive =
        open_sensitive(keyring, name, row.id, row.sealed.as_deref()).map_err(corrupt)?;
    let plain = row.data.as_object().cloned().unwrap_or_default();
    let document = rampart_domain::records::merge(plain, sensitive);
    let form = stored_form(keyring, name, &collection.schema, row.id, &document, random)
        .map_err(corrupt)?;
    let changed = RecordRow { data: form.data, sealed: form.sealed, ..row.clone() };
    Ok(replace_record_storage(db, &changed, row.sealed.as_deref(), &form.lookups).await?)
}

/// The field-key and blind-index versions records still use.
pub async fn record_key_versions(db: &Db) -> Result<(BTreeSet<u32>, BTreeSet<u32>), KeysError> {
    let mut fields = BTreeSet::new();
    let mut cursor = None;
    loop {
        let rows = list_records_after(db, None, cursor, 500).await?;
        let Some(last) = rows.last() else { break };
        cursor = Some(last.id);
        fields.extend(
            rows.iter().filter_map(|row| row.sealed.as_deref().and_then(field_key_version)),
        );
    }
    let indexes = distinct_lookup_versions(db)
        .await?
        .into_iter()
        .filter_map(|version| u32::try_from(version).ok())
        .collect();
    Ok((fields, indexes))
}

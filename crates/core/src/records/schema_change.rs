//! A new definition for a collection that has records: every record (live or in the bin) must
//! fit the new schema, or nothing changes and the answer names the first record that does not
//! and why. When all fit, each record's stored form is rewritten under the new schema (a field
//! that became sensitive moves into the sealed part, one that stopped being sensitive moves out,
//! lookups are rebuilt), then the definition is replaced.
//!
//! A record is read whole (plain and sealed parts merged) whatever the schema says, so a crash
//! between the rewrite and the definition change loses nothing and hides nothing that was shown.

use rampart_domain::records::{lookup_key, validate_document};
use rampart_store::records::{RecordRow, list_records_after, replace_record_storage};
use uuid::Uuid;

use super::Collection;
use super::seal::stored_form;
use super::write::full_document;
use crate::AppState;

const BATCH: u64 = 500;

#[derive(Debug, thiserror::Error)]
pub enum SchemaChangeError {
    /// A stored record does not fit the new schema.
    #[error("record {record} does not fit the new definition: {problem}")]
    RecordDoesNotFit { record: Uuid, problem: String },
    #[error("a record's sensitive fields could not be opened")]
    Crypto(#[from] rampart_crypto::CryptoError),
    #[error(transparent)]
    Store(#[from] rampart_store::StoreError),
}

/// Checks every record against `changed`'s schema, then rewrites them under it. Returns how
/// many records were rewritten.
pub async fn apply_to_records(
    state: &AppState,
    changed: &Collection,
) -> Result<u64, SchemaChangeError> {
    let name = changed.name.as_str();
    // The canonical values of the unique fields seen so far: a field made unique must not hold
    // one value twice (only the canonical text is kept, in memory, for this check).
    let mut unique_values = std::collections::HashSet::new();
    let mut after = None;
    loop {
        let batch = list_records_after(&state.db, Some(name), after, BATCH).await?;
        for record in &batch {
            let document = full_document(state, record)?;
            let misfit = |problem: String| SchemaChangeError::RecordDoesNotFit {
                record: record.id,
                problem,
            };
            validate_document(&changed.schema, &document, None)
                .map_err(|problem| misfit(problem.to_string()))?;
            for field in changed.schema.fields().iter().filter(|field| field.unique) {
                let value = document.get(field.name.as_str());
                let canonical = value.and_then(|value| lookup_key(&field.kind, value));
                if let Some(canonical) = canonical
                    && !unique_values.insert((field.name.as_str(), canonical))
                {
                    return Err(misfit(format!(
                        "{}: another record has the same value, so it cannot be unique",
                        field.name
                    )));
                }
            }
        }
        match batch.last() {
            Some(last) => after = Some(last.id),
            None => break,
        }
    }
    let mut rewritten = 0;
    let mut after = None;
    loop {
        let batch = list_records_after(&state.db, Some(name), after, BATCH).await?;
        let keyring = state.keyring.current();
        for record in &batch {
            let document = full_document(state, record)?;
            let random = state.random.as_ref();
            let form = stored_form(&keyring, name, &changed.schema, record.id, &document, random)?;
            let rewrite = RecordRow { data: form.data, sealed: form.sealed, ..record.clone() };
            // A field made unique while two records share a value: the unique index refuses the
            // second, and the definition is not changed.
            let stored = replace_record_storage(
                &state.db,
                &rewrite,
                record.sealed.as_deref(),
                &form.lookups,
            )
            .await
            .map_err(|error| match error {
                rampart_store::StoreError::Duplicate => SchemaChangeError::RecordDoesNotFit {
                    record: record.id,
                    problem: "a unique field's value is also another record's".into(),
                },
                other => other.into(),
            })?;
            if stored {
                rewritten += 1;
            }
        }
        match batch.last() {
            Some(last) => after = Some(last.id),
            None => break,
        }
    }
    Ok(rewritten)
}

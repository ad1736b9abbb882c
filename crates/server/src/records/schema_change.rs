//! A new definition for a collection that has records: every record (live or in the bin) must
//! fit the new schema, or nothing changes and the answer names the first record that does not
//! and why. When all fit, each record's stored form is rewritten under the new schema (a field
//! that became sensitive moves into the sealed part, one that stopped being sensitive moves out,
//! lookups are rebuilt), then the definition is replaced.
//!
//! A record is read whole (plain and sealed parts merged) whatever the schema says, so a crash
//! between the rewrite and the definition change loses nothing and hides nothing that was shown.

use rampart_domain::records::validate_document;
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
    let mut after = None;
    loop {
        let batch = list_records_after(&state.db, Some(name), after, BATCH).await?;
        for record in &batch {
            let document = full_document(state, record)?;
            validate_document(&changed.schema, &document, None).map_err(|problem| {
                SchemaChangeError::RecordDoesNotFit {
                    record: record.id,
                    problem: problem.to_string(),
                }
            })?;
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
            if replace_record_storage(&state.db, &rewrite, record.sealed.as_deref(), &form.lookups)
                .await?
            {
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

//! Creating and changing a record: validate (the collection's schema, in `domain`), sanitise
//! rich text, check references and unique values, seal the sensitive fields, store — all or
//! nothing.

use rampart_domain::records::{Document, DocumentErrors, FieldKind, merge, validate_document};
use rampart_store::records::{
    RecordRow, find_lookup_holders, insert_record, live_record_exists, restore_record,
    soft_delete_record, update_record,
};
use rampart_store::{Executor, StoreError};
use serde_json::Value;
use uuid::Uuid;

use super::Collection;
use super::seal::{StoredForm, lookup_digests, open_sensitive, stored_form};
use crate::AppState;
use crate::unit_of_work::UnitOfWork;

#[derive(Debug, thiserror::Error)]
pub enum RecordWriteError {
    /// Fields that do not fit the schema (each named, values never repeated).
    #[error(transparent)]
    Invalid(#[from] DocumentErrors),
    /// A reference to a record that does not exist (or is in the bin).
    #[error("field {0}: the referenced record does not exist")]
    DanglingReference(String),
    /// A unique field's value is held by another record.
    #[error("field {0} must be unique: another record has this value")]
    NotUnique(String),
    /// The record changed since the caller read it (or was deleted).
    #[error("the record changed since you read it; read it again")]
    VersionMismatch,
    #[error("a sensitive field could not be encrypted or opened")]
    Crypto(#[from] rampart_crypto::CryptoError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Who owns the new record and where it goes.
#[derive(Debug, Clone)]
pub struct NewRecord {
    pub department: Option<String>,
    pub owner_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
}

/// Sanitises every rich-text field in place (ammonia's allowlist: no script, no event handler,
/// no `javascript:` URL survives).
fn sanitise_rich_text(collection: &Collection, document: &mut Document) {
    for field in collection.schema.fields() {
        if let FieldKind::LongText { rich: true, .. } = field.kind
            && let Some(Value::String(html)) = document.get_mut(field.name.as_str())
        {
            *html = ammonia::clean(html);
        }
    }
}

async fn check_references(
    db: &impl Executor,
    collection: &Collection,
    document: &Document,
) -> Result<(), RecordWriteError> {
    for field in collection.schema.fields() {
        let FieldKind::Reference { collection: target } = &field.kind else { continue };
        let Some(Value::String(id)) = document.get(field.name.as_str()) else { continue };
        let id = Uuid::parse_str(id)
            .map_err(|_| RecordWriteError::DanglingReference(field.name.to_string()))?;
        if !live_record_exists(db, target.as_str(), id).await? {
            return Err(RecordWriteError::DanglingReference(field.name.to_string()));
        }
    }
    Ok(())
}

/// Refuses a unique value another record holds, naming the field (the database's unique index
/// is the backstop against a race).
async fn check_unique(
    state: &AppState,
    db: &impl Executor,
    collection: &Collection,
    document: &Document,
    record_id: Uuid,
) -> Result<(), RecordWriteError> {
    let keyring = state.keyring.current();
    for field in collection.schema.fields().iter().filter(|field| field.unique) {
        let Some(value) = document.get(field.name.as_str()) else { continue };
        let Some(canonical) = rampart_domain::records::lookup_key(&field.kind, value) else {
            continue;
        };
        let digests =
            lookup_digests(&keyring, collection.name.as_str(), field.name.as_str(), &canonical)?;
        let holders = find_lookup_holders(
            db,
            collection.name.as_str(),
            field.name.as_str(),
            &digests,
            Some(record_id),
        )
        .await?;
        if !holders.is_empty() {
            return Err(RecordWriteError::NotUnique(field.name.to_string()));
        }
    }
    Ok(())
}

fn stored(
    state: &AppState,
    collection: &Collection,
    record_id: Uuid,
    document: &Document,
) -> Result<StoredForm, rampart_crypto::CryptoError> {
    let keyring = state.keyring.current();
    let name = collection.name.as_str();
    stored_form(&keyring, name, &collection.schema, record_id, document, state.random.as_ref())
}

fn store_error(error: StoreError) -> RecordWriteError {
    match error {
        StoreError::Duplicate => RecordWriteError::NotUnique("a unique field".into()),
        other => RecordWriteError::Store(other),
    }
}

/// Creates a record as an action of its own, with no event: for seeding and imports, whose
/// caller records what it did. A request's create is [`create_record_in`] its unit of work.
pub async fn create_record(
    state: &AppState,
    collection: &Collection,
    input: &Document,
    new: NewRecord,
) -> Result<RecordRow, RecordWriteError> {
    let work = UnitOfWork::begin(state).await?;
    let record = create_record_in(&work, collection, input, new).await?;
    work.commit().await?;
    Ok(record)
}

/// Validates `input` against the collection and stores it as a new record with `work`'s action
/// (every check reads through the unit, so what it checked is what it wrote against).
pub async fn create_record_in(
    work: &UnitOfWork<'_>,
    collection: &Collection,
    input: &Document,
    new: NewRecord,
) -> Result<RecordRow, RecordWriteError> {
    let (state, db) = (work.state(), work.db());
    let mut document = validate_document(&collection.schema, input, None)?;
    sanitise_rich_text(collection, &mut document);
    check_references(db, collection, &document).await?;
    let id = Uuid::new_v4();
    check_unique(state, db, collection, &document, id).await?;
    let StoredForm { data, sealed, lookups } = stored(state, collection, id, &document)?;
    let now = state.clock.now();
    let record = RecordRow {
        id,
        collection: collection.name.as_str().to_owned(),
        department: new.department,
        owner_id: new.owner_id,
        data,
        sealed,
        version: 1,
        created_by: new.created_by,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    insert_record(db, &record, &lookups).await.map_err(store_error)?;
    Ok(record)
}

/// Moves a live record of `collection` to the bin (restorable until purged) with `work`'s
/// action; `false` when it was not live.
pub async fn bin_record(
    work: &UnitOfWork<'_>,
    collection: &Collection,
    id: Uuid,
) -> Result<bool, StoreError> {
    let now = work.state().clock.now();
    soft_delete_record(work.db(), collection.name.as_str(), id, now).await
}

/// Brings a record of `collection` back from the bin with `work`'s action; `false` when it was
/// not there.
pub async fn restore_from_bin(
    work: &UnitOfWork<'_>,
    collection: &Collection,
    id: Uuid,
) -> Result<bool, StoreError> {
    let now = work.state().clock.now();
    restore_record(work.db(), collection.name.as_str(), id, now).await
}

/// The whole document of a stored record, sensitive fields opened.
pub fn full_document(
    state: &AppState,
    record: &RecordRow,
) -> Result<Document, rampart_crypto::CryptoError> {
    let keyring = state.keyring.current();
    let sensitive =
        open_sensitive(&keyring, &record.collection, record.id, record.sealed.as_deref())?;
    let plain = match &record.data {
        Value::Object(plain) => plain.clone(),
        _ => Document::new(),
    };
    Ok(merge(plain, sensitive))
}

/// Applies `patch` (a `null` clears a field) to `existing` if it is still at `expected_version`.
pub async fn update_existing_record(
    work: &UnitOfWork<'_>,
    collection: &Collection,
    existing: &RecordRow,
    patch: &Document,
    expected_version: i64,
) -> Result<RecordRow, RecordWriteError> {
    if existing.version != expected_version || existing.deleted_at.is_some() {
        return Err(RecordWriteError::VersionMismatch);
    }
    let (state, db) = (work.state(), work.db());
    let previous = full_document(state, existing)?;
    let mut document = validate_document(&collection.schema, patch, Some(&previous))?;
    sanitise_rich_text(collection, &mut document);
    check_references(db, collection, &document).await?;
    check_unique(state, db, collection, &document, existing.id).await?;
    let StoredForm { data, sealed, lookups } = stored(state, collection, existing.id, &document)?;
    let record = RecordRow {
        data,
        sealed,
        version: expected_version + 1,
        updated_at: state.clock.now(),
        ..existing.clone()
    };
    if !update_record(db, &record, expected_version, &lookups).await.map_err(store_error)? {
        return Err(RecordWriteError::VersionMismatch);
    }
    Ok(record)
}

//! Where a record's bytes are encrypted: its sensitive fields are sealed together with
//! XChaCha20-Poly1305 (the newest field key), bound to the collection, the record id and the
//! field set — a sealed part copied to another record or collection does not decrypt. The
//! searchable and unique fields get blind-index digests (HMAC-SHA-256, 16 bytes) of their
//! canonical value, under the context `records:<collection>.<field>`, so equal values in two
//! collections or fields have unrelated digests.

use rampart_crypto::{CryptoError, FieldContext, Keyring};
use rampart_domain::Random;
use rampart_domain::records::{CollectionSchema, Document, lookup_key, split_sensitive};
use rampart_store::records::LookupRow;
use uuid::Uuid;

/// The associated-data name of the sealed part (all sensitive fields of a record together).
const SEALED_FIELDS: &str = "sensitive_fields";

fn place<'a>(collection: &'a str, record_id: &'a str) -> FieldContext<'a> {
    FieldContext { table: collection, row_id: record_id, field: SEALED_FIELDS }
}

/// Seals the sensitive fields; `None` when there are none to seal.
pub fn seal_sensitive(
    keyring: &Keyring,
    collection: &str,
    record_id: Uuid,
    sensitive: &Document,
    random: &dyn Random,
) -> Result<Option<Vec<u8>>, CryptoError> {
    if sensitive.is_empty() {
        return Ok(None);
    }
    let plaintext =
        zeroize::Zeroizing::new(serde_json::to_vec(sensitive).map_err(|_| CryptoError::Malformed)?);
    let id = record_id.to_string();
    keyring.encrypt_field(&place(collection, &id), &plaintext, random).map(Some)
}

/// Opens a sealed part. A failure is a damaged or moved ciphertext, or a missing key: the
/// caller fails closed and audits `crypt_decrypt_fail`.
pub fn open_sensitive(
    keyring: &Keyring,
    collection: &str,
    record_id: Uuid,
    sealed: Option<&[u8]>,
) -> Result<Document, CryptoError> {
    let Some(sealed) = sealed else {
        return Ok(Document::new());
    };
    let id = record_id.to_string();
    let plaintext = keyring.decrypt_field(&place(collection, &id), sealed)?;
    serde_json::from_slice(&plaintext).map_err(|_| CryptoError::Malformed)
}

pub fn lookup_context(collection: &str, field: &str) -> String {
    format!("records:{collection}.{field}")
}

/// The blind-index rows of a document: one per field that is searchable (sensitive) or unique
/// and set.
pub fn lookups_for(
    keyring: &Keyring,
    collection: &str,
    schema: &CollectionSchema,
    document: &Document,
) -> Result<Vec<LookupRow>, CryptoError> {
    let mut rows = Vec::new();
    for field in schema.fields() {
        if !(field.unique || (field.sensitive && field.searchable)) {
            continue;
        }
        let Some(value) = document.get(field.name.as_str()) else { continue };
        let Some(canonical) = lookup_key(&field.kind, value) else { continue };
        let index = keyring
            .blind_index(&lookup_context(collection, field.name.as_str()), canonical.as_bytes())?;
        rows.push(LookupRow {
            field: field.name.as_str().to_owned(),
            digest: index.digest.to_vec(),
            key_version: i64::from(index.version),
            unique: field.unique,
        });
    }
    Ok(rows)
}

/// The digests to look for (every blind-index key version present) for a field's canonical
/// value.
pub fn lookup_digests(
    keyring: &Keyring,
    collection: &str,
    field: &str,
    canonical: &str,
) -> Result<Vec<Vec<u8>>, CryptoError> {
    Ok(keyring
        .blind_indexes_for_lookup(&lookup_context(collection, field), canonical.as_bytes())?
        .into_iter()
        .map(|index| index.digest.to_vec())
        .collect())
}

/// How a validated document is stored: the plain fields, the sealed sensitive ones, the lookups.
#[derive(Debug)]
pub struct StoredForm {
    pub data: serde_json::Value,
    pub sealed: Option<Vec<u8>>,
    pub lookups: Vec<LookupRow>,
}

/// The stored form of `document` for record `record_id` of `collection`, under the newest keys.
pub fn stored_form(
    keyring: &Keyring,
    collection: &str,
    schema: &CollectionSchema,
    record_id: Uuid,
    document: &Document,
    random: &dyn Random,
) -> Result<StoredForm, CryptoError> {
    let (plain, sensitive) = split_sensitive(schema, document);
    Ok(StoredForm {
        data: serde_json::Value::Object(plain),
        sealed: seal_sensitive(keyring, collection, record_id, &sensitive, random)?,
        lookups: lookups_for(keyring, collection, schema, document)?,
    })
}

//! A record as a caller sees it: built-in columns at the top level, the fields under `fields`
//! (so a field can never shadow `id` or `department`), and sensitive fields only when the
//! caller may see them — absent, not blanked, otherwise.

use rampart_domain::records::Document;
use rampart_store::records::RecordRow;
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Serialize)]
pub struct RecordView {
    pub id: Uuid,
    pub collection: String,
    pub department: Option<String>,
    pub owner_id: Option<Uuid>,
    /// Send it back in `If-Match` to update only what you read.
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Set when the record is in the bin.
    #[serde(with = "time::serde::rfc3339::option", skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<OffsetDateTime>,
    pub fields: Document,
}

impl RecordView {
    /// `sensitive`: the opened sensitive fields, when the caller may see them.
    pub fn of(record: &RecordRow, sensitive: Option<Document>) -> Self {
        let mut fields = match &record.data {
            Value::Object(plain) => plain.clone(),
            _ => Document::new(),
        };
        fields.extend(sensitive.unwrap_or_default());
        Self {
            id: record.id,
            collection: record.collection.clone(),
            department: record.department.clone(),
            owner_id: record.owner_id,
            version: record.version,
            created_at: record.created_at,
            updated_at: record.updated_at,
            deleted_at: record.deleted_at,
            fields,
        }
    }
}

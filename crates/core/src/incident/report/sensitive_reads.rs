//! `sensitive_reads.json`: who read which sensitive records in the window, from the
//! `sensitive_read` events (target `collection:NAME`, details `records`): principal → collection
//! → the records, each with when it was read and the event's position in the chain.

use std::collections::BTreeMap;

use rampart_domain::AuditAction;
use rampart_store::audit::AuditRow;
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;

/// Reader (user id, or `unknown`) → collection → reads.
pub(crate) type SensitiveReads = BTreeMap<String, BTreeMap<String, Vec<Read>>>;

#[derive(Debug, Serialize)]
pub(crate) struct Read {
    record: String,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
    seq: i64,
}

/// Adds the records `row` names when it is a `sensitive_read` event.
pub(crate) fn add_reads(reads: &mut SensitiveReads, row: &AuditRow) {
    let entry = &row.entry;
    if AuditAction::parse(&entry.action) != Some(AuditAction::SensitiveRead) {
        return;
    }
    let reader = entry.actor_user_id.map_or_else(|| "unknown".to_owned(), |id| id.to_string());
    let collection = entry
        .target
        .as_deref()
        .and_then(|target| target.strip_prefix("collection:"))
        .unwrap_or("unknown")
        .to_owned();
    let into = reads.entry(reader).or_default().entry(collection).or_default();
    for record in read_records(&entry.details) {
        into.push(Read { record, at: entry.at, seq: row.seq });
    }
}

/// The record ids a `sensitive_read` event's details name.
pub(crate) fn read_records(details: &str) -> Vec<String> {
    let details: Value = serde_json::from_str(details).unwrap_or(Value::Null);
    details["records"]
        .as_array()
        .map(|ids| ids.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

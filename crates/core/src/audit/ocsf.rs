//! Audit events as OCSF 1.x JSON (the Open Cybersecurity Schema Framework), one object per line:
//! what `rampart audit export --format ocsf` writes for a SIEM. The class of each action is in
//! `rampart_domain::AuditAction::ocsf`; nothing secret is in an event to begin with.

use std::io::Write;

use rampart_domain::{AuditAction, OcsfActivity, OcsfClass, Outcome};
use rampart_store::Db;
use rampart_store::audit::{AuditFilter, AuditRow, list_audit_page};
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::AuditError;

/// Rows read per query while exporting.
const PAGE: u64 = 1000;

/// Writes the events from `since` until `until` (either open) to `out` as OCSF JSON lines, oldest
/// first. Returns how many were written.
pub async fn export_events(
    db: &Db,
    since: Option<OffsetDateTime>,
    until: Option<OffsetDateTime>,
    out: &mut dyn Write,
) -> Result<u64, AuditError> {
    let filter = AuditFilter { since, until, ..AuditFilter::default() };
    let mut after = 0;
    let mut written = 0;
    loop {
        let page = list_audit_page(db, &filter, after, PAGE).await?;
        let Some(last) = page.last() else { return Ok(written) };
        after = last.seq;
        for row in &page {
            serde_json::to_writer(&mut *out, &to_ocsf(row)).map_err(std::io::Error::from)?;
            out.write_all(b"\n")?;
            written += 1;
        }
    }
}

/// The OCSF schema version the objects follow.
const OCSF_VERSION: &str = "1.3.0";

/// One event as an OCSF object. An action this build does not know (a newer instance wrote it)
/// is exported as API Activity "Other" with its name kept in `unmapped`.
pub fn to_ocsf(row: &AuditRow) -> Value {
    let entry = &row.entry;
    let activity = AuditAction::parse(&entry.action)
        .map_or(OcsfActivity { class: OcsfClass::ApiActivity, activity_id: 99 }, AuditAction::ocsf);
    let (status_id, status, severity_id, severity) = match Outcome::parse(&entry.outcome) {
        Some(Outcome::Success) => (1, "Success", 1, "Informational"),
        Some(Outcome::Failure) => (2, "Failure", 3, "Medium"),
        None => (0, "Unknown", 0, "Unknown"),
    };
    let details: Value = serde_json::from_str(&entry.details).unwrap_or(Value::Null);
    let mut event = json!({
        "class_uid": activity.class.class_uid(),
        "class_name": activity.class.class_name(),
        "category_uid": activity.class.category_uid(),
        "category_name": activity.class.category_name(),
        "activity_id": activity.activity_id,
        "type_uid": activity.type_uid(),
        "time": entry.at.unix_timestamp_nanos() / 1_000_000,
        "status_id": status_id,
        "status": status,
        "severity_id": severity_id,
        "severity": severity,
        "message": entry.action,
        "metadata": {
            "version": OCSF_VERSION,
            "uid": row.seq.to_string(),
            "product": { "name": "Rampart", "vendor_name": "Rampart", "version": env!("CARGO_PKG_VERSION") },
            "log_name": "audit",
        },
        "unmapped": {
            "action": entry.action,
            "target": entry.target,
            "details": details,
            "chain_hash": hex::encode(&row.hash),
        },
    });
    if let Some(actor) = entry.actor_user_id {
        event["actor"] = json!({ "user": { "uid": actor.to_string() } });
        if let Some(session) = &entry.session_hash {
            event["actor"]["session"] = json!({ "uid": session });
        }
    }
    if let Some(ip) = &entry.ip {
        event["src_endpoint"] = json!({ "ip": ip });
    }
    if let Some(user_agent) = &entry.user_agent {
        event["http_request"] = json!({ "user_agent": user_agent });
    }
    if activity.class == OcsfClass::Authentication
        && let Some(target) = entry.target.as_deref().and_then(|t| t.strip_prefix("user:"))
    {
        event["user"] = json!({ "uid": target });
    }
    event
}

//! An incident's timeline, merged by time from three sources:
//!
//! 1. its notes (the manual updates);
//! 2. the alerts raised while it was open;
//! 3. the audit trail: the containment actions taken while it was open (on any incident, or
//!    none — revoking everyone's sessions contains every open incident) and the incident's own
//!    events (opened, updated, closed).
//!
//! It is derived on every read, not copied into a table when things happen: the audit trail is
//! the tamper-evident record, so a timeline built from it cannot disagree with it, needs no
//! hook in every containment path (the CLI's, the API's, the users routes'), and an action taken
//! through any of them is on it without anyone remembering to add it.

use std::collections::HashSet;

use rampart_domain::incident::{CONTAINMENT_ACTIONS, INCIDENT_ACTIONS};
use rampart_store::StoreError;
use rampart_store::alerts::list_alerts_raised_between;
use rampart_store::audit::list_audit_events_between;
use rampart_store::incidents::{IncidentRow, list_incident_notes};
use serde::Serialize;
use serde_json::Value;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::incidents::target;
use crate::AppState;

/// At most this many entries from each source.
const PER_SOURCE: u64 = 2000;

/// Where a timeline entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimelineSource {
    Note,
    Alert,
    Audit,
}

/// One thing that happened during the incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEntry {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub source: TimelineSource,
    /// `note`; the alert's rule; the audit event's action.
    pub kind: String,
    /// The note's author or the event's actor (none: the command line, or a detection rule).
    pub actor: Option<Uuid>,
    /// The event's target or the alert's subject.
    pub target: Option<String>,
    /// The alert's severity, or the event's outcome.
    pub level: Option<String>,
    /// The note's text.
    pub text: Option<String>,
    /// The alert's or event's details (never secrets: see `audit/mod.rs`).
    pub details: Value,
}

/// The timeline of `incident` as of now, oldest first.
pub async fn timeline(
    state: &AppState,
    incident: &IncidentRow,
) -> Result<Vec<TimelineEntry>, StoreError> {
    let since = incident.opened_at;
    let until = incident.closed_at.unwrap_or_else(|| state.clock.now());
    let within = |at: OffsetDateTime| since <= at && at <= until;
    // The stores compare to the second on SQLite: ask a little wider, keep exactly the window.
    let (wide_since, wide_until) = (since - Duration::seconds(1), until + Duration::seconds(1));
    let mut entries: Vec<TimelineEntry> = list_incident_notes(&state.db, incident.id)
        .await?
        .into_iter()
        .map(|note| TimelineEntry {
            at: note.at,
            source: TimelineSource::Note,
            kind: "note".into(),
            actor: note.author,
            target: None,
            level: None,
            text: Some(note.note),
            details: Value::Object(serde_json::Map::new()),
        })
        .collect();

    for alert in list_alerts_raised_between(&state.db, wide_since, wide_until, PER_SOURCE).await? {
        if !within(alert.raised_at) {
            continue;
        }
        entries.push(TimelineEntry {
            at: alert.raised_at,
            source: TimelineSource::Alert,
            kind: alert.rule,
            actor: None,
            target: Some(alert.subject),
            level: Some(alert.severity),
            text: None,
            details: json_object(&alert.details),
        });
    }

    let containment: Vec<&str> = CONTAINMENT_ACTIONS.iter().map(|action| action.as_str()).collect();
    let own: Vec<&str> = INCIDENT_ACTIONS.iter().map(|action| action.as_str()).collect();
    let this = target(incident.id);
    let mut seen = HashSet::new();
    let containment_rows =
        list_audit_events_between(&state.db, &containment, wide_since, wide_until, PER_SOURCE)
            .await?
            .into_iter()
            .filter(|row| within(row.entry.at));
    // The incident's own events: its closing is written just after `closed_at`, so these are
    // picked by target rather than by the window.
    let own_rows = list_audit_events_between(
        &state.db,
        &own,
        wide_since,
        until + Duration::minutes(1),
        PER_SOURCE,
    )
    .await?
    .into_iter()
    .filter(|row| row.entry.target.as_deref() == Some(this.as_str()));
    for row in containment_rows.chain(own_rows) {
        if !seen.insert(row.seq) {
            continue;
        }
        let entry = row.entry;
        entries.push(TimelineEntry {
            at: entry.at,
            source: TimelineSource::Audit,
            kind: entry.action,
            actor: entry.actor_user_id,
            target: entry.target,
            level: Some(entry.outcome),
            text: None,
            details: json_object(&entry.details),
        });
    }
    // Stable: at one instant, notes before alerts before audit events, each in stored order.
    entries.sort_by_key(|entry| entry.at);
    Ok(entries)
}

fn json_object(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::Object(serde_json::Map::new()))
}

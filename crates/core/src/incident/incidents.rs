//! Opening, updating and closing incidents. Each change is audited (`incident_opened`,
//! `incident_updated`, `incident_closed`, target `incident:<id>`); the free text of a summary or
//! note stays in the incident's tables, the trail records only what changed.

use rampart_domain::incident::Severity;
use rampart_domain::{AuditAction, IncidentNote, IncidentStatus, IncidentSummary};
use rampart_store::StoreError;
pub use rampart_store::incidents::IncidentRow;
use rampart_store::incidents::{
    find_incident, insert_incident, insert_incident_note, list_incidents,
    update_incident as store_update,
};
use uuid::Uuid;

use super::{Actor, IncidentError};
use crate::AppState;
use crate::audit::{AuditEvent, truncate_to_micros};
use crate::unit_of_work::UnitOfWork;

/// Incident `id`, if there is one.
pub async fn incident(state: &AppState, id: Uuid) -> Result<Option<IncidentRow>, StoreError> {
    find_incident(&state.db, id).await
}

/// Up to `limit` incidents, newest first, of `status` if given.
pub async fn incidents(
    state: &AppState,
    status: Option<IncidentStatus>,
    limit: u64,
) -> Result<Vec<IncidentRow>, StoreError> {
    list_incidents(&state.db, status.map(IncidentStatus::as_str), limit).await
}

/// What an update changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct IncidentChange {
    pub severity: Option<Severity>,
    pub summary: Option<IncidentSummary>,
    pub status: Option<IncidentStatus>,
    pub note: Option<IncidentNote>,
}

/// The status of a stored incident (an unknown name, from a damaged row, reads as closed:
/// nothing changes it then).
pub fn status_of(row: &IncidentRow) -> IncidentStatus {
    IncidentStatus::parse(&row.status).unwrap_or(IncidentStatus::Closed)
}

pub fn target(id: Uuid) -> String {
    format!("incident:{id}")
}

pub async fn open_incident(
    state: &AppState,
    severity: Severity,
    summary: IncidentSummary,
    note: Option<IncidentNote>,
    actor: Actor<'_>,
) -> Result<IncidentRow, IncidentError> {
    // Truncated as the audit trail's times are, so that the trail's own `incident_opened`
    // event is not "before" the incident it opened.
    let now = truncate_to_micros(state.clock.now());
    let row = IncidentRow {
        id: Uuid::new_v4(),
        severity: severity.as_str().to_owned(),
        summary: summary.as_str().to_owned(),
        status: IncidentStatus::Open.as_str().to_owned(),
        opened_at: now,
        opened_by: actor.user_id(),
        updated_at: now,
        closed_at: None,
    };
    let mut work = UnitOfWork::begin(state).await?;
    insert_incident(work.db(), &row).await?;
    let mut event = AuditEvent::success(AuditAction::IncidentOpened)
        .target(target(row.id))
        .detail("severity", severity.as_str());
    if let Some(note) = note {
        let id =
            insert_incident_note(work.db(), row.id, now, actor.user_id(), note.as_str()).await?;
        event = event.detail("note_id", id);
    }
    work.record(actor.stamp(event));
    work.commit().await?;
    Ok(row)
}

/// The incident `id`, refusing a closed one: what containment `--incident` names.
pub async fn find_changeable_incident(
    state: &AppState,
    id: Uuid,
) -> Result<IncidentRow, IncidentError> {
    let row = find_incident(&state.db, id).await?.ok_or(IncidentError::NotFound)?;
    status_of(&row).may_become(status_of(&row))?;
    Ok(row)
}

/// Applies `change`; moving to `closed` closes the incident for good (audited as
/// `incident_closed`).
pub async fn update_incident(
    state: &AppState,
    id: Uuid,
    change: IncidentChange,
    actor: Actor<'_>,
) -> Result<IncidentRow, IncidentError> {
    let before = find_incident(&state.db, id).await?.ok_or(IncidentError::NotFound)?;
    let from = status_of(&before);
    let to = change.status.unwrap_or(from);
    from.may_become(to)?;
    let now = truncate_to_micros(state.clock.now());
    let mut after = before.clone();
    let mut changed = Vec::new();
    if let Some(severity) = change.severity.filter(|s| s.as_str() != before.severity) {
        after.severity = severity.as_str().to_owned();
        changed.push("severity");
    }
    if let Some(summary) = change.summary.filter(|s| s.as_str() != before.summary) {
        after.summary = summary.as_str().to_owned();
        changed.push("summary");
    }
    if to != from {
        after.status = to.as_str().to_owned();
        changed.push("status");
    }
    if to.is_closed() {
        after.closed_at = Some(now);
    }
    if changed.is_empty() && change.note.is_none() {
        return Err(IncidentError::Invalid("nothing to change: give a field or a note"));
    }
    after.updated_at = now;
    let mut work = UnitOfWork::begin(state).await?;
    if !store_update(work.db(), &after, from.as_str()).await? {
        return Err(IncidentError::Conflict);
    }
    let action =
        if to.is_closed() { AuditAction::IncidentClosed } else { AuditAction::IncidentUpdated };
    let mut event = AuditEvent::success(action)
        .target(target(id))
        .detail("changes", changed)
        .detail("status", to.as_str())
        .detail("severity", after.severity.as_str());
    if let Some(note) = change.note {
        let note_id =
            insert_incident_note(work.db(), id, now, actor.user_id(), note.as_str()).await?;
        event = event.detail("note_id", note_id);
    }
    work.record(actor.stamp(event));
    work.commit().await?;
    Ok(after)
}

//! Incidents (`incidents`) and their manual notes (`incident_notes`). The timeline is not stored:
//! the server derives it from the notes, the alerts and the audit trail (see the migration).

use sea_query::{Expr, ExprTrait, Iden, Order, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Executor, StoreError};

#[derive(Iden)]
enum Incidents {
    Table,
    Id,
    Severity,
    Summary,
    Status,
    OpenedAt,
    OpenedBy,
    UpdatedAt,
    ClosedAt,
}

#[derive(Iden)]
enum IncidentNotes {
    Table,
    Id,
    IncidentId,
    At,
    Author,
    Note,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct IncidentRow {
    pub id: Uuid,
    pub severity: String,
    pub summary: String,
    pub status: String,
    pub opened_at: OffsetDateTime,
    /// `None` when opened from the command line.
    pub opened_by: Option<Uuid>,
    pub updated_at: OffsetDateTime,
    pub closed_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct IncidentNoteRow {
    pub id: i64,
    pub incident_id: Uuid,
    pub at: OffsetDateTime,
    pub author: Option<Uuid>,
    pub note: String,
}

const COLUMNS: [Incidents; 8] = [
    Incidents::Id,
    Incidents::Severity,
    Incidents::Summary,
    Incidents::Status,
    Incidents::OpenedAt,
    Incidents::OpenedBy,
    Incidents::UpdatedAt,
    Incidents::ClosedAt,
];

const NOTE_COLUMNS: [IncidentNotes; 5] = [
    IncidentNotes::Id,
    IncidentNotes::IncidentId,
    IncidentNotes::At,
    IncidentNotes::Author,
    IncidentNotes::Note,
];

pub async fn insert_incident(db: &impl Executor, incident: &IncidentRow) -> Result<(), StoreError> {
    let insert = Query::insert()
        .into_table(Incidents::Table)
        .columns(COLUMNS)
        .values_panic([
            incident.id.into(),
            incident.severity.clone().into(),
            incident.summary.clone().into(),
            incident.status.clone().into(),
            incident.opened_at.into(),
            incident.opened_by.into(),
            incident.updated_at.into(),
            incident.closed_at.into(),
        ])
        .to_owned();
    db.execute(&insert).await.map(drop)
}

pub async fn find_incident(
    db: &impl Executor,
    id: Uuid,
) -> Result<Option<IncidentRow>, StoreError> {
    let query = Query::select()
        .columns(COLUMNS)
        .from(Incidents::Table)
        .and_where(Expr::col(Incidents::Id).eq(id))
        .to_owned();
    db.fetch_optional(&query).await
}

/// Incidents newest first, only those of `status` when given, at most `limit`.
pub async fn list_incidents(
    db: &impl Executor,
    status: Option<&str>,
    limit: u64,
) -> Result<Vec<IncidentRow>, StoreError> {
    let mut query = Query::select();
    query.columns(COLUMNS).from(Incidents::Table);
    if let Some(status) = status {
        query.and_where(Expr::col(Incidents::Status).eq(status));
    }
    query.order_by(Incidents::OpenedAt, Order::Desc).limit(limit);
    db.fetch_all(&query).await
}

/// Writes severity, summary, status, `updated_at` and `closed_at` of `incident`, only if the
/// stored status is still `expected_status` (two managers closing at once: one wins). Returns
/// whether the row was changed.
pub async fn update_incident(
    db: &impl Executor,
    incident: &IncidentRow,
    expected_status: &str,
) -> Result<bool, StoreError> {
    let update = Query::update()
        .table(Incidents::Table)
        .values([
            (Incidents::Severity, incident.severity.clone().into()),
            (Incidents::Summary, incident.summary.clone().into()),
            (Incidents::Status, incident.status.clone().into()),
            (Incidents::UpdatedAt, incident.updated_at.into()),
            (Incidents::ClosedAt, incident.closed_at.into()),
        ])
        .and_where(Expr::col(Incidents::Id).eq(incident.id))
        .and_where(Expr::col(Incidents::Status).eq(expected_status))
        .to_owned();
    Ok(db.execute(&update).await? == 1)
}

/// Adds a note; returns its id.
pub async fn insert_incident_note(
    db: &impl Executor,
    incident_id: Uuid,
    at: OffsetDateTime,
    author: Option<Uuid>,
    note: &str,
) -> Result<i64, StoreError> {
    let insert = Query::insert()
        .into_table(IncidentNotes::Table)
        .columns(NOTE_COLUMNS.into_iter().skip(1))
        .values_panic([incident_id.into(), at.into(), author.into(), note.into()])
        .returning_col(IncidentNotes::Id)
        .to_owned();
    let (id,) = db
        .fetch_optional::<(i64,)>(&insert)
        .await?
        .ok_or(StoreError::Conflict("the note was not stored"))?;
    Ok(id)
}

/// An incident's notes, oldest first.
pub async fn list_incident_notes(
    db: &impl Executor,
    incident_id: Uuid,
) -> Result<Vec<IncidentNoteRow>, StoreError> {
    let query = Query::select()
        .columns(NOTE_COLUMNS)
        .from(IncidentNotes::Table)
        .and_where(Expr::col(IncidentNotes::IncidentId).eq(incident_id))
        .order_by(IncidentNotes::Id, Order::Asc)
        .to_owned();
    db.fetch_all(&query).await
}

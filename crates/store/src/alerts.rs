//! Alerts (`alerts`) and their delivery to each sink (`alert_deliveries`).

use sea_query::{Expr, ExprTrait, Iden, OnConflict, Order, Query};
use time::OffsetDateTime;

use crate::{Executor, StoreError};

#[derive(Iden)]
enum Alerts {
    Table,
    Id,
    Rule,
    Severity,
    Status,
    Subject,
    WindowStart,
    RaisedAt,
    UpdatedAt,
    Details,
}

#[derive(Iden)]
enum AlertDeliveries {
    Table,
    AlertId,
    Sink,
    Status,
    Attempts,
    NextAttemptAt,
    ClaimedUntil,
    LastError,
    DeliveredAt,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AlertRow {
    pub id: i64,
    pub rule: String,
    pub severity: String,
    pub status: String,
    pub subject: String,
    pub window_start: OffsetDateTime,
    pub raised_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// A JSON object.
    pub details: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlert {
    pub rule: String,
    pub severity: String,
    pub subject: String,
    pub window_start: OffsetDateTime,
    pub raised_at: OffsetDateTime,
    pub details: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeliveryRow {
    pub alert_id: i64,
    pub sink: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: OffsetDateTime,
    pub last_error: Option<String>,
    pub delivered_at: Option<OffsetDateTime>,
}

const ALERT_COLUMNS: [Alerts; 9] = [
    Alerts::Id,
    Alerts::Rule,
    Alerts::Severity,
    Alerts::Status,
    Alerts::Subject,
    Alerts::WindowStart,
    Alerts::RaisedAt,
    Alerts::UpdatedAt,
    Alerts::Details,
];

const DELIVERY_COLUMNS: [AlertDeliveries; 7] = [
    AlertDeliveries::AlertId,
    AlertDeliveries::Sink,
    AlertDeliveries::Status,
    AlertDeliveries::Attempts,
    AlertDeliveries::NextAttemptAt,
    AlertDeliveries::LastError,
    AlertDeliveries::DeliveredAt,
];

/// Stores a new open alert, with a pending delivery to each of `sinks`. Returns its id, or
/// `None` when the rule already fired for this subject in this window (on any instance).
pub async fn insert_alert(
    db: &impl Executor,
    alert: &NewAlert,
    sinks: &[&str],
) -> Result<Option<i64>, StoreError> {
    let insert = Query::insert()
        .into_table(Alerts::Table)
        // Every column but the id, which the database assigns.
        .columns(ALERT_COLUMNS.into_iter().skip(1))
        .values_panic([
            alert.rule.clone().into(),
            alert.severity.clone().into(),
            "open".into(),
            alert.subject.clone().into(),
            alert.window_start.into(),
            alert.raised_at.into(),
            alert.raised_at.into(),
            alert.details.clone().into(),
        ])
        .on_conflict(
            OnConflict::columns([Alerts::Rule, Alerts::Subject, Alerts::WindowStart])
                .do_nothing()
                .to_owned(),
        )
        .returning_col(Alerts::Id)
        .to_owned();
    let Some((id,)) = db.fetch_optional::<(i64,)>(&insert).await? else { return Ok(None) };
    for sink in sinks {
        let delivery = Query::insert()
            .into_table(AlertDeliveries::Table)
            .columns([
                AlertDeliveries::AlertId,
                AlertDeliveries::Sink,
                AlertDeliveries::Status,
                AlertDeliveries::Attempts,
                AlertDeliveries::NextAttemptAt,
            ])
            .values_panic([
                id.into(),
                (*sink).into(),
                "pending".into(),
                0.into(),
                alert.raised_at.into(),
            ])
            .to_owned();
        db.execute(&delivery).await?;
    }
    Ok(Some(id))
}

/// Alerts newest first, optionally of one status, older than `before` (a cursor).
pub async fn list_alerts(
    db: &impl Executor,
    status: Option<&str>,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<AlertRow>, StoreError> {
    let mut query = Query::select();
    query.columns(ALERT_COLUMNS).from(Alerts::Table);
    if let Some(status) = status {
        query.and_where(Expr::col(Alerts::Status).eq(status));
    }
    if let Some(before) = before {
        query.and_where(Expr::col(Alerts::Id).lt(before));
    }
    query.order_by(Alerts::Id, Order::Desc).limit(limit);
    db.fetch_all(&query).await
}

/// Alerts raised at or after `since` and before `until`, oldest first, at most `limit` (an
/// incident's timeline; to the second on SQLite, as for the audit trail's window).
pub async fn list_alerts_raised_between(
    db: &impl Executor,
    since: OffsetDateTime,
    until: OffsetDateTime,
    limit: u64,
) -> Result<Vec<AlertRow>, StoreError> {
    let query = Query::select()
        .columns(ALERT_COLUMNS)
        .from(Alerts::Table)
        .and_where(Expr::col(Alerts::RaisedAt).gte(since))
        .and_where(Expr::col(Alerts::RaisedAt).lt(until))
        .order_by(Alerts::Id, Order::Asc)
        .limit(limit)
        .to_owned();
    db.fetch_all(&query).await
}

/// Alerts raised after `after` (an id), oldest first: what the live feed sends next.
pub async fn list_alerts_after(
    db: &impl Executor,
    after: i64,
    limit: u64,
) -> Result<Vec<AlertRow>, StoreError> {
    let query = Query::select()
        .columns(ALERT_COLUMNS)
        .from(Alerts::Table)
        .and_where(Expr::col(Alerts::Id).gt(after))
        .order_by(Alerts::Id, Order::Asc)
        .limit(limit)
        .to_owned();
    db.fetch_all(&query).await
}

/// The newest alert's id (0 when there is none): where a new live feed starts.
pub async fn find_last_alert_id(db: &impl Executor) -> Result<i64, StoreError> {
    let query = Query::select()
        .expr(sea_query::Func::max(Expr::col(Alerts::Id)))
        .from(Alerts::Table)
        .to_owned();
    Ok(db.fetch_optional::<(Option<i64>,)>(&query).await?.and_then(|(id,)| id).unwrap_or(0))
}

pub async fn find_alert(db: &impl Executor, id: i64) -> Result<Option<AlertRow>, StoreError> {
    let query = Query::select()
        .columns(ALERT_COLUMNS)
        .from(Alerts::Table)
        .and_where(Expr::col(Alerts::Id).eq(id))
        .to_owned();
    db.fetch_optional(&query).await
}

/// Sets an alert's status; `false` when there is no such alert.
pub async fn update_alert_status(
    db: &impl Executor,
    id: i64,
    status: &str,
    at: OffsetDateTime,
) -> Result<bool, StoreError> {
    let update = Query::update()
        .table(Alerts::Table)
        .value(Alerts::Status, status)
        .value(Alerts::UpdatedAt, at)
        .and_where(Expr::col(Alerts::Id).eq(id))
        .to_owned();
    Ok(db.execute(&update).await? == 1)
}

/// The deliveries of the given alerts.
pub async fn list_deliveries(
    db: &impl Executor,
    alert_ids: &[i64],
) -> Result<Vec<DeliveryRow>, StoreError> {
    if alert_ids.is_empty() {
        return Ok(Vec::new());
    }
    let query = Query::select()
        .columns(DELIVERY_COLUMNS)
        .from(AlertDeliveries::Table)
        .and_where(Expr::col(AlertDeliveries::AlertId).is_in(alert_ids.iter().copied()))
        .to_owned();
    db.fetch_all(&query).await
}

/// Claims up to `limit` pending deliveries due at `now` until `lease_until`; another instance
/// skips a claimed one. Returns what this caller claimed.
pub async fn claim_due_deliveries(
    db: &impl Executor,
    now: OffsetDateTime,
    lease_until: OffsetDateTime,
    limit: u64,
) -> Result<Vec<DeliveryRow>, StoreError> {
    let due = Query::select()
        .columns(DELIVERY_COLUMNS)
        .from(AlertDeliveries::Table)
        .and_where(Expr::col(AlertDeliveries::Status).eq("pending"))
        .and_where(Expr::col(AlertDeliveries::NextAttemptAt).lte(now))
        .and_where(
            Expr::col(AlertDeliveries::ClaimedUntil)
                .is_null()
                .or(Expr::col(AlertDeliveries::ClaimedUntil).lt(now)),
        )
        .order_by(AlertDeliveries::NextAttemptAt, Order::Asc)
        .limit(limit)
        .to_owned();
    let mut claimed = Vec::new();
    for row in db.fetch_all::<DeliveryRow>(&due).await? {
        let claim = Query::update()
            .table(AlertDeliveries::Table)
            .value(AlertDeliveries::ClaimedUntil, lease_until)
            .and_where(Expr::col(AlertDeliveries::AlertId).eq(row.alert_id))
            .and_where(Expr::col(AlertDeliveries::Sink).eq(row.sink.clone()))
            .and_where(Expr::col(AlertDeliveries::Status).eq("pending"))
            .and_where(
                Expr::col(AlertDeliveries::ClaimedUntil)
                    .is_null()
                    .or(Expr::col(AlertDeliveries::ClaimedUntil).lt(now)),
            )
            .to_owned();
        if db.execute(&claim).await? == 1 {
            claimed.push(row);
        }
    }
    Ok(claimed)
}

/// Records the outcome of one attempt: `delivered`, or `pending` again at `retry_at`, or `dead`.
pub async fn finish_delivery(
    db: &impl Executor,
    row: &DeliveryRow,
    outcome: DeliveryOutcome<'_>,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let mut update = Query::update();
    update
        .table(AlertDeliveries::Table)
        .value(AlertDeliveries::Attempts, row.attempts + 1)
        .value(AlertDeliveries::ClaimedUntil, Option::<OffsetDateTime>::None)
        .and_where(Expr::col(AlertDeliveries::AlertId).eq(row.alert_id))
        .and_where(Expr::col(AlertDeliveries::Sink).eq(row.sink.clone()));
    match outcome {
        DeliveryOutcome::Delivered => {
            update.value(AlertDeliveries::Status, "delivered");
            update.value(AlertDeliveries::DeliveredAt, now);
        }
        DeliveryOutcome::Retry { at, error } => {
            update.value(AlertDeliveries::NextAttemptAt, at);
            update.value(AlertDeliveries::LastError, error);
        }
        DeliveryOutcome::Dead { error } => {
            update.value(AlertDeliveries::Status, "dead");
            update.value(AlertDeliveries::LastError, error);
        }
    }
    db.execute(&update).await.map(drop)
}

#[derive(Debug, Clone, Copy)]
pub enum DeliveryOutcome<'a> {
    Delivered,
    Retry { at: OffsetDateTime, error: &'a str },
    Dead { error: &'a str },
}

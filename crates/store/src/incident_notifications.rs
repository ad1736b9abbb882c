//! Who was notified of an incident (`rampart incident notify`): one row per record whose holder
//! was mailed in a batch, the address kept only as its blind index.

use sea_query::{Expr, ExprTrait, Func, Iden, Order, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Executor, StoreError};

#[derive(Iden)]
enum IncidentNotifications {
    Table,
    BatchId,
    Collection,
    RecordId,
    EmailIndex,
    EmailIndexVersion,
    NotifiedAt,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NotificationRow {
    pub batch_id: String,
    pub collection: String,
    pub record_id: Uuid,
    pub email_index: Vec<u8>,
    pub email_index_version: i64,
    pub notified_at: OffsetDateTime,
}

const COLUMNS: [IncidentNotifications; 6] = [
    IncidentNotifications::BatchId,
    IncidentNotifications::Collection,
    IncidentNotifications::RecordId,
    IncidentNotifications::EmailIndex,
    IncidentNotifications::EmailIndexVersion,
    IncidentNotifications::NotifiedAt,
];

/// Whether the address was notified in `batch_id` already. `digests` are its blind index under
/// each key version (a rotation in between does not make it look new).
pub async fn address_notified_in_batch(
    db: &impl Executor,
    batch_id: &str,
    digests: &[Vec<u8>],
) -> Result<bool, StoreError> {
    let query = Query::select()
        .expr(Func::count(Expr::col(IncidentNotifications::RecordId)))
        .from(IncidentNotifications::Table)
        .and_where(Expr::col(IncidentNotifications::BatchId).eq(batch_id))
        .and_where(Expr::col(IncidentNotifications::EmailIndex).is_in(digests.iter().cloned()))
        .to_owned();
    Ok(db.count(&query).await? > 0)
}

/// Records one address's notification (its records) in one statement; [`StoreError::Duplicate`] when
/// one of the records was recorded in the batch already (a concurrent run took it).
pub async fn insert_incident_notifications(
    db: &impl Executor,
    rows: &[NotificationRow],
) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut insert =
        Query::insert().into_table(IncidentNotifications::Table).columns(COLUMNS).to_owned();
    for row in rows {
        insert.values_panic([
            row.batch_id.clone().into(),
            row.collection.clone().into(),
            row.record_id.into(),
            row.email_index.clone().into(),
            row.email_index_version.into(),
            row.notified_at.into(),
        ]);
    }
    db.execute(&insert).await?;
    Ok(())
}

/// The rows of `batch_id` (every batch when `None`), oldest first.
pub async fn list_incident_notifications(
    db: &impl Executor,
    batch_id: Option<&str>,
) -> Result<Vec<NotificationRow>, StoreError> {
    let mut query = Query::select();
    query.columns(COLUMNS).from(IncidentNotifications::Table);
    if let Some(batch) = batch_id {
        query.and_where(Expr::col(IncidentNotifications::BatchId).eq(batch));
    }
    query
        .order_by(IncidentNotifications::NotifiedAt, Order::Asc)
        .order_by(IncidentNotifications::RecordId, Order::Asc);
    db.fetch_all(&query).await
}

/// The blind-index key versions the rows use (what key retirement must keep: a digest cannot be
/// recomputed under a new key without the address, which is not stored).
pub async fn distinct_email_index_versions(db: &impl Executor) -> Result<Vec<i64>, StoreError> {
    let query = Query::select()
        .distinct()
        .column(IncidentNotifications::EmailIndexVersion)
        .from(IncidentNotifications::Table)
        .to_owned();
    Ok(db.fetch_all::<(i64,)>(&query).await?.into_iter().map(|(version,)| version).collect())
}

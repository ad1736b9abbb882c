//! The installation record: one row, written by the first start, that tells a fresh database from
//! one that already holds data (a start without its master key must refuse the latter).

use sea_query::{Expr, ExprTrait, Iden, OnConflict, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Executor, StoreError};

/// The `installation` table and its columns (the names mirror the SQL, hence the lint).
#[derive(Iden)]
#[allow(clippy::enum_variant_names)]
enum Installation {
    Table,
    Id,
    InstallationId,
    CreatedAt,
}

/// Who this database belongs to and since when.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InstallationRecord {
    pub installation_id: Uuid,
    pub created_at: OffsetDateTime,
}

/// The installation record, or `None` in a database no start has claimed yet.
pub async fn find_installation(
    db: &impl Executor,
) -> Result<Option<InstallationRecord>, StoreError> {
    let query = Query::select()
        .columns([Installation::InstallationId, Installation::CreatedAt])
        .from(Installation::Table)
        .and_where(Expr::col(Installation::Id).eq(1))
        .to_owned();
    db.fetch_optional(&query).await
}

/// Claims the database for `candidate` unless it was claimed before; returns the record in force.
/// Safe when several instances start at once: the first insert wins, the others read it.
pub async fn claim_installation(
    db: &impl Executor,
    candidate: &InstallationRecord,
) -> Result<InstallationRecord, StoreError> {
    let insert = Query::insert()
        .into_table(Installation::Table)
        .columns([Installation::Id, Installation::InstallationId, Installation::CreatedAt])
        .values_panic([1.into(), candidate.installation_id.into(), candidate.created_at.into()])
        .on_conflict(OnConflict::column(Installation::Id).do_nothing().to_owned())
        .to_owned();
    db.execute(&insert).await?;
    find_installation(db).await?.ok_or(StoreError::Query(sqlx::Error::RowNotFound))
}

//! The lockdown switch: one row that every instance reads on every signed-in request.

use sea_query::{Expr, ExprTrait, Iden, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Executor, StoreError};

#[derive(Iden)]
enum Lockdown {
    Table,
    Id,
    Active,
    Reason,
    ChangedAt,
    ChangedBy,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LockdownRow {
    pub active: bool,
    pub reason: String,
    pub changed_at: OffsetDateTime,
    pub changed_by: Option<Uuid>,
}

/// The switch as stored; a missing row (a damaged database) reads as locked down: fail closed.
pub async fn find_lockdown(db: &impl Executor) -> Result<LockdownRow, StoreError> {
    let query = Query::select()
        .columns([Lockdown::Active, Lockdown::Reason, Lockdown::ChangedAt, Lockdown::ChangedBy])
        .from(Lockdown::Table)
        .and_where(Expr::col(Lockdown::Id).eq(1))
        .to_owned();
    Ok(db.fetch_optional(&query).await?.unwrap_or(LockdownRow {
        active: true,
        reason: "the lockdown switch is missing from the database".into(),
        changed_at: OffsetDateTime::UNIX_EPOCH,
        changed_by: None,
    }))
}

pub async fn set_lockdown(db: &impl Executor, row: &LockdownRow) -> Result<(), StoreError> {
    let update = Query::update()
        .table(Lockdown::Table)
        .values([
            (Lockdown::Active, row.active.into()),
            (Lockdown::Reason, row.reason.as_str().into()),
            (Lockdown::ChangedAt, row.changed_at.into()),
            (Lockdown::ChangedBy, row.changed_by.into()),
        ])
        .and_where(Expr::col(Lockdown::Id).eq(1))
        .to_owned();
    match db.execute(&update).await? {
        1 => Ok(()),
        _ => Err(StoreError::Conflict("the lockdown switch is missing from the database")),
    }
}

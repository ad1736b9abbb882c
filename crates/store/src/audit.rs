//! The `audit_events` table as the accounts work writes it. The audit issue replaces the storage
//! (hash chain, signed checkpoints); the one function that writes here (`server/src/audit.rs`)
//! keeps its signature, so call sites do not change.

use sea_query::{Expr, ExprTrait, Iden, Order, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Db, StoreError};

#[derive(Iden)]
enum AuditEvents {
    Table,
    Id,
    At,
    Action,
    Outcome,
    ActorUserId,
    Ip,
    UserAgent,
    SessionHash,
    Target,
    Details,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRow {
    pub at: OffsetDateTime,
    pub action: String,
    pub outcome: String,
    pub actor_user_id: Option<Uuid>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub session_hash: Option<String>,
    pub target: Option<String>,
    /// A JSON object.
    pub details: String,
}

const COLUMNS: [AuditEvents; 9] = [
    AuditEvents::At,
    AuditEvents::Action,
    AuditEvents::Outcome,
    AuditEvents::ActorUserId,
    AuditEvents::Ip,
    AuditEvents::UserAgent,
    AuditEvents::SessionHash,
    AuditEvents::Target,
    AuditEvents::Details,
];

pub async fn insert_audit_event(db: &Db, event: &AuditRow) -> Result<(), StoreError> {
    let insert = Query::insert()
        .into_table(AuditEvents::Table)
        .columns(COLUMNS)
        .values_panic([
            event.at.into(),
            event.action.clone().into(),
            event.outcome.clone().into(),
            event.actor_user_id.into(),
            event.ip.clone().into(),
            event.user_agent.clone().into(),
            event.session_hash.clone().into(),
            event.target.clone().into(),
            event.details.clone().into(),
        ])
        .to_owned();
    db.execute(&insert).await.map(drop)
}

/// Events, oldest first; only those with `action` when given.
pub async fn list_audit_events(db: &Db, action: Option<&str>) -> Result<Vec<AuditRow>, StoreError> {
    let mut query = Query::select();
    query.columns(COLUMNS).from(AuditEvents::Table).order_by(AuditEvents::Id, Order::Asc);
    if let Some(action) = action {
        query.and_where(Expr::col(AuditEvents::Action).eq(action));
    }
    db.fetch_all(&query).await
}

//! `backup_runs` and `restore_drills`: what was backed up and restored, when, and how it went.

use sea_query::{Expr, ExprTrait, Iden, Order, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Executor, StoreError};

#[derive(Iden)]
enum BackupRuns {
    Table,
    Id,
    StartedAt,
    FinishedAt,
    Outcome,
    FileName,
    Sha256,
    SizeBytes,
    RowCount,
    Error,
}

#[derive(Iden)]
enum RestoreDrills {
    Table,
    Id,
    StartedAt,
    FinishedAt,
    Outcome,
    BackupFile,
    RtoSeconds,
    RpoSeconds,
    Error,
}

const RUN_COLUMNS: [BackupRuns; 9] = [
    BackupRuns::Id,
    BackupRuns::StartedAt,
    BackupRuns::FinishedAt,
    BackupRuns::Outcome,
    BackupRuns::FileName,
    BackupRuns::Sha256,
    BackupRuns::SizeBytes,
    BackupRuns::RowCount,
    BackupRuns::Error,
];

const DRILL_COLUMNS: [RestoreDrills; 8] = [
    RestoreDrills::Id,
    RestoreDrills::StartedAt,
    RestoreDrills::FinishedAt,
    RestoreDrills::Outcome,
    RestoreDrills::BackupFile,
    RestoreDrills::RtoSeconds,
    RestoreDrills::RpoSeconds,
    RestoreDrills::Error,
];

/// One backup attempt. A failure has no file, digest or counts, and says why in `error`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BackupRun {
    pub id: Uuid,
    pub started_at: OffsetDateTime,
    pub finished_at: OffsetDateTime,
    pub outcome: String,
    pub file_name: Option<String>,
    pub sha256: Option<String>,
    pub size_bytes: Option<i64>,
    pub row_count: Option<i64>,
    pub error: Option<String>,
}

/// One restore drill: RTO is how long the restore took, RPO how old the restored data was.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RestoreDrill {
    pub id: Uuid,
    pub started_at: OffsetDateTime,
    pub finished_at: OffsetDateTime,
    pub outcome: String,
    pub backup_file: Option<String>,
    pub rto_seconds: Option<f64>,
    pub rpo_seconds: Option<f64>,
    pub error: Option<String>,
}

pub async fn insert_backup_run(db: &impl Executor, run: &BackupRun) -> Result<(), StoreError> {
    let insert = Query::insert()
        .into_table(BackupRuns::Table)
        .columns(RUN_COLUMNS)
        .values_panic([
            run.id.into(),
            run.started_at.into(),
            run.finished_at.into(),
            run.outcome.clone().into(),
            run.file_name.clone().into(),
            run.sha256.clone().into(),
            run.size_bytes.into(),
            run.row_count.into(),
            run.error.clone().into(),
        ])
        .to_owned();
    db.execute(&insert).await.map(drop)
}

/// The newest successful backup, if any.
pub async fn latest_successful_backup(db: &impl Executor) -> Result<Option<BackupRun>, StoreError> {
    let query = Query::select()
        .columns(RUN_COLUMNS)
        .from(BackupRuns::Table)
        .and_where(Expr::col(BackupRuns::Outcome).eq("success"))
        .order_by(BackupRuns::FinishedAt, Order::Desc)
        .limit(1)
        .to_owned();
    db.fetch_optional(&query).await
}

/// The newest backup attempt, whatever its outcome.
pub async fn latest_backup_run(db: &impl Executor) -> Result<Option<BackupRun>, StoreError> {
    let query = Query::select()
        .columns(RUN_COLUMNS)
        .from(BackupRuns::Table)
        .order_by(BackupRuns::FinishedAt, Order::Desc)
        .limit(1)
        .to_owned();
    db.fetch_optional(&query).await
}

pub async fn insert_restore_drill(
    db: &impl Executor,
    drill: &RestoreDrill,
) -> Result<(), StoreError> {
    let insert = Query::insert()
        .into_table(RestoreDrills::Table)
        .columns(DRILL_COLUMNS)
        .values_panic([
            drill.id.into(),
            drill.started_at.into(),
            drill.finished_at.into(),
            drill.outcome.clone().into(),
            drill.backup_file.clone().into(),
            drill.rto_seconds.into(),
            drill.rpo_seconds.into(),
            drill.error.clone().into(),
        ])
        .to_owned();
    db.execute(&insert).await.map(drop)
}

/// The newest successful drill, if any.
pub async fn latest_successful_drill(
    db: &impl Executor,
) -> Result<Option<RestoreDrill>, StoreError> {
    let query = Query::select()
        .columns(DRILL_COLUMNS)
        .from(RestoreDrills::Table)
        .and_where(Expr::col(RestoreDrills::Outcome).eq("success"))
        .order_by(RestoreDrills::FinishedAt, Order::Desc)
        .limit(1)
        .to_owned();
    db.fetch_optional(&query).await
}

//! `job_progress`: the cursor of a long-running job, saved after every batch.

use sea_query::{Expr, ExprTrait, Iden, OnConflict, Query};
use time::OffsetDateTime;

use crate::{Executor, StoreError};

#[derive(Iden)]
enum JobProgress {
    Table,
    Name,
    Cursor,
    Checked,
    Updated,
    UpdatedAt,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JobProgressRow {
    pub name: String,
    pub cursor: String,
    pub checked: i64,
    pub updated: i64,
    pub updated_at: OffsetDateTime,
}

const COLUMNS: [JobProgress; 5] = [
    JobProgress::Name,
    JobProgress::Cursor,
    JobProgress::Checked,
    JobProgress::Updated,
    JobProgress::UpdatedAt,
];

pub async fn find_job_progress(
    db: &impl Executor,
    name: &str,
) -> Result<Option<JobProgressRow>, StoreError> {
    let query = Query::select()
        .columns(COLUMNS)
        .from(JobProgress::Table)
        .and_where(Expr::col(JobProgress::Name).eq(name))
        .to_owned();
    db.fetch_optional(&query).await
}

pub async fn save_job_progress(
    db: &impl Executor,
    progress: &JobProgressRow,
) -> Result<(), StoreError> {
    let upsert = Query::insert()
        .into_table(JobProgress::Table)
        .columns(COLUMNS)
        .values_panic([
            progress.name.clone().into(),
            progress.cursor.clone().into(),
            progress.checked.into(),
            progress.updated.into(),
            progress.updated_at.into(),
        ])
        .on_conflict(
            OnConflict::column(JobProgress::Name)
                .update_columns([
                    JobProgress::Cursor,
                    JobProgress::Checked,
                    JobProgress::Updated,
                    JobProgress::UpdatedAt,
                ])
                .to_owned(),
        )
        .to_owned();
    db.execute(&upsert).await.map(drop)
}

pub async fn delete_job_progress(db: &impl Executor, name: &str) -> Result<(), StoreError> {
    let delete = Query::delete()
        .from_table(JobProgress::Table)
        .and_where(Expr::col(JobProgress::Name).eq(name))
        .to_owned();
    db.execute(&delete).await.map(drop)
}

/// Claims this period of the periodic job `name` for the caller, across instances: true when
/// the job's row was last claimed at or before `due_before` (or never), and then moves that
/// claim to `now` in the same statement, so exactly one of several callers gets true.
pub async fn claim_periodic_job(
    db: &impl Executor,
    name: &str,
    now: OffsetDateTime,
    due_before: OffsetDateTime,
) -> Result<bool, StoreError> {
    let claim = Query::insert()
        .into_table(JobProgress::Table)
        .columns(COLUMNS)
        .values_panic([name.into(), "".into(), 0i64.into(), 0i64.into(), now.into()])
        .on_conflict(
            OnConflict::column(JobProgress::Name)
                .update_column(JobProgress::UpdatedAt)
                .action_and_where(
                    Expr::col((JobProgress::Table, JobProgress::UpdatedAt)).lte(due_before),
                )
                .to_owned(),
        )
        .to_owned();
    Ok(db.execute(&claim).await? == 1)
}

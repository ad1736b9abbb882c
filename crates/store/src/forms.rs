//! Public form submissions counted per collection, client address and hour, in the database so
//! that every instance enforces the same limit.

use sea_query::{Expr, ExprTrait, Iden, OnConflict, Query};
use time::OffsetDateTime;

use crate::{Executor, StoreError};

#[derive(Iden)]
enum FormSubmissions {
    Table,
    Collection,
    Ip,
    WindowStart,
    Count,
}

/// Counts one submission in the window starting at `window_start`; returns the window's count
/// including this one.
pub async fn count_form_submission(
    db: &impl Executor,
    collection: &str,
    ip: &str,
    window_start: OffsetDateTime,
) -> Result<i64, StoreError> {
    let upsert = Query::insert()
        .into_table(FormSubmissions::Table)
        .columns([
            FormSubmissions::Collection,
            FormSubmissions::Ip,
            FormSubmissions::WindowStart,
            FormSubmissions::Count,
        ])
        .values_panic([collection.into(), ip.into(), window_start.into(), 1i64.into()])
        .on_conflict(
            OnConflict::columns([
                FormSubmissions::Collection,
                FormSubmissions::Ip,
                FormSubmissions::WindowStart,
            ])
            .value(
                FormSubmissions::Count,
                Expr::col((FormSubmissions::Table, FormSubmissions::Count)).add(1),
            )
            .to_owned(),
        )
        .to_owned();
    db.execute(&upsert).await?;
    let query = Query::select()
        .column(FormSubmissions::Count)
        .from(FormSubmissions::Table)
        .and_where(Expr::col(FormSubmissions::Collection).eq(collection))
        .and_where(Expr::col(FormSubmissions::Ip).eq(ip))
        .and_where(Expr::col(FormSubmissions::WindowStart).eq(window_start))
        .to_owned();
    db.count(&query).await
}

/// Forgets windows that ended before `before`.
pub async fn delete_form_windows_before(
    db: &impl Executor,
    before: OffsetDateTime,
) -> Result<u64, StoreError> {
    let delete = Query::delete()
        .from_table(FormSubmissions::Table)
        .and_where(Expr::col(FormSubmissions::WindowStart).lt(before))
        .to_owned();
    db.execute(&delete).await
}

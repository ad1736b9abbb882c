//! `mail_requests`: e-mail sent at anonymous requests, counted per hour by the address it goes to
//! and by the client asking, in the database so that every instance enforces the same limits.

use sea_query::{Expr, ExprTrait, Iden, OnConflict, Query};
use time::OffsetDateTime;

use crate::{Executor, StoreError};

#[derive(Iden)]
enum MailRequests {
    Table,
    Scope,
    Subject,
    WindowStart,
    Count,
}

/// Counts one request of `scope` (`address`, `client`) about `subject` in the window starting
/// at `window_start`; returns the window's count including this one.
pub async fn count_mail_request(
    db: &impl Executor,
    scope: &str,
    subject: &[u8],
    window_start: OffsetDateTime,
) -> Result<i64, StoreError> {
    let upsert = Query::insert()
        .into_table(MailRequests::Table)
        .columns([
            MailRequests::Scope,
            MailRequests::Subject,
            MailRequests::WindowStart,
            MailRequests::Count,
        ])
        .values_panic([scope.into(), subject.to_vec().into(), window_start.into(), 1i64.into()])
        .on_conflict(
            OnConflict::columns([
                MailRequests::Scope,
                MailRequests::Subject,
                MailRequests::WindowStart,
            ])
            .value(
                MailRequests::Count,
                Expr::col((MailRequests::Table, MailRequests::Count)).add(1),
            )
            .to_owned(),
        )
        .to_owned();
    db.execute(&upsert).await?;
    let query = Query::select()
        .column(MailRequests::Count)
        .from(MailRequests::Table)
        .and_where(Expr::col(MailRequests::Scope).eq(scope))
        .and_where(Expr::col(MailRequests::Subject).eq(subject.to_vec()))
        .and_where(Expr::col(MailRequests::WindowStart).eq(window_start))
        .to_owned();
    db.count(&query).await
}

/// Forgets windows that started before `before`.
pub async fn delete_mail_windows_before(
    db: &impl Executor,
    before: OffsetDateTime,
) -> Result<u64, StoreError> {
    let delete = Query::delete()
        .from_table(MailRequests::Table)
        .and_where(Expr::col(MailRequests::WindowStart).lt(before))
        .to_owned();
    db.execute(&delete).await
}

//! The counters behind sign-in throttling, shared by every instance through the database:
//! consecutive failures per address tried (by blind index), failures per client IP in a window,
//! and blocked IPs. The rules that read them are in `rampart_domain::sign_in_throttle`.

use sea_query::{Expr, ExprTrait, Func, Iden, OnConflict, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Executor, StoreError};

#[derive(Iden)]
enum SignInFailuresByAddress {
    Table,
    AddressIndex,
    Failures,
    LastFailureAt,
}

#[derive(Iden)]
enum SignInFailuresByIp {
    Table,
    Id,
    Ip,
    FailedAt,
    AddressIndex,
}

#[derive(Iden)]
enum BlockedIps {
    Table,
    Ip,
    BlockedUntil,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AddressFailures {
    pub failures: i64,
    pub last_failure_at: OffsetDateTime,
}

pub async fn find_address_failures(
    db: &impl Executor,
    address_index: &[u8],
) -> Result<Option<AddressFailures>, StoreError> {
    let query = Query::select()
        .columns([SignInFailuresByAddress::Failures, SignInFailuresByAddress::LastFailureAt])
        .from(SignInFailuresByAddress::Table)
        .and_where(Expr::col(SignInFailuresByAddress::AddressIndex).eq(address_index.to_vec()))
        .to_owned();
    db.fetch_optional(&query).await
}

/// Counts one more consecutive failure for the address, atomically (two instances counting at
/// once both count), and returns the new count.
pub async fn count_address_failure(
    db: &impl Executor,
    address_index: &[u8],
    at: OffsetDateTime,
) -> Result<i64, StoreError> {
    let upsert = Query::insert()
        .into_table(SignInFailuresByAddress::Table)
        .columns([
            SignInFailuresByAddress::AddressIndex,
            SignInFailuresByAddress::Failures,
            SignInFailuresByAddress::LastFailureAt,
        ])
        .values_panic([address_index.to_vec().into(), 1_i64.into(), at.into()])
        .on_conflict(
            OnConflict::column(SignInFailuresByAddress::AddressIndex)
                .value(
                    SignInFailuresByAddress::Failures,
                    Expr::col((SignInFailuresByAddress::Table, SignInFailuresByAddress::Failures))
                        .add(1),
                )
                .update_column(SignInFailuresByAddress::LastFailureAt)
                .to_owned(),
        )
        .returning_col(SignInFailuresByAddress::Failures)
        .to_owned();
    let (failures,): (i64,) = db
        .fetch_optional(&upsert)
        .await?
        .ok_or(StoreError::Conflict("the failure counter was not returned"))?;
    Ok(failures)
}

/// A success (or a password reset) starts the count again.
pub async fn clear_address_failures(
    db: &impl Executor,
    address_index: &[u8],
) -> Result<(), StoreError> {
    let delete = Query::delete()
        .from_table(SignInFailuresByAddress::Table)
        .and_where(Expr::col(SignInFailuresByAddress::AddressIndex).eq(address_index.to_vec()))
        .to_owned();
    db.execute(&delete).await.map(drop)
}

/// Records a failure from `ip`, forgets that IP's failures older than `window_start`, and returns
/// how many remain (the failures within the window, this one included).
pub async fn count_ip_failure(
    db: &impl Executor,
    ip: &str,
    address_index: &[u8],
    at: OffsetDateTime,
    window_start: OffsetDateTime,
) -> Result<i64, StoreError> {
    let insert = Query::insert()
        .into_table(SignInFailuresByIp::Table)
        .columns([
            SignInFailuresByIp::Id,
            SignInFailuresByIp::Ip,
            SignInFailuresByIp::FailedAt,
            SignInFailuresByIp::AddressIndex,
        ])
        .values_panic([Uuid::new_v4().into(), ip.into(), at.into(), address_index.to_vec().into()])
        .to_owned();
    // Every client's failures older than the window go, not only this one's: a client that
    // never comes back must not leave its rows behind (indexed on failed_at).
    let forget = Query::delete()
        .from_table(SignInFailuresByIp::Table)
        .and_where(Expr::col(SignInFailuresByIp::FailedAt).lt(window_start))
        .to_owned();
    db.execute(&insert).await?;
    db.execute(&forget).await?;
    let count = Query::select()
        .expr(Func::count(Expr::col(SignInFailuresByIp::Id)))
        .from(SignInFailuresByIp::Table)
        .and_where(Expr::col(SignInFailuresByIp::Ip).eq(ip))
        .to_owned();
    let (count,): (i64,) = db.fetch_optional(&count).await?.unwrap_or((0,));
    Ok(count)
}

pub async fn block_ip(
    db: &impl Executor,
    ip: &str,
    until: OffsetDateTime,
) -> Result<(), StoreError> {
    let upsert = Query::insert()
        .into_table(BlockedIps::Table)
        .columns([BlockedIps::Ip, BlockedIps::BlockedUntil])
        .values_panic([ip.into(), until.into()])
        .on_conflict(
            OnConflict::column(BlockedIps::Ip).update_column(BlockedIps::BlockedUntil).to_owned(),
        )
        .to_owned();
    db.execute(&upsert).await.map(drop)
}

/// Until when `ip` is blocked, if it ever was (the caller compares with now).
pub async fn find_ip_block(
    db: &impl Executor,
    ip: &str,
) -> Result<Option<OffsetDateTime>, StoreError> {
    let query = Query::select()
        .column(BlockedIps::BlockedUntil)
        .from(BlockedIps::Table)
        .and_where(Expr::col(BlockedIps::Ip).eq(ip))
        .to_owned();
    Ok(db.fetch_optional::<(OffsetDateTime,)>(&query).await?.map(|(until,)| until))
}

/// Addresses with at least `failures` consecutive failed sign-ins (throttled ones).
pub async fn count_throttled_addresses(
    db: &impl Executor,
    failures: i64,
) -> Result<i64, StoreError> {
    let query = Query::select()
        .expr(Func::count(Expr::col(SignInFailuresByAddress::AddressIndex)))
        .from(SignInFailuresByAddress::Table)
        .and_where(Expr::col(SignInFailuresByAddress::Failures).gte(failures))
        .to_owned();
    db.count(&query).await
}

/// Client addresses blocked at `now` for password spraying.
pub async fn count_blocked_ips(db: &impl Executor, now: OffsetDateTime) -> Result<i64, StoreError> {
    let query = Query::select()
        .expr(Func::count(Expr::col(BlockedIps::Ip)))
        .from(BlockedIps::Table)
        .and_where(Expr::col(BlockedIps::BlockedUntil).gt(now))
        .to_owned();
    db.count(&query).await
}

/// Failed sign-ins since `since`: how many distinct addresses one client tried (spraying).
pub async fn count_addresses_tried_from_ip(
    db: &impl Executor,
    ip: &str,
    since: OffsetDateTime,
) -> Result<i64, StoreError> {
    let query = Query::select()
        .expr(Func::count_distinct(Expr::col(SignInFailuresByIp::AddressIndex)))
        .from(SignInFailuresByIp::Table)
        .and_where(Expr::col(SignInFailuresByIp::Ip).eq(ip))
        .and_where(Expr::col(SignInFailuresByIp::FailedAt).gte(since))
        .to_owned();
    db.count(&query).await
}

/// Failed sign-ins since `since`, deployment-wide: distinct clients and distinct addresses
/// (credential stuffing: many clients, many accounts).
pub async fn count_failing_clients_and_addresses(
    db: &impl Executor,
    since: OffsetDateTime,
) -> Result<(i64, i64), StoreError> {
    let query = Query::select()
        .expr(Func::count_distinct(Expr::col(SignInFailuresByIp::Ip)))
        .expr(Func::count_distinct(Expr::col(SignInFailuresByIp::AddressIndex)))
        .from(SignInFailuresByIp::Table)
        .and_where(Expr::col(SignInFailuresByIp::FailedAt).gte(since))
        .to_owned();
    Ok(db.fetch_optional::<(i64, i64)>(&query).await?.unwrap_or((0, 0)))
}

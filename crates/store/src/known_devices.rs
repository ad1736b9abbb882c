//! Devices a user has signed in from, as keyed hashes (see `rampart_domain::device`).

use sea_query::{Expr, ExprTrait, Func, Iden, OnConflict, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Executor, StoreError};

#[derive(Iden)]
enum KnownDevices {
    Table,
    UserId,
    DeviceHash,
    FirstSeenAt,
}

/// Remembers the device; returns `true` when it was new for this user.
pub async fn remember_device(
    db: &impl Executor,
    user_id: Uuid,
    device_hash: &[u8],
    at: OffsetDateTime,
) -> Result<bool, StoreError> {
    let insert = Query::insert()
        .into_table(KnownDevices::Table)
        .columns([KnownDevices::UserId, KnownDevices::DeviceHash, KnownDevices::FirstSeenAt])
        .values_panic([user_id.into(), device_hash.to_vec().into(), at.into()])
        .on_conflict(
            OnConflict::columns([KnownDevices::UserId, KnownDevices::DeviceHash])
                .do_nothing()
                .to_owned(),
        )
        .to_owned();
    Ok(db.execute(&insert).await? == 1)
}

pub async fn count_known_devices(db: &impl Executor, user_id: Uuid) -> Result<i64, StoreError> {
    let query = Query::select()
        .expr(Func::count(Expr::col(KnownDevices::DeviceHash)))
        .from(KnownDevices::Table)
        .and_where(Expr::col(KnownDevices::UserId).eq(user_id))
        .to_owned();
    db.count(&query).await
}

//! Business records: one row per record in the fixed `records` table, plus its blind-index
//! rows in `record_lookup`.
//!
//! The store knows nothing of a collection's schema: the server hands it documents already
//! validated and split (plain fields in `data`, sensitive ones encrypted in `sealed`) and the
//! digests of the fields that need lookups. Listing and filtering live in `query.rs`.

mod query;

pub use query::{LookupDigests, RecordQuery, Visibility, list_records};

use sea_query::{Expr, ExprTrait, Func, Iden, Query};
use serde_json::Value as JsonValue;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Executor, StoreError};

#[derive(Iden)]
pub(crate) enum Records {
    Table,
    Id,
    Collection,
    Department,
    OwnerId,
    Data,
    Sealed,
    Version,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

#[derive(Iden)]
pub(crate) enum RecordLookup {
    Table,
    RecordId,
    Field,
    Collection,
    Digest,
    KeyVersion,
    IsUnique,
}

pub(crate) const RECORD_COLUMNS: [Records; 11] = [
    Records::Id,
    Records::Collection,
    Records::Department,
    Records::OwnerId,
    Records::Data,
    Records::Sealed,
    Records::Version,
    Records::CreatedBy,
    Records::CreatedAt,
    Records::UpdatedAt,
    Records::DeletedAt,
];

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RecordRow {
    pub id: Uuid,
    pub collection: String,
    pub department: Option<String>,
    pub owner_id: Option<Uuid>,
    /// The fields that are not sensitive, as a JSON object.
    pub data: JsonValue,
    /// The sensitive fields, encrypted together; `None` when the record has none.
    pub sealed: Option<Vec<u8>>,
    /// Starts at 1, bumped by every update: the `ETag` clients send back in `If-Match`.
    pub version: i64,
    pub created_by: Option<Uuid>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub deleted_at: Option<OffsetDateTime>,
}

/// One blind-index entry of a record: a searchable or unique field's digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupRow {
    pub field: String,
    pub digest: Vec<u8>,
    pub key_version: i64,
    pub unique: bool,
}

fn lookup_insert_into() -> sea_query::InsertStatement {
    Query::insert()
        .into_table(RecordLookup::Table)
        .columns([
            RecordLookup::RecordId,
            RecordLookup::Field,
            RecordLookup::Collection,
            RecordLookup::Digest,
            RecordLookup::KeyVersion,
            RecordLookup::IsUnique,
        ])
        .to_owned()
}

fn lookup_values(record: &RecordRow, lookups: &[LookupRow]) -> Vec<[sea_query::Expr; 6]> {
    lookups
        .iter()
        .map(|lookup| {
            [
                record.id.into(),
                lookup.field.as_str().into(),
                record.collection.as_str().into(),
                lookup.digest.clone().into(),
                lookup.key_version.into(),
                lookup.unique.into(),
            ]
        })
        .collect()
}

fn lookup_inserts(record: &RecordRow, lookups: &[LookupRow]) -> Vec<sea_query::InsertStatement> {
    lookup_values(record, lookups)
        .into_iter()
        .map(|values| lookup_insert_into().values_panic(values).to_owned())
        .collect()
}

fn record_values(record: &RecordRow) -> [sea_query::Expr; 11] {
    [
        record.id.into(),
        record.collection.as_str().into(),
        record.department.clone().into(),
        record.owner_id.into(),
        record.data.clone().into(),
        record.sealed.clone().into(),
        record.version.into(),
        record.created_by.into(),
        record.created_at.into(),
        record.updated_at.into(),
        record.deleted_at.into(),
    ]
}

/// Stores a new record and its lookups in one transaction; [`StoreError::Duplicate`] when a
/// unique field's value is taken.
pub async fn insert_record(
    db: &impl Executor,
    record: &RecordRow,
    lookups: &[LookupRow],
) -> Result<(), StoreError> {
    let insert = Query::insert()
        .into_table(Records::Table)
        .columns(RECORD_COLUMNS)
        .values_panic(record_values(record))
        .to_owned();
    let mut tx = db.atomic().await?;
    tx.execute(&insert).await?;
    for statement in lookup_inserts(record, lookups) {
        tx.execute(&statement).await?;
    }
    tx.commit().await
}

/// Stores many records and their lookups in one transaction, a few hundred rows per statement
/// (seeding, imports, restores); [`StoreError::Duplicate`] rolls all of them back.
pub async fn insert_records(
    db: &impl Executor,
    records: &[(RecordRow, Vec<LookupRow>)],
) -> Result<(), StoreError> {
    const ROWS_PER_STATEMENT: usize = 500;
    let mut tx = db.atomic().await?;
    for chunk in records.chunks(ROWS_PER_STATEMENT) {
        let mut insert =
            Query::insert().into_table(Records::Table).columns(RECORD_COLUMNS).to_owned();
        for (record, _) in chunk {
            insert.values_panic(record_values(record));
        }
        tx.execute(&insert).await?;
        let lookups: Vec<_> =
            chunk.iter().flat_map(|(record, lookups)| lookup_values(record, lookups)).collect();
        for rows in lookups.chunks(ROWS_PER_STATEMENT) {
            let mut insert = lookup_insert_into();
            for row in rows {
                insert.values_panic(row.clone());
            }
            tx.execute(&insert).await?;
        }
    }
    tx.commit().await
}

/// A record of `collection`, live or in the bin.
pub async fn find_record(
    db: &impl Executor,
    collection: &str,
    id: Uuid,
) -> Result<Option<RecordRow>, StoreError> {
    let query = Query::select()
        .columns(RECORD_COLUMNS)
        .from(Records::Table)
        .and_where(Expr::col(Records::Id).eq(id))
        .and_where(Expr::col(Records::Collection).eq(collection))
        .to_owned();
    db.fetch_optional(&query).await
}

/// Whether a live record `id` exists in `collection` (a reference field's target).
pub async fn live_record_exists(
    db: &impl Executor,
    collection: &str,
    id: Uuid,
) -> Result<bool, StoreError> {
    let query = Query::select()
        .expr(Func::count(Expr::col(Records::Id)))
        .from(Records::Table)
        .and_where(Expr::col(Records::Id).eq(id))
        .and_where(Expr::col(Records::Collection).eq(collection))
        .and_where(Expr::col(Records::DeletedAt).is_null())
        .to_owned();
    Ok(db.count(&query).await? > 0)
}

/// Replaces a live record's fields and lookups if it is still at `expected_version`; the new
/// version is `expected_version + 1`. Returns whether it was (false: changed meanwhile, or
/// deleted).
pub async fn update_record(
    db: &impl Executor,
    record: &RecordRow,
    expected_version: i64,
    lookups: &[LookupRow],
) -> Result<bool, StoreError> {
    let update = Query::update()
        .table(Records::Table)
        .values([
            (Records::Data, record.data.clone().into()),
            (Records::Sealed, record.sealed.clone().into()),
            (Records::Department, record.department.clone().into()),
            (Records::OwnerId, record.owner_id.into()),
            (Records::Version, (expected_version + 1).into()),
            (Records::UpdatedAt, record.updated_at.into()),
        ])
        .and_where(Expr::col(Records::Id).eq(record.id))
        .and_where(Expr::col(Records::Collection).eq(record.collection.as_str()))
        .and_where(Expr::col(Records::Version).eq(expected_version))
        .and_where(Expr::col(Records::DeletedAt).is_null())
        .to_owned();
    rewrite_with_lookups(db, &update, record, lookups).await
}

/// Runs `update` (the conditional rewrite of one record) and, if it changed the row, replaces
/// the record's lookups, in one transaction; returns whether the row changed.
async fn rewrite_with_lookups(
    db: &impl Executor,
    update: &sea_query::UpdateStatement,
    record: &RecordRow,
    lookups: &[LookupRow],
) -> Result<bool, StoreError> {
    let clear = Query::delete()
        .from_table(RecordLookup::Table)
        .and_where(Expr::col(RecordLookup::RecordId).eq(record.id))
        .to_owned();
    let mut tx = db.atomic().await?;
    if tx.execute(update).await? != 1 {
        return Ok(false);
    }
    tx.execute(&clear).await?;
    for statement in lookup_inserts(record, lookups) {
        tx.execute(&statement).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Moves a live record to the bin (restorable until purged); returns whether it was live.
pub async fn soft_delete_record(
    db: &impl Executor,
    collection: &str,
    id: Uuid,
    at: OffsetDateTime,
) -> Result<bool, StoreError> {
    let update = Query::update()
        .table(Records::Table)
        .value(Records::DeletedAt, at)
        .value(Records::Version, Expr::col(Records::Version).add(1))
        .and_where(Expr::col(Records::Id).eq(id))
        .and_where(Expr::col(Records::Collection).eq(collection))
        .and_where(Expr::col(Records::DeletedAt).is_null())
        .to_owned();
    Ok(db.execute(&update).await? == 1)
}

/// Brings a record back from the bin; returns whether it was there.
pub async fn restore_record(
    db: &impl Executor,
    collection: &str,
    id: Uuid,
    at: OffsetDateTime,
) -> Result<bool, StoreError> {
    let update = Query::update()
        .table(Records::Table)
        .value(Records::DeletedAt, Option::<OffsetDateTime>::None)
        .value(Records::UpdatedAt, at)
        .value(Records::Version, Expr::col(Records::Version).add(1))
        .and_where(Expr::col(Records::Id).eq(id))
        .and_where(Expr::col(Records::Collection).eq(collection))
        .and_where(Expr::col(Records::DeletedAt).is_not_null())
        .to_owned();
    Ok(db.execute(&update).await? == 1)
}

/// Deletes for good the records binned before `cutoff` (their lookups go with them); returns
/// how many.
pub async fn purge_binned_records(
    db: &impl Executor,
    cutoff: OffsetDateTime,
) -> Result<u64, StoreError> {
    let delete = Query::delete()
        .from_table(Records::Table)
        .and_where(Expr::col(Records::DeletedAt).is_not_null())
        .and_where(Expr::col(Records::DeletedAt).lt(cutoff))
        .to_owned();
    db.execute(&delete).await
}

/// The records of `collection` whose `field` has one of `digests` (any key version), other
/// than `except`: who already holds a unique value.
pub async fn find_lookup_holders(
    db: &impl Executor,
    collection: &str,
    field: &str,
    digests: &[Vec<u8>],
    except: Option<Uuid>,
) -> Result<Vec<Uuid>, StoreError> {
    let mut query = Query::select()
        .column(RecordLookup::RecordId)
        .from(RecordLookup::Table)
        .and_where(Expr::col(RecordLookup::Collection).eq(collection))
        .and_where(Expr::col(RecordLookup::Field).eq(field))
        .and_where(Expr::col(RecordLookup::Digest).is_in(digests.iter().cloned()))
        .to_owned();
    if let Some(except) = except {
        query.and_where(Expr::col(RecordLookup::RecordId).ne(except));
    }
    Ok(db.fetch_all::<(Uuid,)>(&query).await?.into_iter().map(|(id,)| id).collect())
}

/// Records of `collection` after `after` in id order, live or binned: what a schema change or
/// a key rotation walks through.
pub async fn list_records_after(
    db: &impl Executor,
    collection: Option<&str>,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<RecordRow>, StoreError> {
    let mut query = Query::select()
        .columns(RECORD_COLUMNS)
        .from(Records::Table)
        .order_by(Records::Id, sea_query::Order::Asc)
        .limit(limit)
        .to_owned();
    if let Some(collection) = collection {
        query.and_where(Expr::col(Records::Collection).eq(collection));
    }
    if let Some(after) = after {
        query.and_where(Expr::col(Records::Id).gt(after));
    }
    db.fetch_all(&query).await
}

/// Rewrites a record's stored form (a schema change moved a field in or out of the sealed
/// part, or a key rotation re-encrypted it) without changing its version, if its sealed part
/// is still `previous_sealed` (a writer who got there first wins).
pub async fn replace_record_storage(
    db: &impl Executor,
    record: &RecordRow,
    previous_sealed: Option<&[u8]>,
    lookups: &[LookupRow],
) -> Result<bool, StoreError> {
    let mut update = Query::update()
        .table(Records::Table)
        .values([
            (Records::Data, record.data.clone().into()),
            (Records::Sealed, record.sealed.clone().into()),
        ])
        .and_where(Expr::col(Records::Id).eq(record.id))
        .and_where(Expr::col(Records::Version).eq(record.version))
        .to_owned();
    match previous_sealed {
        Some(sealed) => update.and_where(Expr::col(Records::Sealed).eq(sealed.to_vec())),
        None => update.and_where(Expr::col(Records::Sealed).is_null()),
    };
    rewrite_with_lookups(db, &update, record, lookups).await
}

/// The blind-index key versions record lookups use (what key retirement must keep).
pub async fn distinct_lookup_versions(db: &impl Executor) -> Result<Vec<i64>, StoreError> {
    let query = Query::select()
        .distinct()
        .column(RecordLookup::KeyVersion)
        .from(RecordLookup::Table)
        .to_owned();
    Ok(db.fetch_all::<(i64,)>(&query).await?.into_iter().map(|(version,)| version).collect())
}

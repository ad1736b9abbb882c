//! Listing records: a checked filter (`rampart_domain::records::TypedFilter`) becomes a
//! sea-query condition whose every value is a bound parameter — field names included (they are
//! the right-hand side of `->`/`->>`, not identifiers) — then sort and keyset pagination.
//!
//! A field of the document is `data ->> 'f'` on SQLite (the SQL value: text, integer, real) and
//! `data -> 'f'` on PostgreSQL (jsonb, compared with a jsonb parameter, which orders numbers as
//! numbers and strings as strings). `~` (contains) is `instr(lower(…), lower(?))` /
//! `strpos(lower(…), lower($n))`: case-insensitive, for ASCII letters only on SQLite. A sensitive
//! field is never read here: its equality is a lookup of blind-index digests the server
//! computed, in `record_lookup`.

use std::collections::HashMap;

use rampart_domain::records::{Column, CompareOp, Scalar, Sort, SortKey, Target, TypedFilter};
use sea_query::extension::postgres::PgExpr;
use sea_query::extension::sqlite::SqliteExpr;
use sea_query::{Alias, Cond, Expr, ExprTrait, Func, Order, Query};
use serde_json::Value as JsonValue;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::{RECORD_COLUMNS, RecordLookup, RecordRow, Records};
use crate::{Engine, Executor, StoreError};

/// Which records of a collection the caller may see at all (the object level).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    All,
    /// Records of these departments only.
    Departments(Vec<String>),
    /// Records this user owns only (customers).
    Owner(Uuid),
}

/// The blind-index digests of each `(field, canonical value)` a filter looks up, every key
/// version's: computed by the server, which holds the keys.
pub type LookupDigests = HashMap<(String, String), Vec<Vec<u8>>>;

#[derive(Debug)]
pub struct RecordQuery<'a> {
    pub collection: &'a str,
    pub visibility: &'a Visibility,
    pub filter: Option<&'a TypedFilter>,
    pub lookups: &'a LookupDigests,
    pub sort: &'a Sort,
    /// The sort value (JSON; an RFC 3339 string for the time columns) and id of the last record
    /// of the previous page.
    pub after: Option<(JsonValue, Uuid)>,
    pub limit: u64,
    /// The bin (soft-deleted records) instead of the live records.
    pub binned: bool,
}

pub async fn list_records(
    db: &impl Executor,
    query: &RecordQuery<'_>,
) -> Result<Vec<RecordRow>, StoreError> {
    let engine = db.engine();
    let mut select = Query::select()
        .columns(RECORD_COLUMNS.map(|column| (Records::Table, column)))
        .from(Records::Table)
        .and_where(Expr::col((Records::Table, Records::Collection)).eq(query.collection))
        .limit(query.limit)
        .to_owned();
    if query.binned {
        select.and_where(Expr::col((Records::Table, Records::DeletedAt)).is_not_null());
    } else {
        select.and_where(Expr::col((Records::Table, Records::DeletedAt)).is_null());
    }
    match query.visibility {
        Visibility::All => {}
        Visibility::Departments(departments) => {
            select.and_where(
                Expr::col((Records::Table, Records::Department))
                    .is_in(departments.iter().map(String::as_str)),
            );
        }
        Visibility::Owner(owner) => {
            select.and_where(Expr::col((Records::Table, Records::OwnerId)).eq(*owner));
        }
    }
    if let Some(filter) = query.filter {
        // A lookup every match must pass is resolved first, to the few ids it names: planners
        // otherwise tend to walk the sort index and test each row against the lookup.
        for (name, values) in required_lookups(filter) {
            let holders = lookup_holders(query.collection, name, &values, query.lookups);
            let ids: Vec<Uuid> =
                db.fetch_all::<(Uuid,)>(&holders).await?.into_iter().map(|(id,)| id).collect();
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            select.and_where(Expr::col((Records::Table, Records::Id)).is_in(ids));
        }
        select.cond_where(condition(engine, query.collection, filter, query.lookups)?);
    }
    let sort_expr = sort_expression(engine, &query.sort.key);
    let id = Expr::col((Records::Table, Records::Id));
    if let Some((value, after_id)) = &query.after {
        let position = Expr::tuple([sort_expr.clone(), id.clone()]);
        let last = Expr::tuple([sort_value(engine, &query.sort.key, value)?, Expr::val(*after_id)]);
        select.and_where(if query.sort.descending { position.lt(last) } else { position.gt(last) });
    }
    let order = if query.sort.descending { Order::Desc } else { Order::Asc };
    select.order_by_expr(sort_expr, order.clone()).order_by_expr(id, order);
    db.fetch_all(&select).await
}

/// The expression a sort key reads.
fn sort_expression(engine: Engine, key: &SortKey) -> Expr {
    match key {
        SortKey::CreatedAt => Expr::col((Records::Table, Records::CreatedAt)),
        SortKey::UpdatedAt => Expr::col((Records::Table, Records::UpdatedAt)),
        SortKey::Field(name) => field(engine, name.as_str()),
    }
}

/// The bound value a cursor's sort position compares with.
fn sort_value(engine: Engine, key: &SortKey, value: &JsonValue) -> Result<Expr, StoreError> {
    match key {
        SortKey::CreatedAt | SortKey::UpdatedAt => {
            let text = value.as_str().ok_or(StoreError::Invalid("the cursor is not valid"))?;
            let at = OffsetDateTime::parse(text, &Rfc3339)
                .map_err(|_| StoreError::Invalid("the cursor is not valid"))?;
            Ok(Expr::val(at))
        }
        SortKey::Field(_) => json_value(engine, value),
    }
}

/// A document field, as the engine compares it (see the module comment).
fn field(engine: Engine, name: &str) -> Expr {
    let data = Expr::col((Records::Table, Records::Data));
    match engine {
        Engine::Sqlite => SqliteExpr::cast_json_field(data, name),
        Engine::Postgres => PgExpr::get_json_field(data, name),
    }
}

/// A document field as text (for `~`).
fn field_text(engine: Engine, name: &str) -> Expr {
    let data = Expr::col((Records::Table, Records::Data));
    match engine {
        Engine::Sqlite => SqliteExpr::cast_json_field(data, name),
        Engine::Postgres => PgExpr::cast_json_field(data, name),
    }
}

/// A value to compare a document field with.
fn json_value(engine: Engine, value: &JsonValue) -> Result<Expr, StoreError> {
    match engine {
        Engine::Postgres => Ok(Expr::val(value.clone())),
        Engine::Sqlite => Ok(match value {
            JsonValue::String(text) => Expr::val(text.as_str()),
            JsonValue::Bool(flag) => Expr::val(*flag),
            JsonValue::Number(number) => match number.as_i64() {
                Some(integer) => Expr::val(integer),
                None => Expr::val(number.as_f64().unwrap_or(f64::NAN)),
            },
            _ => return Err(StoreError::Invalid("the cursor is not valid")),
        }),
    }
}

fn scalar_json(scalar: &Scalar) -> JsonValue {
    match scalar {
        Scalar::Text(text) => JsonValue::from(text.as_str()),
        Scalar::Integer(integer) => JsonValue::from(*integer),
        Scalar::Decimal(decimal) => JsonValue::from(*decimal),
        Scalar::Bool(flag) => JsonValue::from(*flag),
        Scalar::Null => JsonValue::Null,
    }
}

fn condition(
    engine: Engine,
    collection: &str,
    filter: &TypedFilter,
    lookups: &LookupDigests,
) -> Result<Cond, StoreError> {
    Ok(match filter {
        TypedFilter::And(parts) => parts.iter().try_fold(Cond::all(), |all, part| {
            Ok::<_, StoreError>(all.add(condition(engine, collection, part, lookups)?))
        })?,
        TypedFilter::Or(parts) => parts.iter().try_fold(Cond::any(), |any, part| {
            Ok::<_, StoreError>(any.add(condition(engine, collection, part, lookups)?))
        })?,
        TypedFilter::Not(inner) => condition(engine, collection, inner, lookups)?.not(),
        TypedFilter::Compare { target, op, value } => {
            Cond::all().add(comparison(engine, collection, target, *op, value, lookups)?)
        }
        TypedFilter::In { target, values } => {
            Cond::all().add(membership(engine, collection, target, values, lookups)?)
        }
    })
}

/// The digests looked up for a sensitive field's values; a value nobody computed digests for
/// matches nothing.
/// The sensitive lookups a record must pass to match `filter`: the filter itself, or the parts
/// of a top-level `&&`, when they are `=`/`in` lookups.
fn required_lookups(filter: &TypedFilter) -> Vec<(&str, Vec<&Scalar>)> {
    let parts = match filter {
        TypedFilter::And(parts) => parts.iter().collect(),
        other => vec![other],
    };
    parts
        .into_iter()
        .filter_map(|part| match part {
            TypedFilter::Compare {
                target: Target::SensitiveLookup { name },
                op: CompareOp::Eq,
                value,
            } => Some((name.as_str(), vec![value])),
            TypedFilter::In { target: Target::SensitiveLookup { name }, values } => {
                Some((name.as_str(), values.iter().collect()))
            }
            _ => None,
        })
        .collect()
}

/// The ids of the records of `collection` whose `name` has one of `values` (their digests).
fn lookup_holders(
    collection: &str,
    name: &str,
    values: &[&Scalar],
    lookups: &LookupDigests,
) -> sea_query::SelectStatement {
    let digests: Vec<Vec<u8>> = values
        .iter()
        .filter_map(|value| match value {
            Scalar::Text(text) => lookups.get(&(name.to_owned(), text.clone())),
            _ => None,
        })
        .flatten()
        .cloned()
        .collect();
    Query::select()
        .column(RecordLookup::RecordId)
        .from(RecordLookup::Table)
        .and_where(Expr::col(RecordLookup::Collection).eq(collection))
        .and_where(Expr::col(RecordLookup::Field).eq(name))
        .and_where(Expr::col(RecordLookup::Digest).is_in(digests))
        .to_owned()
}

fn lookup(collection: &str, name: &str, values: &[&Scalar], lookups: &LookupDigests) -> Expr {
    Expr::col((Records::Table, Records::Id))
        .in_subquery(lookup_holders(collection, name, values, lookups))
}

fn column_expression(column: Column) -> Expr {
    let name = match column {
        Column::Id => Records::Id,
        Column::CreatedAt => Records::CreatedAt,
        Column::UpdatedAt => Records::UpdatedAt,
        Column::OwnerId => Records::OwnerId,
        Column::Department => Records::Department,
    };
    Expr::col((Records::Table, name))
}

/// A literal for a built-in column, typed as the column is.
fn column_value(column: Column, value: &Scalar) -> Result<Expr, StoreError> {
    let invalid = StoreError::Invalid("a filter value does not fit its column");
    let Scalar::Text(text) = value else {
        return match value {
            Scalar::Null => Ok(Expr::val(Option::<String>::None)),
            _ => Err(invalid),
        };
    };
    Ok(match column {
        Column::Id | Column::OwnerId => Expr::val(Uuid::parse_str(text).map_err(|_| invalid)?),
        Column::CreatedAt | Column::UpdatedAt => {
            Expr::val(OffsetDateTime::parse(text, &Rfc3339).map_err(|_| invalid)?)
        }
        Column::Department => Expr::val(text.as_str()),
    })
}

fn comparison(
    engine: Engine,
    collection: &str,
    target: &Target,
    op: CompareOp,
    value: &Scalar,
    lookups: &LookupDigests,
) -> Result<Expr, StoreError> {
    let (left, right) = match target {
        Target::SensitiveLookup { name } => {
            let found = lookup(collection, name.as_str(), &[value], lookups);
            return Ok(if op == CompareOp::Ne { found.not() } else { found });
        }
        Target::Column(column) => (column_expression(*column), column_value(*column, value)?),
        Target::Field { name, .. } if op == CompareOp::Contains => {
            let Scalar::Text(text) = value else {
                return Err(StoreError::Invalid("contains needs text"));
            };
            let haystack = Func::lower(field_text(engine, name.as_str()));
            let needle = Func::lower(Expr::val(text.as_str()));
            let position = match engine {
                Engine::Sqlite => Func::cust(Alias::new("instr")).arg(haystack).arg(needle),
                Engine::Postgres => Func::cust(Alias::new("strpos")).arg(haystack).arg(needle),
            };
            return Ok(Expr::expr(position).gt(0));
        }
        Target::Field { name, .. } => {
            (field(engine, name.as_str()), json_value_or_null(engine, value)?)
        }
    };
    Ok(match (op, value) {
        (CompareOp::Eq, Scalar::Null) => left.is_null(),
        (CompareOp::Ne, Scalar::Null) => left.is_not_null(),
        (CompareOp::Eq, _) => left.eq(right),
        // "not equal" includes the records where the field is not set.
        (CompareOp::Ne, _) => Expr::expr(left.clone()).ne(right).or(left.is_null()),
        (CompareOp::Lt, _) => left.lt(right),
        (CompareOp::Le, _) => left.lte(right),
        (CompareOp::Gt, _) => left.gt(right),
        (CompareOp::Ge, _) => left.gte(right),
        (CompareOp::Contains, _) => return Err(StoreError::Invalid("contains needs a text field")),
    })
}

fn json_value_or_null(engine: Engine, value: &Scalar) -> Result<Expr, StoreError> {
    match value {
        Scalar::Null => Ok(Expr::val(Option::<String>::None)),
        other => json_value(engine, &scalar_json(other)),
    }
}

fn membership(
    engine: Engine,
    collection: &str,
    target: &Target,
    values: &[Scalar],
    lookups: &LookupDigests,
) -> Result<Expr, StoreError> {
    let (left, right): (Expr, Vec<Expr>) = match target {
        Target::SensitiveLookup { name } => {
            let values: Vec<&Scalar> = values.iter().collect();
            return Ok(lookup(collection, name.as_str(), &values, lookups));
        }
        Target::Column(column) => (
            column_expression(*column),
            values.iter().map(|value| column_value(*column, value)).collect::<Result<_, _>>()?,
        ),
        Target::Field { name, .. } => (
            field(engine, name.as_str()),
            values
                .iter()
                .map(|value| json_value_or_null(engine, value))
                .collect::<Result<_, _>>()?,
        ),
    };
    Ok(left.is_in(right))
}

//! A page of the records a caller reaches: `filter`, `sort`, `limit`, the `after` cursor, live
//! records or the bin.
//!
//! The filter language (`status = "open" && total > 100`, `(a || b)`, `!=`, `<`, `>=`, `~`
//! contains, `in (…)`) is parsed and checked against the schema in `domain`, then becomes bound
//! SQL in `store`. A sensitive field can be filtered on only with `=`/`in`, only if it is
//! `searchable`, and only by a caller who sees it in every record they reach: the comparison is
//! a blind-index lookup, never a decryption.

use std::collections::HashMap;

use rampart_domain::records::{
    FilterAccess, Scalar, SortKey, Target, TypedFilter, check_filter, parse_filter, parse_sort,
};
use rampart_store::records::{LookupDigests, RecordQuery, RecordRow, list_records as list_rows};
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::seal::lookup_digests;
use super::{ReadError, RecordView, present, reach_collection};
use crate::AppState;
use crate::access::records::{RecordAction, sees_sensitive_everywhere};
use crate::client::ClientContext;
use crate::sessions::Principal;

/// Records per page when the caller does not say.
pub const DEFAULT_PAGE: u64 = 20;

/// What the caller asked for, as given (each part is checked here).
#[derive(Debug, Clone, Copy, Default)]
pub struct PageRequest<'a> {
    pub filter: Option<&'a str>,
    pub sort: Option<&'a str>,
    pub limit: Option<u64>,
    pub after: Option<&'a str>,
    /// The bin (deleted records, restorable; needs `records:write`) instead of live records.
    pub binned: bool,
}

/// One page, and the cursor of the next when there is one.
#[derive(Debug)]
pub struct Page {
    pub records: Vec<RecordView>,
    pub next: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// A filter, sort, limit or cursor that is not acceptable; the message says where.
    #[error("{0}")]
    BadInput(String),
    #[error(transparent)]
    Read(#[from] ReadError),
}

/// The page of collection `name` that `request` asks for, as `principal` may see it.
pub async fn list_page(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    name: &str,
    request: PageRequest<'_>,
) -> Result<Page, ListError> {
    let action = if request.binned { RecordAction::Write } else { RecordAction::Read };
    let (collection, visibility) = reach_collection(state, principal, client, name, action).await?;
    let bad = |problem: String| ListError::BadInput(problem);
    let filter = match request.filter.filter(|text| !text.trim().is_empty()) {
        None => None,
        Some(text) => {
            let parsed = parse_filter(text).map_err(|problem| bad(format!("filter: {problem}")))?;
            let access = FilterAccess {
                read_sensitive: sees_sensitive_everywhere(principal, &collection, &visibility),
            };
            Some(
                check_filter(&parsed, &collection.schema, access)
                    .map_err(|problem| bad(format!("filter: {problem}")))?,
            )
        }
    };
    let sort = parse_sort(request.sort.unwrap_or(""), &collection.schema)
        .map_err(|problem| bad(format!("sort: {problem}")))?;
    let limit = request.limit.unwrap_or(DEFAULT_PAGE);
    let most = state.settings.records.max_page_size;
    if !(1..=most).contains(&limit) {
        return Err(bad(format!("limit: expected 1 to {most}")));
    }
    let after = request.after.map(decode_cursor).transpose()?;
    let lookups = match &filter {
        Some(filter) => digests_for(state, collection.name.as_str(), filter)?,
        None => HashMap::new(),
    };
    let query = RecordQuery {
        collection: collection.name.as_str(),
        visibility: &visibility,
        filter: filter.as_ref(),
        lookups: &lookups,
        sort: &sort,
        after,
        limit: limit + 1,
        binned: request.binned,
    };
    let mut rows = list_rows(&state.db, &query).await.map_err(ReadError::from)?;
    let next = if rows.len() as u64 > limit {
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        rows.last().map(|last| encode_cursor(&sort.key, last))
    } else {
        None
    };
    let records = present(state, principal, client, &collection, &rows).await?;
    Ok(Page { records, next })
}

/// The blind-index digests of every sensitive value the filter looks up.
fn digests_for(
    state: &AppState,
    collection: &str,
    filter: &TypedFilter,
) -> Result<LookupDigests, ReadError> {
    let keyring = state.keyring.current();
    let mut wanted = Vec::new();
    sensitive_lookups(filter, &mut wanted);
    let mut digests = HashMap::new();
    for (field, value) in wanted {
        let found =
            lookup_digests(&keyring, collection, &field, &value).map_err(ReadError::Index)?;
        digests.insert((field, value), found);
    }
    Ok(digests)
}

fn sensitive_lookups(filter: &TypedFilter, into: &mut Vec<(String, String)>) {
    match filter {
        TypedFilter::And(parts) | TypedFilter::Or(parts) => {
            parts.iter().for_each(|part| sensitive_lookups(part, into));
        }
        TypedFilter::Not(inner) => sensitive_lookups(inner, into),
        TypedFilter::Compare { target: Target::SensitiveLookup { name }, value, .. } => {
            if let Scalar::Text(text) = value {
                into.push((name.as_str().to_owned(), text.clone()));
            }
        }
        TypedFilter::In { target: Target::SensitiveLookup { name }, values } => {
            for value in values {
                if let Scalar::Text(text) = value {
                    into.push((name.as_str().to_owned(), text.clone()));
                }
            }
        }
        TypedFilter::Compare { .. } | TypedFilter::In { .. } => {}
    }
}

/// The cursor after `last`: its sort value and id, as hex of a JSON pair. Forging one gives
/// nothing: it is only ever a bound value of a query the caller could make anyway.
fn encode_cursor(key: &SortKey, last: &RecordRow) -> String {
    let position = match key {
        SortKey::CreatedAt => Value::from(last.created_at.format(&Rfc3339).unwrap_or_default()),
        SortKey::UpdatedAt => Value::from(last.updated_at.format(&Rfc3339).unwrap_or_default()),
        SortKey::Field(name) => last.data.get(name.as_str()).cloned().unwrap_or(Value::Null),
    };
    hex::encode(Value::from(vec![position, Value::from(last.id.to_string())]).to_string())
}

fn decode_cursor(text: &str) -> Result<(Value, Uuid), ListError> {
    let bad = || ListError::BadInput("after: not a cursor this server gave".into());
    let bytes = hex::decode(text).map_err(|_| bad())?;
    let pair: (Value, String) = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    let id = Uuid::parse_str(&pair.1).map_err(|_| bad())?;
    Ok((pair.0, id))
}

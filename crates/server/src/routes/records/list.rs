//! `GET /api/collections/{name}/records?filter=…&sort=…&limit=…&after=…&bin=true`
//!
//! The filter language (`status = "open" && total > 100`, `(a || b)`, `!=`, `<`, `>=`, `~`
//! contains, `in (…)`) is parsed and checked against the schema in `domain`, then becomes bound
//! SQL in `store`. A sensitive field can be filtered on only with `=`/`in`, only if it is
//! `searchable`, and only by a caller who sees it in every record they reach: the comparison is
//! a blind-index lookup, never a decryption. Pages follow a cursor (`next` in the answer).

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use rampart_domain::records::{
    FilterAccess, Scalar, SortKey, Target, TypedFilter, check_filter, parse_filter, parse_sort,
};
use rampart_store::records::{LookupDigests, RecordQuery, RecordRow, list_records as list_rows};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::NOT_REACHED;
use super::present::present;
use super::reach::reach_collection;
use crate::access::records::{RecordAction, sees_sensitive_everywhere};
use crate::client::ClientContext;
use crate::extract::ApiQuery;
use crate::records::RecordView;
use crate::records::seal::lookup_digests;
use crate::routes::responses::{ErrorResponse, UNAUTHENTICATED};
use crate::sessions::Principal;
use crate::{ApiError, AppState};

const DEFAULT_PAGE: u64 = 20;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct ListParams {
    /// e.g. `status = "open" && total > 100`
    filter: Option<String>,
    /// `created_at` (default `-created_at`), `updated_at`, or a required field; `-` for
    /// descending.
    sort: Option<String>,
    /// Page size, 1 to `records.max_page_size` (default 20).
    #[param(minimum = 1)]
    limit: Option<u64>,
    /// The `next` cursor of the previous page.
    after: Option<String>,
    /// The bin (deleted records, restorable) instead of the live records.
    bin: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct RecordPage {
    records: Vec<RecordView>,
    /// Pass as `after` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
}

/// Lists the records the caller reaches.
#[utoipa::path(get, path = "/api/collections/{name}/records",
    params(("name" = String, Path, description = "the collection"), ListParams),
    responses(
        (status = 200, description = "a page of records", body = RecordPage),
        (status = 400, description = "`bad_request`: the filter, sort, limit or cursor is not acceptable (the message says where)", body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: the bin needs `records:write`", body = ErrorResponse),
        (status = 404, description = NOT_REACHED, body = ErrorResponse),
    ))]
pub(super) async fn list_records(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientContext,
    Path(name): Path<String>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<RecordPage>, ApiError> {
    let binned = params.bin.unwrap_or(false);
    let action = if binned { RecordAction::Write } else { RecordAction::Read };
    let (collection, visibility) =
        reach_collection(&state, &principal, &client, &name, action).await?;
    let bad = |problem: String| ApiError::BadRequest(problem);
    let filter = match params.filter.as_deref().filter(|text| !text.trim().is_empty()) {
        None => None,
        Some(text) => {
            let parsed = parse_filter(text).map_err(|problem| bad(format!("filter: {problem}")))?;
            let access = FilterAccess {
                read_sensitive: sees_sensitive_everywhere(&principal, &collection, &visibility),
            };
            Some(
                check_filter(&parsed, &collection.schema, access)
                    .map_err(|problem| bad(format!("filter: {problem}")))?,
            )
        }
    };
    let sort = parse_sort(params.sort.as_deref().unwrap_or(""), &collection.schema)
        .map_err(|problem| bad(format!("sort: {problem}")))?;
    let limit = params.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=state.settings.records.max_page_size).contains(&limit) {
        let most = state.settings.records.max_page_size;
        return Err(bad(format!("limit: expected 1 to {most}")));
    }
    let after = params.after.as_deref().map(decode_cursor).transpose()?;
    let lookups = match &filter {
        Some(filter) => digests_for(&state, collection.name.as_str(), filter)?,
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
        binned,
    };
    let mut rows = list_rows(&state.db, &query).await?;
    let next = if rows.len() as u64 > limit {
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        rows.last().map(|last| encode_cursor(&sort.key, last))
    } else {
        None
    };
    let records = present(&state, &principal, &client, &collection, &rows).await?;
    Ok(Json(RecordPage { records, next }))
}

/// The blind-index digests of every sensitive value the filter looks up.
fn digests_for(
    state: &AppState,
    collection: &str,
    filter: &TypedFilter,
) -> Result<LookupDigests, ApiError> {
    let keyring = state.keyring.current();
    let mut wanted = Vec::new();
    sensitive_lookups(filter, &mut wanted);
    let mut digests = HashMap::new();
    for (field, value) in wanted {
        let found =
            lookup_digests(&keyring, collection, &field, &value).map_err(ApiError::internal)?;
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

fn decode_cursor(text: &str) -> Result<(Value, Uuid), ApiError> {
    let bad = || ApiError::BadRequest("after: not a cursor this server gave".into());
    let bytes = hex::decode(text).map_err(|_| bad())?;
    let pair: (Value, String) = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    let id = Uuid::parse_str(&pair.1).map_err(|_| bad())?;
    Ok((pair.0, id))
}

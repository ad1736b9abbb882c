//! `GET /api/collections/{name}/records?filter=…&sort=…&limit=…&after=…&bin=true`: the query
//! string, then the use case (`records/list.rs`: the filter language, sort, cursor pages).

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::NOT_REACHED;
use crate::caller::{Client, SignedIn};
use crate::extract::ApiQuery;
use crate::routes::responses::{ErrorResponse, UNAUTHENTICATED};
use crate::{ApiError, AppState};
use rampart_core::records::RecordView;
use rampart_core::records::list::{ListError, PageRequest, list_page};

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
    #[schema(value_type = Vec<crate::routes::schemas::RecordViewSchema>)]
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
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path(name): Path<String>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<RecordPage>, ApiError> {
    let request = PageRequest {
        filter: params.filter.as_deref(),
        sort: params.sort.as_deref(),
        limit: params.limit,
        after: params.after.as_deref(),
        binned: params.bin.unwrap_or(false),
    };
    let page =
        list_page(&state, &principal, &client, &name, request).await.map_err(
            |error| match error {
                ListError::BadInput(problem) => ApiError::BadRequest(problem),
                ListError::Read(read) => read.into(),
            },
        )?;
    Ok(Json(RecordPage { records: page.records, next: page.next }))
}

//! `POST /api/collections/{name}/records` with `{"department": …, "fields": {…}}`.
//!
//! Where the record may go and which fields the caller may set are decided by
//! `rampart_core::records::create_as`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rampart_core::records::create_as;
use rampart_domain::records::Document;
use serde::Deserialize;
use utoipa::ToSchema;

use super::NOT_REACHED;
use super::read::with_etag;
use crate::caller::{Client, SignedIn};
use crate::extract::ApiJson;
use crate::routes::responses::{ErrorResponse, JsonBodyErrors, UNAUTHENTICATED};
use crate::{ApiError, AppState};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct NewRecordRequest {
    /// Department-scoped collections: where the record goes (one of the caller's).
    #[serde(default)]
    department: Option<String>,
    #[schema(value_type = Object)]
    fields: Document,
}

/// Creates a record.
#[utoipa::path(post, path = "/api/collections/{name}/records", request_body = NewRecordRequest,
    params(("name" = String, Path, description = "the collection")),
    responses(
        (status = 201, description = "the new record; `ETag` holds its version", body = crate::routes::schemas::RecordViewSchema),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: not in that department, or a sensitive field the caller may not set", body = ErrorResponse),
        (status = 404, description = NOT_REACHED, body = ErrorResponse),
        (status = 409, description = "`conflict`: a unique field's value is taken", body = ErrorResponse),
        (status = 422, description = "`invalid_input`: fields that do not fit the collection (each named)", body = ErrorResponse),
        JsonBodyErrors,
    ))]
pub(super) async fn create_record(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<NewRecordRequest>,
) -> Result<Response, ApiError> {
    let view = create_as(&state, &principal, &client, &name, body.department, &body.fields).await?;
    let mut response = with_etag(view);
    *response.status_mut() = StatusCode::CREATED;
    Ok(response.into_response())
}

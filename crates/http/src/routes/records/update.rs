//! `PATCH /api/collections/{name}/records/{id}` with `If-Match: "<version>"` and
//! `{"fields": {…}}`: only the fields sent change (`null` clears one). A version other than the
//! stored one answers 409: someone changed the record since the caller read it.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use rampart_core::records::update_as;
use rampart_domain::records::Document;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::NOT_REACHED;
use super::read::with_etag;
use crate::caller::{Client, SignedIn};
use crate::extract::ApiJson;
use crate::routes::responses::{ErrorResponse, JsonBodyErrors, UNAUTHENTICATED};
use crate::{ApiError, AppState};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RecordPatch {
    #[schema(value_type = Object)]
    fields: Document,
}

/// The version in `If-Match`: `"3"`, `W/"3"` or `3`, 1 to 18 digits (the pattern the document
/// gives the header on `update_record`).
pub(super) fn expected_version(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else { return Ok(None) };
    let text = value.to_str().unwrap_or_default().trim();
    let text = text.strip_prefix("W/").unwrap_or(text);
    let digits = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(text);
    let well_formed =
        (1..=18).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    well_formed.then(|| digits.parse::<i64>().ok()).flatten().map(Some).ok_or_else(|| {
        ApiError::BadRequest("If-Match: expected the record's ETag, e.g. \"3\"".into())
    })
}

/// Changes some fields of a record.
#[utoipa::path(patch, path = "/api/collections/{name}/records/{id}", request_body = RecordPatch,
    params(
        ("name" = String, Path, description = "the collection"),
        ("id" = Uuid, Path, description = "the record"),
        ("If-Match" = String, Header, pattern = r#"^(W/)?("[0-9]{1,18}"|[0-9]{1,18})$"#, description = "the `ETag` (version) the change is based on"),
    ),
    responses(
        (status = 200, description = "the record as changed; `ETag` holds its new version", body = crate::routes::schemas::RecordViewSchema),
        (status = 400, description = "`bad_request`: no or malformed `If-Match`, or `id` is not a UUID", body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: a sensitive field the caller may not set", body = ErrorResponse),
        (status = 404, description = NOT_REACHED, body = ErrorResponse),
        (status = 409, description = "`conflict`: the record changed since that version (or a unique value is taken)", body = ErrorResponse),
        (status = 422, description = "`invalid_input`: fields that do not fit the collection (each named)", body = ErrorResponse),
        JsonBodyErrors,
    ))]
pub(super) async fn update_record(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path((name, id)): Path<(String, Uuid)>,
    headers: HeaderMap,
    ApiJson(patch): ApiJson<RecordPatch>,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?.ok_or_else(|| {
        ApiError::BadRequest("If-Match: send the record's ETag to change it".into())
    })?;
    let view = update_as(&state, &principal, &client, (&name, id), version, &patch.fields).await?;
    Ok(with_etag(view))
}

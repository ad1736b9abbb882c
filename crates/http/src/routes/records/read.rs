//! `GET /api/collections/{name}/records/{id}`: one record, with `ETag: "<version>"` to send
//! back in `If-Match`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::NOT_REACHED;
use rampart_core::records::{RecordView, read_as};

use crate::caller::{Client, SignedIn};
use crate::routes::responses::{ErrorResponse, UNAUTHENTICATED};
use crate::{ApiError, AppState};

/// A record and its version in `ETag`.
pub(super) fn with_etag(view: RecordView) -> Response {
    let etag = HeaderValue::from_str(&format!("\"{}\"", view.version));
    let mut response = Json(view).into_response();
    if let Ok(etag) = etag {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

/// One record the caller reaches (live or in the bin).
#[utoipa::path(get, path = "/api/collections/{name}/records/{id}",
    params(("name" = String, Path, description = "the collection"), ("id" = Uuid, Path, description = "the record")),
    responses(
        (status = 200, description = "the record; `ETag` holds its version", body = crate::routes::schemas::RecordViewSchema),
        (status = 400, description = "`bad_request`: `id` is not a UUID", body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 404, description = NOT_REACHED, body = ErrorResponse),
    ))]
pub(super) async fn get_record(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path((name, id)): Path<(String, Uuid)>,
) -> Result<Response, ApiError> {
    Ok(with_etag(read_as(&state, &principal, &client, (&name, id)).await?))
}

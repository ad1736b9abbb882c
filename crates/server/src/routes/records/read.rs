//! `GET /api/collections/{name}/records/{id}`: one record, with `ETag: "<version>"` to send
//! back in `If-Match`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::NOT_REACHED;
use crate::access::records::RecordAction;
use crate::client::ClientContext;
use crate::records::RecordView;
use crate::records::present;
use crate::records::{reach_collection, reach_record};
use crate::routes::responses::{ErrorResponse, UNAUTHENTICATED};
use crate::sessions::Principal;
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
        (status = 200, description = "the record; `ETag` holds its version", body = RecordView),
        (status = 400, description = "`bad_request`: `id` is not a UUID", body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 404, description = NOT_REACHED, body = ErrorResponse),
    ))]
pub(super) async fn get_record(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientContext,
    Path((name, id)): Path<(String, Uuid)>,
) -> Result<Response, ApiError> {
    let action = RecordAction::Read;
    let (collection, visibility) =
        reach_collection(&state, &principal, &client, &name, action).await?;
    let found =
        reach_record(&state, &principal, &client, &collection, &visibility, id, action).await?;
    let mut views = present(&state, &principal, &client, &collection, &[found]).await?;
    let view = views.pop().ok_or(ApiError::NotFound)?;
    Ok(with_etag(view))
}

//! `/api/collections[/{name}]`: listing, defining, changing and deleting collections; the rules
//! are the use cases' (`records/definitions.rs`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::definition::{CollectionDefinition, CollectionView};
use crate::caller::{Client, SignedIn};
use crate::extract::ApiJson;
use crate::routes::responses::{
    ErrorResponse, JsonBodyErrors, Outcome, StatusResponse, UNAUTHENTICATED,
};
use crate::{ApiError, AppState};
use rampart_core::records::definitions::{
    change_collection as change, collection_for, create_collection as create,
    delete_collection as delete, visible_collections,
};

const NEEDS_MANAGE: &str = "`forbidden`: the caller does not hold `collections:manage`";

/// The collections the caller reaches (all of them with `collections:manage`).
#[utoipa::path(get, path = "/api/collections",
    responses(
        (status = 200, description = "the collections, by name", body = Vec<CollectionView>),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
    ))]
pub(super) async fn list_collections(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
) -> Result<Json<Vec<CollectionView>>, ApiError> {
    let visible = visible_collections(&state, &principal).await?;
    Ok(Json(visible.iter().map(CollectionView::from).collect()))
}

/// Defines a collection (`collections:manage`).
#[utoipa::path(post, path = "/api/collections", request_body = CollectionDefinition,
    responses(
        (status = 201, description = "created", body = CollectionView),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = NEEDS_MANAGE, body = ErrorResponse),
        (status = 409, description = "`conflict`: the name is taken", body = ErrorResponse),
        (status = 422, description = "`invalid_input`: the definition is not acceptable (the message says why)", body = ErrorResponse),
        JsonBodyErrors,
    ))]
pub(super) async fn create_collection(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    ApiJson(definition): ApiJson<CollectionDefinition>,
) -> Result<(StatusCode, Json<CollectionView>), ApiError> {
    let name = definition.name.clone().unwrap_or_default();
    let collection = create(&state, &principal, &client, &name, definition.into()).await?;
    Ok((StatusCode::CREATED, Json(CollectionView::from(&collection))))
}

/// A collection's definition, if the caller reaches it.
#[utoipa::path(get, path = "/api/collections/{name}",
    params(("name" = String, Path, description = "the collection")),
    responses(
        (status = 200, description = "the definition", body = CollectionView),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 404, description = "`not_found`: no such collection, or the caller does not reach it", body = ErrorResponse),
    ))]
pub(super) async fn get_collection(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path(name): Path<String>,
) -> Result<Json<CollectionView>, ApiError> {
    let collection = collection_for(&state, &principal, &client, &name).await?;
    Ok(Json(CollectionView::from(&collection)))
}

/// Replaces a definition (`collections:manage`). Every existing record must fit the new one,
/// or nothing changes (409 naming the first record that does not, and why).
#[utoipa::path(put, path = "/api/collections/{name}", request_body = CollectionDefinition,
    params(("name" = String, Path, description = "the collection")),
    responses(
        (status = 200, description = "the new definition", body = CollectionView),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = NEEDS_MANAGE, body = ErrorResponse),
        (status = 404, description = "`not_found`: no such collection", body = ErrorResponse),
        (status = 409, description = "`conflict`: an existing record does not fit, or the definition changed meanwhile", body = ErrorResponse),
        (status = 422, description = "`invalid_input`: the definition is not acceptable", body = ErrorResponse),
        JsonBodyErrors,
    ))]
pub(super) async fn change_collection(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path(name): Path<String>,
    ApiJson(definition): ApiJson<CollectionDefinition>,
) -> Result<Json<CollectionView>, ApiError> {
    if definition.name.as_deref().is_some_and(|given| given != name) {
        return Err(ApiError::Unprocessable("name: a collection cannot be renamed".into()));
    }
    let changed = change(&state, &principal, &client, &name, definition.into()).await?;
    Ok(Json(CollectionView::from(&changed)))
}

/// Deletes a collection that holds no record, not even in the bin (`collections:manage`).
#[utoipa::path(delete, path = "/api/collections/{name}",
    params(("name" = String, Path, description = "the collection")),
    responses(
        (status = 200, description = "`{\"status\":\"removed\"}`", body = StatusResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = NEEDS_MANAGE, body = ErrorResponse),
        (status = 404, description = "`not_found`: no such collection", body = ErrorResponse),
        (status = 409, description = "`conflict`: it still holds records", body = ErrorResponse),
    ))]
pub(super) async fn delete_collection(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path(name): Path<String>,
) -> Result<Json<StatusResponse>, ApiError> {
    delete(&state, &principal, &client, &name).await?;
    Ok(Json(StatusResponse::new(Outcome::Removed)))
}

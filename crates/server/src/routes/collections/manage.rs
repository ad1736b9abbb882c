//! Listing, defining, changing and deleting collections.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rampart_domain::{AuditAction, Permission};
use rampart_store::collections::{
    delete_collection as delete_row, insert_collection, list_collections as list_rows,
    update_collection,
};

use super::definition::{CollectionDefinition, CollectionView, checked};
use crate::access::records::{RecordAction, visibility};
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::extract::ApiJson;
use crate::records::reach_collection;
use crate::records::schema_change::apply_to_records;
use crate::records::{Collection, load_collection};
use crate::routes::responses::{
    ErrorResponse, JsonBodyErrors, Outcome, StatusResponse, UNAUTHENTICATED,
};
use crate::sessions::Principal;
use crate::unit_of_work::UnitOfWork;
use crate::{ApiError, AppState};

const NEEDS_MANAGE: &str = "`forbidden`: the caller does not hold `collections:manage`";

/// The collections the caller reaches (all of them with `collections:manage`).
#[utoipa::path(get, path = "/api/collections",
    responses(
        (status = 200, description = "the collections, by name", body = Vec<CollectionView>),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
    ))]
pub(super) async fn list_collections(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<CollectionView>>, ApiError> {
    let manager = principal.permissions.contains(Permission::CollectionsManage);
    let mut views = Vec::new();
    for row in list_rows(&state.db).await? {
        let collection = Collection::from_row(row)?;
        if manager || visibility(&principal, &collection, RecordAction::Read).is_some() {
            views.push(CollectionView::from(&collection));
        }
    }
    Ok(Json(views))
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
    principal: Principal,
    client: ClientContext,
    ApiJson(definition): ApiJson<CollectionDefinition>,
) -> Result<(StatusCode, Json<CollectionView>), ApiError> {
    principal.require(Permission::CollectionsManage)?;
    let name = definition.name.clone().unwrap_or_default();
    let collection = checked(&state, &name, definition).await?;
    let row = collection.to_row().map_err(ApiError::internal)?;
    let work = UnitOfWork::begin(&state).await?;
    insert_collection(work.db(), &row)
        .await
        .map_err(|error| ApiError::from_refusal(error, "a collection with this name exists"))?;
    audit_change(work, &principal, &client, &collection, "created").await?;
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
    principal: Principal,
    client: ClientContext,
    Path(name): Path<String>,
) -> Result<Json<CollectionView>, ApiError> {
    if principal.permissions.contains(Permission::CollectionsManage) {
        let collection = load_collection(&state.db, &name).await?.ok_or(ApiError::NotFound)?;
        return Ok(Json(CollectionView::from(&collection)));
    }
    let (collection, _) =
        reach_collection(&state, &principal, &client, &name, RecordAction::Read).await?;
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
    principal: Principal,
    client: ClientContext,
    Path(name): Path<String>,
    ApiJson(definition): ApiJson<CollectionDefinition>,
) -> Result<Json<CollectionView>, ApiError> {
    principal.require(Permission::CollectionsManage)?;
    if definition.name.as_deref().is_some_and(|given| given != name) {
        return Err(ApiError::Unprocessable("name: a collection cannot be renamed".into()));
    }
    let current = load_collection(&state.db, &name).await?.ok_or(ApiError::NotFound)?;
    let mut changed = checked(&state, &name, definition).await?;
    changed.version = current.version + 1;
    changed.created_at = current.created_at;
    let rewritten = apply_to_records(&state, &changed).await?;
    let row = changed.to_row().map_err(ApiError::internal)?;
    let mut work = UnitOfWork::begin(&state).await?;
    if !update_collection(work.db(), &row, current.version).await? {
        return Err(ApiError::Conflict("the definition changed meanwhile; read it again".into()));
    }
    work.record(
        AuditEvent::success(AuditAction::CollectionChanged)
            .by(&principal, &client)
            .target(format!("collection:{name}"))
            .detail("change", "changed")
            .detail("version", changed.version)
            .detail("records_rewritten", rewritten),
    );
    work.commit().await?;
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
    principal: Principal,
    client: ClientContext,
    Path(name): Path<String>,
) -> Result<Json<StatusResponse>, ApiError> {
    principal.require(Permission::CollectionsManage)?;
    let collection = load_collection(&state.db, &name).await?.ok_or(ApiError::NotFound)?;
    let work = UnitOfWork::begin(&state).await?;
    if !delete_row(work.db(), &name).await.map_err(|error| ApiError::from_refusal(error, ""))? {
        return Err(ApiError::NotFound);
    }
    audit_change(work, &principal, &client, &collection, "deleted").await?;
    Ok(Json(StatusResponse::new(Outcome::Removed)))
}

async fn audit_change(
    mut work: UnitOfWork<'_>,
    principal: &Principal,
    client: &ClientContext,
    collection: &Collection,
    change: &str,
) -> Result<(), ApiError> {
    work.record(
        AuditEvent::success(AuditAction::CollectionChanged)
            .by(principal, client)
            .target(format!("collection:{}", collection.name))
            .detail("change", change)
            .detail("version", collection.version),
    );
    work.commit().await.map_err(Into::into)
}

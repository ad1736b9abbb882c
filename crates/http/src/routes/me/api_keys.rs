//! The caller's API keys: make one (shown once), list them, revoke one. Making a key needs a
//! person's session, not another key.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::caller::{Client, SignedIn};
use crate::routes::responses::{
    CSRF_REJECTED, ErrorResponse, JsonBodyErrors, MALFORMED_JSON, NOT_A_UUID, UNAUTHENTICATED,
};
use crate::{ApiError, ApiJson, AppState};
use rampart_core::api_keys::{ApiKeyView, api_keys_of, create_api_key, revoke_own_api_key};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct CreateApiKeyRequest {
    /// 1 to 100 characters once surrounding spaces are trimmed, on one line.
    #[schema(schema_with = crate::routes::shapes::title_schema)]
    name: String,
    /// `resource:action` names; each must be held by the creator.
    #[serde(default)]
    #[schema(schema_with = permission_names)]
    permissions: Vec<String>,
    /// Networks the key may be used from (CIDR, e.g. `203.0.113.0/24`); empty: any.
    #[serde(default)]
    allowed_cidrs: Vec<String>,
    /// In the future, and at most a year away.
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
}

/// An array of known permission names.
fn permission_names() -> utoipa::openapi::schema::Array {
    let mut names = crate::routes::shapes::permission_names_schema();
    names.description = Some("`resource:action` names; each must be held by the creator".into());
    names.default = Some(serde_json::json!([]));
    names
}

/// The new key, shown this once, and how it is listed from now on.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct CreatedApiKeyResponse {
    /// `rk_` + 64 hex digits, for `Authorization: Bearer`. Only its hash is kept.
    key: String,
    #[schema(value_type = crate::routes::schemas::ApiKeyViewSchema)]
    api_key: ApiKeyView,
}

/// Makes an API key for the caller; needs a person's session, not another key.
///
/// The key acts with its own permissions cut down to what its creator holds at the time of use.
#[utoipa::path(
    post,
    path = "/api/me/api-keys",
    request_body = CreateApiKeyRequest,
    responses(
        (status = 201, description = "the key (shown once)", body = CreatedApiKeyResponse),
        (status = 400, description = MALFORMED_JSON, body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`csrf_rejected`: a request with the cookie did not come \
            from our pages or lacked `X-CSRF-Token`; or `forbidden`: an API key cannot make a \
            key", body = ErrorResponse),
        (status = 422, description = "`invalid_input`: a field is missing, unknown or of the \
            wrong type; or the name, a permission (unknown, or not held by the caller), a \
            network or the expiry is refused (the message says which)", body = ErrorResponse),
        JsonBodyErrors,
    ),
)]
pub(super) async fn create_my_api_key(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    ApiJson(request): ApiJson<CreateApiKeyRequest>,
) -> Result<(StatusCode, Json<CreatedApiKeyResponse>), ApiError> {
    principal.session_id()?;
    let created = create_api_key(
        &state,
        &principal,
        &client,
        &request.name,
        &request.permissions,
        &request.allowed_cidrs,
        request.expires_at,
    )
    .await?;
    let (token, row) = created.map_err(|problem| ApiError::Unprocessable(problem.to_string()))?;
    let created =
        CreatedApiKeyResponse { key: token.expose().to_owned(), api_key: ApiKeyView::from(&row) };
    Ok((StatusCode::CREATED, Json(created)))
}

/// The caller's API keys, revoked and expired ones included.
#[utoipa::path(
    get,
    path = "/api/me/api-keys",
    responses(
        (status = 200, description = "the keys (never their secrets)", body = [crate::routes::schemas::ApiKeyViewSchema]),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
    ),
)]
pub(super) async fn list_my_api_keys(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
) -> Result<Json<Vec<ApiKeyView>>, ApiError> {
    let rows = api_keys_of(&state, principal.user_id).await?;
    Ok(Json(rows.iter().map(ApiKeyView::from).collect()))
}

/// Revokes one of the caller's API keys, at once on every instance.
#[utoipa::path(
    delete,
    path = "/api/me/api-keys/{id}",
    params(("id" = Uuid, Path, description = "the key")),
    responses(
        (status = 204, description = "the key is revoked"),
        (status = 400, description = NOT_A_UUID, body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = CSRF_REJECTED, body = ErrorResponse),
        (status = 404, description = "`not_found`: no such key of the caller's, or already \
            revoked", body = ErrorResponse),
    ),
)]
pub(super) async fn revoke_my_api_key(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    if !revoke_own_api_key(&state, &principal, &client, id).await? {
        return Err(ApiError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}

//! The caller's API keys: make one (shown once), list them, revoke one. Making a key needs a
//! person's session, not another key.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rampart_domain::AuditAction;
use rampart_store::api_keys::{list_api_keys_of_user, revoke_api_key};
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::api_keys::{ApiKeyView, create_api_key};
use crate::audit::{AuditEvent, record};
use crate::client::ClientContext;
use crate::sessions::Principal;
use crate::{ApiError, ApiJson, AppState};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CreateApiKeyRequest {
    name: String,
    /// `resource:action` names; each must be held by the creator.
    #[serde(default)]
    permissions: Vec<String>,
    /// Networks the key may be used from (CIDR); empty: any.
    #[serde(default)]
    allowed_cidrs: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
}

pub(super) async fn create_my_api_key(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientContext,
    ApiJson(request): ApiJson<CreateApiKeyRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    principal.session_id()?;
    let created = create_api_key(
        &state,
        &principal,
        &request.name,
        &request.permissions,
        &request.allowed_cidrs,
        request.expires_at,
    )
    .await?;
    let (token, row) = created.map_err(|problem| ApiError::Unprocessable(problem.to_string()))?;
    record(
        &state,
        AuditEvent::success(AuditAction::ApikeyCreated)
            .by(&principal, &client)
            .target(format!("api_key:{}", row.id))
            .detail("permissions", row.permissions.clone()),
    )
    .await?;
    let view = ApiKeyView::from(&row);
    Ok((StatusCode::CREATED, Json(json!({ "key": token.expose(), "api_key": view }))))
}

pub(super) async fn list_my_api_keys(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<ApiKeyView>>, ApiError> {
    let rows = list_api_keys_of_user(&state.db, principal.user_id).await?;
    Ok(Json(rows.iter().map(ApiKeyView::from).collect()))
}

pub(super) async fn revoke_my_api_key(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientContext,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let now = state.clock.now();
    let revoked = revoke_api_key(&state.db, id, Some(principal.user_id), now).await?;
    if !revoked {
        return Err(ApiError::NotFound);
    }
    record(
        &state,
        AuditEvent::success(AuditAction::ApikeyRevoked)
            .by(&principal, &client)
            .target(format!("api_key:{id}")),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

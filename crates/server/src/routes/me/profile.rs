//! `GET /api/me`: who the caller is and what they may do.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::accounts::find_account_by_id;
use crate::routes::openapi::{ErrorResponse, UNAUTHENTICATED};
use crate::sessions::{Credential, Principal};
use crate::{ApiError, AppState};

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct MeResponse {
    id: Uuid,
    email: String,
    email_verified: bool,
    /// The built-in roles held, e.g. `owner`, `customer`.
    roles: Vec<String>,
    /// What this credential may do now, e.g. `users:manage`.
    permissions: Vec<&'static str>,
    credential: CredentialView,
}

/// The credential the request came with.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(super) enum CredentialView {
    Session { id: Uuid },
    ApiKey { id: Uuid },
}

/// Who the caller is: account, roles, permissions and the credential used.
#[utoipa::path(
    get,
    path = "/api/me",
    security(("session_cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "the caller", body = MeResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
    ),
)]
pub(super) async fn me(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<MeResponse>, ApiError> {
    let account =
        find_account_by_id(&state, principal.user_id).await?.ok_or(ApiError::Unauthenticated)?;
    let credential = match &principal.credential {
        Credential::Session { id, .. } => CredentialView::Session { id: *id },
        Credential::ApiKey { id, .. } => CredentialView::ApiKey { id: *id },
    };
    Ok(Json(MeResponse {
        id: account.id,
        email: account.email.as_str().to_owned(),
        email_verified: account.email_verified,
        permissions: principal.permissions.iter().map(|p| p.as_str()).collect(),
        roles: principal.roles,
        credential,
    }))
}

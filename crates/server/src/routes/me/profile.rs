//! `GET /api/me`: who the caller is and what they may do.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::accounts::find_account_by_id;
use crate::sessions::{Credential, Principal};
use crate::{ApiError, AppState};

pub(super) async fn me(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Value>, ApiError> {
    let account =
        find_account_by_id(&state, principal.user_id).await?.ok_or(ApiError::Unauthenticated)?;
    let permissions: Vec<&str> = principal.permissions.iter().map(|p| p.as_str()).collect();
    let credential = match &principal.credential {
        Credential::Session { id, .. } => json!({ "kind": "session", "id": id }),
        Credential::ApiKey { id, .. } => json!({ "kind": "api_key", "id": id }),
    };
    Ok(Json(json!({
        "id": account.id,
        "email": account.email.as_str(),
        "email_verified": account.email_verified,
        "roles": principal.roles,
        "permissions": permissions,
        "credential": credential,
    })))
}

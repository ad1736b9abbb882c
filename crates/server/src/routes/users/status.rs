//! Disabling an account ends its sessions and stops its password and API keys at once (every
//! credential check reads the account's status); enabling lets it sign in again.

use axum::Json;
use axum::extract::{Path, State};
use rampart_domain::{AuditAction, Permission};
use rampart_store::sessions::delete_sessions;
use rampart_store::users::set_user_status;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::audit::{AuditEvent, record};
use crate::client::ClientContext;
use crate::sessions::Principal;
use crate::{ApiError, AppState};

pub(super) async fn disable_user(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientContext,
    Path(user_id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    principal.require(Permission::UsersManage)?;
    if user_id == principal.user_id {
        return Err(ApiError::Conflict("you cannot disable your own account".into()));
    }
    if !set_user_status(&state.db, user_id, "disabled").await? {
        return Err(ApiError::NotFound);
    }
    let ended = delete_sessions(&state.db, Some(user_id), None).await?;
    record(
        &state,
        AuditEvent::success(AuditAction::UserDisabled)
            .by(&principal, &client)
            .target(format!("user:{user_id}"))
            .detail("sessions_ended", ended),
    )
    .await?;
    Ok(Json(json!({ "status": "disabled", "sessions_ended": ended })))
}

pub(super) async fn enable_user(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientContext,
    Path(user_id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    principal.require(Permission::UsersManage)?;
    if !set_user_status(&state.db, user_id, "active").await? {
        return Err(ApiError::NotFound);
    }
    record(
        &state,
        AuditEvent::success(AuditAction::UserEnabled)
            .by(&principal, &client)
            .target(format!("user:{user_id}")),
    )
    .await?;
    Ok(Json(json!({ "status": "active" })))
}

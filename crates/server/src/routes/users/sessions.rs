//! An administrator's view of sessions: one user's (list, end all), and everyone's (end all but
//! the caller's own).

use axum::Json;
use axum::extract::{Path, State};
use rampart_domain::{AuditAction, Permission};
use rampart_store::sessions::{delete_sessions, list_sessions_of_user};
use rampart_store::users::find_user_by_id;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::audit::{AuditEvent, record};
use crate::client::ClientContext;
use crate::routes::session_view::{SessionView, live_sessions};
use crate::sessions::Principal;
use crate::{ApiError, AppState};

pub(super) async fn list_user_sessions(
    State(state): State<AppState>,
    principal: Principal,
    Path(user_id): Path<Uuid>,
) -> Result<Json<Vec<SessionView>>, ApiError> {
    principal.require(Permission::UsersManage)?;
    find_user_by_id(&state.db, user_id).await?.ok_or(ApiError::NotFound)?;
    let rows = list_sessions_of_user(&state.db, user_id).await?;
    Ok(Json(live_sessions(&state, rows, principal.session_id().ok())))
}

pub(super) async fn end_user_sessions(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientContext,
    Path(user_id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    principal.require(Permission::UsersManage)?;
    find_user_by_id(&state.db, user_id).await?.ok_or(ApiError::NotFound)?;
    let ended = delete_sessions(&state.db, Some(user_id), None).await?;
    record(
        &state,
        AuditEvent::success(AuditAction::SessionRevokedAll)
            .by(&principal, &client)
            .target(format!("user:{user_id}"))
            .detail("sessions_ended", ended),
    )
    .await?;
    Ok(Json(json!({ "sessions_ended": ended })))
}

/// Ends every session of every user except the caller's own (containment after a breach).
pub(super) async fn end_everyones_sessions(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientContext,
) -> Result<Json<Value>, ApiError> {
    principal.require(Permission::UsersManage)?;
    let keep = principal.session_id().ok();
    let ended = delete_sessions(&state.db, None, keep).await?;
    record(
        &state,
        AuditEvent::success(AuditAction::SessionRevokedAll)
            .by(&principal, &client)
            .target("sessions:all")
            .detail("sessions_ended", ended),
    )
    .await?;
    Ok(Json(json!({ "sessions_ended": ended })))
}

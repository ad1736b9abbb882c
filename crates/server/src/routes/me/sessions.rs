//! The caller's own sessions: list them (device, IP, created, last seen) and end any.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rampart_domain::AuditAction;
use rampart_store::sessions::{delete_session, list_sessions_of_user};
use uuid::Uuid;

use crate::audit::{AuditEvent, record};
use crate::client::ClientContext;
use crate::routes::session_view::{SessionView, live_sessions};
use crate::sessions::Principal;
use crate::{ApiError, AppState};

pub(super) async fn list_my_sessions(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<SessionView>>, ApiError> {
    let rows = list_sessions_of_user(&state.db, principal.user_id).await?;
    let current = principal.session_id().ok();
    Ok(Json(live_sessions(&state, rows, current)))
}

pub(super) async fn end_my_session(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientContext,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    // Another user's session id answers like an unknown one.
    let ended = delete_session(&state.db, id, Some(principal.user_id)).await?;
    if !ended {
        return Err(ApiError::NotFound);
    }
    record(
        &state,
        AuditEvent::success(AuditAction::SessionRevoked)
            .by(&principal, &client)
            .target(format!("session:{id}"))
            .detail("reason", "ended_by_owner"),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

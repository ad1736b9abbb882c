//! A signed-in person's own sessions: where they are signed in, and ending one (another user's
//! session id answers like an unknown one). Ending one is a unit of work with its
//! `session_revoked` event.

use rampart_domain::AuditAction;
use rampart_store::StoreError;
use rampart_store::sessions::{SessionRow, delete_session, list_sessions_of_user};
use uuid::Uuid;

use super::Principal;
use crate::AppState;
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::unit_of_work::UnitOfWork;

/// The caller's live sessions (within both timeouts).
pub async fn own_sessions(
    state: &AppState,
    principal: &Principal,
) -> Result<Vec<SessionRow>, StoreError> {
    Ok(super::live_only(state, list_sessions_of_user(&state.db, principal.user_id).await?))
}

/// Ends session `id` if it is the caller's; `false` otherwise.
pub async fn end_own_session(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    id: Uuid,
) -> Result<bool, StoreError> {
    let mut work = UnitOfWork::begin(state).await?;
    if !delete_session(work.db(), id, Some(principal.user_id)).await? {
        return Ok(false);
    }
    work.record(
        AuditEvent::success(AuditAction::SessionRevoked)
            .by(principal, client)
            .target(format!("session:{id}"))
            .detail("reason", "ended_by_owner"),
    );
    work.commit().await?;
    Ok(true)
}

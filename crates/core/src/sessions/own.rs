//! A signed-in person's own sessions: where they are signed in, ending one (another user's
//! session id answers like an unknown one), and ending all but the current one. Ending one is a unit of work with its
//! `session_revoked` event.

use rampart_domain::AuditAction;
use rampart_store::StoreError;
use rampart_store::sessions::{SessionRow, delete_session, delete_sessions, list_sessions_of_user};
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

/// Ends every session of the caller's but the one they use ("sign out everywhere else"), with
/// one `session_revoked_all` event; how many ended. `None` for an API key: it has no session to
/// keep, and this is not its to do.
pub async fn end_other_own_sessions(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
) -> Result<Option<u64>, StoreError> {
    let Ok(keep) = principal.session_id() else { return Ok(None) };
    let mut work = UnitOfWork::begin(state).await?;
    let ended = delete_sessions(work.db(), Some(principal.user_id), Some(keep)).await?;
    work.record(
        AuditEvent::success(AuditAction::SessionRevokedAll)
            .by(principal, client)
            .target(format!("user:{}", principal.user_id))
            .detail("reason", "ended_by_owner")
            .detail("sessions_ended", ended),
    );
    work.commit().await?;
    Ok(Some(ended))
}

//! An administrator's view of sessions: one user's (list, end all), and everyone's (end all but
//! the caller's own).

use axum::Json;
use axum::extract::{Path, State};
use rampart_domain::{AuditAction, Permission};
use rampart_store::sessions::{delete_sessions, list_sessions_of_user};
use rampart_store::users::find_user_by_id;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::routes::responses::{ErrorResponse, NOT_A_UUID, NOT_PERMITTED, UNAUTHENTICATED};
use crate::routes::session_view::{SessionView, live_sessions};
use crate::sessions::Principal;
use crate::unit_of_work::UnitOfWork;
use crate::{ApiError, AppState};

/// How many sessions were ended.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct SessionsEndedResponse {
    sessions_ended: u64,
}

/// One user's sessions that are still usable.
#[utoipa::path(
    get,
    path = "/api/users/{id}/sessions",
    params(("id" = Uuid, Path, description = "the user")),
    responses(
        (status = 200, description = "the sessions", body = [SessionView]),
        (status = 400, description = NOT_A_UUID, body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: the caller does not hold `users:manage`",
            body = ErrorResponse),
        (status = 404, description = "`not_found`: no such user", body = ErrorResponse),
    ),
)]
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

/// Ends every session of one user.
#[utoipa::path(
    delete,
    path = "/api/users/{id}/sessions",
    params(("id" = Uuid, Path, description = "the user")),
    responses(
        (status = 200, description = "the sessions are ended", body = SessionsEndedResponse),
        (status = 400, description = NOT_A_UUID, body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = NOT_PERMITTED, body = ErrorResponse),
        (status = 404, description = "`not_found`: no such user", body = ErrorResponse),
    ),
)]
pub(super) async fn end_user_sessions(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientContext,
    Path(user_id): Path<Uuid>,
) -> Result<Json<SessionsEndedResponse>, ApiError> {
    principal.require(Permission::UsersManage)?;
    find_user_by_id(&state.db, user_id).await?.ok_or(ApiError::NotFound)?;
    let mut work = UnitOfWork::begin(&state).await?;
    let ended = delete_sessions(work.db(), Some(user_id), None).await?;
    work.record(
        AuditEvent::success(AuditAction::SessionRevokedAll)
            .by(&principal, &client)
            .target(format!("user:{user_id}"))
            .detail("sessions_ended", ended),
    );
    work.commit().await?;
    Ok(Json(SessionsEndedResponse { sessions_ended: ended }))
}

/// Ends every session of every user except the caller's own (containment after a breach).
#[utoipa::path(
    delete,
    path = "/api/sessions",
    responses(
        (status = 200, description = "the sessions are ended", body = SessionsEndedResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = NOT_PERMITTED, body = ErrorResponse),
    ),
)]
pub(super) async fn end_everyones_sessions(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientContext,
) -> Result<Json<SessionsEndedResponse>, ApiError> {
    principal.require(Permission::UsersManage)?;
    let keep = principal.session_id().ok();
    let mut work = UnitOfWork::begin(&state).await?;
    let ended = delete_sessions(work.db(), None, keep).await?;
    work.record(
        AuditEvent::success(AuditAction::SessionRevokedAll)
            .by(&principal, &client)
            .target("sessions:all")
            .detail("sessions_ended", ended),
    );
    work.commit().await?;
    Ok(Json(SessionsEndedResponse { sessions_ended: ended }))
}

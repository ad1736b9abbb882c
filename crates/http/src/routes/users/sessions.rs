//! An administrator's view of sessions: one user's (list, end all), and everyone's (end all but
//! the caller's own).

use axum::Json;
use axum::extract::{Path, State};
use rampart_domain::Permission;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::caller::{Client, SignedIn};
use crate::routes::responses::{ErrorResponse, NOT_A_UUID, NOT_PERMITTED, UNAUTHENTICATED};
use crate::routes::session_view::{SessionView, session_views};
use crate::{ApiError, AppState};
use rampart_core::accounts::administration::{
    end_everyones_sessions as end_everyones, end_sessions_of, sessions_of,
};

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
    SignedIn(principal): SignedIn,
    Path(user_id): Path<Uuid>,
) -> Result<Json<Vec<SessionView>>, ApiError> {
    principal.require(Permission::UsersManage)?;
    let rows = sessions_of(&state, user_id).await?;
    Ok(Json(session_views(rows, principal.session_id().ok())))
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
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path(user_id): Path<Uuid>,
) -> Result<Json<SessionsEndedResponse>, ApiError> {
    principal.require(Permission::UsersManage)?;
    let ended = end_sessions_of(&state, &principal, &client, user_id).await?;
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
    SignedIn(principal): SignedIn,
    Client(client): Client,
) -> Result<Json<SessionsEndedResponse>, ApiError> {
    principal.require(Permission::UsersManage)?;
    let ended = end_everyones(&state, &principal, &client).await?;
    Ok(Json(SessionsEndedResponse { sessions_ended: ended }))
}

//! The caller's own sessions: list them (device, IP, created, last seen) and end any.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use uuid::Uuid;

use crate::caller::{Client, SignedIn};
use crate::routes::responses::{CSRF_REJECTED, ErrorResponse, NOT_A_UUID, UNAUTHENTICATED};
use crate::routes::session_view::{SessionView, session_views};
use crate::{ApiError, AppState};
use rampart_core::sessions::own::{end_own_session, own_sessions};

/// The caller's sessions that are still usable (device, IP, created, last seen).
#[utoipa::path(
    get,
    path = "/api/me/sessions",
    responses(
        (status = 200, description = "the sessions; `current` marks the one this request came \
            through", body = [SessionView]),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
    ),
)]
pub(super) async fn list_my_sessions(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
) -> Result<Json<Vec<SessionView>>, ApiError> {
    let rows = own_sessions(&state, &principal).await?;
    let current = principal.session_id().ok();
    Ok(Json(session_views(rows, current)))
}

/// Ends one of the caller's sessions.
#[utoipa::path(
    delete,
    path = "/api/me/sessions/{id}",
    params(("id" = Uuid, Path, description = "the session")),
    responses(
        (status = 204, description = "the session is ended"),
        (status = 400, description = NOT_A_UUID, body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = CSRF_REJECTED, body = ErrorResponse),
        (status = 404, description = "`not_found`: no such session of the caller's",
            body = ErrorResponse),
    ),
)]
pub(super) async fn end_my_session(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    // Another user's session id answers like an unknown one.
    if !end_own_session(&state, &principal, &client, id).await? {
        return Err(ApiError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}

//! `POST /api/auth/logout`: ends the caller's session, on every instance at once (the row goes).

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rampart_domain::AuditAction;
use rampart_store::sessions::delete_session;

use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::routes::responses::{ErrorResponse, UNAUTHENTICATED};
use crate::sessions::Enrolling;
use crate::sessions::cookie::clearing_cookie;
use crate::unit_of_work::UnitOfWork;
use crate::{ApiError, AppState};

/// Ends the caller's session.
#[utoipa::path(
    post,
    path = "/api/auth/logout",
    responses(
        (status = 204, description = "signed out; the cookie is cleared",
            headers(("Set-Cookie" = String, description = "clears the session cookie"))),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`csrf_rejected`: a cookie request without our origin or \
            `X-CSRF-Token`; or `forbidden`: an API key has no session to end", body = ErrorResponse),
    ),
)]
pub(super) async fn logout(
    State(state): State<AppState>,
    Enrolling(principal): Enrolling,
    client: ClientContext,
) -> Result<Response, ApiError> {
    let session_id = principal.session_id()?;
    let mut work = UnitOfWork::begin(&state).await?;
    delete_session(work.db(), session_id, Some(principal.user_id)).await?;
    work.record(
        AuditEvent::success(AuditAction::SessionRevoked)
            .by(&principal, &client)
            .target(format!("session:{session_id}"))
            .detail("reason", "logout"),
    );
    work.commit().await?;
    Ok(([(header::SET_COOKIE, clearing_cookie())], StatusCode::NO_CONTENT).into_response())
}

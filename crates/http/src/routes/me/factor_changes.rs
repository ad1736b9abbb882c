//! What adding or removing a second factor does, whichever kind (authenticator app, passkey).
//!
//! Added: the audit event, the e-mail, the first recovery codes (when the account has none
//! unused), and a new session — signed in with both factors — that replaces the current one.
//! Removed: refused for the last factor of a role that requires one; the recovery codes go with
//! the last factor; the audit event and the e-mail.

use axum::http::HeaderValue;
use rampart_core::mfa::own_factors::FactorAdded;
use serde::Serialize;
use utoipa::ToSchema;

use crate::routes::session_response::{SessionDelivery, SessionResponse, session_parts};
use crate::{ApiError, AppState};

/// The recovery codes when these are the account's first, and the session that replaces the
/// current one, signed in with both factors.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct FactorAddedResponse {
    /// Ten single-use codes for when the factor is lost, shown this once (absent when the
    /// account already has unused ones). Only their hashes are kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    recovery_codes: Option<Vec<String>>,
    session: SessionResponse,
}

/// The answer's body for an added factor and, for `cookie` delivery, the new session's cookie.
pub(super) async fn factor_added_parts(
    state: &AppState,
    added: FactorAdded,
    delivery: SessionDelivery,
) -> Result<(FactorAddedResponse, Option<HeaderValue>), ApiError> {
    let (session, cookie) = session_parts(state, &added.session, delivery).await?;
    Ok((FactorAddedResponse { recovery_codes: added.recovery_codes, session }, cookie))
}

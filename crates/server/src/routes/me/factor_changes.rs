//! What adding or removing a second factor does, whichever kind (authenticator app, passkey).
//!
//! Added: the audit event, the e-mail, the first recovery codes (when the account has none
//! unused), and a new session — signed in with both factors — that replaces the current one.
//! Removed: refused for the last factor of a role that requires one; the recovery codes go with
//! the last factor; the audit event and the e-mail.

use axum::Json;
use axum::http::HeaderValue;
use rampart_domain::{Assurance, AuditAction, roles_require_mfa};
use rampart_store::recovery_codes::delete_recovery_codes;
use serde::Serialize;
use utoipa::ToSchema;

use super::recovery_codes::new_recovery_codes;
use crate::accounts::{Account, Notice, notify};
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::mfa::{Factors, factors_in};
use crate::routes::responses::{Outcome, StatusResponse};
use crate::routes::session_response::{SessionDelivery, SessionResponse, session_parts};
use crate::sessions::{Grant, Principal, start_session};
use crate::unit_of_work::UnitOfWork;
use crate::{ApiError, AppState};

/// A factor kind: its name in the audit trail (`totp`, `passkey`) and in e-mails.
pub(super) type FactorKind = (&'static str, &'static str);

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

/// After a factor was added in `work`: its event, the e-mail, the first recovery codes, the new
/// session; then the unit commits. The answer's body and, for `cookie` delivery, the new
/// session's cookie.
pub(super) async fn factor_added(
    mut work: UnitOfWork<'_>,
    principal: &Principal,
    client: &ClientContext,
    account: &Account,
    (method, described): FactorKind,
    delivery: SessionDelivery,
) -> Result<(FactorAddedResponse, Option<HeaderValue>), ApiError> {
    let state = work.state();
    let first_codes = factors_in(work.db(), account.id).await?.recovery_codes_left == 0;
    work.record(
        AuditEvent::success(AuditAction::AuthnMfaEnrolled)
            .by(principal, client)
            .target(format!("user:{}", account.id))
            .detail("method", method),
    );
    notify(&mut work, account, Notice::FactorAdded { factor: described }, client).await?;
    let recovery_codes = if first_codes {
        Some(new_recovery_codes(&mut work, principal, client).await?)
    } else {
        None
    };
    let assurance =
        if method == "totp" { Assurance::PasswordAndTotp } else { Assurance::PasswordAndPasskey };
    let replacing = principal.session_id()?;
    let session =
        start_session(&work, account.id, client, Some(replacing), Grant::Full(assurance)).await?;
    work.commit().await?;
    let (session, cookie) = session_parts(state, &session, delivery).await?;
    Ok((FactorAddedResponse { recovery_codes, session }, cookie))
}

/// Refuses to remove a factor when the caller's roles require one and it is the last.
pub(super) fn may_remove(
    state: &AppState,
    principal: &Principal,
    factors: &Factors,
) -> Result<(), ApiError> {
    if factors.count() == 1
        && roles_require_mfa(&principal.roles, &state.settings.mfa.required_roles)
    {
        return Err(ApiError::Conflict(
            "your role requires a second factor: add another one before removing this".into(),
        ));
    }
    Ok(())
}

/// After a factor was removed in `work` (`passkey`: which one): the recovery codes go with the
/// last one; audit (about the account, so alerts name it), e-mail; then the unit commits.
pub(super) async fn factor_removed(
    mut work: UnitOfWork<'_>,
    principal: &Principal,
    client: &ClientContext,
    account: &Account,
    factors_before: &Factors,
    (method, described): FactorKind,
    passkey: Option<uuid::Uuid>,
) -> Result<Json<StatusResponse>, ApiError> {
    if factors_before.count() == 1 {
        delete_recovery_codes(work.db(), principal.user_id).await?;
    }
    let mut event = AuditEvent::success(AuditAction::AuthnMfaRemoved)
        .by(principal, client)
        .target(format!("user:{}", principal.user_id))
        .detail("method", method);
    if let Some(passkey) = passkey {
        event = event.detail("passkey", passkey.to_string());
    }
    work.record(event);
    notify(&mut work, account, Notice::FactorRemoved { factor: described }, client).await?;
    work.commit().await?;
    Ok(Json(StatusResponse::new(Outcome::Removed)))
}

//! `POST /api/auth/login`: e-mail and password → a new session: a full one, or — when the
//! account has a second factor — a pending one, good only for `POST /api/auth/login/mfa`.
//!
//! Unknown address, wrong password, disabled or unverified account: 401 with one body. Too many
//! failures for the address or from the client: 429 + `Retry-After`, same body. Hashing
//! saturated: 503 + `Retry-After`. See `accounts/sign_in.rs` for the decision.

use axum::extract::State;
use axum::response::Response;
use rampart_domain::{Assurance, AuditAction, Device, Email, Password, retry_after_secs};
use rampart_store::known_devices::{count_known_devices, remember_device};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::accounts::{Account, AccountError, Notice, SignInOutcome, notify, sign_in};
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::mfa::factors_of;
use crate::routes::responses::{
    BODY_MISFIT, Busy, ErrorResponse, JsonBodyErrors, MALFORMED_JSON, Throttled,
};
use crate::routes::session_response::{SessionDelivery, SessionResponse, session_response};
use crate::sessions::{Grant, Principal, StartedSession, start_session};
use crate::unit_of_work::UnitOfWork;
use crate::{ApiError, ApiJson, AppState};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct LoginRequest {
    #[schema(format = Email, max_length = 254)]
    email: String,
    /// At most 1024 bytes of UTF-8 (a longer one is nobody's password).
    #[schema(value_type = String, max_length = 1024)]
    password: SecretString,
    #[serde(default)]
    #[schema(default = "cookie")]
    session: SessionDelivery,
}

/// Signs in with e-mail and password: a new session.
///
/// A wrong password, an unknown, disabled or unverified account: one answer (401), after the
/// same work. A session the client already held for this account is ended. An account with a
/// second factor gets a session at `stage: mfa_pending`, good for nothing but
/// `POST /api/auth/login/mfa` for `mfa.pending_ttl_secs` (5 minutes).
#[utoipa::path(
    post,
    path = "/api/auth/login",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "signed in (`stage: full`), or the second factor is owed \
            (`stage: mfa_pending`); with `session: cookie` the session is in the \
            `__Host-rampart_session` cookie and `csrf_token` is in the body, with `session: \
            token` the body holds `token`", body = SessionResponse,
            headers(("Set-Cookie" = String, description = "the session cookie (`session: cookie`)"))),
        (status = 400, description = MALFORMED_JSON, body = ErrorResponse),
        (status = 401, description = "`invalid_credentials`: the address or the password is \
            wrong (or the account cannot sign in)", body = ErrorResponse),
        (status = 422, description = BODY_MISFIT, body = ErrorResponse),
        Throttled,
        Busy,
        JsonBodyErrors,
    ),
)]
pub(super) async fn login(
    State(state): State<AppState>,
    client: ClientContext,
    current: Option<Principal>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    // A malformed address or an over-long password cannot belong to anyone: the same answer.
    let (Ok(email), Some(password)) =
        (Email::parse(&request.email), Password::for_sign_in(request.password.expose_secret()))
    else {
        return Err(ApiError::InvalidCredentials);
    };
    let account = signed_in_account(sign_in(&state, &email, password, &client).await?)?;
    let replacing = current.filter(|p| p.user_id == account.id).and_then(|p| p.session_id().ok());
    let second_factor_owed = factors_of(&state, account.id).await?.any();
    let grant = if second_factor_owed {
        Grant::PendingSecondFactor
    } else {
        Grant::Full(Assurance::Password)
    };
    crate::incident::lockdown::allow_sign_in(&state, account.id, grant, &client).await?;
    let mut work = UnitOfWork::begin(&state).await?;
    let session = start_session(&work, account.id, &client, replacing, grant).await?;
    work.record(
        AuditEvent::success(AuditAction::AuthnLoginSuccess)
            .client(&client)
            .actor(account.id)
            .session(&session.token.hash())
            .target(format!("user:{}", account.id))
            .detail("stage", session.row.stage.as_str()),
    );
    if !second_factor_owed {
        signed_in(&mut work, &account, &client, &session).await?;
    }
    work.commit().await?;
    session_response(&state, &session, request.session).await
}

/// What completes a sign-in, whichever step completes it, in the unit that started the session:
/// the audit event of the new session and the new-device notice.
pub(super) async fn signed_in(
    work: &mut UnitOfWork<'_>,
    account: &Account,
    client: &ClientContext,
    session: &StartedSession,
) -> Result<(), ApiError> {
    work.record(
        AuditEvent::success(AuditAction::SessionCreated)
            .client(client)
            .actor(account.id)
            .session(&session.token.hash())
            .target(format!("session:{}", session.row.id))
            .detail("assurance", session.row.assurance.as_str()),
    );
    notice_new_device(work, account, client).await?;
    Ok(())
}

/// Tells the holder when an account is signed in to from a device it has not used before (not
/// on the very first sign-in: every device is new then).
async fn notice_new_device(
    work: &mut UnitOfWork<'_>,
    account: &Account,
    client: &ClientContext,
) -> Result<(), AccountError> {
    let state = work.state();
    let device = Device::new(&client.user_agent, client.ip);
    let keyring = state.keyring.current();
    let hash = keyring.blind_index("known_devices", device.canonical().as_bytes())?;
    let seen_before = count_known_devices(work.db(), account.id).await?;
    let is_new = remember_device(work.db(), account.id, &hash.digest, state.clock.now()).await?;
    if is_new && seen_before > 0 {
        work.record(
            AuditEvent::success(AuditAction::AuthnNewDevice)
                .client(client)
                .own_account(account.id)
                .detail("browser", rampart_domain::device::browser_family(&client.user_agent)),
        );
        notify(work, account, Notice::NewDevice, client).await?;
    }
    Ok(())
}

/// The account of a successful password check, or the one answer every failure gets (429 with
/// `Retry-After` when throttled). Sign-in and re-authentication share it.
pub(super) fn signed_in_account(outcome: SignInOutcome) -> Result<Account, ApiError> {
    match outcome {
        SignInOutcome::SignedIn(account) => Ok(account),
        SignInOutcome::Failed => Err(ApiError::InvalidCredentials),
        SignInOutcome::Throttled(wait) => {
            Err(ApiError::Throttled { retry_after_secs: retry_after_secs(wait) })
        }
    }
}

//! `POST /api/auth/register`: a visitor creates a `customer` account (when
//! `accounts.registration_enabled`).
//!
//! The answer is the same 202 whether or not the address already has an account, and takes the
//! same hashing work: a new account gets a verification link; an existing one gets a note that
//! someone tried. Only a weak password or a malformed address is refused outright (422), which
//! says nothing about who is registered.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rampart_domain::{AuditAction, BuiltInRole, Email, Password};
use rampart_store::one_time_tokens::TokenPurpose;
use rampart_store::roles::grant_role;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::accounts::{
    AccountError, Notice, find_account_by_email, hash_password, issue_link, notify,
    password_context, prepare_account,
};
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::routes::responses::{
    Busy, ErrorResponse, JsonBodyErrors, MALFORMED_JSON, Outcome, StatusResponse,
};
use crate::unit_of_work::UnitOfWork;
use crate::{ApiError, ApiJson, AppState};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RegisterRequest {
    #[schema(format = Email, max_length = 254)]
    email: String,
    /// At least 12 characters and at most 1024 bytes of UTF-8, and not easy to guess.
    #[schema(value_type = String, min_length = 12, max_length = 1024)]
    password: SecretString,
}

/// Creates a `customer` account and mails a verification link.
///
/// The same answer whether or not the address already has an account (its holder is told by
/// e-mail). The account can sign in once the address is verified.
#[utoipa::path(
    post,
    path = "/api/auth/register",
    request_body = RegisterRequest,
    responses(
        (status = 202, description = "`{\"status\":\"check_your_email\"}`", body = StatusResponse),
        (status = 400, description = MALFORMED_JSON, body = ErrorResponse),
        (status = 404, description = "`not_found`: registration is off \
            (`accounts.registration_enabled`)", body = ErrorResponse),
        (status = 422, description = "`invalid_input`: a field is missing, unknown or of the \
            wrong type, the address is malformed, or the password is refused (the message says \
            why)", body = ErrorResponse),
        Busy,
        JsonBodyErrors,
    ),
)]
pub(super) async fn register(
    State(state): State<AppState>,
    client: ClientContext,
    ApiJson(request): ApiJson<RegisterRequest>,
) -> Result<(StatusCode, Json<StatusResponse>), ApiError> {
    if !state.settings.accounts.registration_enabled {
        return Err(ApiError::NotFound);
    }
    let email = Email::parse(&request.email)
        .map_err(|error| ApiError::Unprocessable(format!("email: {error}")))?;
    let password =
        Password::new(request.password.expose_secret(), &password_context(&state, &email))
            .map_err(|rejected| ApiError::Unprocessable(format!("password: {rejected}")))?;

    match find_account_by_email(&state, &email).await? {
        Some(existing) => {
            // Spend the same hashing work a new account costs, then tell the holder.
            let keyring = state.keyring.current();
            hash_password(&state, &keyring, password).await?;
            let mut work = UnitOfWork::begin(&state).await?;
            notify(&mut work, &existing, Notice::AlreadyRegistered, &client).await?;
            work.commit().await?;
        }
        None => match register_customer(&state, &email, password, &client).await {
            Ok(()) => {}
            // Lost a race with another registration of the same address: same answer.
            Err(AccountError::EmailTaken) => {}
            Err(other) => return Err(other.into()),
        },
    }
    Ok((StatusCode::ACCEPTED, Json(StatusResponse::new(Outcome::CheckYourEmail))))
}

/// The new customer account, its role, its verification link and mail, and `user_created`: one
/// unit of work (the password hashed before it opens).
async fn register_customer(
    state: &AppState,
    email: &Email,
    password: Password,
    client: &ClientContext,
) -> Result<(), AccountError> {
    let new = prepare_account(state, email, password).await?;
    let mut work = UnitOfWork::begin(state).await?;
    let account = new.insert(&work).await?;
    let now = state.clock.now();
    grant_role(work.db(), account.id, BuiltInRole::Customer.as_str(), now).await?;
    let link = issue_link(&work, TokenPurpose::VerifyEmail, Some(account.id)).await?;
    let notice = Notice::VerifyEmail { token: link.expose().to_owned() };
    notify(&mut work, &account, notice, client).await?;
    work.record(
        AuditEvent::success(AuditAction::UserCreated)
            .client(client)
            .own_account(account.id)
            .detail("role", BuiltInRole::Customer.as_str())
            .detail("via", "registration"),
    );
    work.commit().await?;
    Ok(())
}

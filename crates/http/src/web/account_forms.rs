//! The account page's forms that change a credential, each through the API's use case: the
//! step-up (`reauthenticate`, as `POST /api/auth/reauth`: a new session, a fresh authentication
//! time), the password (`change_own_password`, as `POST /api/auth/password/change`) and new
//! recovery codes (`regenerate_own_recovery_codes`, shown once). A refusal — a wrong password,
//! a needed step-up — shows the account page again with the message.

use axum::Form;
use axum::extract::State;
use axum::http::header;
use axum::response::Response;
use rampart_core::accounts::change_own_password;
use rampart_core::mfa::own_factors::regenerate_own_recovery_codes;
use rampart_core::sessions::reauthenticate;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::account::account_refused;
use super::form_token::FormToken;
use super::page::see_other;
use super::recovery_codes::recovery_codes_page;
use super::second_factor::factor_of;
use crate::caller::{Client, SignedIn};
use crate::routes::session_response::session_cookie_of;
use crate::{ApiError, AppState};

#[derive(Deserialize)]
pub(super) struct ConfirmForm {
    password: SecretString,
    /// With a second factor: its code (app or recovery); empty or absent without one.
    code: Option<SecretString>,
}

/// `POST /account/confirm`: re-authentication; the new session's cookie, back to the account.
pub(super) async fn confirm(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    token: FormToken,
    Form(input): Form<ConfirmForm>,
) -> Response {
    let code = input.code.filter(|code| !code.expose_secret().trim().is_empty());
    let factor = code.as_ref().map(factor_of);
    match reauthenticate(&state, &principal, &client, &input.password, factor.as_ref()).await {
        Ok(session) => {
            let mut response = see_other("/account?done=confirmed");
            response.headers_mut().insert(header::SET_COOKIE, session_cookie_of(&session));
            response
        }
        Err(error) => account_refused(&state, &principal, &token, error.into()).await,
    }
}

#[derive(Deserialize)]
pub(super) struct PasswordForm {
    current_password: SecretString,
    new_password: SecretString,
    /// A checked box sends a value; an unchecked one sends nothing.
    sign_out_other_sessions: Option<String>,
}

/// `POST /account/password`.
pub(super) async fn change_password(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    token: FormToken,
    Form(input): Form<PasswordForm>,
) -> Response {
    let changed = change_own_password(
        &state,
        &principal,
        &client,
        input.current_password.expose_secret(),
        input.new_password.expose_secret(),
        input.sign_out_other_sessions.is_some(),
    )
    .await;
    match changed {
        Ok(()) => see_other("/account?done=password-changed"),
        Err(error) => account_refused(&state, &principal, &token, ApiError::from(error)).await,
    }
}

/// `POST /account/recovery-codes`: a new set, shown once; the old set stops working.
pub(super) async fn new_recovery_codes(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    token: FormToken,
) -> Response {
    match regenerate_own_recovery_codes(&state, &principal, &client).await {
        Ok(codes) => recovery_codes_page(&state, token.value(), "Your new recovery codes.", codes),
        Err(error) => account_refused(&state, &principal, &token, ApiError::from(error)).await,
    }
}

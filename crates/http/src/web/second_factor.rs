//! `/sign-in/second-factor`: the second step of a sign-in whose password was right — a code
//! from the authenticator app or a recovery code, in one field (six digits are an app's code,
//! anything else is taken as a recovery code), or a passkey (the passkey button's script, as on
//! `/sign-in`: with the pending cookie the API takes it as the second factor). The pending session rides on the cookie, so the
//! form carries its CSRF token. The use case is the API's
//! (`rampart_core::sessions::finish_with_second_factor`): one use per code, five wrong codes end
//! the pending sign-in, every attempt audited.

use axum::Form;
use axum::extract::State;
use axum::response::Response;
use rampart_core::mfa::SecondFactor as Factor;
use rampart_core::sessions::finish_with_second_factor;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::SIGN_IN_PAGE;
use super::form_token::FormToken;
use super::page::{Layout, ok, refused_with, see_other};
use super::signed_in::continue_signed_in;
use super::templates::SecondFactor;
use crate::caller::{Client, Pending};
use crate::{ApiError, AppState};

#[derive(Deserialize)]
pub(super) struct CodeForm {
    code: SecretString,
}

/// `GET /sign-in/second-factor`: the code form, while a sign-in is pending.
pub(super) async fn second_factor_page(
    State(state): State<AppState>,
    pending: Option<Pending>,
    token: FormToken,
) -> Response {
    if pending.is_none() {
        return see_other(SIGN_IN_PAGE);
    }
    ok(&page(&state, &token, None))
}

/// `POST /sign-in/second-factor`: finishes the sign-in.
pub(super) async fn second_factor(
    State(state): State<AppState>,
    pending: Option<Pending>,
    Client(client): Client,
    token: FormToken,
    Form(input): Form<CodeForm>,
) -> Response {
    // No pending sign-in (expired, or ended by too many wrong codes): start again.
    let Some(Pending(pending)) = pending else { return see_other(SIGN_IN_PAGE) };
    let factor = factor_of(&input.code);
    let error = match finish_with_second_factor(&state, &pending, &client, &factor).await {
        Ok(session) => match continue_signed_in(&state, &session).await {
            Ok(response) => return response,
            Err(error) => error,
        },
        Err(error) => ApiError::from(error),
    };
    if matches!(error, ApiError::Unauthenticated) {
        return see_other(SIGN_IN_PAGE);
    }
    refused_with(error, |message| page(&state, &token, Some(message)))
}

/// Six digits (spaces allowed, as apps show them) are an authenticator code; anything else is
/// read as a recovery code.
pub(super) fn factor_of(code: &SecretString) -> Factor {
    let typed = code.expose_secret();
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    let is_totp = !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit());
    let code = SecretString::from(if is_totp { digits } else { typed.trim().to_owned() });
    let (totp, recovery) = if is_totp { (Some(&code), None) } else { (None, Some(&code)) };
    Factor::from_fields(totp, recovery).unwrap_or(Factor::Unreadable)
}

fn page(state: &AppState, token: &FormToken, message: Option<String>) -> SecondFactor {
    SecondFactor {
        layout: Layout::new(&state.settings.accounts.site_name, None),
        passkey_js: super::assets::url("passkey", "js"),
        token: token.value(),
        message,
    }
}

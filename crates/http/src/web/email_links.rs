//! The targets of the links Rampart e-mails (`rampart_core::accounts::links`):
//! `/verify-email#token=…` and `/reset-password#token=…`. The token travels after `#`, so it
//! reaches no server log; the pages' `link-token.js` moves it into the form, which posts it to
//! the same use cases as `POST /api/auth/verify-email` and `POST /api/auth/password/reset`.

use axum::Form;
use axum::extract::State;
use axum::response::Response;
use rampart_core::accounts::{reset_password as reset_with_link, verify_email as verify_with_link};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::page::{Layout, ok, refused_with};
use super::templates::{Message, ResetPassword, VerifyEmail};
use crate::caller::Client;
use crate::{ApiError, AppState};

/// `GET /verify-email`.
pub(super) async fn verify_email_page(State(state): State<AppState>) -> Response {
    ok(&verify_page(&state, None))
}

#[derive(Deserialize)]
pub(super) struct TokenForm {
    token: SecretString,
}

/// `POST /verify-email`: the address is confirmed; on to sign-in.
pub(super) async fn verify_email(
    State(state): State<AppState>,
    Client(client): Client,
    Form(input): Form<TokenForm>,
) -> Response {
    match verify_with_link(&state, input.token.expose_secret(), &client).await {
        Ok(Some(_)) => ok(&Message {
            layout: Layout::new(&state.settings.accounts.site_name, None),
            title: "Address confirmed",
            text: "Your e-mail address is confirmed: you can sign in now.",
        }),
        Ok(None) => refused_with(ApiError::InvalidToken, |m| verify_page(&state, Some(m))),
        Err(error) => refused_with(ApiError::from(error), |m| verify_page(&state, Some(m))),
    }
}

fn verify_page(state: &AppState, message: Option<String>) -> VerifyEmail {
    VerifyEmail {
        layout: Layout::new(&state.settings.accounts.site_name, None),
        link_js: super::assets::url("link-token", "js"),
        message,
    }
}

/// `GET /reset-password`.
pub(super) async fn reset_password_page(State(state): State<AppState>) -> Response {
    ok(&reset_page(&state, String::new(), None))
}

#[derive(Deserialize)]
pub(super) struct ResetForm {
    token: SecretString,
    password: SecretString,
}

/// `POST /reset-password`: the new password is set (and every session of the account ends, as
/// the use case does); on to sign-in.
pub(super) async fn reset_password(
    State(state): State<AppState>,
    Client(client): Client,
    Form(input): Form<ResetForm>,
) -> Response {
    let (token, password) = (input.token.expose_secret(), input.password.expose_secret());
    match reset_with_link(&state, token, password, &client).await {
        Ok(()) => ok(&Message {
            layout: Layout::new(&state.settings.accounts.site_name, None),
            title: "Password changed",
            text: "Your new password is set, and every place you were signed in has been \
                signed out. Sign in with the new password.",
        }),
        // A refused password keeps the link's token in the form, to try another one.
        Err(error) => refused_with(ApiError::from(error), |message| {
            reset_page(&state, token.to_owned(), Some(message))
        }),
    }
}

fn reset_page(state: &AppState, token: String, message: Option<String>) -> ResetPassword {
    ResetPassword {
        layout: Layout::new(&state.settings.accounts.site_name, None),
        link_js: super::assets::url("link-token", "js"),
        token,
        message,
    }
}

//! The targets of the staff-lifecycle e-mails (`rampart_core::accounts::invitations`,
//! `email_change`): `/accept-invitation#token=…` and `/confirm-email#token=…`. As with the other
//! mailed links (`email_links.rs`), `link-token.js` moves the token from after `#` into the form,
//! which posts it to the use cases of `POST /api/invitations/accept` and
//! `POST /api/auth/email/confirm`.

use axum::Form;
use axum::extract::State;
use axum::response::Response;
use rampart_core::accounts::email_change::confirm_email_change;
use rampart_core::accounts::invitations::accept_invitation as accept_with_link;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::page::{Layout, ok, refused_with};
use super::signed_in::continue_signed_in;
use super::templates::{AcceptInvitation, ConfirmEmail, Message};
use crate::caller::Client;
use crate::routes::email_change_error;
use crate::{ApiError, AppState};

/// `GET /accept-invitation`.
pub(super) async fn accept_invitation_page(State(state): State<AppState>) -> Response {
    ok(&accept_page(&state, String::new(), None))
}

#[derive(Deserialize)]
pub(super) struct AcceptForm {
    token: SecretString,
    password: SecretString,
}

/// `POST /accept-invitation`: the account is made with the invited grants and signed in; on to
/// the enrolment page when its roles require a second factor, else the account page.
pub(super) async fn accept_invitation(
    State(state): State<AppState>,
    Client(client): Client,
    Form(input): Form<AcceptForm>,
) -> Response {
    let (token, password) = (input.token.expose_secret(), input.password.expose_secret());
    let accepted = match accept_with_link(&state, token, password, &client).await {
        Ok(session) => continue_signed_in(&state, &session).await,
        Err(error) => Err(ApiError::from(error)),
    };
    // A refused password keeps the link's token in the form, to try another one.
    accepted.unwrap_or_else(|error| {
        refused_with(error, |message| accept_page(&state, token.to_owned(), Some(message)))
    })
}

fn accept_page(state: &AppState, token: String, message: Option<String>) -> AcceptInvitation {
    AcceptInvitation {
        layout: Layout::new(&state.settings.accounts.site_name, None),
        link_js: super::assets::url("link-token", "js"),
        token,
        message,
    }
}

/// `GET /confirm-email`.
pub(super) async fn confirm_email_page(State(state): State<AppState>) -> Response {
    ok(&confirm_page(&state, None))
}

#[derive(Deserialize)]
pub(super) struct TokenForm {
    token: SecretString,
}

/// `POST /confirm-email`: the account's address becomes the new one (the old one is told).
pub(super) async fn confirm_email(
    State(state): State<AppState>,
    Client(client): Client,
    Form(input): Form<TokenForm>,
) -> Response {
    match confirm_email_change(&state, input.token.expose_secret(), &client).await {
        Ok(_) => ok(&Message {
            layout: Layout::new(&state.settings.accounts.site_name, None),
            title: "Address changed",
            text: "This is now the address you sign in with and where we write to you.",
        }),
        Err(error) => {
            refused_with(email_change_error(error), |message| confirm_page(&state, Some(message)))
        }
    }
}

fn confirm_page(state: &AppState, message: Option<String>) -> ConfirmEmail {
    ConfirmEmail {
        layout: Layout::new(&state.settings.accounts.site_name, None),
        link_js: super::assets::url("link-token", "js"),
        message,
    }
}

//! `/sign-in`: e-mail and password, through the API's own use case
//! (`rampart_core::sessions::log_in_with_password`): the same throttling, the same one answer
//! for every failure, the same audit events. A failure shows the form again with the message
//! and the typed address — never the password.

use axum::Form;
use axum::extract::State;
use axum::response::Response;
use rampart_core::sessions::log_in_with_password;
use secrecy::SecretString;
use serde::Deserialize;

use super::page::{Layout, ok, refused_with, see_other};
use super::signed_in::continue_signed_in;
use super::templates::SignIn;
use super::{ACCOUNT_PAGE, ENROL_PAGE};
use crate::caller::{Client, MaybeSignedIn};
use crate::{ApiError, AppState};

#[derive(Deserialize)]
pub(super) struct SignInForm {
    email: String,
    password: SecretString,
}

/// `GET /sign-in`: the form; someone already signed in goes on to their account.
pub(super) async fn sign_in_page(
    State(state): State<AppState>,
    MaybeSignedIn(current): MaybeSignedIn,
) -> Response {
    match current {
        Some(principal) if principal.owes_enrolment => see_other(ENROL_PAGE),
        Some(_) => see_other(ACCOUNT_PAGE),
        None => ok(&form(&state, String::new(), None)),
    }
}

/// `POST /sign-in`: signs in, then on to the second factor, the enrolment or the account.
pub(super) async fn sign_in(
    State(state): State<AppState>,
    Client(client): Client,
    MaybeSignedIn(current): MaybeSignedIn,
    Form(input): Form<SignInForm>,
) -> Response {
    let signed_in =
        log_in_with_password(&state, &input.email, &input.password, &client, current.as_ref())
            .await;
    let failure = match signed_in {
        Ok(session) => match continue_signed_in(&state, &session).await {
            Ok(response) => return response,
            Err(error) => error,
        },
        Err(error) => ApiError::from(error),
    };
    refused(&state, failure, input.email)
}

/// The form again, with what went wrong and the typed address.
fn refused(state: &AppState, error: ApiError, email: String) -> Response {
    refused_with(error, |message| form(state, email, Some(message)))
}

fn form(state: &AppState, email: String, message: Option<String>) -> SignIn {
    SignIn {
        layout: Layout::new(&state.settings.accounts.site_name, None),
        passkey_js: super::assets::url("passkey", "js"),
        email,
        message,
    }
}

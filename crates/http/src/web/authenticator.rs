//! `/account/authenticator`: adding an authenticator app, with the API's use cases
//! (`rampart_core::mfa::own_factors`). Open to someone who still owes a second factor: the page
//! guard sends them here until they have one.
//!
//! GET shows the state and a "set up" button (a GET never changes anything); the POST makes the
//! secret and shows it once, as a QR image drawn here (a `data:` URL: the secret never leaves
//! the page) and as text; the confirm POST checks the first code, and — as the API does —
//! replaces the session with one signed in with both factors, and shows the first recovery
//! codes once.

use axum::Form;
use axum::extract::State;
use axum::http::header;
use axum::response::Response;
use base64::Engine;
use rampart_core::mfa::factors_of;
use rampart_core::mfa::own_factors::{confirm_own_totp, start_own_totp};
use rampart_core::sessions::Principal;
use secrecy::SecretString;
use serde::Deserialize;

use super::form_token::FormToken;
use super::page::{Layout, ok, refused_with, see_other};
use super::recovery_codes::recovery_codes_page;
use super::templates::{Authenticator, TotpSetup};
use crate::caller::{Client, Enrolling, csrf_token_for};
use crate::routes::session_response::session_cookie_of;
use crate::{ApiError, AppState};

/// `GET /account/authenticator`.
pub(super) async fn authenticator_page(
    State(state): State<AppState>,
    Enrolling(principal): Enrolling,
    token: FormToken,
) -> Result<Response, ApiError> {
    let enrolled = factors_of(&state, principal.user_id).await?.totp;
    Ok(ok(&page(&state, &principal, &token, enrolled, None, None)))
}

/// `POST /account/authenticator`: a new secret, shown once.
pub(super) async fn start_authenticator(
    State(state): State<AppState>,
    Enrolling(principal): Enrolling,
    token: FormToken,
) -> Response {
    match start_own_totp(&state, &principal).await {
        Ok(enrolment) => {
            let qr = base64::engine::general_purpose::STANDARD.encode(enrolment.qr_svg.as_bytes());
            let setup = TotpSetup {
                qr_data_url: format!("data:image/svg+xml;base64,{qr}"),
                secret: enrolment.secret.to_string(),
            };
            ok(&page(&state, &principal, &token, false, Some(setup), None))
        }
        Err(error) => refused_with(ApiError::from(error), |message| {
            page(&state, &principal, &token, false, None, Some(message))
        }),
    }
}

#[derive(Deserialize)]
pub(super) struct ConfirmForm {
    code: SecretString,
}

/// `POST /account/authenticator/confirm`: the app's first code; then the recovery codes.
pub(super) async fn confirm_authenticator(
    State(state): State<AppState>,
    Enrolling(principal): Enrolling,
    Client(client): Client,
    token: FormToken,
    Form(input): Form<ConfirmForm>,
) -> Response {
    let added = match confirm_own_totp(&state, &principal, &client, &input.code).await {
        Ok(added) => added,
        Err(error) => {
            // The secret is not shown again: a wrong code means setting up again.
            return refused_with(ApiError::from(error), |message| {
                page(&state, &principal, &token, false, None, Some(message))
            });
        }
    };
    let cookie = session_cookie_of(&added.session);
    let new_token = csrf_token_for(added.session.token.expose());
    let mut response = match added.recovery_codes {
        Some(codes) => {
            recovery_codes_page(&state, new_token, "Your authenticator app is set up.", codes)
        }
        None => see_other("/account"),
    };
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    response
}

fn page(
    state: &AppState,
    principal: &Principal,
    token: &FormToken,
    enrolled: bool,
    setup: Option<TotpSetup>,
    message: Option<String>,
) -> Authenticator {
    Authenticator {
        layout: Layout::new(&state.settings.accounts.site_name, token.0.clone()),
        token: token.value(),
        required: principal.owes_enrolment,
        enrolled,
        setup,
        message,
    }
}

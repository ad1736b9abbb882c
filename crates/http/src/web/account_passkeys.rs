//! The account page's second factors: remove the authenticator app; rename or remove a passkey, through the API's use cases
//! (`rename_own_passkey`, `remove_own_passkey`: removal needs a recent sign-in, is refused for
//! the last factor a role requires, is audited and e-mailed). Adding one needs WebAuthn, which
//! has no HTML form: the page's "Add a passkey" button (`assets/passkey.js`) calls the API's
//! `POST /api/me/passkeys/options` and `POST /api/me/passkeys` with the page's CSRF token.

use axum::Form;
use axum::extract::State;
use axum::response::Response;
use rampart_core::mfa::own_factors::{remove_own_passkey, remove_own_totp, rename_own_passkey};
use serde::Deserialize;
use uuid::Uuid;

use super::account::account_refused;
use super::form_token::FormToken;
use super::page::see_other;
use crate::caller::{Client, SignedIn};
use crate::{ApiError, AppState};

#[derive(Deserialize)]
pub(super) struct RenameForm {
    id: Uuid,
    name: String,
}

/// `POST /account/passkeys/rename`.
pub(super) async fn rename_passkey(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    token: FormToken,
    Form(input): Form<RenameForm>,
) -> Response {
    match rename_own_passkey(&state, &principal, input.id, &input.name).await {
        Ok(()) => see_other("/account?done=passkey-renamed"),
        Err(error) => account_refused(&state, &principal, &token, ApiError::from(error)).await,
    }
}

#[derive(Deserialize)]
pub(super) struct RemoveForm {
    id: Uuid,
}

/// `POST /account/passkeys/remove`.
pub(super) async fn remove_passkey(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    token: FormToken,
    Form(input): Form<RemoveForm>,
) -> Response {
    match remove_own_passkey(&state, &principal, &client, input.id).await {
        Ok(()) => see_other("/account?done=passkey-removed"),
        Err(error) => account_refused(&state, &principal, &token, ApiError::from(error)).await,
    }
}

/// `POST /account/authenticator/remove` (`remove_own_totp`, as `DELETE /api/me/mfa/totp`: the
/// last factor a role requires stays; audited and e-mailed).
pub(super) async fn remove_authenticator(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    token: FormToken,
) -> Response {
    match remove_own_totp(&state, &principal, &client).await {
        Ok(()) => see_other("/account?done=authenticator-removed"),
        Err(error) => account_refused(&state, &principal, &token, ApiError::from(error)).await,
    }
}

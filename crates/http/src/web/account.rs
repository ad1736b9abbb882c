//! `/account`: who is signed in, their second factors and where they are signed in, with the
//! forms that act on them (`account_forms.rs` for the password, the step-up and the recovery
//! codes). Each form posts to its own route here, which calls the API's use case
//! and comes back with a fixed notice (`?done=…`, one of [`Done`]'s words: nothing typed is ever
//! echoed from the address bar).

use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use rampart_core::accounts::find_account_by_id;
use rampart_core::api_keys::{ApiKeyView, api_keys_of};
use rampart_core::mfa::factors_of;
use rampart_core::mfa::own_factors::own_passkeys;
use rampart_core::sessions::Principal;
use rampart_core::sessions::own::{end_other_own_sessions, end_own_session, own_sessions};
use rampart_domain::device::browser_family;
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::form_token::FormToken;
use super::page::{Layout, ok, refused_with, see_other};
use super::templates::{Account, ApiKeyLine, PasskeyLine, SessionLine};
use crate::caller::{Client, SignedIn};
use crate::{ApiError, AppState};

/// What the last form did, as the account page says it.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Done {
    SessionEnded,
    OthersEnded,
    PasswordChanged,
    Confirmed,
    AuthenticatorRemoved,
    PasskeyAdded,
    PasskeyRenamed,
    PasskeyRemoved,
    KeyRevoked,
}

impl Done {
    fn notice(self) -> &'static str {
        match self {
            Self::SessionEnded => "The session was ended.",
            Self::OthersEnded => "You are signed out everywhere else.",
            Self::PasswordChanged => "Your password was changed.",
            Self::AuthenticatorRemoved => "The authenticator app was removed.",
            Self::PasskeyAdded => "The passkey was added.",
            Self::PasskeyRenamed => "The passkey was renamed.",
            Self::PasskeyRemoved => "The passkey was removed.",
            Self::KeyRevoked => "The API key was revoked: it stopped working everywhere.",
            Self::Confirmed => {
                "Confirmed: for the next 10 minutes you can change your password \
                and your recovery codes."
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct AccountQuery {
    done: Option<Done>,
}

/// `GET /account`.
pub(super) async fn account_page(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    token: FormToken,
    Query(query): Query<AccountQuery>,
) -> Result<Response, ApiError> {
    let page = account_view(&state, &principal, &token, query.done, None).await?;
    Ok(ok(&page))
}

/// The account page after a form the use case refused: its message, with the error's status.
pub(super) async fn account_refused(
    state: &AppState,
    principal: &Principal,
    token: &FormToken,
    error: ApiError,
) -> Response {
    // The API's wording names its route; here the form to use is on this page.
    let message = match error {
        ApiError::ReauthRequired => "Confirm it is you first (the form \"Confirm it is you\" \
            below), then try again."
            .to_owned(),
        _ => error.to_string(),
    };
    match account_view(state, principal, token, None, Some(message)).await {
        Ok(page) => refused_with(error, |_| page),
        Err(error) => error.into_response(),
    }
}

/// Everything the account page shows.
async fn account_view(
    state: &AppState,
    principal: &Principal,
    token: &FormToken,
    done: Option<Done>,
    message: Option<String>,
) -> Result<Account, ApiError> {
    let account =
        find_account_by_id(state, principal.user_id).await?.ok_or(ApiError::Unauthenticated)?;
    let factors = factors_of(state, principal.user_id).await?;
    let current = principal.session_id().ok();
    let sessions = own_sessions(state, principal)
        .await?
        .into_iter()
        .map(|row| SessionLine {
            id: row.id.to_string(),
            device: browser_family(&row.user_agent),
            current: Some(row.id) == current,
            last_seen: row
                .last_seen_at
                .replace_nanosecond(0)
                .map_or_else(|_| String::new(), |at| at.format(&Rfc3339).unwrap_or_default()),
            ip: row.ip,
        })
        .collect();
    let passkey_list = own_passkeys(state, principal)
        .await?
        .into_iter()
        .map(|row| PasskeyLine {
            id: row.id.to_string(),
            name: row.name,
            created: day(row.created_at),
        })
        .collect();
    let api_keys = api_keys_of(state, principal.user_id)
        .await?
        .iter()
        .map(|row| {
            let key = ApiKeyView::from(row);
            ApiKeyLine {
                id: key.id.to_string(),
                name: key.name,
                permissions: key.permissions.join(", "),
                expires: day(key.expires_at),
                last_used: key.last_used_at.map_or_else(|| "never".to_owned(), day),
                revoked: key.revoked,
            }
        })
        .collect();
    let permissions = principal.permissions.iter().map(|p| p.as_str()).collect();
    Ok(Account {
        layout: Layout::new(&state.settings.accounts.site_name, token.0.clone()),
        passkey_js: super::assets::url("passkey", "js"),
        token: token.value(),
        email: account.email.as_str().to_owned(),
        totp: factors.totp,
        passkeys: factors.passkeys,
        recovery_left: factors.recovery_codes_left,
        sessions,
        passkey_list,
        api_keys,
        permissions,
        notice: done.map(Done::notice),
        message,
    })
}

#[derive(Debug, Deserialize)]
pub(super) struct EndSessionForm {
    id: Uuid,
}

/// `POST /account/sessions/end`: ends one of the caller's other sessions.
pub(super) async fn end_session(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Form(input): Form<EndSessionForm>,
) -> Result<Response, ApiError> {
    // Another user's session id answers like an unknown one.
    if !end_own_session(&state, &principal, &client, input.id).await? {
        return Err(ApiError::NotFound);
    }
    Ok(see_other("/account?done=session-ended"))
}

/// A date as the page shows it: `2026-12-07`.
fn day(at: time::OffsetDateTime) -> String {
    at.date().to_string()
}

/// `POST /account/sessions/end-others`: "sign out everywhere else".
pub(super) async fn end_other_sessions(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
) -> Result<Response, ApiError> {
    end_other_own_sessions(&state, &principal, &client).await?.ok_or(ApiError::Forbidden)?;
    Ok(see_other("/account?done=others-ended"))
}

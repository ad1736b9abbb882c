//! The account page's API keys: make one (name, the permissions to give it — only those the
//! caller holds are offered, and the use case checks again — optional networks, a lifetime),
//! shown once; revoke one. Through the API's use cases (`create_api_key`,
//! `revoke_own_api_key`), audited there.

use axum::Form;
use axum::extract::State;
use axum::response::Response;
use rampart_core::api_keys::{create_api_key, revoke_own_api_key};
use serde::Deserialize;
use time::Duration;
use uuid::Uuid;

use super::account::account_refused;
use super::form_token::FormToken;
use super::page::{Layout, ok, see_other};
use super::templates::ApiKeyCreated;
use crate::caller::{Client, SignedIn};
use crate::{ApiError, AppState};

/// The lifetimes offered, in days (the use case allows at most a year).
const LIFETIMES: [i64; 3] = [30, 90, 365];

/// `POST /account/api-keys`. The form is read as pairs: each ticked permission is one
/// `permission=NAME` pair (HTML sends a ticked box once per box).
pub(super) async fn create_key(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    token: FormToken,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let field = |name: &str| fields.iter().find(|(key, _)| key == name).map(|(_, v)| v.as_str());
    let permissions: Vec<String> =
        fields.iter().filter(|(key, _)| key == "permission").map(|(_, v)| v.clone()).collect();
    let networks: Vec<String> = field("networks")
        .unwrap_or_default()
        .split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|network| !network.is_empty())
        .map(str::to_owned)
        .collect();
    let days = field("days").and_then(|d| d.parse::<i64>().ok()).filter(|d| LIFETIMES.contains(d));
    let expires_at = state.clock.now() + Duration::days(days.unwrap_or(90));
    let name = field("name").unwrap_or_default();
    let created =
        create_api_key(&state, &principal, &client, name, &permissions, &networks, expires_at)
            .await;
    let error = match created {
        Ok(Ok((key, row))) => {
            let page = ApiKeyCreated {
                layout: Layout::new(&state.settings.accounts.site_name, token.0.clone()),
                name: row.name,
                key: key.expose().to_owned(),
            };
            return ok(&page);
        }
        Ok(Err(problem)) => ApiError::Unprocessable(problem.to_string()),
        Err(error) => ApiError::from(error),
    };
    account_refused(&state, &principal, &token, error).await
}

#[derive(Deserialize)]
pub(super) struct RevokeForm {
    id: Uuid,
}

/// `POST /account/api-keys/revoke`.
pub(super) async fn revoke_key(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    token: FormToken,
    Form(input): Form<RevokeForm>,
) -> Response {
    match revoke_own_api_key(&state, &principal, &client, input.id).await {
        Ok(true) => see_other("/account?done=key-revoked"),
        Ok(false) => account_refused(&state, &principal, &token, ApiError::NotFound).await,
        Err(error) => account_refused(&state, &principal, &token, ApiError::from(error)).await,
    }
}

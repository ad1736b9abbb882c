//! `/forgot-password`: asks for a reset link through the API's own path
//! (`routes::auth::password::ask_for_reset`): the same notice whether or not the address has an
//! account, the same per-address and per-client mail limits, the same audit.

use axum::Form;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::page::{Layout, ok, refused_with};
use super::templates::ForgotPassword;
use crate::AppState;
use crate::caller::Client;
use crate::routes::auth::password::ask_for_reset;

#[derive(Deserialize)]
pub(super) struct ForgotForm {
    email: String,
}

/// `GET /forgot-password`.
pub(super) async fn forgot_password_page(State(state): State<AppState>) -> Response {
    ok(&page(&state, String::new(), false, None))
}

/// `POST /forgot-password`.
pub(super) async fn forgot_password(
    State(state): State<AppState>,
    Client(client): Client,
    Form(input): Form<ForgotForm>,
) -> Response {
    match ask_for_reset(&state, &input.email, &client).await {
        Ok(()) => ok(&page(&state, String::new(), true, None)),
        Err(error) => {
            refused_with(error, |message| page(&state, input.email, false, Some(message)))
        }
    }
}

fn page(state: &AppState, email: String, sent: bool, message: Option<String>) -> ForgotPassword {
    ForgotPassword {
        layout: Layout::new(&state.settings.accounts.site_name, None),
        email,
        sent,
        message,
    }
}

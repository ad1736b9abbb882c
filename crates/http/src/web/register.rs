//! `/register`: a visitor's own `customer` account, when `accounts.registration_enabled`
//! (otherwise 404, as the API). Through the API's own path
//! (`routes::auth::register::register_visitor`): the same answer whether or not the address
//! already has an account; only a malformed address or a refused password is said so, with the
//! reason, and the typed address kept (never the password).

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use secrecy::SecretString;
use serde::Deserialize;

use super::page::{Layout, ok, refused_with, render};
use super::templates::{Message, Register};
use crate::AppState;
use crate::caller::Client;
use crate::routes::auth::register::register_visitor;

#[derive(Deserialize)]
pub(super) struct RegisterForm {
    email: String,
    password: SecretString,
}

/// `GET /register`.
pub(super) async fn register_page(State(state): State<AppState>) -> Response {
    if !state.settings.accounts.registration_enabled {
        return closed(&state);
    }
    ok(&page(&state, String::new(), false, None))
}

/// `POST /register`.
pub(super) async fn register(
    State(state): State<AppState>,
    Client(client): Client,
    Form(input): Form<RegisterForm>,
) -> Response {
    if !state.settings.accounts.registration_enabled {
        return closed(&state);
    }
    match register_visitor(&state, &input.email, &input.password, &client).await {
        Ok(()) => ok(&page(&state, String::new(), true, None)),
        Err(error) => {
            refused_with(error, |message| page(&state, input.email, false, Some(message)))
        }
    }
}

fn closed(state: &AppState) -> Response {
    let page = Message {
        layout: Layout::new(&state.settings.accounts.site_name, None),
        title: "No registration here",
        text: "Accounts on this site are made by its staff.",
    };
    render(StatusCode::NOT_FOUND, &page)
}

fn page(state: &AppState, email: String, sent: bool, message: Option<String>) -> Register {
    Register { layout: Layout::new(&state.settings.accounts.site_name, None), email, sent, message }
}

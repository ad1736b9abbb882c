//! `/api/auth/*`: signing in and out, registration, e-mail verification, passwords, the first
//! owner. Public routes except those that act on the caller's own session.

mod bootstrap;
mod login;
mod login_mfa;
mod login_passkey;
mod logout;
mod password;
mod reauth;
mod register;
mod verify_email;

use axum::routing::post;
use utoipa::OpenApi;

use super::RouteTable;

pub(super) fn routes() -> RouteTable {
    RouteTable::new()
        .public("/api/auth/login", post(login::login))
        .public("/api/auth/login/mfa", post(login_mfa::login_mfa))
        .public("/api/auth/login/passkey/start", post(login_passkey::passkey_start))
        .public("/api/auth/login/passkey/finish", post(login_passkey::passkey_finish))
        .enrolment("/api/auth/logout", post(logout::logout))
        .enrolment("/api/auth/reauth", post(reauth::reauth))
        .public("/api/auth/register", post(register::register))
        .public("/api/auth/verify-email", post(verify_email::verify_email))
        .public("/api/auth/password/forgot", post(password::forgot_password))
        .public("/api/auth/password/reset", post(password::reset_password))
        .signed_in("/api/auth/password/change", post(password::change_password))
        .public("/api/auth/bootstrap", post(bootstrap::bootstrap))
}

#[derive(OpenApi)]
#[openapi(paths(
    login::login,
    login_mfa::login_mfa,
    login_passkey::passkey_start,
    login_passkey::passkey_finish,
    logout::logout,
    reauth::reauth,
    register::register,
    verify_email::verify_email,
    password::forgot_password,
    password::reset_password,
    password::change_password,
    bootstrap::bootstrap,
))]
pub(super) struct Api;

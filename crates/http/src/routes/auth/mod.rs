//! `/api/auth/*`: signing in and out, registration, e-mail verification, passwords, the first
//! owner. Public routes except those that act on the caller's own session.

mod bootstrap;
mod confirm_email;
mod login;
mod login_mfa;
mod login_passkey;
mod logout;
pub(crate) mod password;
mod reauth;
pub(crate) mod register;
mod verify_email;

use utoipa::OpenApi;

use super::{Access, RouteTable};

pub(super) fn routes() -> RouteTable {
    let public = Access::Public;
    RouteTable::new()
        .post("/api/auth/login", public, login::login)
        .post("/api/auth/login/mfa", public, login_mfa::login_mfa)
        .post("/api/auth/login/passkey/start", public, login_passkey::passkey_start)
        .post("/api/auth/login/passkey/finish", public, login_passkey::passkey_finish)
        .post("/api/auth/logout", Access::Enrolment, logout::logout)
        .post("/api/auth/reauth", Access::Enrolment, reauth::reauth)
        .post("/api/auth/register", public, register::register)
        .post("/api/auth/verify-email", public, verify_email::verify_email)
        .post("/api/auth/email/confirm", public, confirm_email::confirm_email)
        .post("/api/auth/password/forgot", public, password::forgot_password)
        .post("/api/auth/password/reset", public, password::reset_password)
        .post("/api/auth/password/change", Access::SignedIn, password::change_password)
        .post("/api/auth/bootstrap", public, bootstrap::bootstrap)
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
    confirm_email::confirm_email,
    password::forgot_password,
    password::reset_password,
    password::change_password,
    bootstrap::bootstrap,
))]
pub(super) struct Api;

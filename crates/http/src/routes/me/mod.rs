//! `/api/me/*`: the signed-in user's own account, sessions, second factors and API keys.

mod api_keys;
mod delete;
mod email;
pub(crate) use email::email_change_error;
mod export;
mod factor_changes;
mod passkey_registration;
pub(super) use passkey_registration::PasskeyChallengeResponse;
mod passkeys;
mod profile;
mod recovery_codes;
mod sessions;
mod totp;
mod totp_confirm;

use utoipa::OpenApi;

use super::{Access, RouteTable};

pub(super) fn routes() -> RouteTable {
    // Open to a caller who still owes a second factor: who they are, and enrolling one.
    let enrolment = Access::Enrolment;
    let mine = Access::SignedIn;
    RouteTable::new()
        .get("/api/me", enrolment, profile::me)
        .delete("/api/me", mine, delete::delete_my_account)
        .post("/api/me/email", mine, email::change_my_email)
        .get("/api/me/export", mine, export::export_my_data)
        .post("/api/me/mfa/totp", enrolment, totp::start_totp)
        .delete("/api/me/mfa/totp", enrolment, totp::remove_my_totp)
        .post("/api/me/mfa/totp/confirm", enrolment, totp_confirm::confirm_my_totp)
        .post("/api/me/passkeys/options", enrolment, passkey_registration::passkey_options)
        .get("/api/me/passkeys", enrolment, passkeys::list_my_passkeys)
        .post("/api/me/passkeys", enrolment, passkey_registration::register_passkey)
        .patch("/api/me/passkeys/{id}", mine, passkeys::rename_my_passkey)
        .delete("/api/me/passkeys/{id}", mine, passkeys::remove_my_passkey)
        .get("/api/me/mfa/recovery-codes", mine, recovery_codes::count_my_recovery_codes)
        .post("/api/me/mfa/recovery-codes", mine, recovery_codes::regenerate_my_recovery_codes)
        .get("/api/me/sessions", mine, sessions::list_my_sessions)
        .delete("/api/me/sessions/{id}", mine, sessions::end_my_session)
        .get("/api/me/api-keys", mine, api_keys::list_my_api_keys)
        .post("/api/me/api-keys", mine, api_keys::create_my_api_key)
        .delete("/api/me/api-keys/{id}", mine, api_keys::revoke_my_api_key)
}

#[derive(OpenApi)]
#[openapi(paths(
    profile::me,
    delete::delete_my_account,
    email::change_my_email,
    export::export_my_data,
    totp::start_totp,
    totp::remove_my_totp,
    totp_confirm::confirm_my_totp,
    passkey_registration::passkey_options,
    passkey_registration::register_passkey,
    passkeys::list_my_passkeys,
    passkeys::rename_my_passkey,
    passkeys::remove_my_passkey,
    recovery_codes::count_my_recovery_codes,
    recovery_codes::regenerate_my_recovery_codes,
    sessions::list_my_sessions,
    sessions::end_my_session,
    api_keys::list_my_api_keys,
    api_keys::create_my_api_key,
    api_keys::revoke_my_api_key,
))]
pub(super) struct Api;

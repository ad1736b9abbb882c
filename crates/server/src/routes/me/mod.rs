//! `/api/me/*`: the signed-in user's own account, sessions, second factors and API keys.

mod api_keys;
mod factor_changes;
mod passkey_registration;
pub(super) use passkey_registration::PasskeyChallengeResponse;
mod passkeys;
mod profile;
mod recovery_codes;
mod sessions;
mod totp;
mod totp_confirm;

use axum::routing::{delete, get, patch, post};
use utoipa::OpenApi;

use super::RouteTable;

pub(super) fn routes() -> RouteTable {
    RouteTable::new()
        .enrolment("/api/me", get(profile::me))
        .enrolment("/api/me/mfa/totp", post(totp::start_totp).delete(totp::remove_my_totp))
        .enrolment("/api/me/mfa/totp/confirm", post(totp_confirm::confirm_my_totp))
        .enrolment("/api/me/passkeys/options", post(passkey_registration::passkey_options))
        .enrolment(
            "/api/me/passkeys",
            get(passkeys::list_my_passkeys).post(passkey_registration::register_passkey),
        )
        .signed_in(
            "/api/me/passkeys/{id}",
            patch(passkeys::rename_my_passkey).delete(passkeys::remove_my_passkey),
        )
        .signed_in(
            "/api/me/mfa/recovery-codes",
            get(recovery_codes::count_my_recovery_codes)
                .post(recovery_codes::regenerate_my_recovery_codes),
        )
        .signed_in("/api/me/sessions", get(sessions::list_my_sessions))
        .signed_in("/api/me/sessions/{id}", delete(sessions::end_my_session))
        .signed_in(
            "/api/me/api-keys",
            get(api_keys::list_my_api_keys).post(api_keys::create_my_api_key),
        )
        .signed_in("/api/me/api-keys/{id}", delete(api_keys::revoke_my_api_key))
}

#[derive(OpenApi)]
#[openapi(paths(
    profile::me,
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

//! TOTP enrolment and checks. The secret is encrypted under the field key, bound to
//! (`totp_factors`, user id, `secret`), so a copy of the database reveals no secret and a
//! ciphertext moved to another user's row does not decrypt.

use rampart_crypto::{FieldContext, Keyring, TotpSecret};
use rampart_domain::TotpCode;
use rampart_store::totp_factors::{
    TotpFactorRow, confirm_totp_factor, delete_totp_factor, find_totp_factor,
    insert_pending_totp_factor, spend_totp_step,
};
use rampart_store::{Executor, StoreError};
use uuid::Uuid;
use zeroize::Zeroizing;

use super::qr::qr_svg;
use crate::AppState;
use crate::accounts::{Account, AccountError};
use crate::unit_of_work::UnitOfWork;

/// What the user needs to add the authenticator to an app. Shown once.
pub struct TotpEnrolment {
    pub uri: Zeroizing<String>,
    /// The secret in base32, for typing by hand.
    pub secret: Zeroizing<String>,
    pub qr_svg: String,
}

impl std::fmt::Debug for TotpEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpEnrolment([redacted])")
    }
}

fn secret_place(user_id: &str) -> FieldContext<'_> {
    FieldContext { table: "totp_factors", row_id: user_id, field: "secret" }
}

/// Starts (or restarts) enrolling an authenticator app; `None` when the account already has a
/// confirmed one (remove it first).
pub async fn start_totp_enrolment(
    state: &AppState,
    account: &Account,
) -> Result<Option<TotpEnrolment>, AccountError> {
    let keyring = state.keyring.current();
    let secret = TotpSecret::generate(state.random.as_ref())?;
    let id = account.id.to_string();
    let ciphertext =
        keyring.encrypt_field(&secret_place(&id), secret.expose_bytes(), state.random.as_ref())?;
    match insert_pending_totp_factor(&state.db, account.id, &ciphertext, state.clock.now()).await {
        Ok(()) => {}
        Err(StoreError::Duplicate) => return Ok(None),
        Err(other) => return Err(other.into()),
    }
    let issuer = issuer_name(&state.settings.accounts.site_name);
    let label = account.email.as_str().replace(':', "");
    let uri = secret.otpauth_uri(&issuer, &label)?;
    let qr_svg = qr_svg(&uri).ok_or(rampart_crypto::CryptoError::Malformed)?;
    Ok(Some(TotpEnrolment { secret: secret.base32(), uri, qr_svg }))
}

/// The issuer apps show: the site's name without `:` (the URI's label separator).
fn issuer_name(site_name: &str) -> String {
    let name = site_name.replace(':', "");
    if name.trim().is_empty() { "Rampart".to_owned() } else { name }
}

/// Confirms a pending enrolment with a code from the app. The code's step counts as used.
pub async fn confirm_totp(
    work: &UnitOfWork<'_>,
    user_id: Uuid,
    code: &TotpCode,
) -> Result<bool, AccountError> {
    accept_code(work.state(), work.db(), user_id, code, CodeFor::Enrolment).await
}

/// Checks a code against the confirmed authenticator and spends its step: `true` once per step.
pub(super) async fn check_totp(
    work: &UnitOfWork<'_>,
    user_id: Uuid,
    code: &TotpCode,
) -> Result<bool, AccountError> {
    accept_code(work.state(), work.db(), user_id, code, CodeFor::SignIn).await
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CodeFor {
    /// The first code, confirming a pending enrolment.
    Enrolment,
    /// A code of a confirmed authenticator.
    SignIn,
}

async fn accept_code(
    state: &AppState,
    db: &impl Executor,
    user_id: Uuid,
    code: &TotpCode,
    purpose: CodeFor,
) -> Result<bool, AccountError> {
    let Some(factor) = find_totp_factor(db, user_id).await? else { return Ok(false) };
    if factor.confirmed_at.is_some() != (purpose == CodeFor::SignIn) {
        return Ok(false);
    }
    let Some(step) = matching_step(state, &state.keyring.current(), &factor, code)? else {
        return Ok(false);
    };
    Ok(match purpose {
        CodeFor::Enrolment => confirm_totp_factor(db, user_id, step, state.clock.now()).await?,
        CodeFor::SignIn => spend_totp_step(db, user_id, step).await?,
    })
}

/// Removes the authenticator; `true` if there was a confirmed one.
pub async fn remove_totp(db: &impl Executor, user_id: Uuid) -> Result<bool, StoreError> {
    delete_totp_factor(db, user_id).await
}

/// The secret's ciphertext under the newest field key, or `None` when it already uses it (what
/// the re-encryption job calls for every authenticator).
pub(crate) fn reencrypted_totp_secret(
    keyring: &Keyring,
    factor: &TotpFactorRow,
    random: &dyn rampart_domain::Random,
) -> Result<Option<Vec<u8>>, AccountError> {
    let current = keyring.current_version(rampart_crypto::Purpose::Fields);
    if rampart_crypto::field_key_version(&factor.secret_ciphertext) == current {
        return Ok(None);
    }
    let id = factor.user_id.to_string();
    let secret = keyring.decrypt_field(&secret_place(&id), &factor.secret_ciphertext)?;
    Ok(Some(keyring.encrypt_field(&secret_place(&id), &secret, random)?))
}

fn matching_step(
    state: &AppState,
    keyring: &Keyring,
    factor: &TotpFactorRow,
    code: &TotpCode,
) -> Result<Option<i64>, AccountError> {
    let id = factor.user_id.to_string();
    let bytes = keyring.decrypt_field(&secret_place(&id), &factor.secret_ciphertext).inspect_err(
        |_| tracing::error!(user_id = %factor.user_id, "crypt_decrypt_fail: a TOTP secret does not decrypt"),
    )?;
    let secret = TotpSecret::from_bytes(bytes)?;
    let now = u64::try_from(state.clock.now().unix_timestamp()).unwrap_or(0);
    Ok(secret.matching_step(code, now).and_then(|step| i64::try_from(step).ok()))
}

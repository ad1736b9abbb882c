//! Second factors: which an account has, whether its roles demand one, and checking them.
//!
//! - `totp.rs`: enrolment (secret encrypted at rest, `otpauth://` URI, QR code), confirmation,
//!   and the check that spends a 30-second step once;
//! - `recovery.rs`: ten single-use codes of 128 bits, only their hashes stored;
//! - `second_factor.rs`: the check sign-in and re-authentication share, with its audit events,
//!   e-mails and the count of wrong codes that ends a session;
//! - `passkeys.rs`: WebAuthn registration and sign-in (second factor or passwordless);
//! - `qr.rs`: the enrolment URI as an SVG QR code, drawn here;
//! - `own_factors.rs`: a person adding, listing and removing their own factors.
//!
//! Every single-use rule is a conditional UPDATE in the database (`store/src/totp_factors.rs`,
//! `store/src/recovery_codes.rs`), so it holds across instances.

pub mod own_factors;
mod passkeys;
mod qr;
mod recovery;
mod second_factor;
mod totp;

use rampart_domain::roles_require_mfa;
use rampart_store::passkeys::count_passkeys_of_user;
use rampart_store::recovery_codes::count_unused_recovery_codes;
use rampart_store::totp_factors::find_totp_factor;
use rampart_store::{Executor, StoreError};
use uuid::Uuid;

use crate::AppState;

pub use passkeys::{
    PasskeyError, Started, finish_passwordless, finish_registration, finish_second_factor,
    start_passwordless, start_registration, start_second_factor, store_passkey,
};
pub use qr::qr_svg;
pub use recovery::issue_recovery_codes;
pub use second_factor::{SecondFactor, check_second_factor, count_code_failure};
pub(crate) use totp::reencrypted_totp_secret;
pub use totp::{TotpEnrolment, confirm_totp, remove_totp, start_totp_enrolment};
/// What the browser answers to a passkey ceremony (registration, sign-in), as requests carry it.
pub use webauthn_rs::prelude::{PublicKeyCredential, RegisterPublicKeyCredential};

/// The second factors an account has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Factors {
    /// A confirmed authenticator app.
    pub totp: bool,
    pub passkeys: i64,
    pub recovery_codes_left: i64,
}

impl Factors {
    /// Whether sign-in must ask for a second factor. Recovery codes are the way back when a
    /// factor is lost, not a factor of their own.
    pub fn any(&self) -> bool {
        self.totp || self.passkeys > 0
    }

    /// How many factors there are (an authenticator app and each passkey).
    pub fn count(&self) -> i64 {
        i64::from(self.totp) + self.passkeys
    }

    /// The methods a pending sign-in may complete with.
    pub fn methods(&self) -> Vec<&'static str> {
        let mut methods = Vec::new();
        if self.totp {
            methods.push("totp");
        }
        if self.passkeys > 0 {
            methods.push("passkey");
        }
        if self.recovery_codes_left > 0 {
            methods.push("recovery_code");
        }
        methods
    }
}

pub async fn factors_of(state: &AppState, user_id: Uuid) -> Result<Factors, StoreError> {
    factors_in(&state.db, user_id).await
}

/// [`factors_of`] from the database alone (`rampart doctor` has no keyring).
pub async fn factors_in(db: &impl Executor, user_id: Uuid) -> Result<Factors, StoreError> {
    let totp = find_totp_factor(db, user_id).await?.is_some_and(|f| f.confirmed_at.is_some());
    let passkeys = count_passkeys_of_user(db, user_id).await?;
    let recovery_codes_left = count_unused_recovery_codes(db, user_id).await?;
    Ok(Factors { totp, passkeys, recovery_codes_left })
}

/// Whether a holder of `roles` must enrol a second factor before anything else: their roles
/// require one (`mfa.required_roles`) and they have none.
pub async fn owes_enrolment<R: AsRef<str>>(
    state: &AppState,
    user_id: Uuid,
    roles: &[R],
) -> Result<bool, StoreError> {
    if !roles_require_mfa(roles, &state.settings.mfa.required_roles) {
        return Ok(false);
    }
    Ok(!factors_of(state, user_id).await?.any())
}

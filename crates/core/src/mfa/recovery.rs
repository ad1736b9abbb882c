//! Recovery codes: ten, each 128 random bits, shown once as `xxxx-xxxx-…`; only the SHA-256 of
//! the canonical form is stored (the codes are random enough that a fast hash is safe).

use rampart_crypto::{NewToken, token_hash};
use rampart_domain::RecoveryCode;
use rampart_domain::mfa::{RECOVERY_CODE_BYTES, RECOVERY_CODE_COUNT};
use rampart_store::StoreError;
use rampart_store::recovery_codes::{replace_recovery_codes, use_recovery_code};
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::accounts::AccountError;
use crate::unit_of_work::UnitOfWork;

/// Replaces the user's recovery codes with a new set and returns it, for showing once.
pub async fn issue_recovery_codes(
    work: &UnitOfWork<'_>,
    user_id: Uuid,
) -> Result<Vec<Zeroizing<String>>, AccountError> {
    let state = work.state();
    let mut shown = Vec::with_capacity(RECOVERY_CODE_COUNT);
    let mut hashes = Vec::with_capacity(RECOVERY_CODE_COUNT);
    for _ in 0..RECOVERY_CODE_COUNT {
        let random = NewToken::generate(state.random.as_ref(), "", RECOVERY_CODE_BYTES)
            .map_err(rampart_crypto::CryptoError::from)?;
        let code =
            RecoveryCode::parse(random.expose()).ok_or(rampart_crypto::CryptoError::Malformed)?;
        hashes.push(token_hash(code.canonical()));
        shown.push(code.display());
    }
    replace_recovery_codes(work.db(), user_id, &hashes, state.clock.now()).await?;
    Ok(shown)
}

/// Uses one of the user's codes: `true` once per code.
pub(super) async fn redeem_recovery_code(
    work: &UnitOfWork<'_>,
    user_id: Uuid,
    code: &RecoveryCode,
) -> Result<bool, StoreError> {
    let now = work.state().clock.now();
    use_recovery_code(work.db(), user_id, &token_hash(code.canonical()), now).await
}

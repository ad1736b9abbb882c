//! Passkeys (WebAuthn, webauthn-rs): registration, and authentication as a second factor or on
//! its own (a discoverable credential with user verification: two factors in one).
//!
//! The relying party is `server.public_origin`: its host is the RP id, and only that origin is
//! accepted. Each ceremony's state is stored in `webauthn_challenges` (shared by every
//! instance), taken once, and refused after `mfa.challenge_ttl_secs` (5 minutes); webauthn-rs
//! makes 128-bit-or-more random challenges and checks origin, RP id, signature and user
//! verification.

use rampart_store::StoreError;
use rampart_store::passkeys::{
    PasskeyRow, insert_passkey, list_passkeys_of_user, record_passkey_use,
};
use rampart_store::webauthn_challenges::{
    ChallengeRow, delete_expired_challenges, insert_challenge, take_challenge,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;
use uuid::Uuid;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyAuthentication, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, Webauthn, WebauthnBuilder,
};

use crate::AppState;
use crate::accounts::Account;
use crate::unit_of_work::UnitOfWork;

/// What a ceremony is for (the `purpose` of its stored challenge).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ceremony {
    Register,
    SecondFactor,
    Passwordless,
}

impl Ceremony {
    fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::SecondFactor => "second_factor",
            Self::Passwordless => "passwordless",
        }
    }
}

/// A started ceremony: what the browser passes to `navigator.credentials`, and the id to send
/// back with its answer.
#[derive(Debug)]
pub struct Started {
    pub challenge_id: Uuid,
    pub options: Value,
}

/// Why a passkey ceremony did not complete.
#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    /// The challenge is unknown, used or expired, or the answer does not verify.
    #[error("the passkey was not accepted")]
    Rejected,
    #[error("this passkey is registered already")]
    AlreadyRegistered,
    #[error("the setting {0}")]
    Setting(&'static str),
    #[error("a ceremony's state could not be stored or read")]
    Encoding(#[source] serde_json::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn webauthn(state: &AppState) -> Result<Webauthn, PasskeyError> {
    let origin = Url::parse(&state.settings.server.public_origin)
        .map_err(|_| PasskeyError::Setting("server.public_origin is not a URL"))?;
    let rp_id = origin.host_str().unwrap_or("localhost").to_owned();
    let timeout = std::time::Duration::from_secs(state.settings.mfa.challenge_ttl_secs);
    WebauthnBuilder::new(&rp_id, &origin)
        .and_then(|builder| {
            builder.rp_name(&state.settings.accounts.site_name).timeout(timeout).build()
        })
        .map_err(|_| {
            PasskeyError::Setting("server.public_origin cannot be a WebAuthn relying party")
        })
}

fn credential_bytes(id: &webauthn_rs::prelude::CredentialID) -> &[u8] {
    id.as_ref()
}

fn passkey_of(row: &PasskeyRow) -> Result<Passkey, PasskeyError> {
    serde_json::from_str(&row.passkey).map_err(PasskeyError::Encoding)
}

async fn store_challenge(
    state: &AppState,
    ceremony: Ceremony,
    user_id: Option<Uuid>,
    server_state: &impl Serialize,
    options: &impl Serialize,
) -> Result<Started, PasskeyError> {
    let row = ChallengeRow {
        id: Uuid::new_v4(),
        user_id,
        purpose: ceremony.as_str().to_owned(),
        state: serde_json::to_string(server_state).map_err(PasskeyError::Encoding)?,
        expires_at: state.clock.now() + state.settings.mfa.challenge_ttl(),
    };
    // Abandoned ceremonies go as new ones start: the table holds only the last few minutes'.
    delete_expired_challenges(&state.db, state.clock.now()).await?;
    insert_challenge(&state.db, &row).await?;
    let options = serde_json::to_value(options).map_err(PasskeyError::Encoding)?;
    Ok(Started { challenge_id: row.id, options })
}

/// The challenge `id` for `ceremony`, taken once; `None` when unknown, used, expired, or started
/// for another user.
async fn take<T: DeserializeOwned>(
    state: &AppState,
    ceremony: Ceremony,
    id: Uuid,
    user_id: Option<Uuid>,
) -> Result<Option<T>, PasskeyError> {
    let Some(row) = take_challenge(&state.db, id, ceremony.as_str(), state.clock.now()).await?
    else {
        return Ok(None);
    };
    if row.user_id != user_id {
        return Ok(None);
    }
    Ok(Some(serde_json::from_str(&row.state).map_err(PasskeyError::Encoding)?))
}

/// Starts registering a passkey for `account`. The credential must be discoverable (so it can
/// sign in without a password) and verify its user.
pub async fn start_registration(
    state: &AppState,
    account: &Account,
) -> Result<Started, PasskeyError> {
    let mut exclude = Vec::new();
    for row in list_passkeys_of_user(&state.db, account.id).await? {
        exclude.push(passkey_of(&row)?.cred_id().clone());
    }
    let email = account.email.as_str();
    let (options, registration): (_, PasskeyRegistration) = webauthn(state)?
        .start_passkey_registration(account.id, email, email, Some(exclude))
        .map_err(|_| PasskeyError::Rejected)?;
    // A discoverable credential, so that the passkey can also sign in without a password.
    let mut options = serde_json::to_value(&options).map_err(PasskeyError::Encoding)?;
    options["publicKey"]["authenticatorSelection"]["residentKey"] = "required".into();
    options["publicKey"]["authenticatorSelection"]["requireResidentKey"] = true.into();
    store_challenge(state, Ceremony::Register, Some(account.id), &registration, &options).await
}

/// Finishes a registration (the challenge is used up either way): the new passkey, named
/// `name`, to store with [`store_passkey`].
pub async fn finish_registration(
    state: &AppState,
    user_id: Uuid,
    challenge_id: Uuid,
    name: &str,
    credential: &RegisterPublicKeyCredential,
) -> Result<PasskeyRow, PasskeyError> {
    let registration: PasskeyRegistration =
        take(state, Ceremony::Register, challenge_id, Some(user_id))
            .await?
            .ok_or(PasskeyError::Rejected)?;
    let passkey = webauthn(state)?
        .finish_passkey_registration(credential, &registration)
        .map_err(|_| PasskeyError::Rejected)?;
    let row = PasskeyRow {
        id: Uuid::new_v4(),
        user_id,
        name: name.to_owned(),
        credential_id: credential_bytes(passkey.cred_id()).to_vec(),
        passkey: serde_json::to_string(&passkey).map_err(PasskeyError::Encoding)?,
        created_at: state.clock.now(),
        last_used_at: None,
    };
    Ok(row)
}

/// Stores a passkey [`finish_registration`] verified, with `work`'s action.
pub async fn store_passkey(work: &UnitOfWork<'_>, row: &PasskeyRow) -> Result<(), PasskeyError> {
    match insert_passkey(work.db(), row).await {
        Ok(()) => Ok(()),
        Err(StoreError::Duplicate) => Err(PasskeyError::AlreadyRegistered),
        Err(other) => Err(other.into()),
    }
}

/// Starts a passkey check as the second factor of `user_id`; `None` when they have no passkey.
pub async fn start_second_factor(
    state: &AppState,
    user_id: Uuid,
) -> Result<Option<Started>, PasskeyError> {
    let rows = list_passkeys_of_user(&state.db, user_id).await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let passkeys = rows.iter().map(passkey_of).collect::<Result<Vec<_>, _>>()?;
    let (options, authentication): (_, PasskeyAuthentication) = webauthn(state)?
        .start_passkey_authentication(&passkeys)
        .map_err(|_| PasskeyError::Rejected)?;
    store_challenge(state, Ceremony::SecondFactor, Some(user_id), &authentication, &options)
        .await
        .map(Some)
}

/// Finishes a second-factor check: whether one of the user's passkeys answered.
pub async fn finish_second_factor(
    state: &AppState,
    user_id: Uuid,
    challenge_id: Uuid,
    credential: &PublicKeyCredential,
) -> Result<bool, PasskeyError> {
    let Some(authentication) =
        take::<PasskeyAuthentication>(state, Ceremony::SecondFactor, challenge_id, Some(user_id))
            .await?
    else {
        return Ok(false);
    };
    let Ok(result) = webauthn(state)?.finish_passkey_authentication(credential, &authentication)
    else {
        return Ok(false);
    };
    let rows = list_passkeys_of_user(&state.db, user_id).await?;
    let used = rows.iter().find(|row| row.credential_id == credential_bytes(result.cred_id()));
    if let Some(row) = used {
        let mut passkey = passkey_of(row)?;
        passkey.update_credential(&result);
        let json = serde_json::to_string(&passkey).map_err(PasskeyError::Encoding)?;
        record_passkey_use(&state.db, row.id, &json, state.clock.now()).await?;
    }
    Ok(result.user_verified() && used.is_some())
}

/// Starts a passwordless sign-in: any discoverable passkey of this site may answer.
pub async fn start_passwordless(state: &AppState) -> Result<Started, PasskeyError> {
    let (mut options, authentication): (_, DiscoverableAuthentication) =
        webauthn(state)?.start_discoverable_authentication().map_err(|_| PasskeyError::Rejected)?;
    // A plain modal request: the sign-in page calls it on a click, not from autofill.
    options.mediation = None;
    store_challenge(state, Ceremony::Passwordless, None, &authentication, &options).await
}

/// Finishes a passwordless sign-in: the user whose passkey answered, with user verification.
pub async fn finish_passwordless(
    state: &AppState,
    challenge_id: Uuid,
    credential: &PublicKeyCredential,
) -> Result<Option<Uuid>, PasskeyError> {
    let Some(authentication) =
        take::<DiscoverableAuthentication>(state, Ceremony::Passwordless, challenge_id, None)
            .await?
    else {
        return Ok(None);
    };
    let webauthn = webauthn(state)?;
    let Ok((user_id, credential_id)) = webauthn.identify_discoverable_authentication(credential)
    else {
        return Ok(None);
    };
    let rows = list_passkeys_of_user(&state.db, user_id).await?;
    let Some(row) = rows.iter().find(|row| row.credential_id == credential_id) else {
        return Ok(None);
    };
    let mut passkey = passkey_of(row)?;
    let Ok(result) =
        webauthn.finish_discoverable_authentication_v2(credential, authentication, &passkey)
    else {
        return Ok(None);
    };
    if !result.user_verified() {
        return Ok(None);
    }
    passkey.update_credential(&result);
    let json = serde_json::to_string(&passkey).map_err(PasskeyError::Encoding)?;
    record_passkey_use(&state.db, row.id, &json, state.clock.now()).await?;
    Ok(Some(user_id))
}

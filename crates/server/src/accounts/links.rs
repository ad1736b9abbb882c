//! Single-use links: the first owner's bootstrap link, e-mail verification and password reset.
//! 128 random bits, only their SHA-256 stored, used up by the statement that accepts them.

use rampart_crypto::{NewToken, token_hash};
use rampart_domain::{AuditAction, BuiltInRole, Email, Password};
use rampart_store::StoreError;
use rampart_store::one_time_tokens::{
    TokenPurpose, insert_one_time_token, revoke_one_time_tokens, use_one_time_token,
};
use rampart_store::roles::{count_users_with_role, grant_role};
use rampart_store::users::mark_email_verified;
use uuid::Uuid;

use super::{Account, AccountError, create_account};
use crate::AppState;
use crate::audit::{AuditEvent, record};
use crate::client::ClientContext;

const LINK_TOKEN_BYTES: usize = 16;

/// A new link for `purpose`; older unused links of the same purpose for the same user stop
/// working.
pub async fn issue_link(
    state: &AppState,
    purpose: TokenPurpose,
    user_id: Option<Uuid>,
) -> Result<NewToken, StoreError> {
    let now = state.clock.now();
    let accounts = &state.settings.accounts;
    let ttl = match purpose {
        TokenPurpose::Bootstrap => accounts.bootstrap_link_ttl_secs,
        TokenPurpose::VerifyEmail => accounts.verification_link_ttl_secs,
        TokenPurpose::PasswordReset => accounts.reset_link_ttl_secs,
    };
    let token = NewToken::generate(state.random.as_ref(), "", LINK_TOKEN_BYTES)
        .map_err(|_| StoreError::Conflict("no randomness for a link"))?;
    revoke_one_time_tokens(&state.db, purpose, user_id, now).await?;
    let expires_at = now + crate::config::seconds(ttl);
    insert_one_time_token(&state.db, &token.hash(), purpose, user_id, now, expires_at).await?;
    Ok(token)
}

/// Uses up the link `token` for `purpose`. `Ok(None)` when it is unknown, already used or
/// expired; otherwise the user it was for (none for the bootstrap link).
pub async fn consume_link(
    state: &AppState,
    token: &str,
    purpose: TokenPurpose,
) -> Result<Option<Option<Uuid>>, StoreError> {
    let now = state.clock.now();
    let used = use_one_time_token(&state.db, &token_hash(token), purpose, now).await?;
    Ok(used.filter(|used| now < used.expires_at).map(|used| used.user_id))
}

/// The first owner's link, when the installation has no owner yet.
pub async fn issue_bootstrap_link(state: &AppState) -> Result<Option<NewToken>, StoreError> {
    if count_users_with_role(&state.db, BuiltInRole::Owner.as_str()).await? > 0 {
        return Ok(None);
    }
    issue_link(state, TokenPurpose::Bootstrap, None).await.map(Some)
}

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error("an owner exists already; sign in as the owner to add people")]
    OwnerExists,
    #[error(transparent)]
    Account(#[from] AccountError),
}

/// Creates the first owner (address verified: whoever holds the bootstrap link or the command
/// line is trusted with it). Refused once an owner exists.
pub async fn create_owner(
    state: &AppState,
    email: &Email,
    password: Password,
    client: &ClientContext,
) -> Result<Account, BootstrapError> {
    let owner = BuiltInRole::Owner.as_str();
    let owners = count_users_with_role(&state.db, owner).await.map_err(AccountError::from)?;
    if owners > 0 {
        return Err(BootstrapError::OwnerExists);
    }
    let mut account = create_account(state, email, password).await?;
    let now = state.clock.now();
    mark_email_verified(&state.db, account.id, now).await.map_err(AccountError::from)?;
    grant_role(&state.db, account.id, owner, now).await.map_err(AccountError::from)?;
    // The owner exists: a bootstrap link still unused (`rampart user create-owner` was used
    // instead) is spent too, so that no link to the installation is left open.
    revoke_one_time_tokens(&state.db, TokenPurpose::Bootstrap, None, now)
        .await
        .map_err(AccountError::from)?;
    account.email_verified = true;
    record(
        state,
        AuditEvent::success(AuditAction::UserCreated)
            .client(client)
            .own_account(account.id)
            .detail("role", owner),
    )
    .await
    .map_err(AccountError::from)?;
    Ok(account)
}

//! Single-use links: the first owner's bootstrap link, e-mail verification and password reset.
//! 128 random bits, only their SHA-256 stored, used up by the statement that accepts them.

use rampart_crypto::{NewToken, token_hash};
use rampart_domain::{AuditAction, BuiltInRole, Email, Password};
use rampart_store::StoreError;
use rampart_store::one_time_tokens::{
    TokenPurpose, find_unused_one_time_token, insert_one_time_token, revoke_one_time_tokens,
    use_one_time_token,
};
use rampart_store::roles::{count_users_with_role, grant_role};
use rampart_store::users::mark_email_verified;
use uuid::Uuid;

use super::{Account, AccountError, prepare_account};
use crate::AppState;
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::unit_of_work::UnitOfWork;

const LINK_TOKEN_BYTES: usize = 16;

/// A new link for `purpose`; older unused links of the same purpose for the same user stop
/// working.
pub async fn issue_link(
    work: &UnitOfWork<'_>,
    purpose: TokenPurpose,
    user_id: Option<Uuid>,
) -> Result<NewToken, StoreError> {
    let state = work.state();
    let now = state.clock.now();
    let accounts = &state.settings.accounts;
    let ttl = match purpose {
        TokenPurpose::Bootstrap => accounts.bootstrap_link_ttl_secs,
        TokenPurpose::VerifyEmail => accounts.verification_link_ttl_secs,
        TokenPurpose::PasswordReset => accounts.reset_link_ttl_secs,
    };
    let token = NewToken::generate(state.random.as_ref(), "", LINK_TOKEN_BYTES)
        .map_err(|_| StoreError::Conflict("no randomness for a link"))?;
    revoke_one_time_tokens(work.db(), purpose, user_id, now).await?;
    let expires_at = now + crate::config::seconds(ttl);
    insert_one_time_token(work.db(), &token.hash(), purpose, user_id, now, expires_at).await?;
    Ok(token)
}

/// Uses up the link `token` for `purpose` with `work`'s action (a failed action leaves it
/// usable). `Ok(None)` when it is unknown, already used or expired; otherwise the user it was for
/// (none for the bootstrap link).
pub async fn consume_link(
    work: &UnitOfWork<'_>,
    token: &str,
    purpose: TokenPurpose,
) -> Result<Option<Option<Uuid>>, StoreError> {
    let now = work.state().clock.now();
    let used = use_one_time_token(work.db(), &token_hash(token), purpose, now).await?;
    Ok(used.filter(|used| now < used.expires_at).map(|used| used.user_id))
}

/// What [`consume_link`] would answer, without using the link up: for a use case with slow work
/// to do (hashing a password) before its unit of work opens.
pub async fn peek_link(
    state: &AppState,
    token: &str,
    purpose: TokenPurpose,
) -> Result<Option<Option<Uuid>>, StoreError> {
    let now = state.clock.now();
    let found = find_unused_one_time_token(&state.db, &token_hash(token), purpose).await?;
    Ok(found.filter(|found| now < found.expires_at).map(|found| found.user_id))
}

/// The first owner's link, when the installation has no owner yet.
pub async fn issue_bootstrap_link(state: &AppState) -> Result<Option<NewToken>, StoreError> {
    if count_users_with_role(&state.db, BuiltInRole::Owner.as_str()).await? > 0 {
        return Ok(None);
    }
    let work = UnitOfWork::begin(state).await?;
    let link = issue_link(&work, TokenPurpose::Bootstrap, None).await?;
    work.commit().await?;
    Ok(Some(link))
}

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error("an owner exists already; sign in as the owner to add people")]
    OwnerExists,
    #[error("the link is unknown, used or expired")]
    InvalidLink,
    #[error(transparent)]
    Account(#[from] AccountError),
}

/// Creates the first owner (address verified: whoever holds the bootstrap link or the command
/// line is trusted with it), using up `bootstrap_link` when one is given (the page's link; the
/// command line has none). Refused once an owner exists; a used or expired link is
/// [`BootstrapError::InvalidLink`].
pub async fn create_owner(
    state: &AppState,
    bootstrap_link: Option<&str>,
    email: &Email,
    password: Password,
    client: &ClientContext,
) -> Result<Account, BootstrapError> {
    let owner = BuiltInRole::Owner.as_str();
    let new = prepare_account(state, email, password).await?;
    let mut work = UnitOfWork::begin(state).await.map_err(AccountError::from)?;
    if let Some(token) = bootstrap_link {
        let used = consume_link(&work, token, TokenPurpose::Bootstrap).await;
        if used.map_err(AccountError::from)?.is_none() {
            return Err(BootstrapError::InvalidLink);
        }
    }
    // Counted inside the unit: two first owners racing cannot both pass.
    let owners = count_users_with_role(work.db(), owner).await.map_err(AccountError::from)?;
    if owners > 0 {
        return Err(BootstrapError::OwnerExists);
    }
    let mut account = new.insert(&work).await?;
    let now = state.clock.now();
    mark_email_verified(work.db(), account.id, now).await.map_err(AccountError::from)?;
    grant_role(work.db(), account.id, owner, now).await.map_err(AccountError::from)?;
    // The owner exists: a bootstrap link still unused (`rampart user create-owner` was used
    // instead) is spent too, so that no link to the installation is left open.
    revoke_one_time_tokens(work.db(), TokenPurpose::Bootstrap, None, now)
        .await
        .map_err(AccountError::from)?;
    account.email_verified = true;
    work.record(
        AuditEvent::success(AuditAction::UserCreated)
            .client(client)
            .own_account(account.id)
            .detail("role", owner),
    );
    work.commit().await.map_err(AccountError::from)?;
    Ok(account)
}

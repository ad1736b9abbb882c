//! Accepting an invitation: the link's token and a new password make the account — address
//! verified (the link reached it), exactly the invited grants, given by the inviter — and sign
//! it in, in one unit of work with its events. If the roles require a second factor, the
//! session owes enrolment as any such user's does (`sessions::standing`).
//!
//! Throttled as sign-in is per client: a blocked client is refused before any work, and each
//! unusable link counts as a failure from the client (enough of them block it), so guessing
//! links is as slow as guessing passwords. The slow work (hashing) happens before the unit
//! opens; the invitation is used up by the statement that marks it accepted, so two requests
//! with one link cannot both make an account.

use rampart_crypto::token_hash;
use rampart_domain::{Assurance, AuditAction, Password, retry_after_secs};
use rampart_store::invitations::{
    accept_invitation as accept_row, find_pending_invitation_by_token,
};
use rampart_store::roles::set_role_grant;
use rampart_store::users::mark_email_verified;
use uuid::Uuid;

use super::{Invitation, InvitationError, grants, open};
use crate::AppState;
use crate::access::role_grants::GrantError;
use crate::accounts::sign_in::{blocked_client, count_client_failure};
use crate::accounts::{AccountError, active_user_grants, password_context, prepare_account};
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::incident::lockdown::{LockdownRefusal, lockdown_state};
use crate::sessions::{Grant, StartedSession, signed_in, start_session};
use crate::unit_of_work::UnitOfWork;

/// Makes the invited account with `password` and signs it in; see the module documentation.
pub async fn accept_invitation(
    state: &AppState,
    token: &str,
    password: &str,
    client: &ClientContext,
) -> Result<StartedSession, InvitationError> {
    if let Some(wait) = blocked_client(state, client, AuditAction::InvitationAcceptFail).await? {
        return Err(InvitationError::Throttled { retry_after_secs: retry_after_secs(wait) });
    }
    let hash = token_hash(token);
    let now = state.clock.now();
    let found = find_pending_invitation_by_token(&state.db, &hash).await?;
    let Some(row) = found.filter(|row| now < row.expires_at) else {
        refuse(state, client, None, "invalid_link", Some(&hash)).await?;
        return Err(InvitationError::InvalidLink);
    };
    let invitation = open(&state.keyring.current(), &row)?;
    if lockdown_state(state).await?.active {
        refuse(state, client, Some(invitation.id), "lockdown", None).await?;
        return Err(LockdownRefusal::Locked.into());
    }
    let password = Password::new(password, &password_context(state, &invitation.email))?;
    if !still_holds(state, &invitation).await? {
        refuse(state, client, Some(invitation.id), "grants_changed", None).await?;
        return Err(InvitationError::NoLongerValid);
    }
    let new = match prepare_account(state, &invitation.email, password).await {
        Err(AccountError::EmailTaken) => return account_exists(state, client, &invitation).await,
        prepared => prepared?,
    };

    let mut work = UnitOfWork::begin(state).await?;
    let account = match new.insert(&work).await {
        Err(AccountError::EmailTaken) => {
            drop(work);
            return account_exists(state, client, &invitation).await;
        }
        inserted => inserted?,
    };
    if !accept_row(work.db(), invitation.id, &hash, account.id, now).await? {
        // Used by a request racing this one: nothing of this unit remains.
        return Err(InvitationError::InvalidLink);
    }
    mark_email_verified(work.db(), account.id, now).await.map_err(AccountError::from)?;
    for grant in &invitation.grants {
        let departments = grant.departments.as_deref();
        set_role_grant(work.db(), account.id, &grant.role, departments, invitation.invited_by, now)
            .await?;
        work.record(
            AuditEvent::success(AuditAction::PrivilegePermissionsChanged)
                .client(client)
                .actor(invitation.invited_by)
                .target(format!("user:{}", account.id))
                .detail("change", "granted")
                .detail("role", grant.role.as_str())
                .detail("departments", departments.map_or(serde_json::json!("all"), Into::into))
                .detail("invitation", invitation.id.to_string()),
        );
    }
    work.record(
        AuditEvent::success(AuditAction::UserCreated)
            .client(client)
            .own_account(account.id)
            .detail("via", "invitation")
            .detail("invited_by", invitation.invited_by.to_string()),
    );
    work.record(
        AuditEvent::success(AuditAction::InvitationAccepted)
            .client(client)
            .actor(account.id)
            .target(format!("invitation:{}", invitation.id)),
    );
    let grant = Grant::Full(Assurance::Password);
    let session = start_session(&work, account.id, client, None, grant).await?;
    signed_in(&mut work, &account, client, &session).await?;
    work.commit().await?;
    Ok(session)
}

/// Whether the invitation can still be honoured: its roles and departments exist, and its
/// inviter is an active account that may still give them.
async fn still_holds(state: &AppState, invitation: &Invitation) -> Result<bool, InvitationError> {
    let Some(inviter) = active_user_grants(state, invitation.invited_by).await? else {
        return Ok(false);
    };
    match grants::check(state, &inviter, &invitation.grants).await {
        Ok(()) => Ok(true),
        Err(GrantError::Store(error)) => Err(error.into()),
        Err(_) => Ok(false),
    }
}

/// The address got an account after the invitation was made: the link's holder hears what any
/// unusable link gets (only the inviter is told about accounts); the trail has the reason.
async fn account_exists(
    state: &AppState,
    client: &ClientContext,
    invitation: &Invitation,
) -> Result<StartedSession, InvitationError> {
    refuse(state, client, Some(invitation.id), "account_exists", None).await?;
    Err(InvitationError::InvalidLink)
}

/// Records a refused acceptance (`invitation_accept_fail`, `reason`); a link that matches no
/// usable invitation (`guessed`: its hash) also counts as a failure from the client.
async fn refuse(
    state: &AppState,
    client: &ClientContext,
    invitation: Option<Uuid>,
    reason: &'static str,
    guessed: Option<&[u8]>,
) -> Result<(), InvitationError> {
    let mut event = AuditEvent::failure(AuditAction::InvitationAcceptFail)
        .client(client)
        .detail("reason", reason);
    if let Some(id) = invitation {
        event = event.target(format!("invitation:{id}"));
    }
    let mut work = UnitOfWork::begin(state).await?;
    work.record(event);
    if let Some(subject) = guessed {
        count_client_failure(&mut work, client, subject).await?;
    }
    work.commit().await?;
    Ok(())
}

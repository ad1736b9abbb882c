//! Invitations (`invitations`): an address invited with roles × departments, until the invitee
//! accepts, an administrator revokes, or the link expires. The address appears only as
//! ciphertext and blind index, the link only as the SHA-256 of its token; accepting marks the row
//! in the same statement that finds it, so two requests racing with one link cannot both win.

use sea_query::{Expr, ExprTrait, Iden, Order, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Executor, StoreError};

#[derive(Iden)]
enum Invitations {
    Table,
    Id,
    TokenHash,
    EmailCiphertext,
    EmailIndex,
    EmailIndexVersion,
    Grants,
    InvitedBy,
    CreatedAt,
    ExpiresAt,
    Status,
    ClosedAt,
    UserId,
}

/// What an invitation is at: the stored `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Revoked,
}

impl InvitationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Revoked => "revoked",
        }
    }

    /// The status a stored name stands for; `None` for a name outside the vocabulary.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Pending, Self::Accepted, Self::Revoked].into_iter().find(|s| s.as_str() == name)
    }
}

/// One invitation as stored (its token's hash is written, never read back).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InvitationRow {
    pub id: Uuid,
    pub email_ciphertext: Vec<u8>,
    pub email_index: Vec<u8>,
    pub email_index_version: i64,
    /// JSON: `[{"role": …, "departments": null | […]}]`, read back by the use case.
    pub grants: String,
    pub invited_by: Uuid,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub status: String,
    pub closed_at: Option<OffsetDateTime>,
    /// The account made when it was accepted.
    pub user_id: Option<Uuid>,
}

/// Stores a new invitation with the hash of its link's token. [`StoreError::Duplicate`] when
/// the address has a pending invitation (close it first: [`revoke_pending_invitations_for`]).
pub async fn insert_invitation(
    db: &impl Executor,
    invitation: &InvitationRow,
    token_hash: &[u8],
) -> Result<(), StoreError> {
    let insert = Query::insert()
        .into_table(Invitations::Table)
        .columns(row_columns().into_iter().chain([Invitations::TokenHash]))
        .values_panic([
            invitation.id.into(),
            invitation.email_ciphertext.clone().into(),
            invitation.email_index.clone().into(),
            invitation.email_index_version.into(),
            invitation.grants.clone().into(),
            invitation.invited_by.into(),
            invitation.created_at.into(),
            invitation.expires_at.into(),
            invitation.status.clone().into(),
            invitation.closed_at.into(),
            invitation.user_id.into(),
            token_hash.to_vec().into(),
        ])
        .to_owned();
    db.execute(&insert).await.map(drop)
}

/// The pending invitation whose link has this token hash (expired or not: the caller decides).
pub async fn find_pending_invitation_by_token(
    db: &impl Executor,
    token_hash: &[u8],
) -> Result<Option<InvitationRow>, StoreError> {
    let query = Query::select()
        .columns(row_columns())
        .from(Invitations::Table)
        .and_where(Expr::col(Invitations::TokenHash).eq(token_hash.to_vec()))
        .and_where(Expr::col(Invitations::Status).eq(InvitationStatus::Pending.as_str()))
        .to_owned();
    db.fetch_optional(&query).await
}

pub async fn find_invitation_by_id(
    db: &impl Executor,
    id: Uuid,
) -> Result<Option<InvitationRow>, StoreError> {
    let query = Query::select()
        .columns(row_columns())
        .from(Invitations::Table)
        .and_where(Expr::col(Invitations::Id).eq(id))
        .to_owned();
    db.fetch_optional(&query).await
}

/// Up to `limit` pending invitations (expired ones too), oldest first.
pub async fn list_pending_invitations(
    db: &impl Executor,
    limit: u64,
) -> Result<Vec<InvitationRow>, StoreError> {
    let query = Query::select()
        .columns(row_columns())
        .from(Invitations::Table)
        .and_where(Expr::col(Invitations::Status).eq(InvitationStatus::Pending.as_str()))
        .order_by(Invitations::CreatedAt, Order::Asc)
        .order_by(Invitations::Id, Order::Asc)
        .limit(limit)
        .to_owned();
    db.fetch_all(&query).await
}

/// Marks the pending invitation `id` accepted by the new account `user_id`, only while its link
/// is still the one presented (`token_hash`). Returns whether it was pending.
pub async fn accept_invitation(
    db: &impl Executor,
    id: Uuid,
    token_hash: &[u8],
    user_id: Uuid,
    at: OffsetDateTime,
) -> Result<bool, StoreError> {
    let update = Query::update()
        .table(Invitations::Table)
        .values([
            (Invitations::Status, InvitationStatus::Accepted.as_str().into()),
            (Invitations::ClosedAt, at.into()),
            (Invitations::UserId, user_id.into()),
        ])
        .and_where(Expr::col(Invitations::Id).eq(id))
        .and_where(Expr::col(Invitations::TokenHash).eq(token_hash.to_vec()))
        .and_where(Expr::col(Invitations::Status).eq(InvitationStatus::Pending.as_str()))
        .to_owned();
    Ok(db.execute(&update).await? == 1)
}

/// Revokes the pending invitation `id`; returns whether it was pending.
pub async fn revoke_invitation(
    db: &impl Executor,
    id: Uuid,
    at: OffsetDateTime,
) -> Result<bool, StoreError> {
    let update = revoke(at).and_where(Expr::col(Invitations::Id).eq(id)).to_owned();
    Ok(db.execute(&update).await? == 1)
}

/// Revokes every pending invitation of the address whose blind index is one of `digests` (one
/// per key version): a new invitation replaces them. Returns their ids.
pub async fn revoke_pending_invitations_for(
    db: &impl Executor,
    digests: &[Vec<u8>],
    at: OffsetDateTime,
) -> Result<Vec<Uuid>, StoreError> {
    let update = revoke(at)
        .and_where(Expr::col(Invitations::EmailIndex).is_in(digests.iter().cloned()))
        .returning(Query::returning().column(Invitations::Id))
        .to_owned();
    Ok(db.fetch_all::<(Uuid,)>(&update).await?.into_iter().map(|(id,)| id).collect())
}

/// Revokes every pending invitation `inviter` made (their account is being erased); returns
/// how many.
pub async fn revoke_invitations_made_by(
    db: &impl Executor,
    inviter: Uuid,
    at: OffsetDateTime,
) -> Result<u64, StoreError> {
    let update = revoke(at).and_where(Expr::col(Invitations::InvitedBy).eq(inviter)).to_owned();
    db.execute(&update).await
}

/// Deletes invitations that expired before `before`, whatever their status; returns how many.
pub async fn delete_invitations_expired_before(
    db: &impl Executor,
    before: OffsetDateTime,
) -> Result<u64, StoreError> {
    let delete = Query::delete()
        .from_table(Invitations::Table)
        .and_where(Expr::col(Invitations::ExpiresAt).lt(before))
        .to_owned();
    db.execute(&delete).await
}

/// Deletes the invitation account `user_id` accepted (its address is the account's).
pub async fn delete_invitations_of_user(
    db: &impl Executor,
    user_id: Uuid,
) -> Result<u64, StoreError> {
    let delete = Query::delete()
        .from_table(Invitations::Table)
        .and_where(Expr::col(Invitations::UserId).eq(user_id))
        .to_owned();
    db.execute(&delete).await
}

/// The e-mail ciphertext and blind-index version of every stored invitation: the key versions
/// they use stay until the rows are deleted (they are short-lived, so they are not re-encrypted).
pub async fn invitation_key_uses(db: &impl Executor) -> Result<Vec<(Vec<u8>, i64)>, StoreError> {
    let query = Query::select()
        .columns([Invitations::EmailCiphertext, Invitations::EmailIndexVersion])
        .from(Invitations::Table)
        .to_owned();
    db.fetch_all(&query).await
}

/// What a row is read as: every column but the token's hash.
fn row_columns() -> [Invitations; 11] {
    [
        Invitations::Id,
        Invitations::EmailCiphertext,
        Invitations::EmailIndex,
        Invitations::EmailIndexVersion,
        Invitations::Grants,
        Invitations::InvitedBy,
        Invitations::CreatedAt,
        Invitations::ExpiresAt,
        Invitations::Status,
        Invitations::ClosedAt,
        Invitations::UserId,
    ]
}

/// Pending invitations become revoked at `at` (the caller narrows which).
fn revoke(at: OffsetDateTime) -> sea_query::UpdateStatement {
    Query::update()
        .table(Invitations::Table)
        .values([
            (Invitations::Status, InvitationStatus::Revoked.as_str().into()),
            (Invitations::ClosedAt, at.into()),
        ])
        .and_where(Expr::col(Invitations::Status).eq(InvitationStatus::Pending.as_str()))
        .to_owned()
}

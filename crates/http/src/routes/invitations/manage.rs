//! An administrator's side of invitations (`users:manage`): invite an address with roles ×
//! departments, list the pending invitations, revoke one.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rampart_domain::{Email, Permission};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::caller::{Client, SignedIn};
use crate::extract::ApiJson;
use crate::routes::responses::{
    ErrorResponse, JsonBodyErrors, NOT_A_UUID, NOT_PERMITTED, Outcome, StatusResponse,
    UNAUTHENTICATED,
};
use crate::{ApiError, AppState};
use rampart_core::accounts::invitations::{
    Invitation, InvitedGrant, invite, pending_invitations, revoke_invitation as revoke,
};

/// One role of an invitation.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct InvitationGrant {
    /// A built-in or custom role.
    #[schema(schema_with = crate::routes::shapes::slug_schema)]
    role: String,
    /// The departments the role covers; absent or `null` for all.
    #[serde(default)]
    #[schema(schema_with = crate::routes::shapes::department_names_schema)]
    departments: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct InvitationRequest {
    #[schema(format = Email, max_length = 254)]
    email: String,
    /// The roles the account will hold, each at most once.
    #[schema(min_items = 1, max_items = 16)]
    grants: Vec<InvitationGrant>,
}

/// A pending invitation.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct InvitationView {
    id: Uuid,
    email: String,
    grants: Vec<InvitationGrant>,
    invited_by: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    /// The link works until then.
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
    /// The link no longer works: invite the address again for a new one.
    expired: bool,
}

impl InvitationView {
    fn new(invitation: Invitation, now: OffsetDateTime) -> Self {
        let grants = invitation
            .grants
            .into_iter()
            .map(|grant| InvitationGrant { role: grant.role, departments: grant.departments })
            .collect();
        Self {
            id: invitation.id,
            email: invitation.email.as_str().to_owned(),
            grants,
            invited_by: invitation.invited_by,
            created_at: invitation.created_at,
            expires_at: invitation.expires_at,
            expired: invitation.expires_at <= now,
        }
    }
}

/// The pending invitations, oldest first (expired ones too, flagged).
#[utoipa::path(get, path = "/api/invitations",
    responses(
        (status = 200, description = "the pending invitations", body = Vec<InvitationView>),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = NOT_PERMITTED, body = ErrorResponse),
    ))]
pub(super) async fn list_invitations(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
) -> Result<Json<Vec<InvitationView>>, ApiError> {
    principal.require(Permission::UsersManage)?;
    let now = state.clock.now();
    let pending = pending_invitations(&state).await?;
    Ok(Json(pending.into_iter().map(|invitation| InvitationView::new(invitation, now)).collect()))
}

/// Invites an address: a single-use link to set a password and join with these roles is
/// e-mailed to it (valid `accounts.invitation_ttl_secs`, 72 hours by default). A pending
/// invitation of the same address is replaced (its link stops working).
///
/// Needs `users:manage`, a re-authentication within `sessions.reauth_window_secs`, and every
/// permission each role gives over the departments it covers (as granting a role does).
#[utoipa::path(post, path = "/api/invitations", request_body = InvitationRequest,
    responses(
        (status = 201, description = "invited; the link is on its way", body = InvitationView),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: the caller lacks `users:manage` or does not \
            hold a role's permissions over its departments; `reauth_required`: step up first",
            body = ErrorResponse),
        (status = 409, description = "`conflict`: the address already has an account (grant it \
            roles instead)", body = ErrorResponse),
        (status = 422, description = "`invalid_input`: the address is malformed, a role is \
            unknown or given twice, or a department does not exist", body = ErrorResponse),
        JsonBodyErrors,
    ))]
pub(super) async fn create_invitation(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    ApiJson(request): ApiJson<InvitationRequest>,
) -> Result<(StatusCode, Json<InvitationView>), ApiError> {
    principal.require(Permission::UsersManage)?;
    principal.require_step_up(&state)?;
    let email = Email::parse(&request.email)
        .map_err(|error| ApiError::Unprocessable(format!("email: {error}")))?;
    let grants = request
        .grants
        .into_iter()
        .map(|grant| InvitedGrant { role: grant.role, departments: grant.departments })
        .collect();
    let invitation = invite(&state, &principal, &client, &email, grants).await?;
    Ok((StatusCode::CREATED, Json(InvitationView::new(invitation, state.clock.now()))))
}

/// Revokes a pending invitation: its link stops working. The caller must hold what it would
/// give.
#[utoipa::path(delete, path = "/api/invitations/{id}",
    params(("id" = Uuid, Path, description = "the invitation")),
    responses(
        (status = 200, description = "`{\"status\":\"revoked\"}`", body = StatusResponse),
        (status = 400, description = NOT_A_UUID, body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: the caller lacks `users:manage` or does not \
            hold what the invitation gives", body = ErrorResponse),
        (status = 404, description = "`not_found`: no such pending invitation", body = ErrorResponse),
    ))]
pub(super) async fn revoke_invitation(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path(id): Path<Uuid>,
) -> Result<Json<StatusResponse>, ApiError> {
    principal.require(Permission::UsersManage)?;
    revoke(&state, &principal, &client, id).await?;
    Ok(Json(StatusResponse::new(Outcome::Revoked)))
}

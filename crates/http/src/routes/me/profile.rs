//! `GET /api/me`: who the caller is and what they may do.

use axum::Json;
use axum::extract::State;
use rampart_domain::DepartmentScope;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::caller::Enrolling;
use crate::routes::responses::{ErrorResponse, UNAUTHENTICATED};
use crate::{ApiError, AppState};
use rampart_core::accounts::find_account_by_id;
use rampart_core::mfa::factors_of;
use rampart_core::sessions::Credential;

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct MeResponse {
    id: Uuid,
    email: String,
    email_verified: bool,
    /// The roles held, e.g. `owner`, `customer`, or a custom role's name.
    roles: Vec<String>,
    /// What this credential may do now (somewhere), e.g. `users:manage`.
    permissions: Vec<&'static str>,
    /// Each role held, with its permissions and departments (`null`: every department).
    grants: Vec<GrantView>,
    credential: CredentialView,
    mfa: MfaView,
}

/// One role held, and where.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct GrantView {
    role: String,
    permissions: Vec<&'static str>,
    departments: Option<Vec<String>>,
}

/// The caller's second factors.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct MfaView {
    /// An authenticator app is enrolled and confirmed.
    totp: bool,
    passkeys: i64,
    recovery_codes_left: i64,
    /// The roles require a second factor and there is none: only enrolment is open.
    enrolment_required: bool,
    /// How this session's holder proved who they are (absent for API keys).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    assurance: Option<&'static str>,
}

/// The credential the request came with.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(super) enum CredentialView {
    Session { id: Uuid },
    ApiKey { id: Uuid },
}

/// Who the caller is: account, roles, permissions, second factors and the credential used.
///
/// Open to callers who still owe a second factor.
#[utoipa::path(
    get,
    path = "/api/me",
    responses(
        (status = 200, description = "the caller", body = MeResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
    ),
)]
pub(super) async fn me(
    State(state): State<AppState>,
    Enrolling(principal): Enrolling,
) -> Result<Json<MeResponse>, ApiError> {
    let account =
        find_account_by_id(&state, principal.user_id).await?.ok_or(ApiError::Unauthenticated)?;
    let credential = match &principal.credential {
        Credential::Session { id, .. } => CredentialView::Session { id: *id },
        Credential::ApiKey { id, .. } => CredentialView::ApiKey { id: *id },
    };
    let factors = factors_of(&state, principal.user_id).await?;
    let mfa = MfaView {
        totp: factors.totp,
        passkeys: factors.passkeys,
        recovery_codes_left: factors.recovery_codes_left,
        enrolment_required: principal.owes_enrolment,
        assurance: principal.assurance().map(|level| level.as_str()),
    };
    Ok(Json(MeResponse {
        id: account.id,
        email: account.email.as_str().to_owned(),
        email_verified: account.email_verified,
        permissions: principal.permissions.iter().map(|p| p.as_str()).collect(),
        grants: principal
            .grants
            .iter()
            .map(|grant| GrantView {
                role: grant.role.clone(),
                permissions: grant.permissions.iter().map(|p| p.as_str()).collect(),
                departments: match &grant.scope {
                    DepartmentScope::All => None,
                    DepartmentScope::Only(listed) => Some(listed.iter().cloned().collect()),
                },
            })
            .collect(),
        roles: principal.roles.iter().map(|role| role.as_str().to_owned()).collect(),
        credential,
        mfa,
    }))
}

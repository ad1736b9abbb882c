//! `POST /api/incidents/{id}/containment`: a containment action taken for an open incident
//! (`incident:manage` and a fresh re-authentication). Key rotation needs the master key, which
//! the running server does not keep in reach: it is `rampart incident rotate-keys` only.

use axum::Json;
use axum::extract::{Path, State};
use rampart_domain::Permission;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{FORBIDDEN_OR_REAUTH, LOCKDOWN};
use crate::caller::{Client, SignedIn};
use crate::extract::ApiJson;
use crate::routes::responses::{ErrorResponse, JsonBodyErrors, NOT_A_UUID, UNAUTHENTICATED};
use crate::{ApiError, AppState};
use rampart_core::incident::Actor;
use rampart_core::incident::containment::{
    Containment, ContainmentReport, ResetScope, disable_user, force_password_reset,
    revoke_api_keys, revoke_sessions, valid_reason,
};
use rampart_core::incident::incidents::find_changeable_incident;

/// What to do.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub(super) enum ContainmentRequest {
    /// End one user's sessions (`user_id`), or everyone's but the caller's own.
    RevokeSessions {
        user_id: Option<Uuid>,
        #[serde(default)]
        #[schema(schema_with = crate::routes::shapes::reason_schema)]
        reason: String,
    },
    /// Revoke every API key.
    RevokeApiKeys {
        #[serde(default)]
        #[schema(schema_with = crate::routes::shapes::reason_schema)]
        reason: String,
    },
    /// Disable an account: sessions end, password and API keys stop working.
    DisableUser {
        user_id: Uuid,
        #[serde(default)]
        #[schema(schema_with = crate::routes::shapes::reason_schema)]
        reason: String,
    },
    /// Make passwords unusable and mail reset links: `all` (everyone but the caller), or the
    /// listed `user_ids`.
    ForcePasswordReset {
        #[serde(default)]
        all: bool,
        #[serde(default)]
        user_ids: Vec<Uuid>,
        #[serde(default)]
        #[schema(schema_with = crate::routes::shapes::reason_schema)]
        reason: String,
    },
}

impl ContainmentRequest {
    fn reason(&self) -> &str {
        match self {
            Self::RevokeSessions { reason, .. }
            | Self::RevokeApiKeys { reason }
            | Self::DisableUser { reason, .. }
            | Self::ForcePasswordReset { reason, .. } => reason,
        }
    }
}

/// Takes a containment action for the incident; it is audited and on the timeline.
#[utoipa::path(post, path = "/api/incidents/{id}/containment", request_body = ContainmentRequest,
    params(("id" = Uuid, Path, description = "the incident")),
    responses(
        (status = 200, description = "what was done", body = crate::routes::schemas::ContainmentReportSchema),
        (status = 400, description = NOT_A_UUID, body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = FORBIDDEN_OR_REAUTH, body = ErrorResponse),
        (status = 404, description = "`not_found`: no such incident or user", body = ErrorResponse),
        (status = 409, description = "`conflict`: the incident is closed", body = ErrorResponse),
        (status = 422, description = "`invalid_input`: an unknown action, a reason too long, the caller's own account, or neither `all` nor `user_ids`", body = ErrorResponse),
        (status = 503, description = LOCKDOWN, body = ErrorResponse),
        JsonBodyErrors,
    ))]
pub(super) async fn contain(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path(id): Path<Uuid>,
    ApiJson(request): ApiJson<ContainmentRequest>,
) -> Result<Json<ContainmentReport>, ApiError> {
    principal.require(Permission::IncidentManage)?;
    principal.require_step_up(&state)?;
    find_changeable_incident(&state, id).await?;
    let how = Containment {
        actor: Actor::Api(&principal, &client),
        incident: Some(id),
        reason: valid_reason(request.reason())?,
    };
    let report = match &request {
        ContainmentRequest::RevokeSessions { user_id, .. } => {
            revoke_sessions(&state, *user_id, how).await?
        }
        ContainmentRequest::RevokeApiKeys { .. } => revoke_api_keys(&state, how).await?,
        ContainmentRequest::DisableUser { user_id, .. } => {
            disable_user(&state, *user_id, how).await?
        }
        ContainmentRequest::ForcePasswordReset { all, user_ids, .. } => {
            let scope = match (all, user_ids.is_empty()) {
                (true, true) => ResetScope::All,
                (false, false) => ResetScope::Listed(user_ids.clone()),
                _ => {
                    return Err(ApiError::Unprocessable(
                        "give either \"all\": true or \"user_ids\", not both".into(),
                    ));
                }
            };
            force_password_reset(&state, scope, how).await?
        }
    };
    Ok(Json(report))
}

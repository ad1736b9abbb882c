//! The caller's passkeys: list them, rename one, remove one (with a recent re-authentication;
//! refused when the roles require a second factor and it is the last). Removal is e-mailed and
//! audited.

use axum::Json;
use axum::extract::{Path, State};
use rampart_store::passkeys::{PasskeyRow, delete_passkeys, list_passkeys_of_user, rename_passkey};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::factor_changes::{factor_removed, may_remove};
use super::passkey_registration::PASSKEY;
use crate::accounts::find_account_by_id;
use crate::client::ClientContext;
use crate::mfa::factors_of;
use crate::routes::responses::{
    BODY_MISFIT, ErrorResponse, JsonBodyErrors, MALFORMED_JSON, NOT_A_UUID, Outcome,
    StatusResponse, UNAUTHENTICATED,
};
use crate::sessions::Principal;
use crate::unit_of_work::UnitOfWork;
use crate::{ApiError, ApiJson, AppState};

/// A passkey as its owner sees it (never the key material).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PasskeyView {
    id: Uuid,
    name: String,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    last_used_at: Option<OffsetDateTime>,
}

impl From<&PasskeyRow> for PasskeyView {
    fn from(row: &PasskeyRow) -> Self {
        Self {
            id: row.id,
            name: row.name.clone(),
            created_at: row.created_at,
            last_used_at: row.last_used_at,
        }
    }
}

/// A passkey's name: 1 to 100 characters once trimmed.
pub(super) fn passkey_name(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ApiError::Unprocessable("name: 1 to 100 printable characters".into()));
    }
    Ok(name.to_owned())
}

/// The caller's passkeys, oldest first.
#[utoipa::path(
    get,
    path = "/api/me/passkeys",
    responses(
        (status = 200, description = "the passkeys", body = [PasskeyView]),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`mfa_enrolment_required`", body = ErrorResponse),
    ),
)]
pub(super) async fn list_my_passkeys(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<PasskeyView>>, ApiError> {
    let rows = list_passkeys_of_user(&state.db, principal.user_id).await?;
    Ok(Json(rows.iter().map(PasskeyView::from).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RenamePasskeyRequest {
    /// 1 to 100 characters once surrounding spaces are trimmed, on one line.
    #[schema(schema_with = crate::routes::shapes::title_schema)]
    name: String,
}

/// Renames one of the caller's passkeys.
#[utoipa::path(
    patch,
    path = "/api/me/passkeys/{id}",
    params(("id" = Uuid, Path, description = "the passkey")),
    request_body = RenamePasskeyRequest,
    responses(
        (status = 200, description = "`{\"status\":\"ok\"}`", body = StatusResponse),
        (status = 400, description = MALFORMED_JSON, body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`csrf_rejected` or `mfa_enrolment_required`",
            body = ErrorResponse),
        (status = 404, description = "`not_found`: no such passkey of yours", body = ErrorResponse),
        (status = 422, description = BODY_MISFIT, body = ErrorResponse),
        JsonBodyErrors,
    ),
)]
pub(super) async fn rename_my_passkey(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    ApiJson(request): ApiJson<RenamePasskeyRequest>,
) -> Result<Json<StatusResponse>, ApiError> {
    let name = passkey_name(&request.name)?;
    if !rename_passkey(&state.db, principal.user_id, id, &name).await? {
        return Err(ApiError::NotFound);
    }
    Ok(Json(StatusResponse::new(Outcome::Ok)))
}

/// Removes one of the caller's passkeys.
///
/// Needs a re-authentication within `sessions.reauth_window_secs`. With no second factor left,
/// the recovery codes go too. The holder is e-mailed.
#[utoipa::path(
    delete,
    path = "/api/me/passkeys/{id}",
    params(("id" = Uuid, Path, description = "the passkey")),
    responses(
        (status = 200, description = "`{\"status\":\"removed\"}`", body = StatusResponse),
        (status = 400, description = NOT_A_UUID, body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`reauth_required`: re-authenticate first; `csrf_rejected`; \
            `mfa_enrolment_required`; or `forbidden`: an API key cannot remove a factor",
            body = ErrorResponse),
        (status = 404, description = "`not_found`: no such passkey of yours", body = ErrorResponse),
        (status = 409, description = "`conflict`: your roles require a second factor and this \
            is the last one", body = ErrorResponse),
    ),
)]
pub(super) async fn remove_my_passkey(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientContext,
    Path(id): Path<Uuid>,
) -> Result<Json<StatusResponse>, ApiError> {
    principal.session_id()?;
    principal.require_step_up(&state)?;
    let rows = list_passkeys_of_user(&state.db, principal.user_id).await?;
    if !rows.iter().any(|row| row.id == id) {
        return Err(ApiError::NotFound);
    }
    let factors = factors_of(&state, principal.user_id).await?;
    may_remove(&state, &principal, &factors)?;
    let account =
        find_account_by_id(&state, principal.user_id).await?.ok_or(ApiError::Unauthenticated)?;
    let work = UnitOfWork::begin(&state).await?;
    delete_passkeys(work.db(), principal.user_id, Some(id)).await?;
    factor_removed(work, &principal, &client, &account, &factors, PASSKEY, Some(id)).await
}

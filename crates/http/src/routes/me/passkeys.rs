//! The caller's passkeys: list them, rename one, remove one (with a recent re-authentication;
//! refused when the roles require a second factor and it is the last). Removal is e-mailed and
//! audited.

use axum::Json;
use axum::extract::{Path, State};
use rampart_core::mfa::own_factors::{
    PasskeyRow, own_passkeys, remove_own_passkey, rename_own_passkey,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::caller::{Client, SignedIn};
use crate::routes::responses::{
    BODY_MISFIT, ErrorResponse, JsonBodyErrors, MALFORMED_JSON, NOT_A_UUID, Outcome,
    StatusResponse, UNAUTHENTICATED,
};
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
    SignedIn(principal): SignedIn,
) -> Result<Json<Vec<PasskeyView>>, ApiError> {
    let rows = own_passkeys(&state, &principal).await?;
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
    SignedIn(principal): SignedIn,
    Path(id): Path<Uuid>,
    ApiJson(request): ApiJson<RenamePasskeyRequest>,
) -> Result<Json<StatusResponse>, ApiError> {
    rename_own_passkey(&state, &principal, id, &request.name).await?;
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
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path(id): Path<Uuid>,
) -> Result<Json<StatusResponse>, ApiError> {
    remove_own_passkey(&state, &principal, &client, id).await?;
    Ok(Json(StatusResponse::new(Outcome::Removed)))
}

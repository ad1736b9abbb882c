//! `GET /api/me/export`: the caller's own data as JSON — account, grants, sessions, second
//! factors and API keys, as metadata, in the views their own routes answer with (sessions,
//! passkeys, API keys): no view holds a secret (password hash, tokens or their hashes, TOTP
//! secret, passkey key material, recovery codes).

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::passkeys::PasskeyView;
use crate::caller::{Client, SignedIn};
use crate::routes::responses::{ErrorResponse, UNAUTHENTICATED};
use crate::routes::session_view::{SessionView, session_views};
use crate::{ApiError, AppState};
use rampart_core::accounts::export::{ExportError, OwnData, export_own_data};
use rampart_core::api_keys::ApiKeyView;

/// The account itself.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct ExportedAccount {
    id: Uuid,
    email: String,
    email_verified: bool,
    /// `active` or `disabled`.
    status: &'static str,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
}

/// One role held.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct ExportedGrant {
    role: String,
    /// `null`: every department.
    departments: Option<Vec<String>>,
    #[serde(with = "time::serde::rfc3339")]
    granted_at: OffsetDateTime,
}

/// The second factors.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct ExportedFactors {
    /// An authenticator app is enrolled.
    totp: bool,
    passkeys: Vec<PasskeyView>,
    recovery_codes_left: i64,
}

/// A copy of the caller's own data.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct ExportResponse {
    #[serde(with = "time::serde::rfc3339")]
    exported_at: OffsetDateTime,
    account: ExportedAccount,
    grants: Vec<ExportedGrant>,
    sessions: Vec<SessionView>,
    factors: ExportedFactors,
    #[schema(value_type = Vec<crate::routes::schemas::ApiKeyViewSchema>)]
    api_keys: Vec<ApiKeyView>,
}

/// The caller's own data (a session, not an API key), as JSON; the export is audited.
#[utoipa::path(get, path = "/api/me/export",
    responses(
        (status = 200, description = "the caller's data", body = ExportResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: an API key cannot export its holder's data",
            body = ErrorResponse),
    ))]
pub(super) async fn export_my_data(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
) -> Result<Json<ExportResponse>, ApiError> {
    let data = export_own_data(&state, &principal, &client).await.map_err(|error| match error {
        ExportError::Refused(refused) => refused.into(),
        ExportError::NoAccount => ApiError::Unauthenticated,
        ExportError::Account(account) => account.into(),
    })?;
    Ok(Json(view(data, state.clock.now(), principal.session_id().ok())))
}

fn view(data: OwnData, now: OffsetDateTime, current: Option<Uuid>) -> ExportResponse {
    let OwnData { account, grants, sessions, totp, passkeys, recovery_codes_left, api_keys } = data;
    ExportResponse {
        exported_at: now,
        account: ExportedAccount {
            id: account.id,
            email: account.email.as_str().to_owned(),
            email_verified: account.email_verified,
            status: account.status.as_str(),
            created_at: account.created_at,
        },
        grants: grants
            .into_iter()
            .map(|g| ExportedGrant {
                role: g.role,
                departments: g.departments,
                granted_at: g.granted_at,
            })
            .collect(),
        sessions: session_views(sessions, current),
        factors: ExportedFactors {
            totp,
            passkeys: passkeys.iter().map(PasskeyView::from).collect(),
            recovery_codes_left,
        },
        api_keys: api_keys.iter().map(ApiKeyView::from).collect(),
    }
}

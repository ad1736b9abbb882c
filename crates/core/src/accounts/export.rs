//! A holder's copy of their own data: the account, its grants, its live sessions, its second
//! factors and API keys — as metadata only. No secret leaves: no password hash, token or token
//! hash, TOTP secret, passkey key material or recovery code; the HTTP edge shapes the answer
//! from these rows and names each field it shows. The export is audited
//! (`user_data_exported`).

use rampart_domain::AuditAction;
use rampart_store::api_keys::ApiKeyRow;
use rampart_store::passkeys::{PasskeyRow, list_passkeys_of_user};
use rampart_store::roles::{GrantRow, grants_of_user};
use rampart_store::sessions::{SessionRow, list_sessions_of_user};

use super::{Account, AccountError, find_account_by_id};
use crate::AppState;
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::sessions::{Principal, Refused};
use crate::unit_of_work::record;

/// Everything the export holds (see the module documentation for what it leaves out).
#[derive(Debug, Clone)]
pub struct OwnData {
    pub account: Account,
    pub grants: Vec<GrantRow>,
    pub sessions: Vec<SessionRow>,
    pub totp: bool,
    pub passkeys: Vec<PasskeyRow>,
    pub recovery_codes_left: i64,
    pub api_keys: Vec<ApiKeyRow>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// An API key cannot export its holder's data: only a session can.
    #[error(transparent)]
    Refused(#[from] Refused),
    #[error("the account no longer exists")]
    NoAccount,
    #[error(transparent)]
    Account(#[from] AccountError),
}

impl From<rampart_store::StoreError> for ExportError {
    fn from(error: rampart_store::StoreError) -> Self {
        Self::Account(AccountError::Store(error))
    }
}

/// The caller's own data, recorded as exported.
pub async fn export_own_data(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
) -> Result<OwnData, ExportError> {
    principal.session_id()?;
    let user_id = principal.user_id;
    let account = find_account_by_id(state, user_id).await?.ok_or(ExportError::NoAccount)?;
    let factors = crate::mfa::factors_of(state, user_id).await?;
    let data = OwnData {
        account,
        grants: grants_of_user(&state.db, user_id).await?,
        sessions: crate::sessions::live_only(
            state,
            list_sessions_of_user(&state.db, user_id).await?,
        ),
        totp: factors.totp,
        passkeys: list_passkeys_of_user(&state.db, user_id).await?,
        recovery_codes_left: factors.recovery_codes_left,
        api_keys: crate::api_keys::api_keys_of(state, user_id).await?,
    };
    let event = AuditEvent::success(AuditAction::UserDataExported)
        .by(principal, client)
        .target(format!("user:{user_id}"));
    record(state, event).await?;
    Ok(data)
}

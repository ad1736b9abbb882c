//! The alert webhook: the JSON every sink receives, signed with `alerts.webhook_secret`, and the
//! seam to the HTTP client that POSTs it (the server crate's `webhook.rs`: this crate has no HTTP).

use std::future::Future;

use rampart_crypto::webhook_signature;
use rampart_store::alerts::AlertRow;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::AppState;

/// An alert ready to POST: the body and the headers that prove it came from this installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedAlert {
    pub alert_id: i64,
    /// The JSON body.
    pub payload: String,
    /// `X-Rampart-Signature`: `t=<unix time>,v1=<HMAC-SHA256 hex>` over the time and the body.
    pub signature: String,
}

/// What POSTs a signed alert to the webhook URL. One attempt; `Err` names the failure's kind
/// (`timeout`, `unreachable`, `answered 500`: never the URL or the body, which may hold secrets).
pub trait WebhookClient: Send + Sync + 'static {
    fn post(
        &self,
        url: &str,
        alert: &SignedAlert,
    ) -> impl Future<Output = Result<(), String>> + Send;
}

/// The JSON every sink receives.
pub(super) fn body(alert: &AlertRow) -> Value {
    json!({
        "id": alert.id,
        "rule": alert.rule,
        "severity": alert.severity,
        "status": alert.status,
        "subject": alert.subject,
        "raised_at": alert.raised_at.unix_timestamp(),
        "details": serde_json::from_str::<Value>(&alert.details).unwrap_or(Value::Null),
    })
}

/// One attempt through `client`.
pub(super) async fn send(
    state: &AppState,
    client: &impl WebhookClient,
    alert: &AlertRow,
) -> Result<(), String> {
    let settings = &state.settings.alerts;
    let (Some(url), Some(secret)) = (&settings.webhook_url, &settings.webhook_secret) else {
        return Err("the webhook is no longer configured".into());
    };
    let payload = body(alert).to_string();
    let now = state.clock.now().unix_timestamp();
    let signature = webhook_signature(secret.expose_secret().as_bytes(), now, payload.as_bytes())
        .map_err(|_| "the webhook secret cannot be used".to_owned())?;
    client.post(url, &SignedAlert { alert_id: alert.id, payload, signature }).await
}

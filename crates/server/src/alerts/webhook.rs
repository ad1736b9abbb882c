//! POSTing an alert to `alerts.webhook_url`, signed with `alerts.webhook_secret`.

use std::sync::Arc;
use std::time::Duration;

use rampart_crypto::webhook_signature;
use rampart_store::alerts::AlertRow;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::AppState;

/// The webhook client: rustls on ring with Mozilla's roots (nothing read from the host).
pub(super) fn client(timeout: Duration) -> Result<reqwest::Client, String> {
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|error| error.to_string())?
    .with_root_certificates(roots)
    .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|error| error.to_string())
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

/// One attempt. `Err` names the failure's kind (no URL, no body: they may hold secrets).
pub(super) async fn send(
    state: &AppState,
    client: &reqwest::Client,
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
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("x-rampart-signature", signature)
        .header("x-rampart-alert-id", alert.id.to_string())
        .body(payload)
        .send()
        .await
        .map_err(|error| {
            if error.is_timeout() { "timeout".to_owned() } else { "unreachable".to_owned() }
        })?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("answered {}", response.status().as_u16()))
    }
}

//! The HTTP client that POSTs alerts to `alerts.webhook_url` (what to send, and its signature,
//! are decided in `rampart_core::alerts`).

use std::sync::Arc;
use std::time::Duration;

use rampart_core::alerts::{SignedAlert, WebhookClient};

/// rustls on ring with Mozilla's roots (nothing read from the host), no redirects followed.
#[derive(Debug, Clone)]
pub(crate) struct ReqwestWebhook(reqwest::Client);

impl ReqwestWebhook {
    /// `None` (logged) when the client cannot be built: webhook deliveries then fail, are
    /// retried and end up `dead`, which the API shows.
    pub(crate) fn new(timeout: Duration) -> Option<Self> {
        match client(timeout) {
            Ok(client) => Some(Self(client)),
            Err(error) => {
                tracing::error!(error = %error, "alerts: no webhook client; webhook deliveries will fail");
                None
            }
        }
    }
}

fn client(timeout: Duration) -> Result<reqwest::Client, String> {
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

impl WebhookClient for ReqwestWebhook {
    async fn post(&self, url: &str, alert: &SignedAlert) -> Result<(), String> {
        let response = self
            .0
            .post(url)
            .header("content-type", "application/json")
            .header("x-rampart-signature", &alert.signature)
            .header("x-rampart-alert-id", alert.alert_id.to_string())
            .body(alert.payload.clone())
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
}

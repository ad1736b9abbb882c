//! Certificates from an ACME server (Let's Encrypt), obtained and renewed while serving.
//!
//! Until a certificate is issued the listener serves a temporary one made in memory, so the
//! server starts at once. A background task orders a certificate for `tls.acme.domains`, answers
//! the HTTP-01 challenges on the plain-HTTP listener (`/.well-known/acme-challenge/{token}`),
//! stores the result in `<data_dir>/acme/` (key and account file mode 0600), and swaps it into the
//! running TLS listener. It checks again every `check_interval_secs` and renews when fewer than
//! `renew_before_days` remain.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

use axum_server::tls_rustls::RustlsConfig;
use instant_acme::{
    Account, AccountCredentials, AuthorizationStatus, ChallengeType, Identifier, NewAccount,
    NewOrder, OrderStatus, RetryPolicy,
};
use rampart_crypto::LocalCertificates;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use time::{Duration, OffsetDateTime};

use super::StartupError;
use super::tls::{read_pem_files, server_config, valid_for_hosts};
use rampart_core::config::AcmeSettings;
use rampart_core::private_files::{prepare_private_dir, replace_private_file};

const ACME_DIR: &str = "acme";
const ACCOUNT_FILE: &str = "account.json";
const CERT_FILE: &str = "cert.pem";
const KEY_FILE: &str = "key.pem";

/// HTTP-01 challenges in flight: token → key authorization. Read by the plain-HTTP listener.
#[derive(Debug, Clone, Default)]
pub(crate) struct Challenges(Arc<RwLock<HashMap<String, String>>>);

impl Challenges {
    pub(crate) fn answer(&self, token: &str) -> Option<String> {
        self.0.read().unwrap_or_else(PoisonError::into_inner).get(token).cloned()
    }

    fn set(&self, token: String, key_authorization: String) {
        self.0.write().unwrap_or_else(PoisonError::into_inner).insert(token, key_authorization);
    }

    fn clear(&self) {
        self.0.write().unwrap_or_else(PoisonError::into_inner).clear();
    }
}

#[derive(Debug, thiserror::Error)]
enum AcmeError {
    #[error("ACME: {0}")]
    Protocol(#[from] instant_acme::Error),
    #[error("ACME: {0}")]
    Other(String),
    #[error(transparent)]
    Startup(#[from] StartupError),
    #[error(transparent)]
    PrivateFile(#[from] rampart_core::private_files::PrivateFileError),
}

/// The certificate to start with: a stored ACME certificate still valid for the domains, or a
/// temporary one made in memory until the first is issued. Returns whether it is the stored one.
pub(super) fn initial_certificate(
    settings: &AcmeSettings,
    data_dir: &Path,
    now: OffsetDateTime,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>, bool), StartupError> {
    let dir = data_dir.join(ACME_DIR);
    prepare_private_dir(&dir)?;
    if let Some((chain, key)) = stored_certificate(&dir, settings, now) {
        return Ok((chain, key, true));
    }
    let temporary = LocalCertificates::generate(&settings.domains, now)
        .map_err(|error| StartupError::Tls(error.to_string()))?;
    let chain = CertificateDer::pem_slice_iter(temporary.cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| StartupError::Tls(error.to_string()))?;
    let key = PrivateKeyDer::from_pem_slice(temporary.key_pem.as_bytes())
        .map_err(|error| StartupError::Tls(error.to_string()))?;
    Ok((chain, key, false))
}

/// The stored certificate, if it is valid for every domain for at least `renew_before_days`.
fn stored_certificate(
    dir: &Path,
    settings: &AcmeSettings,
    now: OffsetDateTime,
) -> Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)> {
    let (chain, key) = read_pem_files(&dir.join(CERT_FILE), &dir.join(KEY_FILE)).ok()?;
    // The issuer (the last certificate of the chain) serves as the anchor: this checks the
    // names and the dates, not the trust, which the certificate authority vouched for.
    let anchor = chain.last()?.clone();
    let at = now + Duration::days(i64::from(settings.renew_before_days));
    valid_for_hosts(&[anchor], &chain, &settings.domains, at).then_some((chain, key))
}

/// Keeps a valid ACME certificate in the running listener until the task is dropped.
pub(super) async fn keep_certificate(
    settings: AcmeSettings,
    data_dir: PathBuf,
    challenges: Challenges,
    tls: RustlsConfig,
) {
    let dir = data_dir.join(ACME_DIR);
    let interval = std::time::Duration::from_secs(settings.check_interval_secs);
    loop {
        if stored_certificate(&dir, &settings, OffsetDateTime::now_utc()).is_none() {
            match obtain(&settings, &dir, &challenges).await {
                Ok((chain, key)) => match server_config(chain, key) {
                    Ok(config) => {
                        tls.reload_from_config(config);
                        tracing::info!(domains = ?settings.domains, "ACME certificate installed");
                    }
                    Err(error) => tracing::error!(error = %error, "ACME certificate unusable"),
                },
                Err(error) => {
                    tracing::error!(error = %error, "ACME certificate not obtained; retrying later");
                }
            }
            challenges.clear();
        }
        tokio::time::sleep(interval).await;
    }
}

async fn obtain(
    settings: &AcmeSettings,
    dir: &Path,
    challenges: &Challenges,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), AcmeError> {
    let account = account(settings, dir).await?;
    let identifiers: Vec<Identifier> =
        settings.domains.iter().map(|domain| Identifier::Dns(domain.clone())).collect();
    let mut order = account.new_order(&NewOrder::new(&identifiers)).await?;

    let mut authorizations = order.authorizations();
    while let Some(authorization) = authorizations.next().await {
        let mut authorization = authorization?;
        if authorization.status == AuthorizationStatus::Valid {
            continue;
        }
        let mut challenge = authorization
            .challenge(ChallengeType::Http01)
            .ok_or_else(|| AcmeError::Other("the server offers no http-01 challenge".into()))?;
        challenges.set(challenge.token.clone(), challenge.key_authorization().as_str().to_owned());
        challenge.set_ready().await?;
    }

    let status = order.poll_ready(&RetryPolicy::default()).await?;
    if status != OrderStatus::Ready {
        return Err(AcmeError::Other(format!("the order ended as {status:?}")));
    }
    let key_pem = zeroize::Zeroizing::new(order.finalize().await?);
    let chain_pem = order.poll_certificate(&RetryPolicy::default()).await?;

    replace_private_file(&dir.join(CERT_FILE), chain_pem.as_bytes())?;
    replace_private_file(&dir.join(KEY_FILE), key_pem.as_bytes())?;
    Ok(read_pem_files(&dir.join(CERT_FILE), &dir.join(KEY_FILE))?)
}

/// The ACME account: restored from `account.json`, or created and saved there.
async fn account(settings: &AcmeSettings, dir: &Path) -> Result<Account, AcmeError> {
    let builder = match &settings.ca_file {
        Some(ca) => Account::builder_with_root(ca)?,
        None => Account::builder()?,
    };
    let file = dir.join(ACCOUNT_FILE);
    if let Ok(text) = fs::read_to_string(&file) {
        let credentials: AccountCredentials = serde_json::from_str(&text)
            .map_err(|error| AcmeError::Other(format!("{}: {error}", file.display())))?;
        return Ok(builder.from_credentials(credentials).await?);
    }
    let contact: Vec<&str> = settings.contact.iter().map(String::as_str).collect();
    let new_account = NewAccount {
        contact: &contact,
        terms_of_service_agreed: true,
        only_return_existing: false,
    };
    let (account, credentials) =
        builder.create(&new_account, settings.directory.clone(), None).await?;
    let json = zeroize::Zeroizing::new(
        serde_json::to_vec(&credentials).map_err(|error| AcmeError::Other(error.to_string()))?,
    );
    replace_private_file(&file, &json)?;
    Ok(account)
}

//! The TLS listener's configuration: rustls with the ring provider, TLS 1.2 and 1.3 only, modern
//! AEAD suites, X25519/P-256/P-384, server cipher order; and where its certificate comes from.

use std::path::Path;
use std::sync::Arc;

use rampart_crypto::LocalCertificates;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::crypto::{CryptoProvider, ring};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{RootCertStore, ServerConfig};
use time::{Duration, OffsetDateTime};

use super::StartupError;
use rampart_core::private_files::{prepare_private_dir, replace_private_file};

pub(super) const TLS_DIR: &str = "tls";
pub(super) const CA_FILE: &str = "ca.pem";
const CERT_FILE: &str = "cert.pem";
const KEY_FILE: &str = "key.pem";

/// A generated certificate is replaced this long before it expires.
const RENEW_BEFORE: Duration = Duration::days(30);

/// The one crypto provider of the process (ring), limited to the key-exchange groups of Mozilla's
/// intermediate profile.
pub(crate) fn crypto_provider() -> Arc<CryptoProvider> {
    let mut provider = ring::default_provider();
    provider.kx_groups =
        vec![ring::kx_group::X25519, ring::kx_group::SECP256R1, ring::kx_group::SECP384R1];
    Arc::new(provider)
}

pub(super) fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, StartupError> {
    let tls_error = |error: rustls::Error| StartupError::Tls(error.to_string());
    let mut config = ServerConfig::builder_with_provider(crypto_provider())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(tls_error)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(tls_error)?;
    config.ignore_client_order = true;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Reads a PEM certificate chain and private key (`tls.mode = "files"`).
pub(super) fn read_pem_files(
    cert_file: &Path,
    key_file: &Path,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), StartupError> {
    let chain = CertificateDer::pem_file_iter(cert_file)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|error| StartupError::Tls(format!("{}: {error}", cert_file.display())))?;
    if chain.is_empty() {
        return Err(StartupError::Tls(format!("{}: no certificate found", cert_file.display())));
    }
    let key = PrivateKeyDer::from_pem_file(key_file)
        .map_err(|error| StartupError::Tls(format!("{}: {error}", key_file.display())))?;
    Ok((chain, key))
}

/// The generated local certificate (`tls.mode = "self-signed"`): reused while it is valid for
/// every host in `hosts` for at least [`RENEW_BEFORE`], otherwise made anew. Returns whether new
/// files were written.
pub(super) fn local_certificate(
    data_dir: &Path,
    hosts: &[String],
    now: OffsetDateTime,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>, bool), StartupError> {
    let dir = data_dir.join(TLS_DIR);
    prepare_private_dir(&dir)?;
    let (ca, cert, key) = (dir.join(CA_FILE), dir.join(CERT_FILE), dir.join(KEY_FILE));

    if let Ok((chain, private_key)) = read_pem_files(&cert, &key)
        && still_good(&ca, &chain, hosts, now + RENEW_BEFORE)
    {
        return Ok((chain, private_key, false));
    }

    let generated = LocalCertificates::generate(hosts, now)
        .map_err(|error| StartupError::Tls(error.to_string()))?;
    replace_private_file(&key, generated.key_pem.as_bytes())?;
    replace_private_file(&cert, generated.cert_pem.as_bytes())?;
    replace_private_file(&ca, generated.ca_pem.as_bytes())?;
    let (chain, private_key) = read_pem_files(&cert, &key)?;
    Ok((chain, private_key, true))
}

/// Whether `chain` verifies against the authority in `ca_file` for every host at `at`.
fn still_good(
    ca_file: &Path,
    chain: &[CertificateDer<'static>],
    hosts: &[String],
    at: OffsetDateTime,
) -> bool {
    CertificateDer::from_pem_file(ca_file).is_ok_and(|ca| valid_for_hosts(&[ca], chain, hosts, at))
}

/// Whether `chain` verifies against `anchors` for every host at time `at`.
pub(super) fn valid_for_hosts(
    anchors: &[CertificateDer<'static>],
    chain: &[CertificateDer<'static>],
    hosts: &[String],
    at: OffsetDateTime,
) -> bool {
    let mut roots = RootCertStore::empty();
    for anchor in anchors {
        if roots.add(anchor.clone()).is_err() {
            return false;
        }
    }
    let Ok(verifier) =
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), crypto_provider()).build()
    else {
        return false;
    };
    let Some((leaf, intermediates)) = chain.split_first() else { return false };
    let Ok(seconds) = u64::try_from(at.unix_timestamp()) else { return false };
    let at = UnixTime::since_unix_epoch(std::time::Duration::from_secs(seconds));
    hosts.iter().all(|host| {
        ServerName::try_from(host.as_str()).is_ok_and(|name| {
            verifier.verify_server_cert(leaf, intermediates, &name, &[], at).is_ok()
        })
    })
}

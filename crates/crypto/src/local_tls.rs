//! Certificates for the built-in TLS listener when no certificate is configured.
//!
//! Rampart makes a small local certificate authority and one server certificate signed by it, so
//! that TLS scanners and browsers see a proper leaf (CA:FALSE, serverAuth) and a user can trust one
//! file (`ca.pem`) instead of clicking through warnings. The authority's private key is discarded
//! right after signing: nobody, not even a thief of the data directory, can use it to sign anything
//! else. When the leaf expires, a new authority and leaf are made.

use std::fmt;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

/// How long a generated server certificate is valid: the 397-day ceiling that browsers accept.
pub(crate) const LOCAL_CERT_VALIDITY: Duration = Duration::days(397);

#[derive(Debug, thiserror::Error)]
#[error("could not generate the local TLS certificate: {0}")]
pub struct TlsCertError(#[from] rcgen::Error);

/// A freshly generated authority certificate, server certificate and server key, PEM-encoded.
pub struct LocalCertificates {
    pub ca_pem: String,
    pub cert_pem: String,
    pub key_pem: Zeroizing<String>,
}

impl LocalCertificates {
    /// Generates an authority and a server certificate for `hosts` (DNS names or IP addresses),
    /// valid from `now` for [`LOCAL_CERT_VALIDITY`].
    pub fn generate(hosts: &[String], now: OffsetDateTime) -> Result<Self, TlsCertError> {
        let not_before = now - Duration::minutes(5);
        let not_after = now + LOCAL_CERT_VALIDITY;

        let ca_key = KeyPair::generate()?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params.distinguished_name = name("Rampart local authority");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        ca_params.not_before = not_before;
        ca_params.not_after = not_after;
        let ca_cert = ca_params.self_signed(&ca_key)?;
        let issuer = Issuer::new(ca_params, ca_key);

        let leaf_key = KeyPair::generate()?;
        let mut leaf_params = CertificateParams::new(hosts.to_vec())?;
        leaf_params.distinguished_name = name(hosts.first().map_or("localhost", String::as_str));
        leaf_params.is_ca = IsCa::ExplicitNoCa;
        leaf_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        leaf_params.use_authority_key_identifier_extension = true;
        leaf_params.not_before = not_before;
        leaf_params.not_after = not_after;
        let leaf_cert = leaf_params.signed_by(&leaf_key, &issuer)?;

        Ok(Self {
            ca_pem: ca_cert.pem(),
            cert_pem: leaf_cert.pem(),
            key_pem: Zeroizing::new(leaf_key.serialize_pem()),
        })
    }
}

fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn
}

impl fmt::Debug for LocalCertificates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalCertificates")
            .field("ca_pem", &self.ca_pem)
            .field("cert_pem", &self.cert_pem)
            .field("key_pem", &"[redacted]")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_not_shown_by_debug() {
        let certs =
            LocalCertificates::generate(&["localhost".into()], OffsetDateTime::now_utc()).unwrap();
        let shown = format!("{certs:?}");
        assert!(shown.contains("[redacted]"));
        assert!(!shown.contains("PRIVATE KEY"));
        assert!(certs.key_pem.contains("PRIVATE KEY"));
        assert!(certs.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
    }
}

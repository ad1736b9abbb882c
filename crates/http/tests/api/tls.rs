//! The HTTPS listener speaks TLS 1.2 and 1.3 only, with the generated or configured certificate.

use std::process::Command;
use std::sync::Arc;

use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::TlsConnector;

use crate::helpers::spawn_app;

async fn handshake(
    app: &crate::helpers::TestApp,
    version: &'static rustls::SupportedProtocolVersion,
) -> Result<(rustls::ProtocolVersion, Option<Vec<u8>>), std::io::Error> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from_pem_file(app.data_dir.join("tls/ca.pem")).unwrap()).unwrap();
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(&[version])
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let tcp = tokio::net::TcpStream::connect(app.address).await?;
    let stream = TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await?;
    let (_, connection) = stream.get_ref();
    Ok((connection.protocol_version().unwrap(), connection.alpn_protocol().map(<[u8]>::to_vec)))
}

async fn tls_1_2_and_1_3_are_offered_with_http2(engine: TestEngine) {
    let app = spawn_app(engine).await;

    let (v13, alpn) = handshake(&app, &rustls::version::TLS13).await.unwrap();
    let (v12, _) = handshake(&app, &rustls::version::TLS12).await.unwrap();

    assert_eq!(v13, rustls::ProtocolVersion::TLSv1_3);
    assert_eq!(v12, rustls::ProtocolVersion::TLSv1_2);
    assert_eq!(alpn.as_deref(), Some(&b"h2"[..]));
}

/// rustls cannot even offer TLS 1.1, so an independent client checks the refusal.
async fn tls_1_1_and_1_0_are_refused(engine: TestEngine) {
    let app = spawn_app(engine).await;
    let target = format!("127.0.0.1:{}", app.address.port());

    for flag in ["-tls1_1", "-tls1"] {
        let output = tokio::task::spawn_blocking({
            let target = target.clone();
            move || {
                Command::new("openssl")
                    .args(["s_client", flag, "-connect", &target, "-servername", "localhost"])
                    .stdin(std::process::Stdio::null())
                    .output()
                    .expect("openssl is installed")
            }
        })
        .await
        .unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(!output.status.success(), "{flag} was accepted:\n{text}");
        assert!(!text.contains("BEGIN CERTIFICATE") || text.contains("Cipher is (NONE)"), "{text}");
    }
}

async fn the_generated_certificate_is_a_leaf_for_localhost(engine: TestEngine) {
    let app = spawn_app(engine).await;
    let cert = app.data_dir.join("tls/cert.pem");

    let output = Command::new("openssl")
        .args(["x509", "-noout", "-ext", "basicConstraints,extendedKeyUsage,subjectAltName", "-in"])
        .arg(&cert)
        .output()
        .unwrap();

    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("CA:FALSE"), "{text}");
    assert!(text.contains("TLS Web Server Authentication"), "{text}");
    assert!(text.contains("DNS:localhost") && text.contains("IP Address:127.0.0.1"), "{text}");
}

on_both_engines!(
    tls_1_2_and_1_3_are_offered_with_http2,
    tls_1_1_and_1_0_are_refused,
    the_generated_certificate_is_a_leaf_for_localhost,
);

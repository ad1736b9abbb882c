//! ACME for real: Pebble, Let's Encrypt's test server, issues a certificate over HTTP-01 and the
//! running listener switches to it. Skipped, with the reason printed, only where `pebble` is not
//! installed (`.ci/run` installs it).

use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rampart_crypto::LocalCertificates;
use rampart_store::testing::TestEngine;

use crate::helpers::{TestOptions, client_trusting, spawn_app_with};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Pebble(Child);

impl Drop for Pebble {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A running Pebble (its directory over HTTPS with a throwaway authority) and a Rampart with
/// `tls.mode = "acme"` pointed at it. `None` (printed) where pebble is not installed.
struct AcmeRig {
    _dir: tempfile::TempDir,
    _pebble: Pebble,
    app: crate::helpers::TestApp,
    client: reqwest::Client,
}

async fn acme_rig(
    validity_secs: Option<u64>,
    extra: Vec<(&'static str, toml::Value)>,
) -> Option<AcmeRig> {
    if Command::new("pebble").arg("-version").output().is_err() {
        eprintln!("SKIPPED: pebble is not installed (apt-get install pebble); CI installs it");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    // Pebble's own HTTPS (its directory) gets a certificate from a throwaway authority.
    let pebble_tls =
        LocalCertificates::generate(&["localhost".into()], time::OffsetDateTime::now_utc())
            .unwrap();
    let (ca, cert, key) =
        (dir.path().join("ca.pem"), dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&ca, &pebble_tls.ca_pem).unwrap();
    std::fs::write(&cert, &pebble_tls.cert_pem).unwrap();
    std::fs::write(&key, pebble_tls.key_pem.as_bytes()).unwrap();
    let (acme_port, management_port, http_port) = (free_port(), free_port(), free_port());
    let mut config = serde_json::json!({ "pebble": {
        "listenAddress": format!("127.0.0.1:{acme_port}"),
        "managementListenAddress": format!("127.0.0.1:{management_port}"),
        "certificate": cert, "privateKey": key,
        "httpPort": http_port, "tlsPort": free_port(),
        "ocspResponderURL": "", "externalAccountBindingRequired": false
    }});
    if let Some(validity) = validity_secs {
        config["pebble"]["certificateValidityPeriod"] = validity.into();
    }
    std::fs::write(dir.path().join("pebble.json"), config.to_string()).unwrap();
    let pebble = Pebble(
        Command::new("pebble")
            .arg("-config")
            .arg(dir.path().join("pebble.json"))
            .env("PEBBLE_VA_NOSLEEP", "1")
            .env("PEBBLE_WFE_NONCEREJECT", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for_port(acme_port).await;

    let mut overrides = vec![
        ("tls.mode", "acme".into()),
        ("tls.acme.directory", format!("https://localhost:{acme_port}/dir").into()),
        ("tls.acme.domains", toml::Value::Array(vec!["localhost".into()])),
        ("tls.acme.ca_file", ca.to_str().unwrap().into()),
        ("server.redirect_listen", format!("127.0.0.1:{http_port}").into()),
    ];
    overrides.extend(extra);
    let app =
        spawn_app_with(TestEngine::Sqlite, TestOptions { overrides, ..TestOptions::default() })
            .await;

    // Pebble's root for the certificates it issues (a new one at every Pebble start).
    let pebble_admin = client_trusting(&ca, ([127, 0, 0, 1], management_port).into());
    let root = pebble_admin
        .get(format!("https://localhost:{management_port}/roots/0"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let pebble_root = dir.path().join("pebble-root.pem");
    std::fs::write(&pebble_root, root).unwrap();
    let client = client_trusting(&pebble_root, app.address);

    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match client.get(app.at("/healthz")).send().await {
            Ok(response) if response.status() == 200 => break,
            _ if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(250)).await,
            other => panic!("the ACME certificate was never served: {other:?}"),
        }
    }
    Some(AcmeRig { _dir: dir, _pebble: pebble, app, client })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_is_obtained_from_pebble_over_http_01_and_served() {
    let Some(rig) = acme_rig(None, vec![]).await else { return };
    assert_eq!(rig.client.get(rig.app.at("/healthz")).send().await.unwrap().status(), 200);
    let acme_dir = rig.app.data_dir.join("acme");
    for private in ["key.pem", "account.json"] {
        let mode = std::fs::metadata(acme_dir.join(private)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{private}");
    }
}

/// The serial number of the certificate the listener serves now (a fresh handshake, by openssl).
fn served_serial(port: u16) -> String {
    let handshake = Command::new("openssl")
        .args(["s_client", "-connect", &format!("127.0.0.1:{port}"), "-servername", "localhost"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let mut x509 = Command::new("openssl")
        .args(["x509", "-noout", "-serial"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut x509.stdin.take().unwrap(), &handshake.stdout).unwrap();
    String::from_utf8(x509.wait_with_output().unwrap().stdout).unwrap().trim().to_owned()
}

/// A certificate closer to its end than `renew_before_days` is renewed while serving, and the
/// listener switches to the new one without a restart (Pebble issues one-hour certificates here,
/// so every check finds it due).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_near_its_end_is_renewed_and_served_without_a_restart() {
    let extra =
        vec![("tls.acme.renew_before_days", 30.into()), ("tls.acme.check_interval_secs", 1.into())];
    let Some(rig) = acme_rig(Some(3600), extra).await else { return };
    let first = served_serial(rig.app.address.port());
    assert!(first.starts_with("serial="), "{first}");

    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let now = served_serial(rig.app.address.port());
        if now != first && now.starts_with("serial=") {
            break;
        }
        assert!(Instant::now() < deadline, "the certificate was never renewed ({first})");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(rig.client.get(rig.app.at("/healthz")).send().await.unwrap().status(), 200);
}

async fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        assert!(Instant::now() < deadline, "pebble did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

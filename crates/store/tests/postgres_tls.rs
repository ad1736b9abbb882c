//! The PostgreSQL connection speaks TLS and, asked to verify the server, fails closed.
//!
//! The local test server presents Debian's snake-oil certificate, which names no host in a
//! subjectAltName, so a positive `verify-full` needs a server with a proper certificate; these tests
//! show that TLS is negotiated, and that an untrusted server certificate stops the connection.

#![allow(clippy::unwrap_used, clippy::disallowed_methods)] // Tests unwrap, and inspect the raw database.

use rampart_crypto::LocalCertificates;
use rampart_store::testing::{TEST_DATABASE_URL_VAR, TestDatabase, TestEngine};
use rampart_store::{Db, PoolSettings, StoreError};
use time::OffsetDateTime;

fn with_query(url: &str, query: &str) -> String {
    let mut url = url::Url::parse(url).unwrap();
    url.set_query(Some(query));
    url.to_string()
}

/// What the server says about this connection: is it TLS?
async fn session_is_encrypted(db: &Db) -> bool {
    let Db::Postgres(pool) = db else { unreachable!() };
    sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn postgres_connection_with_sslmode_require_is_encrypted() {
    let database = TestDatabase::create(TestEngine::Postgres).await;
    let db = Db::connect(&with_query(&database.url, "sslmode=require"), &PoolSettings::default())
        .await
        .unwrap();

    assert!(session_is_encrypted(&db).await);
}

#[tokio::test]
async fn postgres_verify_full_refuses_a_server_certificate_from_an_untrusted_authority() {
    assert!(std::env::var(TEST_DATABASE_URL_VAR).is_ok(), "{TEST_DATABASE_URL_VAR} must be set");
    let database = TestDatabase::create(TestEngine::Postgres).await;
    let dir = tempfile::tempdir().unwrap();
    let unrelated_ca = dir.path().join("unrelated-ca.pem");
    let certs =
        LocalCertificates::generate(&["localhost".into()], OffsetDateTime::now_utc()).unwrap();
    std::fs::write(&unrelated_ca, certs.ca_pem).unwrap();
    let query = format!("sslmode=verify-full&sslrootcert={}", unrelated_ca.display());

    let result = Db::connect(&with_query(&database.url, &query), &PoolSettings::default()).await;

    assert!(matches!(result, Err(StoreError::Unavailable(_))), "{result:?}");
}

/// The variable naming a PostgreSQL server with a certificate from a test authority, as
/// `scripts/pg-tls-server` starts it (`…?sslmode=verify-full&sslrootcert=…`).
const TLS_URL_VAR: &str = "RAMPART_TEST_PG_TLS_URL";

#[tokio::test]
async fn postgres_verify_full_connects_to_a_server_whose_certificate_it_trusts() {
    let url = std::env::var(TLS_URL_VAR).unwrap_or_else(|_| {
        panic!("{TLS_URL_VAR} is not set: scripts/test starts scripts/pg-tls-server and sets it")
    });

    let db = Db::connect(&url, &PoolSettings::default()).await.unwrap();

    assert!(session_is_encrypted(&db).await);
}

#[tokio::test]
async fn postgres_verify_full_refuses_a_trusted_certificate_for_another_host_name() {
    let url = std::env::var(TLS_URL_VAR).unwrap_or_else(|_| panic!("{TLS_URL_VAR} is not set"));
    // The certificate names localhost and 127.0.0.1; reach the same server by another name.
    let hostname = std::fs::read_to_string("/etc/hostname").unwrap().trim().to_owned();
    let other_name = url.replace("@localhost:", &format!("@{hostname}:"));
    assert_ne!(other_name, url);
    // The premise: the other name reaches the same server, so only the name check can refuse it.
    let resolved: Vec<_> = std::net::ToSocketAddrs::to_socket_addrs(&(hostname.as_str(), 5432))
        .map(Iterator::collect)
        .unwrap_or_default();
    assert!(
        resolved.iter().any(|a: &std::net::SocketAddr| a.ip().is_loopback()),
        "{hostname} does not resolve to loopback here"
    );

    let result = Db::connect(&other_name, &PoolSettings::default()).await;

    assert!(matches!(result, Err(StoreError::Unavailable(_))), "{result:?}");
}

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

#[tokio::test]
async fn postgres_connection_with_sslmode_require_is_encrypted() {
    let database = TestDatabase::create(TestEngine::Postgres).await;
    let db = Db::connect(&with_query(&database.url, "sslmode=require"), &PoolSettings::default())
        .await
        .unwrap();
    let Db::Postgres(pool) = &db else { unreachable!() };

    let encrypted: bool =
        sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            .fetch_one(pool)
            .await
            .unwrap();

    assert!(encrypted);
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

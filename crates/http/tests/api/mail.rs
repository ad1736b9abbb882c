//! E-mail through the outbox to a real SMTP server (aiosmtpd on loopback, `smtp_sink.rs`):
//! delivered as written, kept while the relay is away, never in clear in the database, and sent
//! over STARTTLS only to a relay whose certificate is trusted.

use std::time::{Duration, Instant};

use rampart_core::AppState;
use rampart_core::keys::{RETIRE_GRACE, load_or_create_keyring, reencrypt, rotate_data_keys};
use rampart_core::mail::{MailError, OutgoingEmail};
use rampart_core::unit_of_work::UnitOfWork;
use rampart_crypto::{LocalCertificates, MasterKey, OsRandom, Purpose};
use rampart_domain::{Email, ManualClock, SystemClock};
use rampart_http::Application;
use rampart_store::keys::list_keys;
use rampart_store::on_both_engines;
use rampart_store::outbox::{OutboxRow, list_outbox_messages_after};
use rampart_store::testing::{TestDatabase, TestEngine};
use tempfile::TempDir;

use crate::helpers::{TestApp, TestOptions, spawn_app_with, test_settings};
use crate::keys::raw_database_bytes;
use crate::smtp_sink::{SinkTls, SmtpSink, free_port};

const RELAY_USER: &str = "rampart-relay";
const RELAY_PASSWORD: &str = "relay-pw-7c1d";

/// Queues `message` as an action of its own (what a use case does inside its unit of work).
async fn enqueue(state: &AppState, message: OutgoingEmail) -> Result<(), MailError> {
    let mut work = UnitOfWork::begin(state).await?;
    rampart_core::mail::enqueue(&mut work, message).await?;
    work.commit().await?;
    Ok(())
}

fn reset_email(to: &str) -> OutgoingEmail {
    OutgoingEmail {
        to: Email::parse(to).unwrap(),
        subject: "Reset your password".into(),
        body: "Open this link within 10 minutes:\nhttps://localhost:8443/reset#tok-5f0e2b9a41c7\n"
            .into(),
    }
}

/// A server whose relay is `127.0.0.1:port` in plain SMTP (allowed on loopback), polled often.
async fn app_with_relay(
    engine: TestEngine,
    port: u16,
    extra: Vec<(&'static str, toml::Value)>,
) -> TestApp {
    let mut overrides = vec![
        ("smtp.host", "127.0.0.1".into()),
        ("smtp.port", i64::from(port).into()),
        ("smtp.tls", "none".into()),
        ("smtp.poll_interval_secs", 1.into()),
        ("smtp.timeout_secs", 2.into()),
    ];
    overrides.extend(extra);
    spawn_app_with(engine, TestOptions { overrides, ..TestOptions::default() }).await
}

async fn queued(app: &TestApp) -> Vec<OutboxRow> {
    list_outbox_messages_after(&app.db, None, 100).await.unwrap()
}

/// Polls the outbox until `done` holds for it (a few seconds at most).
async fn wait_for_outbox(app: &TestApp, done: impl Fn(&[OutboxRow]) -> bool) -> Vec<OutboxRow> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let rows = queued(app).await;
        if done(&rows) {
            return rows;
        }
        assert!(Instant::now() < deadline, "the outbox did not reach the expected state: {rows:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn a_queued_email_is_delivered_with_its_recipient_subject_and_body(engine: TestEngine) {
    let port = free_port();
    let sink = SmtpSink::start(port, SinkTls::None, None);
    let mut app = app_with_relay(engine, port, vec![]).await;

    enqueue(&app.state, reset_email("ada@example.com")).await.unwrap();

    let received = sink.wait_for(1).await;
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, "ada@example.com");
    assert_eq!(received[0].subject, "Reset your password");
    assert_eq!(
        received[0].body,
        "Open this link within 10 minutes:\nhttps://localhost:8443/reset#tok-5f0e2b9a41c7"
    );
    assert!(received[0].raw.contains("From: Rampart <rampart@localhost>"), "{}", received[0].raw);
    wait_for_outbox(&app, <[OutboxRow]>::is_empty).await;
    tokio::time::timeout(Duration::from_secs(5), app.stop()).await.unwrap().unwrap();
}

async fn while_the_relay_is_down_mail_waits_and_goes_out_once_it_is_back(engine: TestEngine) {
    let port = free_port();
    let app = app_with_relay(engine, port, vec![("smtp.max_attempts", 1.into())]).await;

    enqueue(&app.state, reset_email("grace@example.com")).await.unwrap();
    let waiting =
        wait_for_outbox(&app, |rows| rows.iter().any(|row| row.last_error.is_some())).await;
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].last_error.as_deref(), Some("connection"));
    assert_eq!(waiting[0].attempts, 0, "an unreachable relay costs the message no attempt");

    let sink = SmtpSink::start(port, SinkTls::None, None);

    let received = sink.wait_for(1).await;
    assert_eq!(received[0].to, "grace@example.com");
    wait_for_outbox(&app, <[OutboxRow]>::is_empty).await;
}

async fn the_database_never_holds_the_address_subject_or_link_in_clear(engine: TestEngine) {
    // No relay: the message stays in the outbox, where a thief of the database would find it.
    let app = spawn_app_with(engine, TestOptions::default()).await;
    let message = reset_email("hedy.lamarr@example.org");

    enqueue(&app.state, message.clone()).await.unwrap();

    assert_eq!(queued(&app).await.len(), 1);
    let raw = raw_database_bytes(engine, app.database_url());
    for secret in [message.to.as_str(), "hedy.lamarr", "Reset your password", "tok-5f0e2b9a41c7"] {
        assert!(!raw.windows(secret.len()).any(|w| w == secret.as_bytes()), "{secret} in clear");
    }
}

/// Queued mail is not re-encrypted, so the field key it was written with must outlive a rotation
/// until the queue no longer needs it.
async fn a_field_key_still_used_by_queued_mail_is_not_retired(engine: TestEngine) {
    let app = spawn_app_with(engine, TestOptions::default()).await;
    enqueue(&app.state, reset_email("alan@example.com")).await.unwrap();
    let master =
        MasterKey::from_bytes(&std::fs::read(app.data_dir.join("master.key")).unwrap()).unwrap();
    rotate_data_keys(&app.db, &master, &[Purpose::Fields], &OsRandom, &SystemClock).await.unwrap();
    let keyring = load_or_create_keyring(&app.db, &master, &OsRandom, &SystemClock).await.unwrap();
    let later = ManualClock::starting_at(
        time::OffsetDateTime::now_utc() + RETIRE_GRACE + time::Duration::minutes(1),
    );

    let report = reencrypt(&app.db, &keyring, &OsRandom, &later, 100, None).await.unwrap();

    assert!(report.complete);
    assert!(!report.retired.contains(&(Purpose::Fields, 1)), "{report:?}");
    let stored = list_keys(&app.db).await.unwrap();
    assert!(stored.iter().any(|key| key.purpose == "fields" && key.version == 1));
}

/// `smtp.ca_file` is read at start: a file without a certificate stops it, naming the key.
async fn a_relay_authority_file_without_a_certificate_stops_the_start(engine: TestEngine) {
    let home = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(engine).await;
    let not_pem = home.path().join("ca.pem");
    std::fs::write(&not_pem, "not a certificate\n").unwrap();
    let overrides =
        vec![("smtp.host", "localhost".into()), ("smtp.ca_file", not_pem.to_str().unwrap().into())];
    let settings = test_settings(home.path(), &database.url, overrides);

    let error = Application::builder(settings).build().await.unwrap_err();

    assert!(error.to_string().contains("smtp.ca_file"), "{error}");
}

/// A test authority and a certificate for `localhost` signed by it, as PEM files.
fn test_certificates() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let hosts = ["localhost".to_owned(), "127.0.0.1".to_owned()];
    let certificates =
        LocalCertificates::generate(&hosts, time::OffsetDateTime::now_utc()).unwrap();
    std::fs::write(dir.path().join("ca.pem"), &certificates.ca_pem).unwrap();
    std::fs::write(dir.path().join("cert.pem"), &certificates.cert_pem).unwrap();
    std::fs::write(dir.path().join("key.pem"), certificates.key_pem.as_bytes()).unwrap();
    dir
}

fn starttls_sink(pki: &TempDir) -> SmtpSink {
    let (cert, key) = (pki.path().join("cert.pem"), pki.path().join("key.pem"));
    SmtpSink::start(
        free_port(),
        SinkTls::Starttls { cert: &cert, key: &key },
        Some((RELAY_USER, RELAY_PASSWORD)),
    )
}

fn starttls_overrides(sink: &SmtpSink) -> Vec<(&'static str, toml::Value)> {
    vec![
        ("smtp.host", "localhost".into()),
        ("smtp.port", i64::from(sink.port).into()),
        ("smtp.tls", "starttls".into()),
        ("smtp.username", RELAY_USER.into()),
        ("smtp.password", RELAY_PASSWORD.into()),
        ("smtp.poll_interval_secs", 1.into()),
        ("smtp.timeout_secs", 2.into()),
    ]
}

async fn starttls_to_a_relay_whose_authority_is_trusted_delivers_with_credentials(
    engine: TestEngine,
) {
    let pki = test_certificates();
    let sink = starttls_sink(&pki);
    let mut overrides = starttls_overrides(&sink);
    overrides.push(("smtp.ca_file", pki.path().join("ca.pem").to_str().unwrap().into()));
    let app = spawn_app_with(engine, TestOptions { overrides, ..TestOptions::default() }).await;

    enqueue(&app.state, reset_email("katherine@example.com")).await.unwrap();

    let received = sink.wait_for(1).await;
    assert_eq!(received[0].to, "katherine@example.com");
    assert_eq!(received[0].subject, "Reset your password");
}

async fn a_relay_whose_certificate_is_not_trusted_gets_nothing_and_mail_stays_queued(
    engine: TestEngine,
) {
    let pki = test_certificates();
    let sink = starttls_sink(&pki);
    let overrides = starttls_overrides(&sink);
    let app = spawn_app_with(engine, TestOptions { overrides, ..TestOptions::default() }).await;

    enqueue(&app.state, reset_email("margaret@example.com")).await.unwrap();

    let waiting =
        wait_for_outbox(&app, |rows| rows.iter().any(|row| row.last_error.is_some())).await;
    assert_eq!(waiting[0].last_error.as_deref(), Some("tls"));
    assert_eq!(waiting[0].attempts, 0);
    assert!(sink.messages().is_empty());
}

/// Logs name the outbox id and the failure's kind: never the address, subject, link or password.
async fn delivery_logs_never_show_the_message_or_the_relay_password(engine: TestEngine) {
    crate::logging::captured_lines();
    let port = free_port();
    let credentials =
        vec![("smtp.username", RELAY_USER.into()), ("smtp.password", RELAY_PASSWORD.into())];
    let app = app_with_relay(engine, port, credentials).await;
    enqueue(&app.state, reset_email("ada.secret@example.com")).await.unwrap();
    let waiting =
        wait_for_outbox(&app, |rows| rows.iter().any(|row| row.last_error.is_some())).await;
    let sink = SmtpSink::start(port, SinkTls::None, Some((RELAY_USER, RELAY_PASSWORD)));
    sink.wait_for(1).await;
    wait_for_outbox(&app, <[OutboxRow]>::is_empty).await;

    let logs: String =
        crate::logging::captured_lines().iter().map(|line| format!("{line}\n")).collect();

    assert!(logs.contains(&waiting[0].id.to_string()), "{logs}");
    assert!(logs.contains("SMTP relay unusable"), "{logs}");
    for secret in ["ada.secret", "Reset your password", "tok-5f0e2b9a41c7", RELAY_PASSWORD] {
        assert!(!logs.contains(secret), "{secret} logged: {logs}");
    }
}

on_both_engines!(
    a_queued_email_is_delivered_with_its_recipient_subject_and_body,
    while_the_relay_is_down_mail_waits_and_goes_out_once_it_is_back,
    the_database_never_holds_the_address_subject_or_link_in_clear,
    starttls_to_a_relay_whose_authority_is_trusted_delivers_with_credentials,
    a_relay_whose_certificate_is_not_trusted_gets_nothing_and_mail_stays_queued,
    delivery_logs_never_show_the_message_or_the_relay_password,
    a_field_key_still_used_by_queued_mail_is_not_retired,
    a_relay_authority_file_without_a_certificate_stops_the_start,
);

//! Telling the people an incident affected (`rampart incident notify --read-by`): a staff member
//! read customers' records through the API; exactly those customers get the message, once each,
//! through a real SMTP server, and who was told is recorded without their addresses.

use std::collections::BTreeSet;
use std::time::Duration as StdDuration;

use rampart_core::incident::notify::{NotifyRequest, Template, notify_affected};
use rampart_core::incident::report::Window;
use rampart_core::keys::{RETIRE_GRACE, reencrypt, rotate_data_keys};
use rampart_crypto::{MasterKey, OsRandom, Purpose};
use rampart_domain::{Email, ManualClock, SystemClock};
use rampart_store::incident_notifications::list_incident_notifications;
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use crate::business::business_options;
use crate::smtp_sink::{SinkTls, SmtpSink, free_port};

const TEMPLATE: &str = "Subject: {{site}}: about your {{collection}} record\n\n\
    Between {{since}} and {{until}} a member of our staff looked at your details without need.\n";

fn customer(name: &str, email: &str) -> Value {
    json!({ "name": name, "email": email, "phone": "+1 555 0142", "tier": "standard" })
}

async fn the_customers_a_staff_member_read_are_told_once_each(engine: TestEngine) {
    let sink = SmtpSink::start(free_port(), SinkTls::None, None);
    let business = business_options(engine, sink.plain_delivery(), None).await;
    let app = &business.app;
    let since = OffsetDateTime::now_utc() - Duration::minutes(5);
    // Finance's customers (Globex is one already), and one finance cannot see.
    business
        .record("customers", Some("finance"), None, customer("Initech", "it@initech.example"))
        .await;
    business
        .record("customers", Some("finance"), None, customer("Umbrella", "Info@Umbrella.example"))
        .await;
    business.record("customers", Some("sales"), None, customer("Hooli", "hi@hooli.example")).await;
    let finance = business.token_of("finance").await;
    let mut read = BTreeSet::new();
    for _ in 0..2 {
        let page: Value = app
            .get_with("/api/collections/customers/records", &finance)
            .await
            .json()
            .await
            .unwrap();
        for record in page["records"].as_array().unwrap() {
            read.insert(record["id"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(read.len(), 3, "finance reads its three customers, twice");
    // Someone else's reads are not finance's.
    let hr = business.token_of("hr").await;
    app.get_with("/api/collections/employees/records", &hr).await;

    let window = Window::new(since, OffsetDateTime::now_utc() + Duration::minutes(5)).unwrap();
    let template = Template::parse(TEMPLATE).unwrap();
    let read_by = Email::parse("finance@demo.rampart.test").unwrap();
    let request =
        |dry_run| NotifyRequest { read_by: &read_by, window, template: &template, dry_run };

    let dry = notify_affected(&app.state, request(true)).await.unwrap();
    assert_eq!((dry.notified, dry.records_read), (3, 3));
    assert!(list_incident_notifications(&app.db, None).await.unwrap().is_empty());

    let sent = notify_affected(&app.state, request(false)).await.unwrap();
    assert_eq!((sent.notified, sent.already_notified), (3, 0));
    let mail = sink.wait_for(3).await;
    let told: BTreeSet<String> = mail.iter().map(|m| m.to.to_lowercase()).collect();
    let expected: BTreeSet<String> =
        ["ap@globex.example", "it@initech.example", "info@umbrella.example"]
            .into_iter()
            .map(str::to_owned)
            .collect();
    assert_eq!(told, expected);
    assert!(mail.iter().all(|m| m.subject.ends_with(": about your customers record")), "{mail:?}");
    // Long lines arrive quoted-printable, with soft line breaks.
    let body = mail[0].body.replace("=\n", "");
    assert!(body.contains("a member of our staff looked at your details"), "{body}");

    let again = notify_affected(&app.state, request(false)).await.unwrap();
    assert_eq!((again.notified, again.already_notified), (0, 3));
    assert_eq!(again.batch_id, sent.batch_id, "the same query is the same batch");
    tokio::time::sleep(StdDuration::from_millis(2500)).await;
    assert_eq!(sink.messages().len(), 3, "nobody is mailed twice");

    let rows = list_incident_notifications(&app.db, Some(&sent.batch_id)).await.unwrap();
    let recorded: BTreeSet<String> = rows.iter().map(|row| row.record_id.to_string()).collect();
    assert_eq!(recorded, read);
    assert!(rows.iter().all(|row| row.collection == "customers" && row.email_index.len() == 16));
    let stored = format!("{rows:?}").to_lowercase();
    for address in &expected {
        assert!(!stored.contains(address.as_str()));
        assert!(!stored.contains(&hex::encode(address)), "not even hex-encoded");
    }

    let events = crate::factors::audited(app, "incident_notified").await;
    assert_eq!(events.len(), 3, "one event per run, the dry run too");
    let details: Value = serde_json::from_str(&events[1].entry.details).unwrap();
    assert_eq!(details["count"], 3);
    assert_eq!(details["batch"], sent.batch_id.as_str());
    assert_eq!(details["dry_run"], false);
    assert_eq!(events[1].entry.target, Some(format!("user:{}", business.id_of("finance"))));
    assert!(events.iter().all(|e| !e.entry.details.contains('@')));
}

async fn nobody_is_mailed_for_a_reader_who_read_nothing_sensitive(engine: TestEngine) {
    let sink = SmtpSink::start(free_port(), SinkTls::None, None);
    let business = business_options(engine, sink.plain_delivery(), None).await;
    let app = &business.app;
    let since = OffsetDateTime::now_utc() - Duration::minutes(5);
    let sales = business.token_of("sales").await;
    app.get_with("/api/collections/customers/records", &sales).await;

    let window = Window::new(since, OffsetDateTime::now_utc() + Duration::minutes(5)).unwrap();
    let template = Template::parse(TEMPLATE).unwrap();
    let read_by = Email::parse("sales@demo.rampart.test").unwrap();
    let request = NotifyRequest { read_by: &read_by, window, template: &template, dry_run: false };
    let outcome = notify_affected(&app.state, request).await.unwrap();

    assert_eq!(
        (outcome.notified, outcome.records_read),
        (0, 0),
        "staff do not see sensitive fields"
    );
    tokio::time::sleep(StdDuration::from_millis(1500)).await;
    assert!(sink.messages().is_empty());
}

/// Finance reads its customers through the API; returns the window around it.
async fn finance_reads_its_customers(business: &crate::business::Business) -> Window {
    let since = OffsetDateTime::now_utc() - Duration::minutes(5);
    let finance = business.token_of("finance").await;
    business.app.get_with("/api/collections/customers/records", &finance).await;
    Window::new(since, OffsetDateTime::now_utc() + Duration::minutes(5)).unwrap()
}

async fn after_a_key_rotation_the_same_notification_still_mails_nobody_twice(engine: TestEngine) {
    let sink = SmtpSink::start(free_port(), SinkTls::None, None);
    let business = business_options(engine, sink.plain_delivery(), None).await;
    let app = &business.app;
    let window = finance_reads_its_customers(&business).await;
    let template = Template::parse(TEMPLATE).unwrap();
    let read_by = Email::parse("finance@demo.rampart.test").unwrap();
    let request =
        || NotifyRequest { read_by: &read_by, window, template: &template, dry_run: false };
    assert_eq!(notify_affected(&app.state, request()).await.unwrap().notified, 1, "Globex");
    sink.wait_for(1).await;
    tokio::time::sleep(StdDuration::from_millis(500)).await;

    let master =
        MasterKey::from_bytes(&std::fs::read(app.data_dir.join("master.key")).unwrap()).unwrap();
    let purposes = [Purpose::Fields, Purpose::BlindIndex];
    rotate_data_keys(&app.db, &master, &purposes, &OsRandom, &SystemClock).await.unwrap();
    app.state.keyring.refresh(&app.db, &master).await.unwrap();
    let later =
        ManualClock::starting_at(OffsetDateTime::now_utc() + RETIRE_GRACE + Duration::minutes(1));
    let keyring = app.state.keyring.current();
    let report = reencrypt(&app.db, &keyring, &OsRandom, &later, 100, None).await.unwrap();
    assert!(
        !report.retired.contains(&(Purpose::BlindIndex, 1)),
        "the notification rows still need the old blind-index key: {:?}",
        report.retired
    );
    app.state.keyring.refresh(&app.db, &master).await.unwrap();

    let again = notify_affected(&app.state, request()).await.unwrap();

    assert_eq!((again.notified, again.already_notified), (0, 1));
}

on_both_engines!(
    the_customers_a_staff_member_read_are_told_once_each,
    after_a_key_rotation_the_same_notification_still_mails_nobody_twice,
    nobody_is_mailed_for_a_reader_who_read_nothing_sensitive,
);

//! How records are kept: a stolen copy of the database shows no sensitive field, and a change of
//! a collection's definition either fits every record or changes nothing.

use rampart_domain::BuiltInRole;
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use serde_json::{Value, json};

use crate::business::business;
use crate::helpers::error_of;
use crate::keys::raw_database_bytes;

async fn no_sensitive_field_appears_in_the_raw_database(engine: TestEngine) {
    let business = business(engine).await;
    let planted = [
        (
            "customers",
            json!({ "name": "Plain Name Visible", "email": "planted-mail@secret.example",
            "phone": "+44 7700 900461", "address": "77 Planted Address Road" }),
        ),
        (
            "employees",
            json!({ "name": "Someone", "email": "someone@company.example", "salary": 123456.78 }),
        ),
        (
            "leads",
            json!({ "name": "L", "email": "lead-planted@secret.example", "phone": "+1 202 555 0147" }),
        ),
    ];
    for (collection, fields) in &planted {
        let department = if *collection == "employees" { None } else { Some("sales") };
        business.record(collection, department, None, fields.clone()).await;
    }
    // A checkpoint and WAL contents count: what is on disk is what a thief copies.
    let raw = raw_database_bytes(engine, business.app.database_url());
    let text = String::from_utf8_lossy(&raw);

    for secret in [
        "planted-mail@secret.example",
        "447700900461",
        "77 Planted Address Road",
        "123456.78",
        "lead-planted@secret.example",
        "12025550147",
        "buyer@acme.example",
        "1 Main Street",
    ] {
        assert!(!text.contains(secret), "{secret} is in the raw database");
    }
    assert!(
        text.contains("Plain Name Visible"),
        "the scan reads the records (a plain field is there)"
    );
}

fn invoices(fields: Value) -> Value {
    json!({ "title": "Invoices", "fields": fields, "departments": ["finance"] })
}

async fn a_new_definition_must_fit_every_record_or_nothing_changes(engine: TestEngine) {
    let business = business(engine).await;
    let app = &business.app;
    let (_, owner) = business.signed_in_as("owner@schema.test", &[BuiltInRole::Owner]).await;
    let current: Value =
        app.get_with("/api/collections/invoices", &owner).await.json().await.unwrap();
    let mut fields = current["fields"].as_array().unwrap().clone();

    // A new required field: the demo's invoice has no value for it.
    let mut with_required = fields.clone();
    with_required.push(json!({ "name": "currency", "type": "text", "required": true }));
    let (status, error) = error_of(
        app.put_with("/api/collections/invoices", &owner, invoices(Value::from(with_required)))
            .await,
    )
    .await;
    assert_eq!(status, 409, "{error}");
    assert!(error["message"].as_str().unwrap().contains("currency"), "{error}");

    // Removing a field that holds data.
    let without_amount: Vec<Value> =
        fields.iter().filter(|f| f["name"] != "amount").cloned().collect();
    let (status, error) = error_of(
        app.put_with("/api/collections/invoices", &owner, invoices(Value::from(without_amount)))
            .await,
    )
    .await;
    assert_eq!(status, 409, "{error}");
    assert!(error["message"].as_str().unwrap().contains("amount"), "{error}");
    let unchanged: Value =
        app.get_with("/api/collections/invoices", &owner).await.json().await.unwrap();
    assert_eq!(unchanged["version"], current["version"], "nothing changed");

    // Making `due_on` unique while two invoices fall due at the same moment.
    for number in ["INV-2", "INV-3"] {
        let fields = json!({ "number": number, "amount": 10, "due_on": "2026-12-31T00:00:00Z" });
        business.record("invoices", None, None, fields).await;
    }
    let mut unique_due = fields.clone();
    for field in &mut unique_due {
        if field["name"] == "due_on" {
            field["unique"] = json!(true);
        }
    }
    let response =
        app.put_with("/api/collections/invoices", &owner, invoices(Value::from(unique_due))).await;
    let (status, error) = error_of(response).await;
    assert_eq!(status, 409, "{error}");
    assert!(error["message"].as_str().unwrap().contains("due_on"), "{error}");
    let unchanged: Value =
        app.get_with("/api/collections/invoices", &owner).await.json().await.unwrap();
    assert_eq!(unchanged["version"], current["version"], "nothing changed");

    // Making `amount` sensitive moves it into the sealed part: out of the plain document, still
    // there for who may read it.
    for field in &mut fields {
        if field["name"] == "amount" {
            field["sensitive"] = json!(true);
        }
    }
    let changed =
        app.put_with("/api/collections/invoices", &owner, invoices(Value::from(fields))).await;
    assert_eq!(changed.status(), 200);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(changed["version"], current["version"].as_i64().unwrap() + 1);
    let listed: Value = app
        .get_with(
            "/api/collections/invoices/records?filter=number%20%3D%20%22INV-2026-0001%22",
            &owner,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["records"][0]["fields"]["amount"], 1250.5);
    let id: uuid::Uuid = listed["records"][0]["id"].as_str().unwrap().parse().unwrap();
    let stored =
        rampart_store::records::find_record(&app.db, "invoices", id).await.unwrap().unwrap();
    assert!(stored.data.get("amount").is_none(), "the amount is sealed now: {}", stored.data);
    assert!(stored.sealed.is_some());
}

on_both_engines!(
    no_sensitive_field_appears_in_the_raw_database,
    a_new_definition_must_fit_every_record_or_nothing_changes,
);

async fn after_a_rotation_records_are_rewritten_and_the_old_keys_retired(engine: TestEngine) {
    use rampart_core::keys::{RETIRE_GRACE, reencrypt, rotate_data_keys};
    use rampart_crypto::{MasterKey, OsRandom, Purpose, field_key_version};
    use rampart_domain::{ManualClock, SystemClock};

    let business = business(engine).await;
    let app = &business.app;
    let (_, owner) = business.signed_in_as("owner@rekey.test", &[BuiltInRole::Owner]).await;
    let master =
        MasterKey::from_bytes(&std::fs::read(app.data_dir.join("master.key")).unwrap()).unwrap();
    let purposes = [Purpose::Fields, Purpose::BlindIndex];
    rotate_data_keys(&app.db, &master, &purposes, &OsRandom, &SystemClock).await.unwrap();
    app.state.keyring.refresh(&app.db, &master).await.unwrap();
    let keyring = app.state.keyring.current();
    let newest = keyring.current_version(Purpose::Fields);

    let later = ManualClock::starting_at(
        time::OffsetDateTime::now_utc() + RETIRE_GRACE + time::Duration::minutes(1),
    );
    let report = reencrypt(&app.db, &keyring, &OsRandom, &later, 2, None).await.unwrap();

    assert!(report.complete);
    assert!(report.retired.contains(&(Purpose::Fields, 1)), "{report:?}");
    assert!(report.retired.contains(&(Purpose::BlindIndex, 1)), "{report:?}");
    let records =
        rampart_store::records::list_records_after(&app.db, None, None, 1000).await.unwrap();
    for record in records.iter().filter(|r| r.sealed.is_some()) {
        assert_eq!(field_key_version(record.sealed.as_deref().unwrap()), newest, "{}", record.id);
    }
    app.state.keyring.refresh(&app.db, &master).await.unwrap();
    let path = format!(
        "/api/collections/customers/records?filter={}",
        url::form_urlencoded::byte_serialize(br#"email = "buyer@acme.example""#)
            .collect::<String>()
    );
    let found: Value = app.get_with(&path, &owner).await.json().await.unwrap();
    assert_eq!(found["records"][0]["fields"]["address"], "1 Main Street, Springfield");
}

on_both_engines!(after_a_rotation_records_are_rewritten_and_the_old_keys_retired);

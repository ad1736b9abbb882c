//! Website forms: a contact form posts to `/api/forms/leads` without signing in. Only collections
//! marked `public_create` take submissions; each client address gets a few per hour; a bot
//! that fills the honeypot is answered like anyone and dropped.

use rampart_domain::BuiltInRole;
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use serde_json::{Value, json};

use crate::business::business_options;
use crate::factors::audited;
use crate::helpers::error_of;

async fn submit(app: &crate::helpers::TestApp, collection: &str, body: Value) -> reqwest::Response {
    app.client.post(app.at(&format!("/api/forms/{collection}"))).json(&body).send().await.unwrap()
}

async fn a_contact_form_creates_a_lead_in_the_default_department(engine: TestEngine) {
    let business =
        business_options(engine, vec![("records.form_submissions_per_hour", 3.into())], None).await;
    let app = &business.app;
    let (_, owner) = business.signed_in_as("owner@forms.test", &[BuiltInRole::Owner]).await;
    let lead = json!({ "name": "Edsger", "email": "edsger@example.org", "message": "Call me", "_gotcha": "" });

    let response = submit(app, "leads", lead).await;
    assert_eq!(response.status(), 202);
    let receipt: Value = response.json().await.unwrap();
    assert_eq!(receipt["status"], "received");
    assert!(!receipt.to_string().contains("edsger"), "the answer echoes nothing");
    let stored: Value = app
        .get_with(
            &format!("/api/collections/leads/records/{}", receipt["id"].as_str().unwrap()),
            &owner,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stored["department"], "sales");
    assert_eq!(stored["fields"]["email"], "edsger@example.org");
    assert_eq!(stored["owner_id"], Value::Null);

    let (status, error) =
        error_of(submit(app, "leads", json!({ "name": "No address" })).await).await;
    assert_eq!(status, 422, "{error}");
    assert!(error["message"].as_str().unwrap().contains("email"));
    // Collections without public_create do not exist for the public.
    assert_eq!(submit(app, "customers", json!({ "name": "x" })).await.status(), 404);
    assert_eq!(submit(app, "nosuch", json!({ "name": "x" })).await.status(), 404);
}

async fn a_filled_honeypot_is_answered_alike_and_dropped(engine: TestEngine) {
    let business = business_options(engine, Vec::new(), None).await;
    let app = &business.app;
    let before = rampart_store::records::list_records_after(&app.db, Some("leads"), None, 100)
        .await
        .unwrap()
        .len();

    let response = submit(
        app,
        "leads",
        json!({ "name": "Bot", "email": "bot@spam.example", "_gotcha": "http://spam.example" }),
    )
    .await;

    assert_eq!(response.status(), 202);
    let after = rampart_store::records::list_records_after(&app.db, Some("leads"), None, 100)
        .await
        .unwrap()
        .len();
    assert_eq!(after, before, "nothing was stored");
    let rejected = audited(app, "form_rejected").await;
    assert_eq!(rejected.len(), 1);
    assert!(rejected[0].entry.details.contains("honeypot"));
}

async fn submissions_beyond_the_hourly_limit_answer_429(engine: TestEngine) {
    let business =
        business_options(engine, vec![("records.form_submissions_per_hour", 3.into())], None).await;
    let app = &business.app;
    let lead =
        |n: u32| json!({ "name": format!("Visitor {n}"), "email": format!("v{n}@example.org") });

    for n in 0..3 {
        assert_eq!(submit(app, "leads", lead(n)).await.status(), 202, "submission {n}");
    }
    let refused = submit(app, "leads", lead(3)).await;
    assert_eq!(refused.status(), 429);
    let retry_after: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&retry_after));
    let (_, error) = error_of(refused).await;
    assert_eq!(error["code"], "rate_limited");
    assert_eq!(submit(app, "leads", lead(4)).await.status(), 429);
    assert_eq!(audited(app, "form_rejected").await.len(), 1, "one event per address and window");
}

on_both_engines!(
    a_contact_form_creates_a_lead_in_the_default_department,
    a_filled_honeypot_is_answered_alike_and_dropped,
    submissions_beyond_the_hourly_limit_answer_429,
);

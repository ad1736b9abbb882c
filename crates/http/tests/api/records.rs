//! The records API as a user of it sees it: optimistic concurrency, validation that names
//! fields and never repeats values, the filter language, sort and cursor pages, the bin,
//! sanitised rich text, unique values, references — on the demo business, on both engines.

use rampart_domain::BuiltInRole;
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use serde_json::{Value, json};

use crate::business::{business, customer_fields, fields_of};
use crate::helpers::error_of;
use crate::people::urlencode;

async fn a_stale_version_is_refused_and_the_current_one_accepted(engine: TestEngine) {
    let business = business(engine).await;
    let (_, owner) = business.signed_in_as("owner@records.test", &[BuiltInRole::Owner]).await;
    let record =
        business.record("customers", Some("sales"), None, customer_fields("Initech")).await;
    let path = format!("/api/collections/customers/records/{}", record.id);

    let read = business.app.get_with(&path, &owner).await;
    assert_eq!(read.status(), 200);
    assert_eq!(read.headers()["etag"], "\"1\"");
    let first = business.patch_with(&path, &owner, 1, json!({ "tier": "gold" })).await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["etag"], "\"2\"");
    let stale = business.patch_with(&path, &owner, 1, json!({ "tier": "standard" })).await;
    let (status, error) = error_of(stale).await;

    assert_eq!(status, 409);
    assert_eq!(error["code"], "conflict");
    let now: Value = business.app.get_with(&path, &owner).await.json().await.unwrap();
    assert_eq!(now["fields"]["tier"], "gold", "the stale change was not applied");
    assert_eq!(now["version"], 2);
    let without = business
        .app
        .client
        .patch(business.app.at(&path))
        .bearer_auth(&owner)
        .json(&json!({ "fields": { "tier": "standard" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), 400, "a change must say which version it is based on");
    // The forms the document's pattern for If-Match allows, and nothing else.
    for (if_match, expected) in
        [("W/\"2\"", 200), ("3", 200), ("\"+4\"", 400), ("\"\"4\"\"", 400), ("\"4", 400)]
    {
        let answer = business
            .app
            .client
            .patch(business.app.at(&path))
            .bearer_auth(&owner)
            .header("if-match", if_match)
            .json(&json!({ "fields": { "tier": "standard" } }))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), expected, "If-Match: {if_match}");
    }
}

async fn fields_that_do_not_fit_are_each_named_and_never_echoed(engine: TestEngine) {
    let business = business(engine).await;
    let (_, owner) = business.signed_in_as("owner@records.test", &[BuiltInRole::Owner]).await;
    let body = json!({ "department": "sales", "fields": {
        "total": "SECRET-not-a-number", "status": "SECRET-shipped-yesterday",
        "surprise": "SECRET-unknown", "placed_at": "SECRET-yesterday",
    }});

    let response = business.app.post_with("/api/collections/orders/records", &owner, body).await;
    let (status, error) = error_of(response).await;

    assert_eq!(status, 422);
    let message = error["message"].as_str().unwrap();
    for field in ["total", "status", "surprise", "placed_at"] {
        assert!(message.contains(field), "{field} is not named: {message}");
    }
    assert!(!message.contains("SECRET"), "a submitted value came back: {message}");
    let listed: Value = business
        .app
        .get_with("/api/collections/orders/records", &owner)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["records"].as_array().unwrap().len(), 1, "nothing was stored");
}

/// Orders with totals 10, 20, …, 250, alternating status, for the filter tests.
async fn orders_for_filtering(business: &crate::business::Business) {
    for n in 1..=25 {
        let status = if n % 2 == 0 { "paid" } else { "open" };
        let fields = json!({
            "total": n * 10, "status": status,
            "placed_at": format!("2026-11-{:02}T10:00:00Z", n),
            "notes": if n == 7 { "Needs GIFT wrapping" } else { "standard" },
        });
        business.record("orders", Some("sales"), None, fields).await;
    }
}

async fn totals(business: &crate::business::Business, token: &str, query: &str) -> Vec<f64> {
    let path =
        format!("/api/collections/orders/records?limit=100&sort=total&filter={}", urlencode(query));
    let response = business.app.get_with(&path, token).await;
    assert_eq!(response.status(), 200, "{query}");
    let body: Value = response.json().await.unwrap();
    body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["fields"]["total"].as_f64().unwrap())
        .collect()
}

async fn the_filter_language_selects_exactly_the_matching_records(engine: TestEngine) {
    let business = business(engine).await;
    let (_, owner) = business.signed_in_as("owner@records.test", &[BuiltInRole::Owner]).await;
    orders_for_filtering(&business).await;

    // The demo's own order is paid, 1250.50.
    assert_eq!(
        totals(&business, &owner, r#"status = "paid" && total > 200"#).await,
        [220.0, 240.0, 1250.5]
    );
    assert_eq!(
        totals(&business, &owner, r#"total <= 30 || total >= 250"#).await,
        [10.0, 20.0, 30.0, 250.0, 1250.5]
    );
    assert_eq!(
        totals(&business, &owner, r#"(total < 40 || total > 240) && status != "open""#).await,
        [20.0, 1250.5]
    );
    assert_eq!(totals(&business, &owner, r#"total in (50, 60, 9999)"#).await, [50.0, 60.0]);
    assert_eq!(totals(&business, &owner, r#"notes ~ "gift""#).await, [70.0]);
    assert_eq!(
        totals(&business, &owner, r#"placed_at >= "2026-11-24T00:00:00Z""#).await,
        [240.0, 250.0]
    );
    assert_eq!(totals(&business, &owner, r#"!(total > 20)"#).await.len(), 2);

    for (bad, what) in [
        (r#"total > "ten""#, "a text for a number"),
        (r#"nosuchfield = 1"#, "an unknown field"),
        (r#"total > 1 &&"#, "a dangling operator"),
        (r#"((((((((((((((((((((total > 1))))))))))))))))))))"#, "nesting too deep"),
    ] {
        let path = format!("/api/collections/orders/records?filter={}", urlencode(bad));
        let (status, error) = error_of(business.app.get_with(&path, &owner).await).await;
        assert_eq!(status, 400, "{what}: {error}");
        assert!(error["message"].as_str().unwrap().starts_with("filter:"), "{what}: {error}");
    }
}

async fn cursor_pages_walk_every_record_once_in_order(engine: TestEngine) {
    let business = business(engine).await;
    let (_, owner) = business.signed_in_as("owner@records.test", &[BuiltInRole::Owner]).await;
    orders_for_filtering(&business).await;

    for (sort, expect_ascending) in [("total", true), ("-total", false), ("created_at", true)] {
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let mut path = format!("/api/collections/orders/records?limit=7&sort={sort}");
            if let Some(cursor) = &after {
                path.push_str(&format!("&after={cursor}"));
            }
            let page: Value = business.app.get_with(&path, &owner).await.json().await.unwrap();
            for record in page["records"].as_array().unwrap() {
                seen.push((
                    record["fields"]["total"].as_f64().unwrap(),
                    record["id"].as_str().unwrap().to_owned(),
                ));
            }
            match page["next"].as_str() {
                Some(next) => after = Some(next.to_owned()),
                None => break,
            }
        }
        // 25 orders of the test and the demo's one.
        assert_eq!(seen.len(), 26, "{sort}");
        let mut ids: Vec<&String> = seen.iter().map(|(_, id)| id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 26, "{sort}: a record came twice");
        if sort != "created_at" {
            let totals: Vec<f64> = seen.iter().map(|(t, _)| *t).collect();
            let mut sorted = totals.clone();
            sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
            if !expect_ascending {
                sorted.reverse();
            }
            assert_eq!(totals, sorted, "{sort}");
        }
    }
    let forged = business.app.get_with("/api/collections/orders/records?after=zz", &owner).await;
    assert_eq!(forged.status(), 400);
}

async fn a_sensitive_field_is_filtered_only_by_equality_and_only_by_who_may_read_it(
    engine: TestEngine,
) {
    let business = business(engine).await;
    let (_, owner) = business.signed_in_as("owner@records.test", &[BuiltInRole::Owner]).await;
    let (_, admin) = business.signed_in_as("admin@records.test", &[BuiltInRole::Admin]).await;
    let path =
        |filter: &str| format!("/api/collections/customers/records?filter={}", urlencode(filter));

    let found: Value = business
        .app
        .get_with(&path(r#"email = "BUYER@acme.example""#), &owner)
        .await
        .json()
        .await
        .unwrap();
    let found = found["records"].as_array().unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["fields"]["name"], "Acme Ltd");

    for (filter, who, token) in [
        (r#"email = "buyer@acme.example""#, "an admin without records:read_sensitive", &admin),
        (r#"email ~ "acme""#, "contains on a sensitive field", &owner),
        (
            r#"address = "1 Main Street, Springfield""#,
            "a sensitive field that is not searchable",
            &owner,
        ),
    ] {
        let (status, error) = error_of(business.app.get_with(&path(filter), token).await).await;
        assert_eq!(status, 400, "{who}: {error}");
        assert!(!error["message"].as_str().unwrap().contains("acme"), "{who}: the value came back");
    }
}

async fn the_bin_keeps_a_deleted_record_until_it_is_restored_or_purged(engine: TestEngine) {
    let business = business(engine).await;
    let (_, owner) = business.signed_in_as("owner@records.test", &[BuiltInRole::Owner]).await;
    let record =
        business.record("customers", Some("sales"), None, customer_fields("Initech")).await;
    let path = format!("/api/collections/customers/records/{}", record.id);

    assert_eq!(business.app.delete_with(&path, &owner).await.status(), 200);
    let live: Value = business
        .app
        .get_with("/api/collections/customers/records", &owner)
        .await
        .json()
        .await
        .unwrap();
    assert!(live["records"].as_array().unwrap().iter().all(|r| r["id"] != record.id.to_string()));
    let bin: Value = business
        .app
        .get_with("/api/collections/customers/records?bin=true", &owner)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(bin["records"].as_array().unwrap().len(), 1);
    assert!(bin["records"][0]["deleted_at"].is_string());
    assert_eq!(
        business.app.post_with(&format!("{path}/restore"), &owner, json!({})).await.status(),
        200
    );
    let back: Value = business.app.get_with(&path, &owner).await.json().await.unwrap();
    assert_eq!(back["fields"]["name"], "Initech");
    assert_eq!(back["fields"]["phone"], "+15550199", "sensitive fields survive the bin");

    // Binned 31 days ago: the purge takes it for good; one binned yesterday stays.
    let old = business.record("customers", Some("sales"), None, customer_fields("Old")).await;
    let recent = business.record("customers", Some("sales"), None, customer_fields("Recent")).await;
    let now = time::OffsetDateTime::now_utc();
    rampart_store::records::soft_delete_record(
        &business.app.db,
        "customers",
        old.id,
        now - time::Duration::days(31),
    )
    .await
    .unwrap();
    rampart_store::records::soft_delete_record(
        &business.app.db,
        "customers",
        recent.id,
        now - time::Duration::days(1),
    )
    .await
    .unwrap();
    let purged = rampart_core::records::purge::purge_bin(&business.app.state).await.unwrap();
    assert_eq!(purged, 1);
    assert!(
        rampart_store::records::find_record(&business.app.db, "customers", old.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        rampart_store::records::find_record(&business.app.db, "customers", recent.id)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(crate::factors::audited(&business.app, "records_purged").await.len(), 1);
}

async fn rich_text_is_sanitised_and_unique_and_reference_fields_are_enforced(engine: TestEngine) {
    let business = business(engine).await;
    let (_, owner) = business.signed_in_as("owner@records.test", &[BuiltInRole::Owner]).await;
    let body = json!({ "department": "sales", "fields": {
        "total": 5, "status": "open", "placed_at": "2026-12-01T08:00:00+01:00",
        "notes": "<p onclick=\"steal()\">Hi <script>alert(1)</script><a href=\"javascript:x()\">x</a></p>",
    }});
    let created: Value = business
        .app
        .post_with("/api/collections/orders/records", &owner, body)
        .await
        .json()
        .await
        .unwrap();
    let notes = created["fields"]["notes"].as_str().unwrap();
    assert!(notes.starts_with("<p>Hi"), "{notes}");
    for gone in ["script", "onclick", "javascript:"] {
        assert!(!notes.contains(gone), "{gone} survived: {notes}");
    }
    assert_eq!(
        created["fields"]["placed_at"], "2026-12-01T07:00:00.000000Z",
        "times are stored in UTC"
    );

    let duplicate = json!({ "department": "sales", "fields": { "name": "Copycat", "email": "Buyer@Acme.example" } });
    let (status, error) = error_of(
        business.app.post_with("/api/collections/customers/records", &owner, duplicate).await,
    )
    .await;
    assert_eq!(status, 409, "{error}");
    assert!(error["message"].as_str().unwrap().contains("email"), "{error}");

    let dangling = json!({ "department": "sales", "fields": {
        "customer": "0190e0b4-3c3b-7d2e-9a51-4c6f2b7e8d10", "total": 1, "status": "open", "placed_at": "2026-12-01T08:00:00Z" } });
    let (status, error) =
        error_of(business.app.post_with("/api/collections/orders/records", &owner, dangling).await)
            .await;
    assert_eq!(status, 422, "{error}");
    assert!(error["message"].as_str().unwrap().contains("customer"), "{error}");
}

async fn fields_of_a_record_read_back_as_written(engine: TestEngine) {
    let business = business(engine).await;
    let (_, owner) = business.signed_in_as("owner@records.test", &[BuiltInRole::Owner]).await;
    let body = json!({ "department": "support", "fields": customer_fields("Umbrella") });
    let created = business.app.post_with("/api/collections/customers/records", &owner, body).await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let fields = fields_of(&created);
    assert_eq!(fields["name"], "Umbrella");
    assert_eq!(fields["phone"], "+15550199");
    assert_eq!(created["department"], "support");
}

async fn paging_through_many_sensitive_records_raises_mass_sensitive_reads(engine: TestEngine) {
    let business = business(engine).await;
    let (_, owner) = business.signed_in_as("owner@records.test", &[BuiltInRole::Owner]).await;
    for n in 0..520 {
        business.record("customers", Some("sales"), None, customer_fields(&format!("C{n}"))).await;
    }

    let mut after: Option<String> = None;
    for _ in 0..6 {
        let mut path = "/api/collections/customers/records?limit=100".to_owned();
        if let Some(cursor) = &after {
            path.push_str(&format!("&after={cursor}"));
        }
        let page: Value = business.app.get_with(&path, &owner).await.json().await.unwrap();
        after = page["next"].as_str().map(str::to_owned);
    }

    let reads = crate::factors::audited(&business.app, "sensitive_read").await;
    assert_eq!(reads.len(), 6, "one event per page");
    assert!(reads[0].entry.details.contains("\"count\":100"), "{}", reads[0].entry.details);
    let alerts =
        rampart_store::alerts::list_alerts(&business.app.db, None, None, 10).await.unwrap();
    assert!(
        alerts.iter().any(|alert| alert.rule == "mass_sensitive_reads"),
        "six pages of 100 sensitive records in a minute"
    );
}

/// A record probed in a collection the caller cannot see at all is refused like any other
/// (404), and the `authz_fail` event names the record probed, not only its collection.
async fn a_probe_of_an_unseen_collection_names_the_record_in_the_trail(engine: TestEngine) {
    let business = business(engine).await;
    let hidden = business
        .record("employees", None, None, json!({ "name": "Ada", "email": "ada@corp.test" }))
        .await;
    let sales = business.token_of("sales").await;
    let path = format!("/api/collections/employees/records/{}", hidden.id);
    assert_eq!(business.app.get_with(&path, &sales).await.status(), 404);
    let refusals = crate::factors::audited(&business.app, "authz_fail").await;
    let targets: Vec<Option<&str>> =
        refusals.iter().map(|event| event.entry.target.as_deref()).collect();
    let probed = format!("record:employees/{}", hidden.id);
    assert!(targets.contains(&Some(probed.as_str())), "{targets:?}");
}

on_both_engines!(
    a_probe_of_an_unseen_collection_names_the_record_in_the_trail,
    paging_through_many_sensitive_records_raises_mass_sensitive_reads,
    a_stale_version_is_refused_and_the_current_one_accepted,
    fields_that_do_not_fit_are_each_named_and_never_echoed,
    the_filter_language_selects_exactly_the_matching_records,
    cursor_pages_walk_every_record_once_in_order,
    a_sensitive_field_is_filtered_only_by_equality_and_only_by_who_may_read_it,
    the_bin_keeps_a_deleted_record_until_it_is_restored_or_purged,
    rich_text_is_sanitised_and_unique_and_reference_fields_are_enforced,
    fields_of_a_record_read_back_as_written,
);

//! Hostile input at every field and at the filter: SQL metacharacters, quotes of every kind,
//! Unicode (combining marks, right-to-left, emoji, unpaired surrogate escapes), NUL bytes, very
//! long strings and deeply nested JSON. Never a 500; a value that is accepted reads back exactly
//! as sent; a filter matches exactly the records it names and nothing else.

use rampart_domain::BuiltInRole;
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use serde_json::{Value, json};

use crate::business::business;
use crate::people::urlencode;

fn hostile_strings() -> Vec<String> {
    let mut values: Vec<String> = [
        "' OR '1'='1",
        "\" OR \"1\"=\"1",
        "'; DROP TABLE records; --",
        "1; SELECT pg_sleep(5)",
        "\\",
        "\\\\'",
        "%",
        "_",
        "%' --",
        "$1",
        "?",
        ":name",
        "') UNION SELECT * FROM users --",
        "data ->> 'x'",
        "]]>",
        "${jndi:ldap://x}",
        "{{7*7}}",
        "<script>alert(1)</script>",
        "e\u{301}",
        "\u{202e}gnp.exe",
        "👩‍👩‍👧‍👦",
        "\u{feff}bom",
        "ｆｕｌｌｗｉｄｔｈ",
        "Ω≈ç√∫",
        "null",
        "true",
        "0",
        "-0",
        "1e309",
        "\t tab",
        "line\nbreak",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    values.push("\u{0}".into());
    values.push("before\u{0}after".into());
    values.push("x".repeat(150));
    values.push("é".repeat(5000));
    values
}

async fn hostile_values_never_break_a_write_and_read_back_exactly(engine: TestEngine) {
    let business = business(engine).await;
    let app = &business.app;
    let (_, owner) = business.signed_in_as("owner@injection.test", &[BuiltInRole::Owner]).await;
    let mut accepted = 0;

    for value in hostile_strings() {
        for field in ["name", "company", "phone", "address", "email", "tier"] {
            let body = json!({ "department": "sales", "fields": { "name": "Base", field: value } });
            let response = app.post_with("/api/collections/customers/records", &owner, body).await;
            let status = response.status().as_u16();
            assert!(matches!(status, 201 | 409 | 422), "{field} = {value:?}: {status}");
            if status == 201 && matches!(field, "name" | "company" | "address") {
                let created: Value = response.json().await.unwrap();
                assert_eq!(created["fields"][field], Value::from(value.clone()), "{field} altered");
                accepted += 1;
            }
        }
    }
    assert!(accepted > 20, "most hostile text is ordinary text and is stored: {accepted}");

    let deep =
        json!({ "name": "deep", "title": "Deep", "fields": [{ "name": "blob", "type": "json" }] });
    assert_eq!(app.post_with("/api/collections", &owner, deep).await.status(), 201);
    for (depth, expect) in [(10, 201), (17, 422), (100_000, 400)] {
        // Written as text: the client never holds a value this deep.
        let body = format!(
            r#"{{"fields":{{"blob":{}"bottom"{}}}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let response = app
            .client
            .post(app.at("/api/collections/deep/records"))
            .bearer_auth(&owner)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), expect, "JSON nested {depth} deep");
    }
}

async fn hostile_filters_never_break_a_list_and_match_exactly(engine: TestEngine) {
    let business = business(engine).await;
    let app = &business.app;
    let (_, owner) = business.signed_in_as("owner@injection.test", &[BuiltInRole::Owner]).await;
    let hostile = hostile_strings();
    let collection =
        rampart_core::records::load_collection(&app.db, "customers").await.unwrap().unwrap();
    let mut stored = std::collections::BTreeSet::new();
    for value in &hostile {
        let Value::Object(fields) = json!({ "name": value }) else { unreachable!() };
        let new = rampart_core::records::write::NewRecord {
            department: Some("sales".into()),
            owner_id: None,
            created_by: None,
        };
        if rampart_core::records::write::create_record(&app.state, &collection, &fields, new)
            .await
            .is_ok()
        {
            stored.insert(value.clone());
        }
    }
    assert!(stored.len() > 20, "{}", stored.len());
    let total = |body: &Value| body["records"].as_array().map_or(0, Vec::len);

    for value in &hostile {
        let quoted = serde_json::to_string(value).unwrap();
        for filter in [
            format!("name = {quoted}"),
            format!("name ~ {quoted}"),
            format!("company = {quoted} || name = {quoted}"),
            format!("phone = {quoted}"),
            format!("name = {}", value),
            value.clone(),
        ] {
            let path = format!(
                "/api/collections/customers/records?limit=100&filter={}",
                urlencode(&filter)
            );
            let response = app.get_with(&path, &owner).await;
            let status = response.status().as_u16();
            // 431: a query string longer than `server.max_header_bytes`.
            assert!(matches!(status, 200 | 400 | 431), "{filter:?}: {status}");
            if status == 200 && filter == format!("name = {quoted}") {
                let body: Value = response.json().await.unwrap();
                let storable = stored.contains(value);
                assert_eq!(
                    total(&body),
                    usize::from(storable),
                    "{filter:?} matched {}",
                    total(&body)
                );
                if storable {
                    assert_eq!(body["records"][0]["fields"]["name"], Value::from(value.clone()));
                }
            }
        }
    }
    let everything: Value = app
        .get_with("/api/collections/customers/records?limit=100", &owner)
        .await
        .json()
        .await
        .unwrap();
    // The demo's two customers and every value stored.
    assert_eq!(total(&everything), stored.len() + 2, "nothing was dropped or added");
}

on_both_engines!(
    hostile_values_never_break_a_write_and_read_back_exactly,
    hostile_filters_never_break_a_list_and_match_exactly,
);

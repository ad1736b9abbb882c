//! The user list as an administrator searches it: by exact address (in any letter case), role,
//! department and status, in pages — and nobody without `users:manage` sees it.

use rampart_domain::BuiltInRole;
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use serde_json::{Value, json};

use crate::business::business;
use crate::helpers::{TestApp, error_of};

async fn users(app: &TestApp, token: &str, query: &str) -> Value {
    let response = app.get_with(&format!("/api/users{query}"), token).await;
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

fn addresses(page: &Value) -> Vec<String> {
    let mut listed: Vec<String> = page["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|user| user["email"].as_str().unwrap().to_owned())
        .collect();
    listed.sort();
    listed
}

async fn administrators_find_people_by_address_role_department_and_status(engine: TestEngine) {
    let business = business(engine).await;
    let app = &business.app;
    let (_, admin) = business.signed_in_as("admin@people.test", &[BuiltInRole::Admin]).await;
    let sales = business.id_of("sales");
    app.post_with(&format!("/api/users/{sales}/disable"), &admin, json!({})).await;

    let found = users(app, &admin, "?email=SUPPORT@demo.rampart.test").await;
    assert_eq!(addresses(&found), ["support@demo.rampart.test"]);
    assert_eq!(
        found["users"][0]["grants"],
        json!([{ "role": "staff", "departments": ["support"] }])
    );
    assert_eq!(found["users"][0]["status"], "active");
    assert_eq!(found["users"][0]["email_verified"], true);
    assert_eq!(users(app, &admin, "?email=nobody@demo.rampart.test").await["users"], json!([]));

    let leads = users(app, &admin, "?role=department_lead").await;
    assert_eq!(addresses(&leads), ["finance@demo.rampart.test", "hr@demo.rampart.test"]);
    let in_finance = users(app, &admin, "?department=finance").await;
    assert_eq!(
        addresses(&in_finance),
        ["finance@demo.rampart.test"],
        "grants listing the department; the admin's and the customer's list none"
    );
    let staff_in_support = users(app, &admin, "?role=staff&department=support").await;
    assert_eq!(addresses(&staff_in_support), ["support@demo.rampart.test"]);
    let disabled = users(app, &admin, "?status=disabled").await;
    assert_eq!(addresses(&disabled), ["sales@demo.rampart.test"]);

    for bad in
        ["?status=gone", "?email=not-an-address", "?limit=0", "?role=0.5", "?department=Sales%21"]
    {
        let (status, error) =
            error_of(app.get_with(&format!("/api/users{bad}"), &admin).await).await;
        assert_eq!((status, error["code"].as_str()), (422, Some("invalid_input")), "{bad}");
    }
    let (_, clerk) = business.signed_in_as("clerk@people.test", &[BuiltInRole::Staff]).await;
    assert_eq!(app.get_with("/api/users", &clerk).await.status(), 403);
}

async fn the_user_list_comes_in_pages_that_cover_everyone_once(engine: TestEngine) {
    let business = business(engine).await;
    let app = &business.app;
    let (_, admin) = business.signed_in_as("admin@people.test", &[BuiltInRole::Admin]).await;
    let everyone = addresses(&users(app, &admin, "?limit=200").await);

    let mut seen = Vec::new();
    let mut query = "?limit=2".to_owned();
    loop {
        let page = users(app, &admin, &query).await;
        assert!(page["users"].as_array().unwrap().len() <= 2);
        seen.extend(addresses(&page));
        match page["next_after"].as_str() {
            Some(after) => query = format!("?limit=2&after={after}"),
            None => break,
        }
    }

    seen.sort();
    assert_eq!(seen, everyone);
    assert_eq!(everyone.len(), 6, "five demo people and the admin: {everyone:?}");
}

on_both_engines!(
    administrators_find_people_by_address_role_department_and_status,
    the_user_list_comes_in_pages_that_cover_everyone_once,
);

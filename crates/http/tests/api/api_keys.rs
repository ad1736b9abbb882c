//! API keys: shown once, never more power than their creator holds now, limited to networks,
//! revocable, and their last use recorded.

use rampart_domain::BuiltInRole;
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::helpers::{TestApp, spawn_app};
use crate::people::{bearer, create_user};

fn in_days(days: i64) -> String {
    (OffsetDateTime::now_utc() + Duration::days(days)).format(&Rfc3339).unwrap()
}

async fn make_key(app: &TestApp, session: &str, body: Value) -> (u16, Value) {
    let response = app.post_with("/api/me/api-keys", session, body).await;
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn a_key_is_shown_once_and_acts_with_its_own_permissions_only(engine: TestEngine) {
    let app = spawn_app(engine).await;
    create_user(&app, "ada@example.com", &[BuiltInRole::Staff]).await;
    let session = bearer(&app, "ada@example.com").await;

    let (status, created) = make_key(
        &app,
        &session,
        json!({ "name": "nightly export", "permissions": ["records:read"], "expires_at": in_days(30) }),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let key = created["key"].as_str().unwrap();
    assert!(key.starts_with("rk_") && key.len() == 3 + 64);

    let me: Value = app.get_with("/api/me", key).await.json().await.unwrap();
    assert_eq!(me["permissions"], json!(["records:read"]));
    assert_eq!(me["credential"]["kind"], "api_key");
    let listed: Vec<Value> = app.get_with("/api/me/api-keys", &session).await.json().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].get("key").is_none(), "the secret is never shown again");
    assert!(listed[0]["last_used_at"].is_string(), "the use was recorded");
    let stored = rampart_store::api_keys::list_api_keys_of_user(
        &app.db,
        me["id"].as_str().unwrap().parse().unwrap(),
    )
    .await
    .unwrap();
    assert_ne!(stored[0].token_hash, key.as_bytes(), "only a hash is stored");

    let (status, refused) =
        make_key(&app, key, json!({ "name": "from a key", "expires_at": in_days(1) })).await;
    assert_eq!(status, 403, "a key cannot make keys: {refused}");
}

async fn a_key_cannot_hold_more_than_its_creator_and_shrinks_with_them(engine: TestEngine) {
    let app = spawn_app(engine).await;
    let ada =
        create_user(&app, "ada@example.com", &[BuiltInRole::Staff, BuiltInRole::SecurityOfficer])
            .await;
    let session = crate::factors::mfa_bearer(&app, "ada@example.com").await;

    let (status, body) = make_key(
        &app,
        &session,
        json!({ "name": "too much", "permissions": ["backups:manage"], "expires_at": in_days(1) }),
    )
    .await;
    assert_eq!(status, 422);
    assert!(body["error"]["message"].as_str().unwrap().contains("backups:manage"));

    let (_, created) = make_key(&app, &session, json!({ "name": "audit", "permissions": ["audit:read", "records:read"], "expires_at": in_days(1) })).await;
    let key = created["key"].as_str().unwrap();
    // Ada loses the security officer role: her key loses audit:read with it, at once.
    rampart_store::roles::revoke_role(&app.db, ada, "security_officer").await.unwrap();
    let me: Value = app.get_with("/api/me", key).await.json().await.unwrap();
    assert_eq!(me["permissions"], json!(["records:read"]));
}

async fn a_key_outside_its_networks_revoked_or_expired_is_refused(engine: TestEngine) {
    let app = spawn_app(engine).await;
    create_user(&app, "ada@example.com", &[BuiltInRole::Staff]).await;
    let session = bearer(&app, "ada@example.com").await;

    let (_, elsewhere) = make_key(
        &app,
        &session,
        json!({ "name": "office", "allowed_cidrs": ["203.0.113.0/24"], "expires_at": in_days(1) }),
    )
    .await;
    assert_eq!(app.get_with("/api/me", elsewhere["key"].as_str().unwrap()).await.status(), 401);
    let (_, local) = make_key(&app, &session, json!({ "name": "here", "allowed_cidrs": ["127.0.0.0/8", "::1/128"], "expires_at": in_days(1) })).await;
    let key = local["key"].as_str().unwrap();
    assert_eq!(app.get_with("/api/me", key).await.status(), 200);

    let id = local["api_key"]["id"].as_str().unwrap();
    assert_eq!(app.delete_with(&format!("/api/me/api-keys/{id}"), &session).await.status(), 204);
    assert_eq!(app.get_with("/api/me", key).await.status(), 401, "revoked");

    let (status, _) =
        make_key(&app, &session, json!({ "name": "past", "expires_at": in_days(-1) })).await;
    assert_eq!(status, 422, "an expiry in the past is refused");
    let (status, _) = make_key(
        &app,
        &session,
        json!({ "name": "net", "allowed_cidrs": ["not-a-net"], "expires_at": in_days(1) }),
    )
    .await;
    assert_eq!(status, 422);
}

async fn a_key_stops_working_at_its_expiry(engine: TestEngine) {
    let clock = rampart_domain::ManualClock::starting_at(OffsetDateTime::now_utc());
    let options = crate::helpers::TestOptions { clock: Some(clock.clone()), ..Default::default() };
    let app = crate::helpers::spawn_app_with(engine, options).await;
    create_user(&app, "ada@example.com", &[BuiltInRole::Staff]).await;
    let session = bearer(&app, "ada@example.com").await;
    let (_, created) =
        make_key(&app, &session, json!({ "name": "short", "expires_at": in_days(2) })).await;
    let key = created["key"].as_str().unwrap();

    clock.advance(Duration::days(2) - Duration::minutes(1));
    assert_eq!(app.get_with("/api/me", key).await.status(), 200);
    clock.advance(Duration::minutes(2));
    assert_eq!(app.get_with("/api/me", key).await.status(), 401);
}

/// A key's list bounds access that comes from a role rather than a permission: a customer's key
/// with no permissions reaches none of the customer's own records, though their session does.
async fn a_customers_key_reaches_only_what_its_list_names(engine: TestEngine) {
    let business = crate::business::business(engine).await;
    let app = &business.app;
    let session = business.token_of("customer").await;
    assert_eq!(app.get_with("/api/collections/orders/records", &session).await.status(), 200);

    let (status, created) = make_key(
        app,
        &session,
        json!({ "name": "portal", "permissions": [], "expires_at": in_days(30) }),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let key = created["key"].as_str().unwrap();
    assert_eq!(app.get_with("/api/collections/orders/records", key).await.status(), 404);
    let create = json!({ "fields": { "total": "10.00", "status": "new" } });
    let created = app.post_with("/api/collections/orders/records", key, create).await;
    assert_eq!(created.status(), 404, "a key with no permissions created a record");
}

on_both_engines!(
    a_customers_key_reaches_only_what_its_list_names,
    a_key_stops_working_at_its_expiry,
    a_key_is_shown_once_and_acts_with_its_own_permissions_only,
    a_key_cannot_hold_more_than_its_creator_and_shrinks_with_them,
    a_key_outside_its_networks_revoked_or_expired_is_refused,
);

//! A holder's copy of their own data: what it holds, that no secret is in it, that only a
//! session (not an API key) gets it, and that the export is audited.

use rampart_domain::BuiltInRole;
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::factors::audited;
use crate::helpers::spawn_app;
use crate::people::{PASSWORD, bearer, create_user};

async fn a_holder_exports_their_data_without_any_secret_in_it(engine: TestEngine) {
    let app = spawn_app(engine).await;
    let ada = create_user(&app, "ada@example.com", &[BuiltInRole::Staff]).await;
    let session = bearer(&app, "ada@example.com").await;
    let expires = (OffsetDateTime::now_utc() + Duration::days(3)).format(&Rfc3339).unwrap();
    let key = app
        .post_with(
            "/api/me/api-keys",
            &session,
            json!({ "name": "nightly", "expires_at": expires }),
        )
        .await;
    assert_eq!(key.status(), 201);
    let key: Value = key.json().await.unwrap();
    let key = key["key"].as_str().unwrap();

    let response = app.get_with("/api/me/export", &session).await;

    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let export: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(export["account"]["id"], ada.to_string());
    assert_eq!(export["account"]["email"], "ada@example.com");
    assert_eq!(export["grants"][0]["role"], "staff");
    assert_eq!(export["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(export["factors"]["totp"], false);
    assert_eq!(export["api_keys"][0]["name"], "nightly");
    for secret in [session.as_str(), key, PASSWORD, "$argon2", "token_hash", "password_hash"] {
        assert!(!text.contains(secret), "the export holds {secret:?}");
    }
    assert_eq!(audited(&app, "user_data_exported").await.len(), 1);
    let (status, _) = crate::helpers::error_of(app.get_with("/api/me/export", key).await).await;
    assert_eq!(status, 403, "an API key cannot export its holder's data");
}

on_both_engines!(a_holder_exports_their_data_without_any_secret_in_it);

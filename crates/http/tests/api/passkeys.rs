//! Passkeys over HTTP, the parts a test can check without an authenticator (the ceremonies
//! themselves run in a real browser: scripts/e2e): the options the browser gets, single-use
//! challenges that expire after five minutes, and the routes that manage passkeys.

use rampart_domain::Clock;
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use rampart_store::webauthn_challenges::{ChallengeRow, insert_challenge, take_challenge};
use serde_json::{Value, json};
use time::Duration;
use uuid::Uuid;

use crate::factors::{app_with_clock, enrol_totp, pending_sign_in, post_json};
use crate::helpers::error_of;
use crate::people::{bearer, create_user};

fn challenge_bytes(options: &Value) -> usize {
    let text = options["publicKey"]["challenge"].as_str().unwrap();
    text.len() * 3 / 4
}

async fn the_browser_is_asked_for_a_verified_discoverable_passkey_of_this_site(engine: TestEngine) {
    let (app, _clock) = app_with_clock(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    let token = bearer(&app, "ada@example.com").await;

    let (status, registration) =
        post_json(&app, "/api/me/passkeys/options", &token, json!({})).await;

    assert_eq!(status, 200, "{registration}");
    let options = &registration["options"]["publicKey"];
    assert_eq!(options["rp"]["id"], "localhost", "the RP id is public_origin's host");
    assert_eq!(options["authenticatorSelection"]["userVerification"], "required");
    assert_eq!(options["authenticatorSelection"]["residentKey"], "required");
    assert!(challenge_bytes(&registration["options"]) >= 16, "at least 128 bits");
    assert_eq!(options["timeout"], 300_000, "five minutes");

    let (status, passwordless) =
        post_json(&app, "/api/auth/login/passkey/start", "", json!({})).await;
    assert_eq!(status, 200, "{passwordless}");
    assert_eq!(passwordless["options"]["publicKey"]["userVerification"], "required");
    assert!(passwordless["options"]["mediation"].is_null());
    assert_ne!(
        passwordless["options"]["publicKey"]["challenge"], options["challenge"],
        "a fresh challenge each time"
    );
}

async fn a_challenge_is_taken_once_and_not_after_five_minutes(engine: TestEngine) {
    let (app, clock) = app_with_clock(engine).await;
    let row = |minutes: i64| ChallengeRow {
        id: Uuid::new_v4(),
        user_id: None,
        purpose: "passwordless".into(),
        state: "{}".into(),
        expires_at: clock.now() + Duration::minutes(minutes),
    };
    let (fresh, stale) = (row(5), row(5));
    insert_challenge(&app.db, &fresh).await.unwrap();
    insert_challenge(&app.db, &stale).await.unwrap();
    let now = clock.now();

    let first = take_challenge(&app.db, fresh.id, "passwordless", now).await.unwrap();
    let second = take_challenge(&app.db, fresh.id, "passwordless", now).await.unwrap();
    let other_purpose = take_challenge(&app.db, stale.id, "register", now).await.unwrap();
    let late = take_challenge(&app.db, stale.id, "passwordless", now + Duration::minutes(6))
        .await
        .unwrap();

    assert_eq!(first, Some(fresh));
    assert_eq!(second, None, "single use");
    assert_eq!(other_purpose, None);
    assert_eq!(late, None, "expired after five minutes");
}

async fn an_unknown_or_forged_answer_is_refused(engine: TestEngine) {
    let (app, _clock) = app_with_clock(engine).await;
    let (_, started) = post_json(&app, "/api/auth/login/passkey/start", "", json!({})).await;
    let forged = json!({
        "id": "AAAA", "rawId": "AAAA", "type": "public-key", "extensions": {},
        "response": { "authenticatorData": "AAAA", "clientDataJSON": "AAAA", "signature": "AAAA", "userHandle": null },
    });

    for challenge_id in [started["challenge_id"].clone(), json!(Uuid::new_v4())] {
        let (status, body) = post_json(
            &app,
            "/api/auth/login/passkey/finish",
            "",
            json!({ "challenge_id": challenge_id, "credential": forged }),
        )
        .await;
        assert_eq!((status, body["error"]["code"].as_str()), (401, Some("passkey_rejected")));
    }
    assert_eq!(crate::factors::audited(&app, "authn_login_fail").await.len(), 2);
}

async fn passkeys_are_listed_renamed_and_removed_only_by_their_owner(engine: TestEngine) {
    let (app, clock) = app_with_clock(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    let token = bearer(&app, "ada@example.com").await;
    let someone_elses = Uuid::new_v4();

    let listed: Value = app.get_with("/api/me/passkeys", &token).await.json().await.unwrap();
    let renamed = app
        .client
        .patch(app.at(&format!("/api/me/passkeys/{someone_elses}")))
        .bearer_auth(&token)
        .json(&json!({ "name": "mine now" }))
        .send()
        .await
        .unwrap();
    let removed = app.delete_with(&format!("/api/me/passkeys/{someone_elses}"), &token).await;

    assert_eq!(listed, json!([]));
    assert_eq!(renamed.status(), 404);
    assert_eq!(removed.status(), 404);

    // A sign-in with only an authenticator app is offered no passkey.
    enrol_totp(&app, &token, clock.now()).await;
    let pending = pending_sign_in(&app, "ada@example.com").await;
    let (status, error) =
        error_of(app.post_with("/api/auth/login/passkey/start", &pending, json!({})).await).await;
    assert_eq!((status, error["code"].as_str()), (401, Some("passkey_rejected")));
}

on_both_engines!(
    the_browser_is_asked_for_a_verified_discoverable_passkey_of_this_site,
    a_challenge_is_taken_once_and_not_after_five_minutes,
    an_unknown_or_forged_answer_is_refused,
    passkeys_are_listed_renamed_and_removed_only_by_their_owner,
);

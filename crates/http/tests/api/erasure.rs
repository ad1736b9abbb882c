//! Deleting one's own account and an administrator's erasure of someone's: re-authentication
//! first, the personal data gone (the account row with its address, sessions, grants), the
//! holder told, the audit trail kept under the account's id — and the limits: not more than
//! the administrator holds, not oneself through the administrator's route, not the last owner.

use rampart_domain::{BuiltInRole, Clock};
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use serde_json::{Value, json};
use time::Duration;

use crate::business::business;
use crate::factors::{app_with_mail_and_clock, audited, post_json};
use crate::helpers::error_of;
use crate::people::{PASSWORD, bearer, create_user, login};

async fn a_holder_deletes_their_account_after_re_authenticating(engine: TestEngine) {
    let (app, clock, sink) = app_with_mail_and_clock(engine).await;
    let ada = create_user(&app, "ada@example.com", &[BuiltInRole::Staff]).await;
    let session = bearer(&app, "ada@example.com").await;
    clock.advance(Duration::minutes(11));

    let (status, error) = error_of(app.delete_with("/api/me", &session).await).await;
    assert_eq!((status, error["code"].as_str()), (403, Some("reauth_required")));
    let reauth = json!({ "password": PASSWORD, "session": "token" });
    let (status, fresh) = post_json(&app, "/api/auth/reauth", &session, reauth).await;
    assert_eq!(status, 200, "{fresh}");
    let fresh = fresh["token"].as_str().unwrap();

    let response = app.delete_with("/api/me", fresh).await;

    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.unwrap(), json!({ "status": "removed" }));
    assert_eq!(app.get_with("/api/me", fresh).await.status(), 401, "the session ended");
    assert_eq!(login(&app, "ada@example.com", PASSWORD).await.status(), 401);
    let row = rampart_store::users::find_user_by_id(&app.db, ada).await.unwrap();
    assert!(row.is_none(), "the address and password are gone with the row");
    let erased = audited(&app, "user_erased").await;
    assert_eq!(erased[0].entry.target.as_deref(), Some(format!("user:{ada}").as_str()));
    let earlier = audited(&app, "session_created").await;
    assert!(earlier.iter().any(|e| e.entry.actor_user_id == Some(ada)), "the trail keeps the id");
    let mail = sink.wait_for(1).await;
    assert!(mail.iter().any(|m| m.to == "ada@example.com" && m.subject.contains("deleted")));
    let _ = clock.now();
}

async fn an_administrator_erases_a_person_but_not_more_than_they_hold(engine: TestEngine) {
    let business = business(engine).await;
    let app = &business.app;
    let (owner_id, owner) =
        business.signed_in_as("owner@erasure.test", &[BuiltInRole::Owner]).await;
    let (admin_id, admin) =
        business.signed_in_as("admin@erasure.test", &[BuiltInRole::Admin]).await;
    let support = business.id_of("support");
    let support_token = business.token_of("support").await;

    let grants = json!({ "email": "gil@erasure.test", "grants": [{ "role": "staff" }] });
    assert_eq!(app.post_with("/api/invitations", &admin, grants).await.status(), 201);

    let response = app.delete_with(&format!("/api/users/{support}"), &admin).await;

    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "removed");
    assert_eq!(body["sessions_ended"], 1);
    assert_eq!(app.get_with("/api/me", &support_token).await.status(), 401);
    let found: Value = app
        .get_with("/api/users?email=support@demo.rampart.test", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["users"], json!([]));
    assert_eq!(app.delete_with(&format!("/api/users/{support}"), &admin).await.status(), 404);

    let (status, _) =
        error_of(app.delete_with(&format!("/api/users/{owner_id}"), &admin).await).await;
    assert_eq!(status, 403, "an admin cannot erase an owner");
    let (status, _) =
        error_of(app.delete_with(&format!("/api/users/{admin_id}"), &admin).await).await;
    assert_eq!(status, 409, "one's own account goes through DELETE /api/me");
    let (status, error) = error_of(app.delete_with("/api/me", &owner).await).await;
    assert_eq!((status, error["code"].as_str()), (409, Some("conflict")), "the last owner stays");
    assert_eq!(audited(app, "user_erased").await.len(), 1);
    // An erased administrator's pending invitations stop with them.
    let response = app.delete_with(&format!("/api/users/{admin_id}"), &owner).await;
    assert_eq!(response.status(), 200);
    let pending: Value = app.get_with("/api/invitations", &owner).await.json().await.unwrap();
    assert_eq!(pending, json!([]));
}

on_both_engines!(
    a_holder_deletes_their_account_after_re_authenticating,
    an_administrator_erases_a_person_but_not_more_than_they_hold,
);

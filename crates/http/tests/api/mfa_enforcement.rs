//! Roles that require a second factor: a holder without one gets a session that reaches only
//! enrolment (403 `mfa_enrolment_required` elsewhere) until an authenticator is confirmed — the
//! first owner included. An administrator resets a user's lost factors.

use rampart_domain::BuiltInRole;
use rampart_domain::Clock;
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use serde_json::{Value, json};

use crate::factors::{app_with_clock, app_with_mail_and_clock, audited, enrol_totp};
use crate::helpers::error_of;
use crate::people::{PASSWORD, bearer, create_user, login};

async fn an_owner_without_a_second_factor_reaches_only_enrolment(engine: TestEngine) {
    let (app, clock) = app_with_clock(engine).await;
    create_user(&app, "owner@example.com", &[BuiltInRole::Owner]).await;
    let ada = create_user(&app, "ada@example.com", &[]).await;

    let signed_in: Value = login(&app, "owner@example.com", PASSWORD).await.json().await.unwrap();
    assert_eq!(signed_in["stage"], "full");
    assert_eq!(signed_in["mfa_enrolment_required"], true);
    let token = signed_in["token"].as_str().unwrap();
    let me: Value = app.get_with("/api/me", token).await.json().await.unwrap();
    assert_eq!(me["mfa"]["enrolment_required"], true);

    let refused = [
        app.get_with("/api/me/sessions", token).await,
        app.get_with(&format!("/api/users/{ada}/sessions"), token).await,
        app.delete_with("/api/sessions", token).await,
        app.get_with("/api/me/mfa/recovery-codes", token).await,
        app.post_with("/api/me/api-keys", token, json!({})).await,
        app.post_with(&format!("/api/users/{ada}/disable"), token, json!({})).await,
    ];
    for response in refused {
        let path = response.url().path().to_owned();
        let (status, error) = error_of(response).await;
        assert_eq!(
            (status, error["code"].as_str()),
            (403, Some("mfa_enrolment_required")),
            "{path}"
        );
    }

    let enrolled = enrol_totp(&app, token, clock.now()).await;

    let listed = app.get_with(&format!("/api/users/{ada}/sessions"), &enrolled.token).await;
    assert_eq!(listed.status(), 200);
    let me: Value = app.get_with("/api/me", &enrolled.token).await.json().await.unwrap();
    assert_eq!(me["mfa"]["enrolment_required"], false);
    assert_eq!(app.get_with("/api/me", token).await.status(), 401, "the enrolling token ended");
}

async fn accounts_whose_roles_need_no_second_factor_are_not_held_back(engine: TestEngine) {
    let (app, _clock) = app_with_clock(engine).await;
    create_user(&app, "ada@example.com", &[BuiltInRole::Staff]).await;

    let token = bearer(&app, "ada@example.com").await;

    assert_eq!(app.get_with("/api/me/sessions", &token).await.status(), 200);
}

async fn an_administrator_resets_a_users_lost_factors(engine: TestEngine) {
    let (app, clock, sink) = app_with_mail_and_clock(engine).await;
    let admin = create_user(&app, "admin@example.com", &[BuiltInRole::Admin]).await;
    let bob = create_user(&app, "bob@example.com", &[BuiltInRole::SecurityOfficer]).await;
    create_user(&app, "carol@example.com", &[]).await;
    let admin_token =
        enrol_totp(&app, &bearer(&app, "admin@example.com").await, clock.now()).await.token;
    let bob_token =
        enrol_totp(&app, &bearer(&app, "bob@example.com").await, clock.now()).await.token;
    let carol = bearer(&app, "carol@example.com").await;
    let path = format!("/api/users/{bob}/factors");

    assert_eq!(app.delete_with(&path, &carol).await.status(), 403, "needs users:manage");
    let own = app.delete_with(&format!("/api/users/{admin}/factors"), &admin_token).await;
    assert_eq!(own.status(), 409, "not one's own");
    let before: Value = app.get_with(&path, &admin_token).await.json().await.unwrap();
    assert_eq!(
        (before["totp"].as_bool(), before["recovery_codes_left"].as_i64()),
        (Some(true), Some(10))
    );

    let reset = app.delete_with(&path, &admin_token).await;

    assert_eq!(reset.status(), 200);
    let reset: Value = reset.json().await.unwrap();
    assert_eq!(reset["status"], "factors_reset");
    assert_eq!(app.get_with("/api/me", &bob_token).await.status(), 401, "bob's sessions ended");
    let after: Value = app.get_with(&path, &admin_token).await.json().await.unwrap();
    assert_eq!(
        (after["totp"].as_bool(), after["recovery_codes_left"].as_i64()),
        (Some(false), Some(0))
    );
    let again: Value = login(&app, "bob@example.com", PASSWORD).await.json().await.unwrap();
    assert_eq!(again["stage"], "full", "no second factor to ask for");
    assert_eq!(again["mfa_enrolment_required"], true, "bob must enrol again");
    let removed = audited(&app, "authn_mfa_removed").await;
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].entry.actor_user_id, Some(admin));
    assert!(removed[0].entry.details.contains("admin_reset"), "{}", removed[0].entry.details);
    let subject = crate::factors::alert_raised(&app, "factor_removed").await;
    assert_eq!(subject, format!("user:{bob}"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let mails = sink.messages();
        if mails.iter().any(|m| m.to == "bob@example.com" && m.subject.contains("were reset")) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{mails:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

on_both_engines!(
    an_owner_without_a_second_factor_reaches_only_enrolment,
    accounts_whose_roles_need_no_second_factor_are_not_held_back,
    an_administrator_resets_a_users_lost_factors,
);

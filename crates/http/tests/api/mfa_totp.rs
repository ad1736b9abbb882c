//! TOTP as a second factor: enrolment with a QR code, sign-in in two steps with a new token at
//! each, one use per 30-second step (also under concurrency), one step of drift either side, and
//! five wrong codes ending the pending sign-in. Codes come from oathtool.

use rampart_domain::Clock;
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use rampart_store::totp_factors::find_totp_factor;
use serde_json::{Value, json};
use time::Duration;

use crate::factors::{
    STEP, app_with_clock, audited, complete_sign_in, enrol_totp, pending_sign_in, post_json,
    start_totp, totp_code, wrong_code,
};
use crate::people::{bearer, create_user};

async fn a_user_enrols_an_authenticator_app_and_signs_in_with_its_codes(engine: TestEngine) {
    let (app, clock) = app_with_clock(engine).await;
    let ada = create_user(&app, "ada@example.com", &[]).await;
    let first = bearer(&app, "ada@example.com").await;

    let (secret, answer) = start_totp(&app, &first).await;
    let uri = answer["otpauth_uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/Rampart:ada%40example.com?"), "{uri}");
    assert!(uri.contains(&format!("secret={secret}")) && uri.contains("issuer=Rampart"), "{uri}");
    assert!(answer["qr_svg"].as_str().unwrap().contains("<svg"));
    let stored = find_totp_factor(&app.db, ada).await.unwrap().unwrap();
    assert!(stored.confirmed_at.is_none(), "not a factor until a code confirms it");
    assert!(!String::from_utf8_lossy(&stored.secret_ciphertext).contains(&secret));

    let (status, confirmed) = post_json(
        &app,
        "/api/me/mfa/totp/confirm",
        &first,
        json!({ "code": totp_code(&secret, clock.now()), "session": "token" }),
    )
    .await;
    assert_eq!(status, 200, "{confirmed}");
    let codes: Vec<&str> = confirmed["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 10);
    assert!(codes.iter().all(|c| c.len() == 39 && c.replace('-', "").len() == 32), "{codes:?}");
    assert_eq!(confirmed["session"]["assurance"], "password+totp");
    let enrolled = confirmed["session"]["token"].as_str().unwrap();
    assert_ne!(enrolled, first, "enrolment issues a new token");
    assert_eq!(app.get_with("/api/me", &first).await.status(), 401, "the old token is dead");

    // Signing in again now takes two steps.
    clock.advance(STEP);
    let pending = pending_sign_in(&app, "ada@example.com").await;
    for path in ["/api/me", "/api/me/sessions", "/api/me/mfa/recovery-codes"] {
        assert_eq!(
            app.get_with(path, &pending).await.status(),
            401,
            "{path} with a pending sign-in"
        );
    }
    let (status, body) =
        complete_sign_in(&app, &pending, json!({ "code": totp_code(&secret, clock.now()) })).await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["stage"], "full");
    assert_eq!(body["assurance"], "password+totp");
    let full = body["token"].as_str().unwrap();
    assert_ne!(full, pending);
    assert_eq!(app.get_with("/api/me", &pending).await.status(), 401, "the pending token is spent");
    let me: Value = app.get_with("/api/me", full).await.json().await.unwrap();
    assert_eq!(me["mfa"]["totp"], true);
    assert_eq!(me["mfa"]["recovery_codes_left"], 10);
    assert_eq!(me["mfa"]["assurance"], "password+totp");
    assert_eq!(audited(&app, "authn_mfa_enrolled").await.len(), 1);
    assert_eq!(audited(&app, "authn_mfa_success").await.len(), 1);
}

async fn each_step_is_accepted_once_even_when_two_requests_race_with_one_code(engine: TestEngine) {
    let (app, clock) = app_with_clock(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    let first = bearer(&app, "ada@example.com").await;
    let enrolled = enrol_totp(&app, &first, clock.now()).await;

    // The enrolment code was a use of its step.
    let pending = pending_sign_in(&app, "ada@example.com").await;
    let code = totp_code(&enrolled.secret, clock.now());
    let (status, body) = complete_sign_in(&app, &pending, json!({ "code": code })).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("invalid_code")));

    // Two sign-ins present the next step's code at the same moment.
    clock.advance(STEP);
    let (a, b) = (
        pending_sign_in(&app, "ada@example.com").await,
        pending_sign_in(&app, "ada@example.com").await,
    );
    let code = totp_code(&enrolled.secret, clock.now());
    let (first_answer, second_answer) = tokio::join!(
        complete_sign_in(&app, &a, json!({ "code": code })),
        complete_sign_in(&app, &b, json!({ "code": code })),
    );
    let mut statuses = [first_answer.0, second_answer.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 401], "exactly one success");

    // One sign-in presents one code twice at the same moment.
    clock.advance(STEP);
    let pending = pending_sign_in(&app, "ada@example.com").await;
    let code = totp_code(&enrolled.secret, clock.now());
    let (once, twice) = tokio::join!(
        complete_sign_in(&app, &pending, json!({ "code": code })),
        complete_sign_in(&app, &pending, json!({ "code": code })),
    );
    let mut statuses = [once.0, twice.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 401], "exactly one success");
}

async fn codes_one_step_either_side_are_accepted_and_no_further(engine: TestEngine) {
    let (app, clock) = app_with_clock(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    let first = bearer(&app, "ada@example.com").await;
    let enrolled = enrol_totp(&app, &first, clock.now()).await;
    clock.advance(STEP * 10);
    let now = clock.now();
    let code_at = |offset: Duration| json!({ "code": totp_code(&enrolled.secret, now + offset) });

    let pending = pending_sign_in(&app, "ada@example.com").await;
    assert_eq!(complete_sign_in(&app, &pending, code_at(STEP * 2)).await.0, 401, "two steps ahead");
    assert_eq!(complete_sign_in(&app, &pending, code_at(-STEP * 2)).await.0, 401, "two steps late");
    assert_eq!(complete_sign_in(&app, &pending, code_at(-STEP)).await.0, 200, "one step late");

    let pending = pending_sign_in(&app, "ada@example.com").await;
    assert_eq!(complete_sign_in(&app, &pending, code_at(STEP)).await.0, 200, "one step ahead");

    // After a later step was accepted, an earlier one is not.
    let pending = pending_sign_in(&app, "ada@example.com").await;
    assert_eq!(complete_sign_in(&app, &pending, code_at(Duration::ZERO)).await.0, 401);
}

async fn five_wrong_codes_end_the_pending_sign_in_and_it_expires_after_five_minutes(
    engine: TestEngine,
) {
    let (app, clock) = app_with_clock(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    let first = bearer(&app, "ada@example.com").await;
    let enrolled = enrol_totp(&app, &first, clock.now()).await;
    clock.advance(STEP);
    let right = totp_code(&enrolled.secret, clock.now());

    let pending = pending_sign_in(&app, "ada@example.com").await;
    for attempt in 1..=5 {
        let (status, body) =
            complete_sign_in(&app, &pending, json!({ "code": wrong_code(&right) })).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (401, Some("invalid_code")),
            "{attempt}"
        );
    }
    let (status, body) = complete_sign_in(&app, &pending, json!({ "code": right })).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("unauthenticated")));
    assert_eq!(audited(&app, "authn_mfa_fail").await.len(), 5);
    crate::factors::alert_raised(&app, "mfa_failure_burst").await;

    let pending = pending_sign_in(&app, "ada@example.com").await;
    clock.advance(Duration::seconds(301));
    let late = json!({ "code": totp_code(&enrolled.secret, clock.now()) });
    assert_eq!(complete_sign_in(&app, &pending, late.clone()).await.0, 401, "expired");

    let pending = pending_sign_in(&app, "ada@example.com").await;
    assert_eq!(complete_sign_in(&app, &pending, late).await.0, 200, "a new sign-in works");
}

on_both_engines!(
    a_user_enrols_an_authenticator_app_and_signs_in_with_its_codes,
    each_step_is_accepted_once_even_when_two_requests_race_with_one_code,
    codes_one_step_either_side_are_accepted_and_no_further,
    five_wrong_codes_end_the_pending_sign_in_and_it_expires_after_five_minutes,
);

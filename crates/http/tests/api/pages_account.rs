//! The account page's forms, signed in through the pages: changing the password, new recovery
//! codes, and the step-up they need once the sign-in is older than 10 minutes.

use rampart_domain::{Clock, ManualClock};
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use time::Duration;

use crate::factors::{Enrolled, app_with_clock, audited, enrol_totp, totp_code};
use crate::helpers::{TestApp, spawn_app};
use crate::pages::{cookie_of, location, post_form};
use crate::people::{PASSWORD, bearer, browser_login, create_user};

const NEW: &str = "a fresh and rather long passphrase";

/// Signs in through the pages with the password and the app's code at `at`: the cookie.
async fn page_sign_in(app: &TestApp, secret: &str, at: time::OffsetDateTime) -> String {
    let signed =
        post_form(app, "/sign-in", None, &[("email", "ada@example.com"), ("password", PASSWORD)])
            .await;
    let pending = cookie_of(&signed);
    let token = token_of(app, "/sign-in/second-factor", &pending).await;
    let code = totp_code(secret, at);
    let done = post_form(
        app,
        "/sign-in/second-factor",
        Some(&pending),
        &[("csrf_token", &token), ("code", &code)],
    )
    .await;
    assert_eq!(location(&done), "/account");
    cookie_of(&done)
}

/// Ada, with an authenticator app, signed in through the pages (password and code).
struct Ada {
    app: TestApp,
    clock: ManualClock,
    enrolled: Enrolled,
    cookie: String,
}

async fn ada_signed_in(engine: TestEngine) -> Ada {
    let (app, clock) = app_with_clock(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    let enrolled = enrol_totp(&app, &bearer(&app, "ada@example.com").await, clock.now()).await;
    clock.advance(Duration::seconds(30));
    let cookie = page_sign_in(&app, &enrolled.secret, clock.now()).await;
    Ada { app, clock, enrolled, cookie }
}

/// The form token of the page at `path` seen with `cookie`.
async fn token_of(app: &TestApp, path: &str, cookie: &str) -> String {
    let page = app.client.get(app.at(path)).header("cookie", cookie).send().await.unwrap();
    let html = page.text().await.unwrap();
    let marker = r#"name="csrf_token" value=""#;
    let start = html.find(marker).expect("a form token") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

async fn the_account_page_changes_the_password_and_makes_new_recovery_codes(engine: TestEngine) {
    let Ada { app, enrolled, cookie, .. } = ada_signed_in(engine).await;
    let token = token_of(&app, "/account", &cookie).await;

    let wrong = post_form(
        &app,
        "/account/password",
        Some(&cookie),
        &[("csrf_token", &token), ("current_password", "not it at all"), ("new_password", NEW)],
    )
    .await;
    assert_eq!(wrong.status(), 401);
    assert!(!wrong.text().await.unwrap().contains(NEW), "no password is shown again");
    let changed = post_form(
        &app,
        "/account/password",
        Some(&cookie),
        &[("csrf_token", &token), ("current_password", PASSWORD), ("new_password", NEW)],
    )
    .await;
    assert_eq!(changed.status(), 303);
    assert_eq!(location(&changed), "/account?done=password-changed");
    // The refused attempt and the change.
    assert_eq!(audited(&app, "authn_password_change").await.len(), 2);

    let codes =
        post_form(&app, "/account/recovery-codes", Some(&cookie), &[("csrf_token", &token)]).await;
    assert_eq!(codes.status(), 200);
    let html = codes.text().await.unwrap();
    assert_eq!(html.matches("<li><code>").count(), 10);
    assert!(!html.contains(&enrolled.recovery_codes[0]), "a new set");
    assert_eq!(audited(&app, "authn_recovery_codes_generated").await.len(), 2);
}

async fn after_ten_minutes_a_change_needs_the_step_up_form_first(engine: TestEngine) {
    let Ada { app, clock, enrolled, cookie } = ada_signed_in(engine).await;
    clock.advance(Duration::minutes(11));
    let token = token_of(&app, "/account", &cookie).await;

    let refused =
        post_form(&app, "/account/recovery-codes", Some(&cookie), &[("csrf_token", &token)]).await;
    assert_eq!(refused.status(), 403);
    assert!(refused.text().await.unwrap().contains("Confirm it is you first"));
    let code = totp_code(&enrolled.secret, clock.now());
    let confirmed = post_form(
        &app,
        "/account/confirm",
        Some(&cookie),
        &[("csrf_token", &token), ("password", PASSWORD), ("code", &code)],
    )
    .await;
    assert_eq!(confirmed.status(), 303);
    assert_eq!(location(&confirmed), "/account?done=confirmed");
    let fresh = cookie_of(&confirmed);
    let token = token_of(&app, "/account", &fresh).await;
    let codes =
        post_form(&app, "/account/recovery-codes", Some(&fresh), &[("csrf_token", &token)]).await;

    assert_eq!(codes.status(), 200);
    assert_eq!(audited(&app, "authn_reauth").await.len(), 1);
}

async fn sign_out_everywhere_else_keeps_only_this_browser(engine: TestEngine) {
    let app = spawn_app(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    let here = browser_login(&app, "ada@example.com").await;
    let elsewhere = browser_login(&app, "ada@example.com").await;
    let api = bearer(&app, "ada@example.com").await;

    let ended = post_form(
        &app,
        "/account/sessions/end-others",
        Some(&here.cookie),
        &[("csrf_token", &here.csrf)],
    )
    .await;

    assert_eq!(ended.status(), 303);
    assert_eq!(location(&ended), "/account?done=others-ended");
    let page = |cookie: &str| {
        app.client.get(app.at("/account")).header("cookie", cookie.to_owned()).send()
    };
    assert_eq!(page(&here.cookie).await.unwrap().status(), 200);
    assert_eq!(page(&elsewhere.cookie).await.unwrap().status(), 303, "sent to sign in");
    assert_eq!(app.get_with("/api/me", &api).await.status(), 401);
    assert_eq!(audited(&app, "session_revoked_all").await.len(), 1);
}

async fn the_authenticator_app_is_removed_from_the_account_page(engine: TestEngine) {
    let Ada { app, cookie, .. } = ada_signed_in(engine).await;
    let token = token_of(&app, "/account", &cookie).await;

    let removed =
        post_form(&app, "/account/authenticator/remove", Some(&cookie), &[("csrf_token", &token)])
            .await;

    assert_eq!(removed.status(), 303);
    assert_eq!(location(&removed), "/account?done=authenticator-removed");
    assert_eq!(audited(&app, "authn_mfa_removed").await.len(), 1);
    let signed =
        post_form(&app, "/sign-in", None, &[("email", "ada@example.com"), ("password", PASSWORD)])
            .await;
    assert_eq!(location(&signed), "/account", "no second step any more");
}

on_both_engines!(
    the_authenticator_app_is_removed_from_the_account_page,
    sign_out_everywhere_else_keeps_only_this_browser,
    the_account_page_changes_the_password_and_makes_new_recovery_codes,
    after_ten_minutes_a_change_needs_the_step_up_form_first,
);

//! The e-mail side of accounts, read from a real SMTP server on loopback: registration and its
//! verification link, password reset, and the notices an account holder gets.

use rampart_domain::{BuiltInRole, ManualClock};
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use crate::helpers::{TestApp, TestOptions, spawn_app_with};
use crate::people::{PASSWORD, bearer, create_user, login};
use crate::smtp_sink::{ReceivedEmail, SinkTls, SmtpSink, free_port};

const NEW: &str = "a fresh and rather long passphrase";

/// A server delivering to a fresh sink, with a clock the test moves.
async fn app_with_mail(
    engine: TestEngine,
    extra: Vec<(&'static str, toml::Value)>,
) -> (TestApp, SmtpSink, ManualClock) {
    let sink = SmtpSink::start(free_port(), SinkTls::None, None);
    let mut overrides = sink.plain_delivery();
    overrides.extend(extra);
    let clock = ManualClock::starting_at(OffsetDateTime::now_utc());
    let options = TestOptions { overrides, clock: Some(clock.clone()), ..TestOptions::default() };
    (spawn_app_with(engine, options).await, sink, clock)
}

/// The token of the link in a message (quoted-printable or not).
pub fn link_token(message: &ReceivedEmail) -> String {
    let text = message.raw.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
    let start = text.find("#token=").expect("a link with a token") + "#token=".len();
    text[start..start + 32].to_owned()
}

async fn post(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let response = app.client.post(app.at(path)).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn registration_mails_a_link_that_verifies_the_address_once(engine: TestEngine) {
    let (app, sink, _clock) = app_with_mail(engine, vec![]).await;

    let (status, body) = post(
        &app,
        "/api/auth/register",
        json!({ "email": "new@example.com", "password": PASSWORD }),
    )
    .await;
    assert_eq!((status, body), (202, json!({ "status": "check_your_email" })));
    let mail = sink.wait_for(1).await;
    assert_eq!(mail[0].to, "new@example.com");
    assert!(mail[0].subject.contains("confirm your e-mail address"));
    assert_eq!(
        login(&app, "new@example.com", PASSWORD).await.status(),
        401,
        "not before verification"
    );

    let token = link_token(&mail[0]);
    let (status, _) = post(&app, "/api/auth/verify-email", json!({ "token": token })).await;
    assert_eq!(status, 200);
    let (status, _) = post(&app, "/api/auth/verify-email", json!({ "token": token })).await;
    assert_eq!(status, 400, "single use");

    let session = bearer(&app, "new@example.com").await;
    let me: Value = app.get_with("/api/me", &session).await.json().await.unwrap();
    assert_eq!(me["roles"], json!(["customer"]));
    assert_eq!(me["permissions"], json!([]), "a customer holds no staff permission");
}

async fn registering_a_taken_address_answers_the_same_and_tells_its_holder(engine: TestEngine) {
    let (app, sink, _clock) = app_with_mail(engine, vec![]).await;
    create_user(&app, "ada@example.com", &[]).await;

    let (status, body) =
        post(&app, "/api/auth/register", json!({ "email": "ADA@example.com", "password": NEW }))
            .await;

    assert_eq!((status, body), (202, json!({ "status": "check_your_email" })));
    let mail = sink.wait_for(1).await;
    assert!(mail[0].subject.contains("someone tried to register"));
    assert_eq!(login(&app, "ada@example.com", NEW).await.status(), 401, "nothing changed");
    let (status, body) = post(
        &app,
        "/api/auth/register",
        json!({ "email": "x@example.com", "password": "password" }),
    )
    .await;
    assert_eq!(status, 422, "weak passwords are refused with a reason: {body}");
}

async fn look_alike_addresses_make_no_second_account_and_the_answer_is_the_same(
    engine: TestEngine,
) {
    let (app, sink, _clock) = app_with_mail(engine, vec![]).await;
    create_user(&app, "admin@example.com", &[]).await;

    for look_alike in [
        "\u{0430}dmin@example.com", // Cyrillic а
        "adm\u{0456}n@example.com", // Cyrillic і
        "admin@ex\u{0430}mple.com", // in the domain
        "\u{ff41}dmin@example.com", // fullwidth: the same address once normalised
    ] {
        let (status, body) =
            post(&app, "/api/auth/register", json!({ "email": look_alike, "password": NEW })).await;
        assert_eq!((status, body), (202, json!({ "status": "check_your_email" })), "{look_alike}");
        let account = rampart_core::accounts::find_account_by_email(
            &app.state,
            &rampart_domain::Email::parse(look_alike).unwrap(),
        )
        .await
        .unwrap();
        assert!(
            account.is_none_or(|account| account.email.as_str() == "admin@example.com"),
            "{look_alike} made no account of its own"
        );
    }
    let refused = rampart_store::audit::list_audit_events(&app.db, Some("user_created"))
        .await
        .unwrap()
        .into_iter()
        .filter(|event| event.entry.details.contains("look_alike_address"))
        .count();
    assert_eq!(refused, 3, "each look-alike refusal is in the trail");
    // Only the real holder hears of the fullwidth attempt (it is their address); nobody is mailed
    // at a look-alike address.
    let mail = sink.wait_for(1).await;
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].to, "admin@example.com");

    // A different address that merely resembles one is still welcome.
    let (status, _) =
        post(&app, "/api/auth/register", json!({ "email": "admins@example.com", "password": NEW }))
            .await;
    assert_eq!(status, 202);
    let mut to: Vec<String> = sink.wait_for(2).await.into_iter().map(|mail| mail.to).collect();
    to.sort();
    assert_eq!(to, ["admin@example.com", "admins@example.com"]);
}

async fn registration_can_be_turned_off(engine: TestEngine) {
    let (app, _sink, _clock) =
        app_with_mail(engine, vec![("accounts.registration_enabled", false.into())]).await;

    let (status, _) = post(
        &app,
        "/api/auth/register",
        json!({ "email": "new@example.com", "password": PASSWORD }),
    )
    .await;

    assert_eq!(status, 404);
}

async fn a_reset_link_sets_a_new_password_once_ends_sessions_and_expires(engine: TestEngine) {
    let (app, sink, clock) = app_with_mail(engine, vec![]).await;
    create_user(&app, "ada@example.com", &[]).await;
    let session = bearer(&app, "ada@example.com").await;

    let unknown =
        post(&app, "/api/auth/password/forgot", json!({ "email": "nobody@example.com" })).await;
    let known =
        post(&app, "/api/auth/password/forgot", json!({ "email": "ada@example.com" })).await;
    assert_eq!(unknown, known, "the same answer whether the address has an account or not");
    let mail = sink.wait_for(1).await;
    assert_eq!(mail.len(), 1, "only the real account gets mail");
    let token = link_token(&mail[0]);

    let (status, _) =
        post(&app, "/api/auth/password/reset", json!({ "token": token, "password": NEW })).await;
    assert_eq!(status, 200);
    assert_eq!(app.get_with("/api/me", &session).await.status(), 401, "every session ended");
    assert_eq!(login(&app, "ada@example.com", NEW).await.status(), 200);
    let (status, _) = post(
        &app,
        "/api/auth/password/reset",
        json!({ "token": token, "password": "yet another long passphrase" }),
    )
    .await;
    assert_eq!(status, 400, "single use");

    post(&app, "/api/auth/password/forgot", json!({ "email": "ada@example.com" })).await;
    let later = sink.wait_for(3).await;
    assert!(later.iter().any(|m| m.subject.contains("your password was changed")));
    let newest = later
        .iter()
        .find(|m| m.subject.contains("reset your password") && link_token(m) != token)
        .unwrap();
    clock.advance(Duration::minutes(10) + Duration::seconds(1));
    let (status, body) = post(
        &app,
        "/api/auth/password/reset",
        json!({ "token": link_token(newest), "password": "yet another long passphrase" }),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_token")),
        "expired after 10 minutes"
    );
}

async fn account_holders_hear_of_new_devices_and_throttling(engine: TestEngine) {
    let (app, sink, _clock) = app_with_mail(engine, vec![]).await;
    create_user(&app, "ada@example.com", &[BuiltInRole::Staff]).await;
    bearer(&app, "ada@example.com").await;
    bearer(&app, "ada@example.com").await;
    let other_browser = app
        .client
        .post(app.at("/api/auth/login"))
        .header(
            "user-agent",
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        )
        .json(&json!({ "email": "ada@example.com", "password": PASSWORD, "session": "token" }))
        .send()
        .await
        .unwrap();
    assert_eq!(other_browser.status(), 200);
    let new_device = sink.wait_for(1).await;
    assert_eq!(new_device.len(), 1, "the first device and a known device are not news");
    assert!(new_device[0].subject.contains("new device"));

    for _ in 0..5 {
        login(&app, "ada@example.com", "not the password at all, sorry").await;
    }
    let mail = sink.wait_for(2).await;
    assert!(mail.iter().any(|m| m.subject.contains("repeated failed sign-ins")));
    let events =
        rampart_store::audit::list_audit_events(&app.db, Some("authn_login_lock")).await.unwrap();
    assert_eq!(events.len(), 1);
}

/// Anyone can ask for mail to any address: one address gets at most
/// `PER_ADDRESS_PER_HOUR` mails an hour, every request gets the same answer, the first refusal is
/// audited once (not each), and the next hour opens again.
async fn mail_to_one_address_is_limited_per_hour(engine: TestEngine) {
    let (app, sink, clock) = app_with_mail(engine, vec![]).await;
    create_user(&app, "ada@example.com", &[]).await;
    let limit = usize::try_from(rampart_core::accounts::PER_ADDRESS_PER_HOUR).unwrap();
    let forgot = || post(&app, "/api/auth/password/forgot", json!({ "email": "ada@example.com" }));

    let first = forgot().await;
    for _ in 1..limit + 3 {
        assert_eq!(forgot().await, first, "an answer told the limit apart");
    }
    sink.wait_for(limit).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(sink.messages().len(), limit, "more mail than the hour allows");
    assert_eq!(crate::factors::audited(&app, "mail_limited").await.len(), 1);

    clock.advance(Duration::hours(1));
    assert_eq!(forgot().await, first);
    sink.wait_for(limit + 1).await;
}

on_both_engines!(
    mail_to_one_address_is_limited_per_hour,
    registration_mails_a_link_that_verifies_the_address_once,
    registering_a_taken_address_answers_the_same_and_tells_its_holder,
    look_alike_addresses_make_no_second_account_and_the_answer_is_the_same,
    registration_can_be_turned_off,
    a_reset_link_sets_a_new_password_once_ends_sessions_and_expires,
    account_holders_hear_of_new_devices_and_throttling,
);

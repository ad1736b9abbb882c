//! Changing one's own address, read from a real SMTP server: re-authentication first, a link to
//! the new address and a notice to the current one, the address changed only by the link (once),
//! the former address told — and a taken address answered the same, with nothing mailed.

use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use serde_json::{Value, json};
use time::Duration;

use crate::account_emails::link_token;
use crate::factors::{app_with_mail_and_clock, audited};
use crate::helpers::{TestApp, error_of};
use crate::people::{PASSWORD, bearer, create_user, login};

async fn post(app: &TestApp, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut request = app.client.post(app.at(path)).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn the_address_changes_only_when_the_link_sent_to_it_is_used(engine: TestEngine) {
    let (app, _clock, sink) = app_with_mail_and_clock(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    let session = bearer(&app, "ada@example.com").await;

    let (status, body) =
        post(&app, "/api/me/email", Some(&session), json!({ "email": "ada@new.example" })).await;

    assert_eq!((status, body), (202, json!({ "status": "check_your_email" })));
    let mail = sink.wait_for(2).await;
    let to_new = mail.iter().find(|m| m.to == "ada@new.example").expect("a link to the new one");
    let to_old = mail.iter().find(|m| m.to == "ada@example.com").expect("a notice to the old");
    assert!(to_new.raw.contains("/confirm-email#token="));
    assert!(to_old.subject.contains("change of your e-mail address"), "{}", to_old.subject);
    assert_eq!(login(&app, "ada@example.com", PASSWORD).await.status(), 200, "not yet");

    let link = link_token(to_new);
    let (status, body) =
        post(&app, "/api/auth/email/confirm", None, json!({ "token": link })).await;

    assert_eq!((status, body), (200, json!({ "status": "email_changed" })));
    assert_eq!(login(&app, "ada@example.com", PASSWORD).await.status(), 401);
    assert_eq!(login(&app, "ADA@new.example", PASSWORD).await.status(), 200);
    let me: Value = app.get_with("/api/me", &session).await.json().await.unwrap();
    assert_eq!(me["email"], "ada@new.example");
    let (status, _) = post(&app, "/api/auth/email/confirm", None, json!({ "token": link })).await;
    assert_eq!(status, 400, "the link works once");
    let refused = audited(&app, "authn_email_changed").await;
    assert!(refused.iter().any(|e| e.entry.details.contains("invalid_link")), "refusals audited");
    let mail = sink.wait_for(3).await;
    assert!(
        mail.iter().any(|m| m.to == "ada@example.com" && m.subject.contains("was changed")),
        "the former address is told"
    );
    assert_eq!(audited(&app, "authn_email_change_request").await.len(), 1);
    assert_eq!(audited(&app, "authn_email_changed").await.len(), 2, "the change and the refusal");
}

async fn changing_the_address_needs_a_recent_re_authentication(engine: TestEngine) {
    let (app, clock, sink) = app_with_mail_and_clock(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    let session = bearer(&app, "ada@example.com").await;
    clock.advance(Duration::minutes(11));

    let response = app.post_with("/api/me/email", &session, json!({ "email": "a@new.example" }));
    let (status, error) = error_of(response.await).await;

    assert_eq!((status, error["code"].as_str()), (403, Some("reauth_required")));
    let (status, _) = post(
        &app,
        "/api/auth/reauth",
        Some(&session),
        json!({ "password": PASSWORD, "session": "token" }),
    )
    .await;
    assert_eq!(status, 200);
    assert!(sink.messages().is_empty(), "nothing was mailed");
}

async fn a_taken_address_gets_the_same_answer_and_no_mail(engine: TestEngine) {
    let (app, _clock, sink) = app_with_mail_and_clock(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    create_user(&app, "bob@example.com", &[]).await;
    let session = bearer(&app, "ada@example.com").await;

    let taken = post(&app, "/api/me/email", Some(&session), json!({ "email": "BOB@example.com" }));
    let free = post(&app, "/api/me/email", Some(&session), json!({ "email": "ada@new.example" }));

    assert_eq!(taken.await, free.await, "the same answer");
    let mail = sink.wait_for(2).await;
    assert!(mail.iter().all(|m| m.to != "BOB@example.com" && m.to != "bob@example.com"));
    let refused = audited(&app, "authn_email_change_request").await;
    assert!(refused[0].entry.details.contains("address_taken"), "{}", refused[0].entry.details);
    let (status, _) =
        post(&app, "/api/me/email", Some(&session), json!({ "email": "Ada@example.com" })).await;
    assert_eq!(status, 422, "the current address is no change");

    // Bob's address in look-alike letters (a Cyrillic о) is as taken as Bob's: no mail to it.
    let look_alike = "b\u{043e}b@example.com";
    let (status, _) =
        post(&app, "/api/me/email", Some(&session), json!({ "email": look_alike })).await;
    assert_eq!(status, 202);
    let refused = audited(&app, "authn_email_change_request").await;
    assert!(
        refused.iter().any(|event| event.entry.details.contains("look_alike_address")),
        "the refusal is in the trail"
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(sink.messages().iter().all(|m| m.to != look_alike), "nothing mailed to the look-alike");
}

on_both_engines!(
    the_address_changes_only_when_the_link_sent_to_it_is_used,
    changing_the_address_needs_a_recent_re_authentication,
    a_taken_address_gets_the_same_answer_and_no_mail,
);

//! Staff invitations as an administrator and an invitee meet them: the invitation mailed (caught
//! by a real SMTP server), the link accepted once with a password, the account holding exactly
//! the invited grants — with public registration off — and the refusals: more than the inviter
//! may give, an address that has an account, a revoked, replaced or expired link, links guessed.

use rampart_domain::{BuiltInRole, Clock, ManualClock};
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use crate::account_emails::link_token;
use crate::business::{Business, business_on};
use crate::factors::{app_with_mail_and_clock, audited, enrol_totp};
use crate::helpers::{TestApp, TestOptions, error_of};
use crate::pages::{location, post_form};
use crate::people::{bearer, create_user, login};
use crate::smtp_sink::{SinkTls, SmtpSink, free_port};

const CHOSEN: &str = "a long passphrase of the invitee's own";

/// The demo business with public registration off, mail to a sink, and a clock the test moves.
async fn business_with_mail(engine: TestEngine) -> (Business, SmtpSink, ManualClock) {
    let sink = SmtpSink::start(free_port(), SinkTls::None, None);
    let mut overrides = sink.plain_delivery();
    overrides.push(("accounts.registration_enabled", false.into()));
    let clock = ManualClock::starting_at(OffsetDateTime::now_utc());
    let options = TestOptions { overrides, clock: Some(clock.clone()), ..TestOptions::default() };
    (business_on(engine, options).await, sink, clock)
}

async fn invite(app: &TestApp, token: &str, email: &str, grants: Value) -> (u16, Value) {
    let body = json!({ "email": email, "grants": grants });
    let response = app.post_with("/api/invitations", token, body).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn accept(app: &TestApp, link: &str, password: &str) -> (u16, Value) {
    let body = json!({ "token": link, "password": password, "session": "token" });
    let response = app.client.post(app.at("/api/invitations/accept")).json(&body).send().await;
    let response = response.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The reasons recorded for refused acceptances, in order.
async fn refusal_reasons(app: &TestApp) -> Vec<String> {
    let events = audited(app, "invitation_accept_fail").await;
    events
        .iter()
        .map(|event| {
            let details: Value = serde_json::from_str(&event.entry.details).unwrap();
            details["reason"].as_str().unwrap().to_owned()
        })
        .collect()
}

async fn an_invitee_joins_with_exactly_the_invited_grants_while_registration_is_off(
    engine: TestEngine,
) {
    let (business, sink, _clock) = business_with_mail(engine).await;
    let app = &business.app;
    let (owner_id, owner) =
        business.signed_in_as("owner@invitations.test", &[BuiltInRole::Owner]).await;

    let grants = json!([{ "role": "staff", "departments": ["support"] }]);
    let (status, invitation) = invite(app, &owner, "New.Clerk@Example.com", grants).await;

    assert_eq!(status, 201, "{invitation}");
    assert_eq!(invitation["email"], "New.Clerk@Example.com");
    assert_eq!(invitation["grants"], json!([{ "role": "staff", "departments": ["support"] }]));
    assert_eq!(invitation["invited_by"], owner_id.to_string());
    assert_eq!(invitation["expired"], false);
    let mail = sink.wait_for(1).await;
    assert_eq!(mail[0].to, "New.Clerk@Example.com");
    assert!(mail[0].subject.contains("you are invited"), "{}", mail[0].subject);
    assert!(mail[0].raw.contains("/accept-invitation#token="), "the link goes to the page");
    let link = link_token(&mail[0]);

    let (status, session) = accept(app, &link, CHOSEN).await;

    assert_eq!(status, 200, "{session}");
    assert_eq!(session["stage"], "full");
    assert_eq!(session["mfa_enrolment_required"], false);
    let token = session["token"].as_str().unwrap();
    let me: Value = app.get_with("/api/me", token).await.json().await.unwrap();
    assert_eq!(me["email"], "New.Clerk@Example.com");
    assert_eq!(me["roles"], json!(["staff"]));
    assert_eq!(me["grants"][0]["departments"], json!(["support"]));
    assert_eq!(me["email_verified"], true);
    assert_eq!(login(app, "new.clerk@example.com", CHOSEN).await.status(), 200, "verified");
    assert_eq!(accept(app, &link, CHOSEN).await.0, 400, "the link works once");
    let listed: Value = app.get_with("/api/invitations", &owner).await.json().await.unwrap();
    assert_eq!(listed, json!([]), "an accepted invitation is no longer pending");
    for action in ["user_invited", "invitation_accepted", "user_created", "session_created"] {
        assert!(!audited(app, action).await.is_empty(), "{action} is audited");
    }
    let granted = audited(app, "privilege_permissions_changed").await;
    let last = granted.last().unwrap();
    assert_eq!(last.entry.actor_user_id, Some(owner_id), "the grant is the inviter's");
    assert!(last.entry.details.contains("support"), "{}", last.entry.details);
}

/// The invitation's link opens `/accept-invitation`, whose form makes the account and signs it in
/// (the page's script moves the token from after `#` into the form; here the test does).
async fn the_invitation_page_makes_the_account_and_signs_it_in(engine: TestEngine) {
    let (business, sink, _clock) = business_with_mail(engine).await;
    let app = &business.app;
    let (_, owner) = business.signed_in_as("owner@invitations.test", &[BuiltInRole::Owner]).await;
    let grants = json!([{ "role": "staff", "departments": ["sales"] }]);
    let (status, _) = invite(app, &owner, "clerk@example.com", grants.clone()).await;
    assert_eq!(status, 201);
    let link = link_token(&sink.wait_for(1).await[0]);

    let page = app.get("/accept-invitation").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains(r#"id="link-token" name="token""#) && html.contains("/assets/link-token.")
    );
    let weak =
        post_form(app, "/accept-invitation", None, &[("token", &link), ("password", "password")])
            .await;
    assert_eq!(weak.status(), 422, "a weak password is refused on the page");
    assert!(weak.text().await.unwrap().contains(&link), "the token stays in the form to try again");

    let accepted =
        post_form(app, "/accept-invitation", None, &[("token", &link), ("password", CHOSEN)]).await;
    assert_eq!(accepted.status(), 303);
    assert_eq!(location(&accepted), "/account");
    let cookie = accepted.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("__Host-rampart_session="), "signed in by the page");
    let again =
        post_form(app, "/accept-invitation", None, &[("token", &link), ("password", CHOSEN)]).await;
    assert_eq!(again.status(), 400, "the link works once");
    assert_eq!(login(app, "clerk@example.com", CHOSEN).await.status(), 200);
}

async fn nobody_invites_with_more_than_they_may_grant(engine: TestEngine) {
    let (business, sink, clock) = business_with_mail(engine).await;
    let app = &business.app;
    let (_, admin) = business.signed_in_as("admin@invitations.test", &[BuiltInRole::Admin]).await;
    let (_, clerk) = business.signed_in_as("clerk@invitations.test", &[BuiltInRole::Staff]).await;
    let to = "someone@invitations.test";

    for role in ["owner", "security_officer"] {
        let (status, body) = invite(app, &admin, to, json!([{ "role": role }])).await;
        assert_eq!((status, body["error"]["code"].as_str()), (403, Some("forbidden")), "{role}");
    }
    let refused = [
        json!([{ "role": "wizard" }]),
        json!([{ "role": "staff", "departments": ["nowhere"] }]),
        json!([{ "role": "staff" }, { "role": "staff", "departments": ["sales"] }]),
        json!([]),
    ];
    for grants in refused {
        let (status, body) = invite(app, &admin, to, grants.clone()).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (422, Some("invalid_input")),
            "{grants}"
        );
    }
    let (status, _) = invite(app, &clerk, to, json!([{ "role": "staff" }])).await;
    assert_eq!(status, 403, "staff do not hold users:manage");
    clock.advance(Duration::minutes(11));
    let (status, body) = invite(app, &admin, to, json!([{ "role": "staff" }])).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("reauth_required")));

    let listed: Value = app.get_with("/api/invitations", &admin).await.json().await.unwrap();
    assert_eq!(listed, json!([]), "nothing was invited");
    assert!(sink.messages().is_empty(), "and nothing mailed");
}

async fn an_address_with_an_account_is_told_to_the_inviter_alone(engine: TestEngine) {
    let (business, sink, _clock) = business_with_mail(engine).await;
    let app = &business.app;
    let (_, owner) = business.signed_in_as("owner@invitations.test", &[BuiltInRole::Owner]).await;
    create_user(app, "ada@invitations.test", &[]).await;

    let (status, body) =
        invite(app, &owner, "ADA@invitations.test", json!([{ "role": "staff" }])).await;

    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("conflict")));
    let refused = audited(app, "user_invited").await;
    assert_eq!(refused.len(), 1);
    assert!(refused[0].entry.details.contains("account_exists"));

    // An account made for an invited address after the invitation: the link answers as any
    // unusable link does, and no second account appears.
    let (status, _) =
        invite(app, &owner, "bob@invitations.test", json!([{ "role": "staff" }])).await;
    assert_eq!(status, 201);
    let link = link_token(&sink.wait_for(1).await[0]);
    create_user(app, "bob@invitations.test", &[]).await;

    let (status, body) = accept(app, &link, CHOSEN).await;

    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("invalid_token")));
    assert_eq!(refusal_reasons(app).await, ["account_exists"]);
    assert_eq!(login(app, "bob@invitations.test", CHOSEN).await.status(), 401, "unchanged");
    bearer(app, "bob@invitations.test").await; // the first account stays as it was
}

async fn a_revoked_or_replaced_invitation_link_no_longer_works(engine: TestEngine) {
    let (business, sink, _clock) = business_with_mail(engine).await;
    let app = &business.app;
    let (_, owner) = business.signed_in_as("owner@invitations.test", &[BuiltInRole::Owner]).await;
    let to = "carol@invitations.test";

    let (_, first) = invite(app, &owner, to, json!([{ "role": "staff" }])).await;
    let first_link = link_token(&sink.wait_for(1).await[0]);
    let (_, second) = invite(app, &owner, to, json!([{ "role": "admin" }])).await;
    let mail = sink.wait_for(2).await;
    let second_link =
        mail.iter().map(link_token).find(|link| *link != first_link).expect("a second link");

    let listed: Value = app.get_with("/api/invitations", &owner).await.json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1, "the second replaced the first: {listed}");
    assert_eq!(listed[0]["id"], second["id"]);
    assert_eq!(listed[0]["grants"], json!([{ "role": "admin", "departments": null }]));
    assert_eq!(accept(app, &first_link, CHOSEN).await.0, 400, "the replaced link is dead");

    let path = format!("/api/invitations/{}", second["id"].as_str().unwrap());
    let revoked = app.delete_with(&path, &owner).await;
    assert_eq!(revoked.status(), 200);
    assert_eq!(revoked.json::<Value>().await.unwrap(), json!({ "status": "revoked" }));
    assert_eq!(app.delete_with(&path, &owner).await.status(), 404, "revoked once");
    let old = format!("/api/invitations/{}", first["id"].as_str().unwrap());
    assert_eq!(app.delete_with(&old, &owner).await.status(), 404, "replaced is not pending");

    let (status, _) = accept(app, &second_link, CHOSEN).await;

    assert_eq!(status, 400);
    let listed: Value = app.get_with("/api/invitations", &owner).await.json().await.unwrap();
    assert_eq!(listed, json!([]));
    assert_eq!(audited(app, "invitation_revoked").await.len(), 1);
    assert_eq!(refusal_reasons(app).await, ["invalid_link", "invalid_link"]);
    assert_eq!(login(app, to, CHOSEN).await.status(), 401, "no account was made");
}

async fn an_invitation_link_expires_after_72_hours(engine: TestEngine) {
    let (business, sink, clock) = business_with_mail(engine).await;
    let app = &business.app;
    let (_, owner) = business.signed_in_as("owner@invitations.test", &[BuiltInRole::Owner]).await;
    invite(app, &owner, "dan@invitations.test", json!([{ "role": "staff" }])).await;
    let link = link_token(&sink.wait_for(1).await[0]);

    clock.advance(Duration::hours(72) + Duration::seconds(1));
    let owner = bearer(app, "owner@invitations.test").await;

    assert_eq!(accept(app, &link, CHOSEN).await.0, 400);
    let listed: Value = app.get_with("/api/invitations", &owner).await.json().await.unwrap();
    assert_eq!(listed[0]["expired"], true, "listed as expired until revoked or replaced");
}

async fn guessing_invitation_links_gets_the_client_refused(engine: TestEngine) {
    let (business, _sink, _clock) = business_with_mail(engine).await;
    let app = &business.app;

    let mut statuses = Vec::new();
    for guess in 0..31 {
        statuses.push(accept(app, &format!("{guess:032x}"), CHOSEN).await.0);
    }

    assert!(statuses[..30].iter().all(|status| *status == 400), "{statuses:?}");
    let (status, body) = accept(app, &format!("{:032x}", 99), CHOSEN).await;
    assert_eq!((status, body["error"]["code"].as_str()), (429, Some("rate_limited")));
    assert_eq!(audited(app, "authn_ip_blocked").await.len(), 1);
}

/// Invitations are not re-encrypted (they live days): the keys a pending one was sealed with are
/// kept through a rotation until it is gone, so its link still works.
async fn a_pending_invitation_keeps_its_keys_through_a_rotation(engine: TestEngine) {
    use crate::reencrypt::{after_the_grace_period, master_of, rotate};
    let (business, sink, _clock) = business_with_mail(engine).await;
    let app = &business.app;
    let (_, owner) = business.signed_in_as("owner@invitations.test", &[BuiltInRole::Owner]).await;
    invite(app, &owner, "fay@invitations.test", json!([{ "role": "staff" }])).await;
    let link = link_token(&sink.wait_for(1).await[0]);
    // The sent mail leaves the outbox (which would keep the old key alive on its own).
    for _ in 0..100 {
        if rampart_store::outbox::count_outbox_messages(&app.db).await.unwrap() == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(rampart_store::outbox::count_outbox_messages(&app.db).await.unwrap(), 0);
    rotate(app).await;

    let keyring = app.state.keyring.current();
    let clock = after_the_grace_period();
    let report = rampart_core::keys::reencrypt(
        &app.db,
        &keyring,
        &rampart_crypto::OsRandom,
        &clock,
        50,
        None,
    )
    .await
    .unwrap();

    assert!(report.complete);
    assert!(report.retired.is_empty(), "the invitation still uses the old keys: {report:?}");
    app.state.keyring.refresh(&app.db, &master_of(app)).await.unwrap();
    let listed: Value = app.get_with("/api/invitations", &owner).await.json().await.unwrap();
    assert_eq!(listed[0]["email"], "fay@invitations.test");
    assert_eq!(accept(app, &link, CHOSEN).await.0, 200);
}

on_both_engines!(
    the_invitation_page_makes_the_account_and_signs_it_in,
    a_pending_invitation_keeps_its_keys_through_a_rotation,
    an_invitee_joins_with_exactly_the_invited_grants_while_registration_is_off,
    nobody_invites_with_more_than_they_may_grant,
    an_address_with_an_account_is_told_to_the_inviter_alone,
    a_revoked_or_replaced_invitation_link_no_longer_works,
    an_invitation_link_expires_after_72_hours,
    guessing_invitation_links_gets_the_client_refused,
);

/// An invited administrator owes a second factor from the first request, as any administrator
/// does; the grant of a privileged role raises its alert.
async fn an_invited_administrator_owes_a_second_factor_at_once(engine: TestEngine) {
    let (app, clock, sink) = app_with_mail_and_clock(engine).await;
    create_user(&app, "owner@invitations.test", &[BuiltInRole::Owner]).await;
    let first = bearer(&app, "owner@invitations.test").await;
    let owner = enrol_totp(&app, &first, clock.now()).await.token;
    let (status, _) =
        invite(&app, &owner, "eve@invitations.test", json!([{ "role": "admin" }])).await;
    assert_eq!(status, 201);
    let mail = sink.wait_for(2).await; // the owner's "factor added", and the invitation
    let link = link_token(mail.iter().find(|m| m.to == "eve@invitations.test").unwrap());

    let (status, session) = accept(&app, &link, CHOSEN).await;

    assert_eq!(status, 200, "{session}");
    assert_eq!(session["mfa_enrolment_required"], true);
    let token = session["token"].as_str().unwrap();
    let (status, error) = error_of(app.get_with("/api/invitations", token).await).await;
    assert_eq!((status, error["code"].as_str()), (403, Some("mfa_enrolment_required")));
    let enrolled = enrol_totp(&app, token, clock.now()).await;
    assert_eq!(app.get_with("/api/invitations", &enrolled.token).await.status(), 200);
    assert_eq!(
        crate::factors::alert_raised(&app, "privileged_role_granted").await,
        format!("user:{}", session["user_id"].as_str().unwrap())
    );
}

on_both_engines!(an_invited_administrator_owes_a_second_factor_at_once);

//! The pages behind the e-mailed links, and the ones that send them: forgot password → the
//! mail caught by the SMTP sink → `/reset-password` → sign-in; `/register` → the verification
//! mail → `/verify-email` → sign-in. The token of a link travels after `#` and reaches the form
//! through the page's script; here the test plays that part.

use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;

use crate::account_emails::link_token;
use crate::factors::{app_with_mail_and_clock, audited};
use crate::pages::{location, post_form};
use crate::people::{PASSWORD, create_user};

const NEW: &str = "a fresh and rather long passphrase";

async fn forgot_password_mails_a_link_whose_page_sets_a_new_password(engine: TestEngine) {
    let (app, _clock, sink) = app_with_mail_and_clock(engine).await;
    create_user(&app, "ada@example.com", &[]).await;

    let asked = post_form(&app, "/forgot-password", None, &[("email", "ada@example.com")]).await;
    let unknown = post_form(&app, "/forgot-password", None, &[("email", "bob@example.com")]).await;

    assert_eq!(asked.status(), 200);
    assert_eq!(unknown.status(), 200);
    let notice = asked.text().await.unwrap();
    assert!(notice.contains("a link to choose a new password is on its way"));
    assert_eq!(unknown.text().await.unwrap(), notice, "nothing tells who has an account");
    let mail = sink.wait_for(1).await;
    assert_eq!(mail[0].to, "ada@example.com");
    let token = link_token(&mail[0]);
    let page = app.get("/reset-password").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains(r#"id="link-token" name="token""#) && html.contains("/assets/link-token.")
    );

    let weak =
        post_form(&app, "/reset-password", None, &[("token", &token), ("password", "password")])
            .await;
    assert_eq!(weak.status(), 422);
    let again = weak.text().await.unwrap();
    assert!(again.contains(&format!(r#"value="{token}""#)), "the link still works for another try");
    let reset =
        post_form(&app, "/reset-password", None, &[("token", &token), ("password", NEW)]).await;
    assert_eq!(reset.status(), 200);
    assert!(reset.text().await.unwrap().contains("Password changed"));
    let used =
        post_form(&app, "/reset-password", None, &[("token", &token), ("password", NEW)]).await;
    assert_eq!(used.status(), 400, "a link works once");

    let old =
        post_form(&app, "/sign-in", None, &[("email", "ada@example.com"), ("password", PASSWORD)])
            .await;
    let new =
        post_form(&app, "/sign-in", None, &[("email", "ada@example.com"), ("password", NEW)]).await;
    assert_eq!(old.status(), 401);
    assert_eq!(new.status(), 303);
    assert_eq!(location(&new), "/account");
    assert_eq!(audited(&app, "authn_password_reset").await.len(), 1);
}

async fn the_registration_page_and_the_verification_link_let_a_visitor_sign_in(engine: TestEngine) {
    let (app, _clock, sink) = app_with_mail_and_clock(engine).await;

    let form = app.get("/register").await;
    assert_eq!(form.status(), 200);
    let refused =
        post_form(&app, "/register", None, &[("email", "new@example.com"), ("password", "short")])
            .await;
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await.unwrap();
    assert!(refused.contains(r#"value="new@example.com""#) && !refused.contains("short\""));
    let done =
        post_form(&app, "/register", None, &[("email", "new@example.com"), ("password", NEW)])
            .await;
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("Check your e-mail"));
    let mail = sink.wait_for(1).await;
    let token = link_token(&mail[0]);
    let early =
        post_form(&app, "/sign-in", None, &[("email", "new@example.com"), ("password", NEW)]).await;
    assert_eq!(early.status(), 401, "not before the address is confirmed");

    assert_eq!(app.get("/verify-email").await.status(), 200);
    let verified = post_form(&app, "/verify-email", None, &[("token", &token)]).await;
    let again = post_form(&app, "/verify-email", None, &[("token", &token)]).await;

    assert_eq!(verified.status(), 200);
    assert!(verified.text().await.unwrap().contains("Address confirmed"));
    assert_eq!(again.status(), 400, "a link works once");
    let signed =
        post_form(&app, "/sign-in", None, &[("email", "new@example.com"), ("password", NEW)]).await;
    assert_eq!(signed.status(), 303);
    assert_eq!(location(&signed), "/account");
}

on_both_engines!(
    forgot_password_mails_a_link_whose_page_sets_a_new_password,
    the_registration_page_and_the_verification_link_let_a_visitor_sign_in,
);

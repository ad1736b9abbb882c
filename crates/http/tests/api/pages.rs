//! The HTML pages (`crates/http/src/web/`) from the outside: their CSP and assets, the form
//! CSRF gate, sign-in with password and second factor, enrolment, the CSP report endpoint, and
//! hostile text shown as text. The browser's view of the same pages is `scripts/e2e.d/pages.js`.

use rampart_domain::{BuiltInRole, Clock};
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use serde_json::json;

use crate::factors::{app_with_clock, audited, enrol_totp, totp_code};
use crate::helpers::{TestApp, spawn_app};
use crate::people::{PASSWORD, bearer, browser_login, create_user};

const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
    base-uri 'none'; report-uri /api/csp-report";

/// A form posted from one of our pages (`Sec-Fetch-Site: same-origin`), with `cookie` if any.
pub async fn post_form(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let body: String =
        url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
    let mut request = app
        .client
        .post(app.at(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .body(body);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

/// A code form (second factor, authenticator confirmation) posted with its token.
async fn post_code(
    app: &TestApp,
    path: &str,
    cookie: &str,
    token: &str,
    code: &str,
) -> reqwest::Response {
    post_form(app, path, Some(cookie), &[("csrf_token", token), ("code", code)]).await
}

async fn get_page(app: &TestApp, path: &str, cookie: &str) -> reqwest::Response {
    app.client.get(app.at(path)).header("cookie", cookie).send().await.unwrap()
}

/// The `name=value` pair of a response's `Set-Cookie`.
pub fn cookie_of(response: &reqwest::Response) -> String {
    let set = response.headers()["set-cookie"].to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

pub fn location(response: &reqwest::Response) -> &str {
    response.headers()["location"].to_str().unwrap()
}

/// The value of the first hidden `csrf_token` field of a page.
fn form_token(html: &str) -> String {
    let marker = r#"name="csrf_token" value=""#;
    let start = html.find(marker).expect("a form token") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// The text of the element with `id`, up to its next tag.
fn text_of(html: &str, id: &str) -> String {
    let marker = format!(r#"id="{id}">"#);
    let start = html.find(&marker).unwrap_or_else(|| panic!("#{id} in {html}")) + marker.len();
    html[start..].split('<').next().unwrap().to_owned()
}

async fn a_page_carries_the_strict_csp_and_links_only_its_own_hashed_assets(engine: TestEngine) {
    let app = spawn_app(engine).await;

    let page = app.get("/sign-in").await;

    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-security-policy"], PAGE_CSP);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    assert!(!html.contains("<style") && !html.contains("style=") && !html.contains("<script>"));
    assert!(!html.contains("http://") && !html.contains("https://"), "nothing from elsewhere");
    let css = html.split(r#"href=""#).nth(1).unwrap().split('"').next().unwrap().to_owned();
    let script =
        html.split(r#"<script src=""#).nth(1).unwrap().split('"').next().unwrap().to_owned();
    for (path, kind) in [(&css, "text/css"), (&script, "text/javascript")] {
        let name = path.strip_prefix("/assets/").unwrap();
        let hash = name.split('.').nth(1).unwrap();
        assert!(hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()), "{name}");
        let asset = app.get(path).await;
        assert_eq!(asset.status(), 200, "{path}");
        assert_eq!(asset.headers()["cache-control"], "public, max-age=31536000, immutable");
        assert!(asset.headers()["content-type"].to_str().unwrap().starts_with(kind));
    }
    let stale = css.replace(css.split('.').nth(1).unwrap(), "0000000000000000");
    assert_eq!(app.get(&stale).await.status(), 404);
}

async fn password_then_authenticator_code_lands_on_the_account_page(engine: TestEngine) {
    let (app, clock) = app_with_clock(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    let enrolled = enrol_totp(&app, &bearer(&app, "ada@example.com").await, clock.now()).await;
    clock.advance(time::Duration::seconds(30));

    let signed =
        post_form(&app, "/sign-in", None, &[("email", "ada@example.com"), ("password", PASSWORD)])
            .await;
    assert_eq!(signed.status(), 303);
    assert_eq!(location(&signed), "/sign-in/second-factor");
    let pending = cookie_of(&signed);
    assert!(signed.headers()["set-cookie"].to_str().unwrap().contains("HttpOnly"));
    let form = get_page(&app, "/sign-in/second-factor", &pending).await;
    assert_eq!(form.status(), 200);
    let token = form_token(&form.text().await.unwrap());
    let code = totp_code(&enrolled.secret, clock.now());
    let done = post_code(&app, "/sign-in/second-factor", &pending, &token, &code).await;

    assert_eq!(done.status(), 303);
    assert_eq!(location(&done), "/account");
    let full = cookie_of(&done);
    assert_ne!(full, pending, "a new token after the second factor");
    let account = get_page(&app, "/account", &full).await;
    assert_eq!(account.status(), 200);
    assert_eq!(text_of(&account.text().await.unwrap(), "account-email"), "ada@example.com");
    assert_eq!(audited(&app, "authn_mfa_success").await.len(), 1);
}

async fn a_recovery_code_finishes_a_sign_in_on_the_same_page(engine: TestEngine) {
    let (app, clock) = app_with_clock(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    let enrolled = enrol_totp(&app, &bearer(&app, "ada@example.com").await, clock.now()).await;
    let signed =
        post_form(&app, "/sign-in", None, &[("email", "ada@example.com"), ("password", PASSWORD)])
            .await;
    let pending = cookie_of(&signed);
    let token =
        form_token(&get_page(&app, "/sign-in/second-factor", &pending).await.text().await.unwrap());

    let recovery = &enrolled.recovery_codes[0];
    let done = post_code(&app, "/sign-in/second-factor", &pending, &token, recovery).await;

    assert_eq!(done.status(), 303);
    assert_eq!(location(&done), "/account");
    assert_eq!(audited(&app, "authn_recovery_code_used").await.len(), 1);
}

async fn a_wrong_password_shows_the_form_again_with_the_address_but_never_the_password(
    engine: TestEngine,
) {
    let app = spawn_app(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    let wrong = "a wrong but memorable passphrase";

    let refused =
        post_form(&app, "/sign-in", None, &[("email", "ada@example.com"), ("password", wrong)])
            .await;
    let unknown =
        post_form(&app, "/sign-in", None, &[("email", "bob@example.com"), ("password", wrong)])
            .await;

    assert_eq!(refused.status(), 401);
    assert_eq!(unknown.status(), 401);
    assert_eq!(refused.headers()["content-security-policy"], PAGE_CSP);
    let html = refused.text().await.unwrap();
    assert!(html.contains(r#"value="ada@example.com""#), "the address is kept");
    assert!(!html.contains(wrong), "the password is never shown again");
    assert!(html.contains("the e-mail address or the password is wrong"));
    let other = unknown.text().await.unwrap();
    assert_eq!(other.replace("bob@", "ada@"), html, "an unknown address reads the same");
    assert_eq!(audited(&app, "authn_login_fail").await.len(), 2);
}

async fn a_form_without_its_token_or_from_another_site_is_refused(engine: TestEngine) {
    let app = spawn_app(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    let browser = browser_login(&app, "ada@example.com").await;
    let page = get_page(&app, "/account", &browser.cookie).await;
    let token = form_token(&page.text().await.unwrap());
    assert_eq!(token, browser.csrf, "the form token is the session's CSRF token");
    let other = "0190e0b4-3c3b-7d2e-9a51-4c6f2b7e8d10";

    let without =
        post_form(&app, "/account/sessions/end", Some(&browser.cookie), &[("id", other)]).await;
    let forged = post_form(
        &app,
        "/account/sessions/end",
        Some(&browser.cookie),
        &[("csrf_token", "0000"), ("id", other)],
    )
    .await;
    let cross_site = app
        .client
        .post(app.at("/sign-in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body("email=ada%40example.com&password=x")
        .send()
        .await
        .unwrap();
    let with = post_form(
        &app,
        "/account/sessions/end",
        Some(&browser.cookie),
        &[("csrf_token", &token), ("id", other)],
    )
    .await;

    assert_eq!(without.status(), 403);
    assert_eq!(forged.status(), 403);
    assert_eq!(cross_site.status(), 403, "no sign-in from another site's form");
    assert_eq!(with.status(), 404, "past the gate: no such session of hers");
    // The JSON API still wants its header: a body field is no token for it.
    let json = app
        .client
        .delete(app.at(&format!("/api/me/sessions/{other}")))
        .header("cookie", &browser.cookie)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), 403);
}

async fn a_role_that_requires_a_second_factor_lands_on_enrolment_until_done(engine: TestEngine) {
    let (app, clock) = app_with_clock(engine).await;
    create_user(&app, "owner@example.com", &[BuiltInRole::Owner]).await;

    let signed = post_form(
        &app,
        "/sign-in",
        None,
        &[("email", "owner@example.com"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(location(&signed), "/account/authenticator");
    let cookie = cookie_of(&signed);
    let account = get_page(&app, "/account", &cookie).await;
    assert_eq!(account.status(), 303);
    assert_eq!(location(&account), "/account/authenticator");
    let page = get_page(&app, "/account/authenticator", &cookie).await.text().await.unwrap();
    let token = form_token(&page);
    let setup =
        post_form(&app, "/account/authenticator", Some(&cookie), &[("csrf_token", &token)]).await;
    assert_eq!(setup.status(), 200);
    let html = setup.text().await.unwrap();
    assert!(html.contains(r#"src="data:image/svg+xml;base64,"#), "the QR image");
    let secret = text_of(&html, "totp-secret");
    let code = totp_code(&secret, clock.now());
    let confirmed = post_code(&app, "/account/authenticator/confirm", &cookie, &token, &code).await;

    assert_eq!(confirmed.status(), 200);
    let new_cookie = cookie_of(&confirmed);
    let codes = confirmed.text().await.unwrap();
    assert_eq!(codes.matches("<li><code>").count(), 10, "ten recovery codes, shown once");
    assert!(codes.contains(r#"download="recovery-codes.txt""#));
    assert_eq!(get_page(&app, "/account", &new_cookie).await.status(), 200);
    assert_eq!(get_page(&app, "/account", &cookie).await.status(), 303, "the old session ended");
}

async fn a_csp_report_is_audited_and_a_flood_is_not(engine: TestEngine) {
    let app = spawn_app(engine).await;
    let report = json!({ "csp-report": {
        "document-uri": "https://localhost/account",
        "effective-directive": "script-src-elem",
        "blocked-uri": "inline",
    }});

    let answer = app
        .client
        .post(app.at("/api/csp-report"))
        .header("content-type", "application/csp-report")
        .body(report.to_string())
        .send()
        .await
        .unwrap();
    let huge = app
        .client
        .post(app.at("/api/csp-report"))
        .header("content-type", "application/csp-report")
        .body("x".repeat(9000))
        .send()
        .await
        .unwrap();

    // A browser may send its session cookie with the report, never the CSRF token.
    create_user(&app, "ada@example.com", &[]).await;
    let browser = browser_login(&app, "ada@example.com").await;
    let with_cookie = app
        .client
        .post(app.at("/api/csp-report"))
        .header("content-type", "application/csp-report")
        .header("cookie", &browser.cookie)
        .body(report.to_string())
        .send()
        .await
        .unwrap();

    assert_eq!(answer.status(), 204);
    assert_eq!(with_cookie.status(), 204);
    assert_eq!(huge.status(), 413);
    let events = audited(&app, "csp_violation").await;
    assert_eq!(events.len(), 2);
    let details = &events[0].entry.details;
    assert!(details.contains("script-src-elem") && details.contains("inline"), "{details}");
    for _ in 0..30 {
        app.client
            .post(app.at("/api/csp-report"))
            .header("content-type", "application/csp-report")
            .body(report.to_string())
            .send()
            .await
            .unwrap();
    }
    assert_eq!(audited(&app, "csp_violation").await.len(), 20, "at most 20 an hour per address");
}

async fn hostile_text_is_shown_as_text(engine: TestEngine) {
    let app = spawn_app(engine).await;
    let hostile = r#""><script>alert(1)</script>"#;

    let page = post_form(&app, "/sign-in", None, &[("email", hostile), ("password", "x")]).await;

    let html = page.text().await.unwrap();
    assert!(!html.contains("<script>alert(1)</script>"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || html.contains("&#60;script"),
        "{html}"
    );
}

on_both_engines!(
    a_page_carries_the_strict_csp_and_links_only_its_own_hashed_assets,
    password_then_authenticator_code_lands_on_the_account_page,
    a_recovery_code_finishes_a_sign_in_on_the_same_page,
    a_wrong_password_shows_the_form_again_with_the_address_but_never_the_password,
    a_form_without_its_token_or_from_another_site_is_refused,
    a_role_that_requires_a_second_factor_lands_on_enrolment_until_done,
    a_csp_report_is_audited_and_a_flood_is_not,
    hostile_text_is_shown_as_text,
);

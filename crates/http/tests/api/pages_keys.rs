//! The account page's API keys: made with the permission picker, shown once, listed with their
//! name as text, revoked.

use rampart_domain::BuiltInRole;
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;

use crate::factors::audited;
use crate::helpers::spawn_app;
use crate::pages::{location, post_form};
use crate::people::{browser_login, create_user};

async fn an_api_key_is_made_on_the_account_page_shown_once_and_revoked(engine: TestEngine) {
    let app = spawn_app(engine).await;
    create_user(&app, "ada@example.com", &[BuiltInRole::Staff]).await;
    let browser = browser_login(&app, "ada@example.com").await;
    let account = app.client.get(app.at("/account")).header("cookie", &browser.cookie).send().await;
    let html = account.unwrap().text().await.unwrap();
    assert!(html.contains(r#"name="permission" type="checkbox" value="records:read""#), "{html}");
    assert!(!html.contains(r#"value="users:manage""#), "only what she holds is offered");
    let hostile = "<script>alert(1)</script>";

    let made = post_form(
        &app,
        "/account/api-keys",
        Some(&browser.cookie),
        &[
            ("csrf_token", &browser.csrf),
            ("name", hostile),
            ("permission", "records:read"),
            ("days", "30"),
        ],
    )
    .await;
    let too_much = post_form(
        &app,
        "/account/api-keys",
        Some(&browser.cookie),
        &[("csrf_token", &browser.csrf), ("name", "x"), ("permission", "users:manage")],
    )
    .await;

    assert_eq!(made.status(), 200);
    let shown = made.text().await.unwrap();
    let start = shown.find(r#"id="api-key">"#).unwrap() + r#"id="api-key">"#.len();
    let key = shown[start..].split('<').next().unwrap().to_owned();
    assert!(key.starts_with("rk_"), "{key}");
    assert!(!shown.contains(hostile) && shown.contains("&#60;script&#62;"), "the name is text");
    assert_eq!(too_much.status(), 422, "no more than she holds");
    assert_eq!(app.get_with("/api/me", &key).await.status(), 200);
    let listed = app.client.get(app.at("/account")).header("cookie", &browser.cookie).send().await;
    let listed = listed.unwrap().text().await.unwrap();
    assert!(!listed.contains(&key), "the key is never shown again");
    assert!(!listed.contains(hostile));
    let id_at = listed.find(r#"action="/account/api-keys/revoke""#).unwrap();
    let id_start = listed[id_at..].find(r#"name="id" value=""#).unwrap() + id_at + 17;
    let id = listed[id_start..].split('"').next().unwrap().to_owned();
    let revoked = post_form(
        &app,
        "/account/api-keys/revoke",
        Some(&browser.cookie),
        &[("csrf_token", &browser.csrf), ("id", &id)],
    )
    .await;
    assert_eq!(revoked.status(), 303);
    assert_eq!(location(&revoked), "/account?done=key-revoked");
    assert_eq!(app.get_with("/api/me", &key).await.status(), 401);
    assert_eq!(audited(&app, "apikey_revoked").await.len(), 1);
}

on_both_engines!(an_api_key_is_made_on_the_account_page_shown_once_and_revoked);

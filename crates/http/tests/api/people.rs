//! Test people: accounts made through the library (verified, with roles), and signing them in
//! over HTTP with a bearer token or the browser's cookie.

use rampart_core::accounts::create_account;
use rampart_domain::{BuiltInRole, Email, Password};
use rampart_store::roles::grant_role;
use rampart_store::users::mark_email_verified;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::TestApp;

pub const PASSWORD: &str = "correct horse battery staple orbit";

/// A verified, active account holding `roles`.
pub async fn create_user(app: &TestApp, address: &str, roles: &[BuiltInRole]) -> Uuid {
    let email = Email::parse(address).unwrap();
    let account =
        create_account(&app.state, &email, Password::new(PASSWORD, &[]).unwrap()).await.unwrap();
    let now = app.state.clock.now();
    mark_email_verified(&app.db, account.id, now).await.unwrap();
    for role in roles {
        grant_role(&app.db, account.id, role.as_str(), now).await.unwrap();
    }
    account.id
}

/// `POST /api/auth/login` asking for a bearer token.
pub async fn login(app: &TestApp, address: &str, password: &str) -> reqwest::Response {
    app.client
        .post(app.at("/api/auth/login"))
        .json(&json!({ "email": address, "password": password, "session": "token" }))
        .send()
        .await
        .unwrap()
}

/// Signs in and returns the bearer token.
pub async fn bearer(app: &TestApp, address: &str) -> String {
    let response = login(app, address, PASSWORD).await;
    assert_eq!(response.status(), 200, "sign-in of {address} failed");
    let body: Value = response.json().await.unwrap();
    body["token"].as_str().unwrap().to_owned()
}

/// What a browser holds after signing in: the cookie pair and the CSRF token from the body.
#[derive(Debug, Clone)]
pub struct BrowserSession {
    pub cookie: String,
    pub csrf: String,
    pub set_cookie: String,
}

pub async fn browser_login(app: &TestApp, address: &str) -> BrowserSession {
    let response = app
        .client
        .post(app.at("/api/auth/login"))
        .header("sec-fetch-site", "same-origin")
        .json(&json!({ "email": address, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "browser sign-in of {address} failed");
    let set_cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    assert!(body.get("token").is_none(), "a cookie sign-in must not put the token in the body");
    BrowserSession { cookie, csrf: body["csrf_token"].as_str().unwrap().to_owned(), set_cookie }
}

impl TestApp {
    pub async fn get_with(&self, path: &str, token: &str) -> reqwest::Response {
        self.client.get(self.at(path)).bearer_auth(token).send().await.unwrap()
    }

    pub async fn post_with(&self, path: &str, token: &str, body: Value) -> reqwest::Response {
        self.client.post(self.at(path)).bearer_auth(token).json(&body).send().await.unwrap()
    }

    pub async fn delete_with(&self, path: &str, token: &str) -> reqwest::Response {
        self.client.delete(self.at(path)).bearer_auth(token).send().await.unwrap()
    }

    pub async fn put_with(&self, path: &str, token: &str, body: Value) -> reqwest::Response {
        self.client.put(self.at(path)).bearer_auth(token).json(&body).send().await.unwrap()
    }
}

/// `text` as a query-string value.
pub fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// A sign-in as if from the client `ip` (through the trusted proxy) with browser `agent`;
/// returns the status.
pub async fn login_from(app: &TestApp, ip: &str, email: &str, password: &str, agent: &str) -> u16 {
    app.client
        .post(app.at("/api/auth/login"))
        .header("x-forwarded-for", ip)
        .header("user-agent", agent)
        .json(&json!({ "email": email, "password": password, "session": "token" }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

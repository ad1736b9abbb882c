//! The business's own website (`site.dir`) on the API's origin, as a visitor's browser meets it:
//! the example site's pages with their own CSP, nothing hidden or outside the directory, no
//! listing, the API's 404 untouched — and its contact form, a plain HTML form without
//! JavaScript, creating a lead and landing on the thank-you page.

use std::path::{Path, PathBuf};

use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;

use crate::business::business_options;
use crate::helpers::TestApp;
use crate::people::{browser_login, create_user};
use rampart_domain::BuiltInRole;

/// A copy of `examples/site`, plus what must never be served.
fn example_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/site"), dir.path());
    std::fs::write(dir.path().join(".env"), "SECRET=planted-site-secret").unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join(".git/config"), "planted-site-secret").unwrap();
    std::fs::create_dir(dir.path().join("drafts")).unwrap();
    std::fs::write(dir.path().join("drafts/plan.html"), "draft").unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target: PathBuf = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// What a browser sends for an HTML form.
fn encoded(fields: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish()
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.client.get(app.at(path)).send().await.unwrap()
}

async fn the_site_is_served_at_the_root_with_its_own_policy_and_nothing_hidden(engine: TestEngine) {
    let site = example_site();
    let dir = site.path().to_str().unwrap().to_owned();
    let business = business_options(engine, vec![("site.dir", dir.into())], None).await;
    let app = &business.app;

    let home = get(app, "/").await;
    assert_eq!(home.status(), 200);
    let headers = home.headers().clone();
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"));
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(headers["cache-control"], "no-cache");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(home.text().await.unwrap().contains("Printing and posting"));
    let css = get(app, "/css/site.css").await;
    assert_eq!(css.status(), 200);
    assert!(css.headers()["content-type"].to_str().unwrap().starts_with("text/css"));

    for hidden in [
        "/.env",
        "/.git/config",
        "/%2eenv",
        "/%2Egit/config",
        "/css/../.env",
        "/../Cargo.toml",
        "/drafts/",
        "/nothing-here.html",
    ] {
        let response = get(app, hidden).await;
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        assert!(matches!(status, 400 | 404), "{hidden}: {status}");
        assert!(
            !body.contains("planted-site-secret") && !body.contains("draft"),
            "{hidden}: {body}"
        );
    }
    // A folder without an index is not listed (its address without the slash only moves to
    // the one with it).
    let folder = get(app, "/drafts").await;
    assert_eq!(
        (folder.status().as_u16(), folder.headers()["location"].to_str().unwrap()),
        (307, "/drafts/")
    );
    // A missing page is the site's own 404 page, with the site's policy.
    let missing = get(app, "/nothing-here.html").await;
    assert_eq!(missing.status(), 404);
    assert!(missing.headers()["content-security-policy"].to_str().unwrap().contains("'self'"));
    assert!(missing.text().await.unwrap().contains("This page does not exist"));
    // The API keeps its own answers and policy.
    let api = get(app, "/api/nothing").await;
    assert_eq!(api.status(), 404);
    assert_eq!(api.headers()["content-type"], "application/json");
    assert_eq!(
        get(app, "/healthz").await.headers()["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'"
    );
}

async fn the_contact_form_works_without_javascript_and_only_from_this_site(engine: TestEngine) {
    let site = example_site();
    let dir = site.path().to_str().unwrap().to_owned();
    let business = business_options(engine, vec![("site.dir", dir.into())], None).await;
    let app = &business.app;
    let leads = || async {
        rampart_store::records::list_records_after(&app.db, Some("leads"), None, 100)
            .await
            .unwrap()
            .len()
    };
    let before = leads().await;
    let form = [
        ("_next", "/thanks.html"),
        ("name", "Edsger"),
        ("email", "edsger@example.org"),
        ("phone", ""),
        ("message", "<script>alert(1)</script> 200 flyers"),
        ("_gotcha", ""),
    ];

    // As a browser posts it from the contact page: same origin, followed to the thank-you page.
    let response = app
        .client
        .post(app.at("/api/forms/leads"))
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encoded(&form))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "See Other: a reload does not post it again");
    assert_eq!(response.headers()["location"], "/thanks.html");
    assert!(get(app, "/thanks.html").await.text().await.unwrap().contains("Thank you"));
    assert_eq!(leads().await, before + 1);

    // Another site's page posting the same form is refused, and nothing is stored.
    let response = app
        .client
        .post(app.at("/api/forms/leads"))
        .header("sec-fetch-site", "cross-site")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encoded(&form))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    // A thank-you "page" elsewhere is refused: no open redirect.
    let response = app
        .client
        .post(app.at("/api/forms/leads"))
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encoded(&[
            ("_next", "//evil.example/"),
            ("name", "Edsger"),
            ("email", "e@example.org"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert_eq!(leads().await, before + 1);

    // A form that does not fit answers a page for people saying why, the hostile text as text.
    let response = app
        .client
        .post(app.at("/api/forms/leads"))
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encoded(&[("name", "No address"), ("<b>x</b>", "1")]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let page = response.text().await.unwrap();
    assert!(page.contains("Your form was not sent"), "{page}");
    assert!(!page.contains("<b>x</b>"), "escaped: {page}");

    // A signed-in customer's browser sends its cookie along: the contact form still works.
    create_user(app, "visitor@example.com", &[BuiltInRole::Customer]).await;
    let session = browser_login(app, "visitor@example.com").await;
    let response = app
        .client
        .post(app.at("/api/forms/leads"))
        .header("sec-fetch-site", "same-origin")
        .header("cookie", &session.cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encoded(&form))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(leads().await, before + 2);
}

on_both_engines!(
    the_site_is_served_at_the_root_with_its_own_policy_and_nothing_hidden,
    the_contact_form_works_without_javascript_and_only_from_this_site,
);

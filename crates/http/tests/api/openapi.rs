//! `GET /api/openapi.json` documents exactly the routes the route table declares, with a
//! security requirement exactly where the route is not public, and is a valid OpenAPI 3.1
//! document by an independent validator (openapi-spec-validator, from the tools venv).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use rampart_domain::Clock;
use rampart_http::routes::{Access, DeclaredRoute, Face, table};
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use serde_json::{Value, json};

use crate::factors::{
    app_with_clock, complete_sign_in, enrol_totp, pending_sign_in, totp_code, wrong_code,
};
use crate::helpers::{TestApp, spawn_app};
use crate::people::{bearer, create_user};

const UNSAFE_METHODS: [&str; 4] = ["post", "put", "patch", "delete"];

async fn document_of(app: &TestApp) -> Value {
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("application/json"), "{content_type}");
    response.json().await.expect("the document is JSON")
}

/// The operations of one documented path, by lower-case method.
/// The documented operation of a declared route (its method on its path), as one pair, so that
/// each check walks every declared method once.
fn operations<'a>(document: &'a Value, route: &DeclaredRoute) -> Vec<(&'a str, &'a Value)> {
    let path = route.path;
    let item = document["paths"][path].as_object().unwrap_or_else(|| panic!("{path} undocumented"));
    let method = route.method.as_str().to_lowercase();
    let (method, operation) = item
        .iter()
        .find(|(documented, _)| **documented == method)
        .unwrap_or_else(|| panic!("{method} {path} is declared but not documented"));
    vec![(method.as_str(), operation)]
}

/// Every documented operation as `METHOD path`.
fn documented_operations(document: &Value) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                found.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    found
}

async fn the_api_is_described_by_an_openapi_3_1_document(engine: TestEngine) {
    let app = spawn_app(engine).await;

    let document = document_of(&app).await;

    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(document["info"]["title"], "Rampart");
    assert_eq!(document["info"]["version"], env!("CARGO_PKG_VERSION"));
    let origin = &app.state.settings.server.public_origin;
    assert_eq!(document["servers"][0]["url"], origin.trim_end_matches('/'));
    // A limit that is a setting is stated as set; a format is a rule, not only an annotation.
    let list = &document["paths"]["/api/collections/{name}/records"]["get"];
    let limit = list["parameters"].as_array().unwrap().iter().find(|p| p["name"] == "limit");
    assert_eq!(limit.unwrap()["schema"]["maximum"], app.state.settings.records.max_page_size);
    let session = &document["components"]["schemas"]["SessionView"]["properties"];
    assert!(session["id"]["pattern"].as_str().unwrap().contains("[0-9a-fA-F]{8}-"), "{session}");
    assert!(session["created_at"]["pattern"].is_string(), "{session}");
}

async fn every_declared_route_is_documented_and_nothing_else(engine: TestEngine) {
    let app = spawn_app(engine).await;
    let document = document_of(&app).await;

    let declared: BTreeSet<String> = table()
        .declared_for(Face::Api)
        .map(|route| format!("{} {}", route.method, route.path))
        .collect();
    let documented = documented_operations(&document);

    assert_eq!(
        documented.difference(&declared).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "documented but not routed"
    );
    assert_eq!(
        declared.difference(&documented).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "routed but not documented"
    );
}

async fn every_documented_operation_is_routed_with_its_method(engine: TestEngine) {
    let app = spawn_app(engine).await;
    let document = document_of(&app).await;
    let some_id = "0190e0b4-3c3b-7d2e-9a51-4c6f2b7e8d10";

    for route in table().declared_for(Face::Api) {
        for (method, _) in operations(&document, route) {
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = app
                .client
                .request(method.clone(), app.at(&route.path.replace("{id}", some_id)))
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            assert_ne!(response.status(), 405, "{method} {} is documented, not routed", route.path);
        }
    }
}

async fn exactly_the_routes_that_are_not_public_require_credentials(engine: TestEngine) {
    let app = spawn_app(engine).await;
    let document = document_of(&app).await;
    let schemes = document["components"]["securitySchemes"].as_object().unwrap();
    assert_eq!(schemes["session_cookie"]["in"], "cookie");
    assert_eq!(schemes["session_cookie"]["name"], "__Host-rampart_session");
    assert_eq!(schemes["csrf_token"]["in"], "header");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["metrics_token"]["scheme"], "bearer");

    for route in table().declared_for(Face::Api) {
        for (method, operation) in operations(&document, route) {
            let where_ = format!("{method} {}", route.path);
            let requirements = operation["security"].as_array().cloned().unwrap_or_default();
            if route.access == Access::Public {
                assert!(requirements.is_empty(), "{where_} is public: {requirements:?}");
                continue;
            }
            assert!(operation["responses"]["401"].is_object(), "{where_} documents no 401");
            let rule = format!("Access: {}", route.access.describe());
            let description = operation["description"].as_str().unwrap_or_default();
            assert!(description.ends_with(&rule), "{where_} states another rule: {description}");
            let names: Vec<Vec<&str>> = requirements
                .iter()
                .map(|requirement| {
                    requirement.as_object().unwrap().keys().map(String::as_str).collect()
                })
                .collect();
            if route.access == Access::MetricsToken {
                assert_eq!(names, [vec!["metrics_token"]], "{where_}: only the scraper's token");
                continue;
            }
            let cookie = if UNSAFE_METHODS.contains(&method) {
                vec!["csrf_token", "session_cookie"]
            } else {
                vec!["session_cookie"]
            };
            assert_eq!(names, [cookie, vec!["bearer"]], "{where_}");
        }
    }
}

async fn an_error_answers_with_the_documented_error_body(engine: TestEngine) {
    let app = spawn_app(engine).await;
    let document = document_of(&app).await;
    let schemas = &document["components"]["schemas"];

    let (status, error) = crate::helpers::error_of(app.get("/api/me").await).await;

    assert_eq!(status, 401);
    let documented = &document["paths"]["/api/me"]["get"]["responses"]["401"];
    let reference = &documented["content"]["application/json"]["schema"]["$ref"];
    assert_eq!(reference, "#/components/schemas/ErrorResponse");
    let envelope: Vec<&String> =
        schemas["ErrorResponse"]["properties"].as_object().unwrap().keys().collect();
    assert_eq!(envelope, ["error"]);
    let fields: BTreeSet<&String> =
        schemas["ErrorDetail"]["properties"].as_object().unwrap().keys().collect();
    assert_eq!(fields, error.as_object().unwrap().keys().collect());
}

async fn every_operation_documents_the_answers_any_route_can_give(engine: TestEngine) {
    let app = spawn_app(engine).await;
    let document = document_of(&app).await;
    for route in table().declared_for(Face::Api) {
        for (method, operation) in operations(&document, route) {
            let where_ = format!("{method} {}", route.path);
            let responses = &operation["responses"];
            assert!(responses["500"].is_object(), "{where_}: 500");
            assert!(responses["408"].is_object(), "{where_}: 408 (server.request_timeout_secs)");
            if method != "get" {
                assert!(
                    responses["403"].is_object(),
                    "{where_}: 403 (csrf_rejected with the cookie)"
                );
            }
            if operation["requestBody"].is_object() {
                for status in ["400", "422", "413", "415"] {
                    assert!(
                        responses[status].is_object(),
                        "{where_}: {status} (a body that does not fit)"
                    );
                }
            }
        }
    }
    // The CSRF refusal a public route gives a cross-site request riding on a live session
    // cookie is real.
    crate::people::create_user(&app, "ada@example.com", &[]).await;
    let browser = crate::people::browser_login(&app, "ada@example.com").await;
    let refused = app
        .client
        .post(app.at("/api/auth/login"))
        .header("cookie", &browser.cookie)
        .header("sec-fetch-site", "cross-site")
        .json(&serde_json::json!({ "email": "a@example.com", "password": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "csrf_rejected");
}

async fn the_document_passes_an_independent_openapi_validator(engine: TestEngine) {
    let python = python_with_openapi_spec_validator();
    let app = spawn_app(engine).await;
    let document = document_of(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, serde_json::to_vec(&document).unwrap()).unwrap();

    let output = Command::new(&python)
        .args(["-m", "openapi_spec_validator", "--schema", "3.1"])
        .arg(&file)
        .output()
        .unwrap();

    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "openapi-spec-validator refused the document:\n{said}");
    assert!(said.contains("OK"), "{said}");
}

/// What the document allows of a second-factor body is exactly what `POST /api/auth/login/mfa`
/// takes: each body below is judged by an independent JSON Schema validator (python-jsonschema,
/// which openapi-spec-validator brings) against the served `LoginMfaRequest`, then sent with a
/// pending sign-in; the handler refuses it as malformed (422) exactly when the schema does.
async fn a_second_factor_body_is_refused_exactly_when_the_document_forbids_it(engine: TestEngine) {
    let python = python_with_openapi_spec_validator();
    let (app, clock) = app_with_clock(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    let first = bearer(&app, "ada@example.com").await;
    let enrolled = enrol_totp(&app, &first, clock.now()).await;
    let pending = pending_sign_in(&app, "ada@example.com").await;
    let document = document_of(&app).await;
    let wrong = wrong_code(&totp_code(&enrolled.secret, clock.now()));
    // At most four wrong codes: the fifth would end the pending sign-in.
    let bodies = [
        (json!({}), false),
        (json!({ "code": null, "recovery_code": null }), false),
        (json!({ "code": null }), false),
        (json!({ "code": 123456 }), false),
        (json!({ "recovery_code": "aaaa-bbbb-cccc-dddd" }), true),
        (json!({ "code": wrong, "recovery_code": null }), true),
        (json!({ "code": wrong, "recovery_code": "aaaa-bbbb" }), true),
    ];

    let cases: Vec<&Value> = bodies.iter().map(|(body, _)| body).collect();
    let verdicts = schema_verdicts(&python, &document, "LoginMfaRequest", &cases);

    for ((body, allowed), verdict) in bodies.iter().zip(verdicts) {
        assert_eq!(verdict, *allowed, "the document's verdict on {body}");
        let (status, answer) = complete_sign_in(&app, &pending, body.clone()).await;
        assert_eq!(status == 422, !allowed, "{body} answered {status} {answer}");
    }
}

/// python-jsonschema's verdict (Draft 2020-12) on each case against the component schema `name`
/// of `document`, its `$ref`s resolved within the document.
fn schema_verdicts(python: &Path, document: &Value, name: &str, cases: &[&Value]) -> Vec<bool> {
    let schema = json!({
        "$ref": format!("#/components/schemas/{name}"),
        "components": document["components"],
    });
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cases.json");
    std::fs::write(&input, serde_json::to_vec(&json!([schema, cases])).unwrap()).unwrap();
    let script = "import json, sys\n\
        from jsonschema import Draft202012Validator\n\
        schema, cases = json.load(open(sys.argv[1]))\n\
        validator = Draft202012Validator(schema)\n\
        print(json.dumps([validator.is_valid(case) for case in cases]))\n";
    let output = Command::new(python).args(["-c", script]).arg(&input).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The tools venv's Python, which must have openapi-spec-validator: without it the test fails
/// and says how to install it, rather than pass without having validated anything.
fn python_with_openapi_spec_validator() -> PathBuf {
    let tools_dir = match std::env::var_os("VERIFY_TOOLS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache/rampart-tools"),
    };
    let python = tools_dir.join("venv/bin/python");
    let found = Command::new(&python)
        .args(["-c", "import openapi_spec_validator"])
        .output()
        .is_ok_and(|output| output.status.success());
    assert!(
        found,
        "no openapi-spec-validator in {}: run scripts/install-tools openapi-spec-validator",
        python.display()
    );
    python
}

on_both_engines!(
    the_api_is_described_by_an_openapi_3_1_document,
    every_declared_route_is_documented_and_nothing_else,
    every_documented_operation_is_routed_with_its_method,
    exactly_the_routes_that_are_not_public_require_credentials,
    an_error_answers_with_the_documented_error_body,
    every_operation_documents_the_answers_any_route_can_give,
    the_document_passes_an_independent_openapi_validator,
    a_second_factor_body_is_refused_exactly_when_the_document_forbids_it,
);

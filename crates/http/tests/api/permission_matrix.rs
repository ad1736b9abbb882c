//! The function level, for every route that declares a permission: each built-in role that does
//! not hold it is refused (403, audited as `authz_fail`) on every method the route answers, and
//! each role that holds it gets past the check. Generated from the route table, so a new route
//! is covered the day it is added.

use rampart_domain::BuiltInRole;
use rampart_http::routes::{Access, table};
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;

use crate::business::business;

const SOME_ID: &str = "0190e0b4-3c3b-7d2e-9a51-4c6f2b7e8d10";

fn concrete(path: &str) -> String {
    path.replace("{id}", SOME_ID).replace("{name}", "nosuch").replace("{role}", "staff")
}

async fn every_permission_route_refuses_every_role_without_the_permission(engine: TestEngine) {
    let business = business(engine).await;
    let app = &business.app;
    let mut tokens = Vec::new();
    for role in BuiltInRole::ALL {
        let address = format!("{}@permissions.test", role.as_str().replace('_', "-"));
        let (_, token) = business.signed_in_as(&address, &[role]).await;
        tokens.push((role, token));
    }
    let mut refused = 0;

    for route in table().declared() {
        let Access::Permission(permission) = route.access else { continue };
        let path = concrete(route.path);
        // The live feed never ends for a holder; its refusals are checked in alerts.rs.
        let streams = route.path.ends_with("/stream");
        for (role, token) in &tokens {
            let holds = role.permissions().contains(permission);
            // The declared method only: another method on the same path may declare another
            // rule (GET /api/collections follows the records policy, POST needs a permission).
            for method in [reqwest::Method::from_bytes(route.method.as_str().as_bytes()).unwrap()] {
                if holds && (method != reqwest::Method::GET || streams) {
                    continue; // A holder's writes are each route's own tests.
                }
                let before = crate::factors::audited(app, "authz_fail").await.len();
                let response = app
                    .client
                    .request(method.clone(), app.at(&path))
                    .bearer_auth(token)
                    .header("content-type", "application/json")
                    .body("{}")
                    .send()
                    .await
                    .unwrap();
                let status = response.status().as_u16();
                let cell = format!("{method} {} as {}", route.path, role.as_str());
                if status == 405 {
                    continue;
                }
                if holds {
                    assert_ne!(status, 401, "{cell}");
                    let (_, error) = crate::helpers::error_of(response).await;
                    assert!(status != 403 || error["code"] != "forbidden", "{cell}: {error}");
                } else {
                    assert_eq!(status, 403, "{cell} holds no {permission}");
                    let after = crate::factors::audited(app, "authz_fail").await.len();
                    assert!(after > before, "{cell}: the refusal was not audited");
                    refused += 1;
                }
            }
        }
    }
    assert!(refused > 50, "only {refused} refusals checked");
}

on_both_engines!(every_permission_route_refuses_every_role_without_the_permission);

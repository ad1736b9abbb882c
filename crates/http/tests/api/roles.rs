//! Departments, custom roles and grants, as an administrator uses them: grants scoped to
//! departments, step-up before any grant, nobody giving more than they hold, the last owner
//! kept, and every change in the audit trail.

use rampart_domain::{BuiltInRole, ManualClock};
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use crate::business::{business, business_options, customer_fields};
use crate::factors::audited;
use crate::helpers::error_of;

async fn a_grant_for_one_department_reaches_that_department_only(engine: TestEngine) {
    let business = business(engine).await;
    let app = &business.app;
    let (_, owner) = business.signed_in_as("owner@roles.test", &[BuiltInRole::Owner]).await;
    let (clerk, clerk_token) = business.signed_in_as("clerk@roles.test", &[]).await;
    let in_support =
        business.record("customers", Some("support"), None, customer_fields("Support's")).await;
    let in_finance =
        business.record("customers", Some("finance"), None, customer_fields("Finance's")).await;
    let path = |id: uuid::Uuid| format!("/api/collections/customers/records/{id}");

    // A new account has no staff permissions.
    assert_eq!(app.get_with(&path(in_support.id), &clerk_token).await.status(), 404);
    let granted = app
        .put_with(
            &format!("/api/users/{clerk}/roles/staff"),
            &owner,
            json!({ "departments": ["support"] }),
        )
        .await;
    assert_eq!(granted.status(), 200);

    assert_eq!(app.get_with(&path(in_support.id), &clerk_token).await.status(), 200);
    assert_eq!(app.get_with(&path(in_finance.id), &clerk_token).await.status(), 404);
    let me: Value = app.get_with("/api/me", &clerk_token).await.json().await.unwrap();
    assert_eq!(me["grants"][0]["role"], "staff");
    assert_eq!(me["grants"][0]["departments"], json!(["support"]));
    let grants: Value =
        app.get_with(&format!("/api/users/{clerk}/roles"), &owner).await.json().await.unwrap();
    assert_eq!(grants[0]["departments"], json!(["support"]));
    let events = audited(app, "privilege_permissions_changed").await;
    let last = events.last().unwrap();
    assert_eq!(last.entry.target.as_deref(), Some(format!("user:{clerk}").as_str()));
    let details = &last.entry.details;
    assert!(details.contains("granted") && details.contains("support"), "{details}");
}

async fn nobody_can_grant_more_than_they_hold(engine: TestEngine) {
    let business = business(engine).await;
    let app = &business.app;
    let (_, admin) = business.signed_in_as("admin@roles.test", &[BuiltInRole::Admin]).await;
    let (someone, _) = business.signed_in_as("someone@roles.test", &[]).await;
    let sales_lead = business.id_of("finance");

    for role in ["owner", "security_officer", "department_lead"] {
        let response =
            app.put_with(&format!("/api/users/{someone}/roles/{role}"), &admin, json!({})).await;
        assert_eq!(response.status(), 403, "an admin granted {role}");
    }
    assert_eq!(
        app.put_with(
            &format!("/api/users/{someone}/roles/staff"),
            &admin,
            json!({ "departments": ["sales"] })
        )
        .await
        .status(),
        200
    );
    // Taking away what they could not give is refused too.
    let revoke = app
        .client
        .delete(app.at(&format!("/api/users/{sales_lead}/roles/department_lead")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 403);
    // A custom role naming a permission the maker lacks.
    let role = json!({ "name": "auditor", "description": "reads the trail", "permissions": ["audit:read"] });
    assert_eq!(app.post_with("/api/roles", &admin, role).await.status(), 403);
    let unknown =
        json!({ "name": "wizard", "description": "", "permissions": ["records:everything"] });
    assert_eq!(app.post_with("/api/roles", &admin, unknown).await.status(), 422);
    let allowed = json!({ "name": "reader", "description": "reads records", "permissions": ["records:read"] });
    assert_eq!(app.post_with("/api/roles", &admin, allowed).await.status(), 201);
    let roles: Value = app.get_with("/api/roles", &admin).await.json().await.unwrap();
    let names: Vec<&str> =
        roles.as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert!(
        names.contains(&"owner") && names.contains(&"reader") && names.contains(&"department_lead"),
        "{names:?}"
    );
}

async fn granting_needs_a_recent_re_authentication(engine: TestEngine) {
    let clock = ManualClock::starting_at(OffsetDateTime::now_utc());
    let business = business_options(engine, Vec::new(), Some(clock.clone())).await;
    let app = &business.app;
    let (_, owner) = business.signed_in_as("owner@roles.test", &[BuiltInRole::Owner]).await;
    let (someone, _) = business.signed_in_as("someone@roles.test", &[]).await;

    clock.advance(Duration::minutes(11));
    let response =
        app.put_with(&format!("/api/users/{someone}/roles/admin"), &owner, json!({})).await;
    let (status, error) = error_of(response).await;

    assert_eq!(status, 403);
    assert_eq!(error["code"], "reauth_required");
    let roles = rampart_store::roles::roles_of_user(&app.db, someone).await.unwrap();
    assert!(roles.is_empty(), "nothing was granted");
}

async fn the_last_owner_cannot_lose_the_role(engine: TestEngine) {
    let business = business(engine).await;
    let app = &business.app;
    let (first, owner) = business.signed_in_as("owner@roles.test", &[BuiltInRole::Owner]).await;

    let alone = app
        .client
        .delete(app.at(&format!("/api/users/{first}/roles/owner")))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    let (status, error) = error_of(alone).await;
    assert_eq!(status, 409, "{error}");
    assert!(error["message"].as_str().unwrap().contains("last"), "{error}");

    let (second, _) = business.signed_in_as("second-owner@roles.test", &[]).await;
    assert_eq!(
        app.put_with(&format!("/api/users/{second}/roles/owner"), &owner, json!({})).await.status(),
        200
    );
    let handed_over = app
        .client
        .delete(app.at(&format!("/api/users/{first}/roles/owner")))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(handed_over.status(), 200);
    let alerts = rampart_store::alerts::list_alerts(&app.db, None, None, 100).await.unwrap();
    assert!(
        alerts.iter().any(|alert| alert.rule == "privileged_role_granted"),
        "granting owner raises an alert"
    );
}

async fn departments_in_use_cannot_be_deleted(engine: TestEngine) {
    let business = business(engine).await;
    let app = &business.app;
    let (_, owner) = business.signed_in_as("owner@roles.test", &[BuiltInRole::Owner]).await;

    let created = app
        .post_with("/api/departments", &owner, json!({ "name": "legal", "title": "Legal" }))
        .await;
    assert_eq!(created.status(), 201);
    let taken = app
        .post_with("/api/departments", &owner, json!({ "name": "legal", "title": "Again" }))
        .await;
    assert_eq!(taken.status(), 409);
    let bad = app
        .post_with("/api/departments", &owner, json!({ "name": "Legal Dept", "title": "x" }))
        .await;
    assert_eq!(bad.status(), 422);
    let in_use = app
        .client
        .delete(app.at("/api/departments/sales"))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(in_use.status(), 409);
    let unused = app
        .client
        .delete(app.at("/api/departments/legal"))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(unused.status(), 200);
    let listed: Value = app.get_with("/api/departments", &owner).await.json().await.unwrap();
    let names: Vec<&str> =
        listed.as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["finance", "hr", "sales", "support"]);
    assert_eq!(audited(app, "department_changed").await.len(), 2);
}

on_both_engines!(
    a_grant_for_one_department_reaches_that_department_only,
    nobody_can_grant_more_than_they_hold,
    granting_needs_a_recent_re_authentication,
    the_last_owner_cannot_lose_the_role,
    departments_in_use_cannot_be_deleted,
);

async fn a_custom_role_changes_for_everyone_holding_it_and_goes_only_when_unheld(
    engine: TestEngine,
) {
    let business = business(engine).await;
    let app = &business.app;
    let (_, owner) = business.signed_in_as("owner@roles.test", &[BuiltInRole::Owner]).await;
    let (clerk, clerk_token) = business.signed_in_as("clerk@roles.test", &[]).await;
    let record =
        business.record("customers", Some("support"), None, customer_fields("Initech")).await;
    let path = format!("/api/collections/customers/records/{}", record.id);
    let role = json!({ "name": "viewer", "description": "reads records", "permissions": ["records:read"] });
    assert_eq!(app.post_with("/api/roles", &owner, role).await.status(), 201);
    let grant = app
        .put_with(
            &format!("/api/users/{clerk}/roles/viewer"),
            &owner,
            json!({ "departments": ["support"] }),
        )
        .await;
    assert_eq!(grant.status(), 200);
    let seen: Value = app.get_with(&path, &clerk_token).await.json().await.unwrap();
    assert!(seen["fields"].get("phone").is_none(), "viewer does not read sensitive fields yet");

    let wider = json!({ "description": "reads everything", "permissions": ["records:read", "records:read_sensitive"] });
    assert_eq!(app.put_with("/api/roles/viewer", &owner, wider).await.status(), 200);
    let renamed = json!({ "name": "reader", "description": "", "permissions": ["records:read"] });
    assert_eq!(
        app.put_with("/api/roles/viewer", &owner, renamed).await.status(),
        422,
        "a role's name never changes: a change that names one is refused, not half applied"
    );
    let seen: Value = app.get_with(&path, &clerk_token).await.json().await.unwrap();
    assert_eq!(seen["fields"]["phone"], "+15550199", "the change reached the holder at once");
    assert_eq!(
        app.put_with("/api/roles/owner", &owner, json!({ "description": "", "permissions": [] }))
            .await
            .status(),
        404,
        "built-in roles do not change"
    );

    let held =
        app.client.delete(app.at("/api/roles/viewer")).bearer_auth(&owner).send().await.unwrap();
    assert_eq!(held.status(), 409);
    let revoked = app
        .client
        .delete(app.at(&format!("/api/users/{clerk}/roles/viewer")))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    assert_eq!(app.get_with(&path, &clerk_token).await.status(), 404);
    let gone =
        app.client.delete(app.at("/api/roles/viewer")).bearer_auth(&owner).send().await.unwrap();
    assert_eq!(gone.status(), 200);
    let changes: Vec<String> =
        audited(app, "role_changed").await.iter().map(|e| e.entry.details.clone()).collect();
    assert_eq!(changes.len(), 3, "{changes:?}");
}

async fn departments_are_renamed_and_empty_collections_deleted(engine: TestEngine) {
    let business = business(engine).await;
    let app = &business.app;
    let (_, owner) = business.signed_in_as("owner@roles.test", &[BuiltInRole::Owner]).await;

    let renamed = app
        .client
        .patch(app.at("/api/departments/hr"))
        .bearer_auth(&owner)
        .json(&json!({ "title": "People" }))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), 200);
    let listed: Value = app.get_with("/api/departments", &owner).await.json().await.unwrap();
    assert!(listed.as_array().unwrap().iter().any(|d| d["name"] == "hr" && d["title"] == "People"));

    let holding = app
        .client
        .delete(app.at("/api/collections/employees"))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(holding.status(), 409, "a collection with records stays");
    let empty = json!({ "name": "notes", "title": "Notes", "fields": [{ "name": "text", "type": "long_text" }] });
    assert_eq!(app.post_with("/api/collections", &owner, empty).await.status(), 201);
    let deleted = app
        .client
        .delete(app.at("/api/collections/notes"))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 200);
    assert_eq!(app.get_with("/api/collections/notes", &owner).await.status(), 404);
}

on_both_engines!(
    a_custom_role_changes_for_everyone_holding_it_and_goes_only_when_unheld,
    departments_are_renamed_and_empty_collections_deleted,
);

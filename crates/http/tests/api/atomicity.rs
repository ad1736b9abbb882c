//! One action, one transaction: when the audit event cannot be written — a failure injected
//! after the change and before the commit, by a trigger that refuses new rows in `audit_events`
//! — the change is not made either. Each action is refused, leaves the data as it was and no
//! event, and works once the trail is writable again.

use rampart_core::audit::AuditEvent;
use rampart_core::backup::create_backup;
use rampart_core::client::ClientContext;
use rampart_core::keys::rotate_and_record;
use rampart_core::unit_of_work::UnitOfWork;
use rampart_crypto::{MasterKey, Purpose};
use rampart_domain::{AuditAction, BuiltInRole};
use rampart_store::backups::latest_backup_run;
use rampart_store::one_time_tokens::TokenPurpose;
use rampart_store::testing::TestEngine;
use rampart_store::{Db, PoolSettings, on_both_engines};
use serde_json::{Value, json};

use crate::backups::backed_up_business;
use crate::business::{business, customer_fields};
use crate::factors::{audited, mfa_bearer};
use crate::helpers::{TestApp, spawn_app};
use crate::people::{PASSWORD, bearer, create_user, login};

/// Makes every new audit event fail, as a full disk or a lost connection would at that moment.
fn break_the_audit_trail(app: &TestApp, engine: TestEngine) {
    app.run_sql(match engine {
        TestEngine::Sqlite => {
            "CREATE TRIGGER injected_failure BEFORE INSERT ON audit_events \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"
        }
        TestEngine::Postgres => {
            "CREATE FUNCTION injected_failure() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$; \
             CREATE TRIGGER injected_failure BEFORE INSERT ON audit_events \
             FOR EACH ROW EXECUTE FUNCTION injected_failure();"
        }
    });
}

fn mend_the_audit_trail(app: &TestApp, engine: TestEngine) {
    app.run_sql(match engine {
        TestEngine::Sqlite => "DROP TRIGGER injected_failure;",
        TestEngine::Postgres => "DROP TRIGGER injected_failure ON audit_events;",
    });
}

fn refused(status: reqwest::StatusCode, what: &str) {
    assert!(status.is_server_error(), "{what} was answered {status} with no audit trail");
}

async fn a_record_is_not_created_changed_or_deleted_without_its_event(engine: TestEngine) {
    let business = business(engine).await;
    let app = &business.app;
    let (_, owner) = business.signed_in_as("owner@atomic.test", &[BuiltInRole::Owner]).await;
    let kept = business.record("customers", Some("support"), None, customer_fields("Kept")).await;
    let path = format!("/api/collections/customers/records/{}", kept.id);
    let create = |name: &str| json!({ "department": "support", "fields": customer_fields(name) });

    break_the_audit_trail(app, engine);
    let created = app.post_with("/api/collections/customers/records", &owner, create("Lost")).await;
    refused(created.status(), "a create");
    let patched = business.patch_with(&path, &owner, 1, json!({ "name": "Changed" })).await;
    refused(patched.status(), "an update");
    refused(app.delete_with(&path, &owner).await.status(), "a delete");
    mend_the_audit_trail(app, engine);

    let page: Value = app
        .get_with("/api/collections/customers/records?limit=100", &owner)
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = page["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["fields"]["name"].as_str())
        .collect();
    assert!(!names.contains(&"Lost"), "a record was created without its event: {names:?}");
    let now: Value = app.get_with(&path, &owner).await.json().await.unwrap();
    assert_eq!(now["fields"]["name"], "Kept", "{now}");
    assert_eq!(now["version"], 1, "changed or binned without its event: {now}");
    for action in ["record_created", "record_updated", "record_deleted"] {
        assert!(audited(app, action).await.is_empty(), "{action} recorded for a refused action");
    }

    // With the trail writable, the same actions work, each with its event.
    let created =
        app.post_with("/api/collections/customers/records", &owner, create("Kept 2")).await;
    assert_eq!(created.status(), 201);
    assert_eq!(
        business.patch_with(&path, &owner, 1, json!({ "name": "Changed" })).await.status(),
        200
    );
    assert_eq!(app.delete_with(&path, &owner).await.status(), 200);
    for action in ["record_created", "record_updated", "record_deleted"] {
        assert_eq!(audited(app, action).await.len(), 1, "{action}");
    }
}

async fn a_password_is_not_reset_without_its_event(engine: TestEngine) {
    let app = spawn_app(engine).await;
    let id = create_user(&app, "ada@atomic.test", &[]).await;
    let work = UnitOfWork::begin(&app.state).await.unwrap();
    let link = rampart_core::accounts::issue_link(&work, TokenPurpose::PasswordReset, Some(id))
        .await
        .unwrap();
    work.commit().await.unwrap();
    let new_password = "a brand new passphrase for ada";
    let reset = || {
        app.client
            .post(app.at("/api/auth/password/reset"))
            .json(&json!({ "token": link.expose(), "password": new_password }))
            .send()
    };

    break_the_audit_trail(&app, engine);
    refused(reset().await.unwrap().status(), "a password reset");
    mend_the_audit_trail(&app, engine);

    assert_eq!(login(&app, "ada@atomic.test", PASSWORD).await.status(), 200, "the old password");
    assert_eq!(login(&app, "ada@atomic.test", new_password).await.status(), 401);
    assert!(audited(&app, "authn_password_reset").await.is_empty());
    // The link was not used up by the action that failed: it still works, once.
    assert_eq!(reset().await.unwrap().status(), 200);
    assert_eq!(login(&app, "ada@atomic.test", new_password).await.status(), 200);
    assert_eq!(audited(&app, "authn_password_reset").await.len(), 1);
    assert_eq!(reset().await.unwrap().status(), 400, "a link works once");
}

async fn a_role_is_not_granted_without_its_event(engine: TestEngine) {
    let app = spawn_app(engine).await;
    create_user(&app, "owner@atomic.test", &[BuiltInRole::Owner]).await;
    let clerk = create_user(&app, "clerk@atomic.test", &[]).await;
    let owner = mfa_bearer(&app, "owner@atomic.test").await;
    let path = format!("/api/users/{clerk}/roles/staff");
    let grant = || app.put_with(&path, &owner, json!({ "departments": null }));

    break_the_audit_trail(&app, engine);
    refused(grant().await.status(), "a grant");
    mend_the_audit_trail(&app, engine);

    let grants: Value =
        app.get_with(&format!("/api/users/{clerk}/roles"), &owner).await.json().await.unwrap();
    assert_eq!(grants, json!([]), "granted without its event");
    assert!(audited(&app, "privilege_permissions_changed").await.is_empty());
    assert_eq!(grant().await.status(), 200);
    assert_eq!(audited(&app, "privilege_permissions_changed").await.len(), 1);
}

async fn lockdown_is_not_switched_on_without_its_event(engine: TestEngine) {
    let app = spawn_app(engine).await;
    create_user(&app, "officer@atomic.test", &[BuiltInRole::SecurityOfficer]).await;
    create_user(&app, "staff@atomic.test", &[BuiltInRole::Staff]).await;
    let officer = mfa_bearer(&app, "officer@atomic.test").await;
    let staff = bearer(&app, "staff@atomic.test").await;
    let switch_on = || {
        app.put_with(
            "/api/incident/lockdown",
            &officer,
            json!({ "active": true, "reason": "drill" }),
        )
    };

    break_the_audit_trail(&app, engine);
    refused(switch_on().await.status(), "lockdown");
    mend_the_audit_trail(&app, engine);

    let state: Value = app.get_with("/api/incident/lockdown", &officer).await.json().await.unwrap();
    assert_eq!(state["active"], false, "switched on without its event: {state}");
    assert_eq!(app.get_with("/api/me", &staff).await.status(), 200, "a session was ended");
    assert!(audited(&app, "lockdown_changed").await.is_empty());
    assert_eq!(switch_on().await.status(), 200);
    assert_eq!(audited(&app, "lockdown_changed").await.len(), 1);
}

async fn a_data_key_is_not_rotated_without_its_event(engine: TestEngine) {
    let app = spawn_app(engine).await;
    let master =
        MasterKey::from_bytes(&std::fs::read(app.data_dir.join("master.key")).unwrap()).unwrap();
    let rotate = || {
        rotate_and_record(&app.state, &master, &[Purpose::Fields], || {
            AuditEvent::success(AuditAction::KeyRotated).client(&ClientContext::local())
        })
    };

    break_the_audit_trail(&app, engine);
    assert!(rotate().await.is_err(), "a rotation went through with no audit trail");
    mend_the_audit_trail(&app, engine);

    assert!(audited(&app, "key_rotated").await.is_empty());
    let rotated = rotate().await.unwrap();
    assert_eq!(rotated, vec![(Purpose::Fields, 2)], "the refused rotation left a key version");
    assert_eq!(audited(&app, "key_rotated").await.len(), 1);
}

async fn a_backup_run_is_not_recorded_without_its_event(engine: TestEngine) {
    let (business, _identity) = backed_up_business(engine, None).await;
    let app = &business.app;

    break_the_audit_trail(app, engine);
    assert!(create_backup(&app.state).await.is_err(), "a backup was recorded with no trail");
    mend_the_audit_trail(app, engine);

    let db = Db::connect(app.database_url(), &PoolSettings::default()).await.unwrap();
    assert_eq!(latest_backup_run(&db).await.unwrap(), None, "a run was kept without its event");
    assert!(audited(app, "backup_created").await.is_empty());
    create_backup(&app.state).await.unwrap();
    assert!(latest_backup_run(&db).await.unwrap().is_some());
    assert_eq!(audited(app, "backup_created").await.len(), 1);
}

on_both_engines!(
    a_record_is_not_created_changed_or_deleted_without_its_event,
    a_password_is_not_reset_without_its_event,
    a_role_is_not_granted_without_its_event,
    lockdown_is_not_switched_on_without_its_event,
    a_data_key_is_not_rotated_without_its_event,
    a_backup_run_is_not_recorded_without_its_event,
);

//! The proof of the three levels of access: every records route × every built-in role ×
//! a record in the caller's own or another department × owned by the caller or by someone
//! else, on the demo business. The expected answer of each cell comes from the rules as
//! SECURITY.md states them (`expected` below), written independently of the server's code;
//! each cell checks the status, the body's shape (sensitive fields present or absent), and
//! that every refusal left an `authz_fail` event.

use rampart_domain::BuiltInRole;
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use serde_json::{Value, json};

use crate::business::{Business, business, customer_fields, fields_of};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Owner,
    Admin,
    SecurityOfficer,
    /// Staff of `sales`.
    Staff,
    /// The demo customer.
    Customer,
    Anonymous,
}

const EVERYONE: [Who; 6] =
    [Who::Owner, Who::Admin, Who::SecurityOfficer, Who::Staff, Who::Customer, Who::Anonymous];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    List,
    Get,
    Create,
    Update,
    Delete,
    Restore,
}

const ROUTES: [Route; 6] =
    [Route::List, Route::Get, Route::Create, Route::Update, Route::Delete, Route::Restore];

/// What a cell must answer. `own_department`: the record is in sales (the staff member's);
/// `own_owner`: the record belongs to the demo customer.
fn expected(who: Who, route: Route, own_department: bool, own_owner: bool) -> u16 {
    let success = if route == Route::Create { 201 } else { 200 };
    match who {
        Who::Anonymous => 401,
        // Everywhere, every department: owners hold everything, admins records:read/write.
        Who::Owner | Who::Admin => success,
        // No records permission and no customer role: the collection does not exist for them.
        Who::SecurityOfficer => 404,
        Who::Staff => match route {
            Route::List => 200,
            Route::Create if own_department => 201,
            Route::Create => 403,
            _ if own_department => 200,
            _ => 404,
        },
        Who::Customer => match route {
            Route::List | Route::Create => success,
            _ if own_owner => 200,
            _ => 404,
        },
    }
}

/// Whether the caller sees the sensitive fields (phone, address) of a customer record: only
/// with records:read_sensitive there — of these roles, the owner.
fn sees_sensitive(who: Who) -> bool {
    who == Who::Owner
}

struct Callers {
    owner: String,
    admin: String,
    security_officer: String,
    staff: String,
    customer: String,
}

impl Callers {
    fn token(&self, who: Who) -> Option<&str> {
        match who {
            Who::Owner => Some(&self.owner),
            Who::Admin => Some(&self.admin),
            Who::SecurityOfficer => Some(&self.security_officer),
            Who::Staff => Some(&self.staff),
            Who::Customer => Some(&self.customer),
            Who::Anonymous => None,
        }
    }
}

async fn send(
    business: &Business,
    token: Option<&str>,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
    version: Option<i64>,
) -> reqwest::Response {
    let app = &business.app;
    let mut request = app.client.request(method, app.at(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(version) = version {
        request = request.header("if-match", format!("\"{version}\""));
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

async fn authz_failures(business: &Business) -> usize {
    rampart_store::audit::list_audit_events(&business.app.db, Some("authz_fail"))
        .await
        .unwrap()
        .len()
}

async fn every_route_role_department_and_owner_gets_the_expected_answer(engine: TestEngine) {
    let business = business(engine).await;
    let (_, owner) = business.signed_in_as("owner@matrix.test", &[BuiltInRole::Owner]).await;
    let (_, admin) = business.signed_in_as("admin@matrix.test", &[BuiltInRole::Admin]).await;
    let (_, security_officer) =
        business.signed_in_as("so@matrix.test", &[BuiltInRole::SecurityOfficer]).await;
    let callers = Callers {
        owner,
        admin,
        security_officer,
        staff: business.token_of("sales").await,
        customer: business.token_of("customer").await,
    };
    let customer_id = business.id_of("customer");
    let someone_else = business.id_of("support");
    let mut cells = 0;

    for who in EVERYONE {
        for route in ROUTES {
            for own_department in [true, false] {
                for own_owner in [true, false] {
                    let department = if own_department { "sales" } else { "support" };
                    let owner = if own_owner { customer_id } else { someone_else };
                    let record = business
                        .record(
                            "customers",
                            Some(department),
                            Some(owner),
                            customer_fields("Initech"),
                        )
                        .await;
                    if route == Route::Restore {
                        rampart_store::records::soft_delete_record(
                            &business.app.db,
                            "customers",
                            record.id,
                            time::OffsetDateTime::now_utc(),
                        )
                        .await
                        .unwrap();
                    }
                    let item = format!("/api/collections/customers/records/{}", record.id);
                    let token = callers.token(who);
                    let refusals_before = authz_failures(&business).await;
                    let response = match route {
                        Route::List => {
                            send(
                                &business,
                                token,
                                reqwest::Method::GET,
                                "/api/collections/customers/records?limit=100",
                                None,
                                None,
                            )
                            .await
                        }
                        Route::Get => {
                            send(&business, token, reqwest::Method::GET, &item, None, None).await
                        }
                        Route::Create => {
                            // Staff say where the record goes; a customer cannot choose.
                            let body = if who == Who::Customer {
                                json!({ "fields": { "name": "Hooli" } })
                            } else {
                                json!({ "department": department, "fields": { "name": "Hooli" } })
                            };
                            send(
                                &business,
                                token,
                                reqwest::Method::POST,
                                "/api/collections/customers/records",
                                Some(body),
                                None,
                            )
                            .await
                        }
                        Route::Update => {
                            let body = json!({ "fields": { "tier": "gold" } });
                            send(
                                &business,
                                token,
                                reqwest::Method::PATCH,
                                &item,
                                Some(body),
                                Some(record.version),
                            )
                            .await
                        }
                        Route::Delete => {
                            send(&business, token, reqwest::Method::DELETE, &item, None, None).await
                        }
                        Route::Restore => {
                            send(
                                &business,
                                token,
                                reqwest::Method::POST,
                                &format!("{item}/restore"),
                                None,
                                None,
                            )
                            .await
                        }
                    };
                    let cell = format!(
                        "{who:?} {route:?} own_department={own_department} own_owner={own_owner}"
                    );
                    let status = response.status().as_u16();
                    let want = expected(who, route, own_department, own_owner);
                    assert_eq!(status, want, "{cell}");
                    let body: Value = response.json().await.unwrap_or(Value::Null);
                    match (route, status) {
                        (Route::Get | Route::Update, 200) => {
                            let fields = fields_of(&body);
                            assert_eq!(body["id"], record.id.to_string(), "{cell}");
                            assert_eq!(
                                fields.contains_key("phone"),
                                sees_sensitive(who),
                                "{cell}: {body}"
                            );
                            assert_eq!(
                                fields.contains_key("address"),
                                sees_sensitive(who),
                                "{cell}: {body}"
                            );
                            assert_eq!(fields["name"], "Initech", "{cell}");
                        }
                        (Route::List, 200) => {
                            let listed: Vec<&Value> =
                                body["records"].as_array().unwrap().iter().collect();
                            let has = listed.iter().any(|r| r["id"] == record.id.to_string());
                            let should = match who {
                                Who::Staff => own_department,
                                Who::Customer => own_owner,
                                _ => true,
                            };
                            assert_eq!(has, should, "{cell}: listed {} records", listed.len());
                            for shown in listed {
                                let fields = fields_of(shown);
                                if !sees_sensitive(who) {
                                    assert!(!fields.contains_key("phone"), "{cell}: {shown}");
                                    assert!(!fields.contains_key("address"), "{cell}: {shown}");
                                } else if shown["id"] == record.id.to_string() {
                                    assert!(fields.contains_key("phone"), "{cell}: {shown}");
                                }
                                if who == Who::Staff {
                                    assert_eq!(
                                        shown["department"], "sales",
                                        "{cell}: staff see only sales"
                                    );
                                }
                                if who == Who::Customer {
                                    assert_eq!(
                                        shown["owner_id"],
                                        customer_id.to_string(),
                                        "{cell}"
                                    );
                                }
                            }
                        }
                        (Route::Create, 201) => {
                            let expected_department =
                                if who == Who::Customer { "sales" } else { department };
                            assert_eq!(body["department"], expected_department, "{cell}");
                        }
                        (_, 401 | 403 | 404) => {
                            assert!(body["error"]["code"].is_string(), "{cell}: {body}");
                            assert!(
                                !body.to_string().contains("Initech"),
                                "{cell}: a refusal leaks the record"
                            );
                        }
                        _ => {}
                    }
                    if matches!(status, 403 | 404) {
                        assert!(
                            authz_failures(&business).await > refusals_before,
                            "{cell}: the refusal was not audited as authz_fail"
                        );
                    }
                    cells += 1;
                }
            }
        }
    }
    assert_eq!(cells, EVERYONE.len() * ROUTES.len() * 4);
}

on_both_engines!(every_route_role_department_and_owner_gets_the_expected_answer);

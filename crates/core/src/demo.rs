//! `rampart seed-demo`: an example business to try Rampart on (and the fixture of the access
//! matrix test): departments sales, support, finance and hr; staff in each; a customer; and the
//! collections a small company keeps — leads from the website's contact form, customers,
//! orders, invoices (finance only) and employees (hr only, salary sensitive).
//!
//! Everything goes through the same code as the API (schema checks, validation, encryption of
//! sensitive fields); grants are audited. Seeding twice refuses (the departments exist).

use std::collections::BTreeMap;

use rampart_domain::records::{CollectionSchema, Document, FieldDef};
use rampart_domain::{AuditAction, BuiltInRole, Email, Password, Permission};
use rampart_store::collections::insert_collection;
use rampart_store::departments::{DepartmentRow, insert_department};
use rampart_store::roles::{CustomRoleRow, insert_custom_role, set_role_grant};
use rampart_store::users::mark_email_verified;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::AppState;
use crate::audit::AuditEvent;
use crate::records::Collection;
use crate::records::write::{NewRecord, create_record};
use crate::unit_of_work::UnitOfWork;

pub const DEPARTMENTS: [&str; 4] = ["sales", "support", "finance", "hr"];

/// A demo person: address, password (printed once by the command), roles and departments.
#[derive(Debug, Clone)]
pub struct DemoUser {
    pub email: String,
    pub password: String,
    pub id: Uuid,
    pub grants: Vec<(String, Option<Vec<String>>)>,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the demo is seeded already (department {0} exists)")]
    AlreadySeeded(String),
    #[error("the demo definition does not fit: {0}")]
    Definition(String),
    #[error(transparent)]
    Store(#[from] rampart_store::StoreError),
    #[error(transparent)]
    Account(#[from] crate::accounts::AccountError),
    #[error(transparent)]
    Write(#[from] crate::records::write::RecordWriteError),
}

fn fields(value: Value) -> Result<CollectionSchema, DemoError> {
    let defs: Vec<FieldDef> =
        serde_json::from_value(value).map_err(|e| DemoError::Definition(e.to_string()))?;
    CollectionSchema::parse(defs).map_err(|e| DemoError::Definition(e.to_string()))
}

#[allow(clippy::too_many_arguments)] // one call per demo collection reads as a table
fn collection(
    state: &AppState,
    name: &str,
    title: &str,
    schema: CollectionSchema,
    scoped: bool,
    departments: &[&str],
    default_department: Option<&str>,
    public_create: bool,
    customer_access: bool,
) -> Result<Collection, DemoError> {
    let now = state.clock.now();
    Ok(Collection {
        name: rampart_domain::records::CollectionName::parse(name)
            .map_err(|e| DemoError::Definition(e.to_string()))?,
        title: title.into(),
        schema,
        department_scoped: scoped,
        departments: departments.iter().map(|d| (*d).to_owned()).collect(),
        default_department: default_department.map(str::to_owned),
        public_create,
        customer_access,
        version: 1,
        created_at: now,
        updated_at: now,
    })
}

/// The demo's collections, in the order they must be created (references point backwards).
pub fn demo_collections(state: &AppState) -> Result<Vec<Collection>, DemoError> {
    Ok(vec![
        collection(
            state,
            "leads",
            "Leads from the contact form",
            fields(json!([
                {"name": "name", "type": "text", "max_length": 200, "required": true},
                {"name": "email", "type": "email", "required": true, "sensitive": true, "searchable": true},
                {"name": "phone", "type": "phone", "sensitive": true},
                {"name": "message", "type": "long_text", "max_length": 5000},
                {"name": "status", "type": "enum", "values": ["new", "contacted", "qualified", "lost"]},
            ]))?,
            true,
            &["sales", "support"],
            Some("sales"),
            true,
            false,
        )?,
        collection(
            state,
            "customers",
            "Customers",
            fields(json!([
                {"name": "name", "type": "text", "max_length": 200, "required": true},
                {"name": "email", "type": "email", "sensitive": true, "searchable": true, "unique": true},
                {"name": "phone", "type": "phone", "sensitive": true, "searchable": true},
                {"name": "address", "type": "long_text", "max_length": 1000, "sensitive": true},
                {"name": "company", "type": "text"},
                {"name": "tier", "type": "enum", "values": ["standard", "gold"]},
            ]))?,
            true,
            &["sales", "support", "finance"],
            Some("sales"),
            false,
            true,
        )?,
        collection(
            state,
            "orders",
            "Orders",
            fields(json!([
                {"name": "customer", "type": "reference", "collection": "customers"},
                {"name": "total", "type": "decimal", "scale": 2, "required": true},
                {"name": "status", "type": "enum", "values": ["open", "paid", "shipped", "cancelled"], "required": true},
                {"name": "placed_at", "type": "date_time", "required": true},
                {"name": "notes", "type": "long_text", "rich": true},
            ]))?,
            true,
            &["sales", "finance"],
            Some("sales"),
            false,
            true,
        )?,
        collection(
            state,
            "invoices",
            "Invoices",
            fields(json!([
                {"name": "number", "type": "text", "max_length": 40, "required": true, "unique": true},
                {"name": "order", "type": "reference", "collection": "orders"},
                {"name": "amount", "type": "decimal", "scale": 2, "required": true},
                {"name": "due_on", "type": "date_time"},
                {"name": "paid", "type": "boolean"},
            ]))?,
            false,
            &["finance"],
            None,
            false,
            false,
        )?,
        collection(
            state,
            "employees",
            "Employees",
            fields(json!([
                {"name": "name", "type": "text", "max_length": 200, "required": true},
                {"name": "email", "type": "email", "required": true, "unique": true},
                {"name": "job_title", "type": "text"},
                {"name": "salary", "type": "decimal", "scale": 2, "sensitive": true},
                {"name": "started_on", "type": "date_time"},
            ]))?,
            false,
            &["hr"],
            None,
            false,
            false,
        )?,
    ])
}

fn document(value: Value) -> Document {
    match value {
        Value::Object(map) => map,
        _ => Document::new(),
    }
}

/// Seeds the demo; returns the people it made (with their passwords, to print once).
pub async fn seed_demo(state: &AppState) -> Result<Vec<DemoUser>, DemoError> {
    let now = state.clock.now();
    for name in DEPARTMENTS {
        let row = DepartmentRow { name: name.into(), title: title_case(name), created_at: now };
        insert_department(&state.db, &row).await.map_err(|error| match error {
            rampart_store::StoreError::Duplicate => DemoError::AlreadySeeded(name.into()),
            other => other.into(),
        })?;
    }
    let lead_role = CustomRoleRow {
        name: "department_lead".into(),
        description: "Staff who also see sensitive fields in their departments".into(),
        permissions: json!([
            Permission::RecordsRead.as_str(),
            Permission::RecordsWrite.as_str(),
            Permission::RecordsReadSensitive.as_str(),
        ])
        .to_string(),
        created_at: now,
        updated_at: now,
    };
    insert_custom_role(&state.db, &lead_role).await?;
    let collections = demo_collections(state)?;
    for collection in &collections {
        let row = collection.to_row().map_err(|e| DemoError::Definition(e.to_string()))?;
        insert_collection(&state.db, &row).await?;
    }
    let people = [
        ("sales@demo.rampart.test", vec![("staff", Some(vec!["sales"]))]),
        ("support@demo.rampart.test", vec![("staff", Some(vec!["support"]))]),
        ("finance@demo.rampart.test", vec![("department_lead", Some(vec!["finance"]))]),
        ("hr@demo.rampart.test", vec![("department_lead", Some(vec!["hr"]))]),
        ("customer@demo.rampart.test", vec![(BuiltInRole::Customer.as_str(), None)]),
    ];
    let mut made = Vec::new();
    for (address, grants) in people {
        made.push(demo_user(state, address, grants).await?);
    }
    seed_records(state, &collections, &made).await?;
    Ok(made)
}

async fn demo_user(
    state: &AppState,
    address: &str,
    grants: Vec<(&str, Option<Vec<&str>>)>,
) -> Result<DemoUser, DemoError> {
    let email = Email::parse(address).map_err(|e| DemoError::Definition(e.to_string()))?;
    let password = hex::encode(
        rampart_domain::random_bytes::<12>(state.random.as_ref())
            .map_err(|_| DemoError::Definition("no randomness for a demo password".into()))?,
    );
    let checked =
        Password::new(&password, &[]).map_err(|e| DemoError::Definition(e.to_string()))?;
    let new = crate::accounts::prepare_account(state, &email, checked).await?;
    let mut work = UnitOfWork::begin(state).await?;
    let account = new.insert(&work).await?;
    let now = state.clock.now();
    mark_email_verified(work.db(), account.id, now).await?;
    let mut granted = Vec::new();
    for (role, departments) in grants {
        let departments: Option<Vec<String>> =
            departments.map(|listed| listed.iter().map(|d| (*d).to_owned()).collect());
        set_role_grant(work.db(), account.id, role, departments.as_deref(), account.id, now)
            .await?;
        work.record(
            AuditEvent::success(AuditAction::PrivilegePermissionsChanged)
                .target(format!("user:{}", account.id))
                .detail("change", "granted")
                .detail("role", role)
                .detail("departments", departments.clone().map_or(json!("all"), Into::into))
                .detail("through", "seed-demo"),
        );
        granted.push((role.to_owned(), departments));
    }
    work.commit().await?;
    Ok(DemoUser { email: address.into(), password, id: account.id, grants: granted })
}

async fn seed_records(
    state: &AppState,
    collections: &[Collection],
    people: &[DemoUser],
) -> Result<(), DemoError> {
    let by_name: BTreeMap<&str, &Collection> =
        collections.iter().map(|c| (c.name.as_str(), c)).collect();
    let customer = people.iter().find(|p| p.email.starts_with("customer@")).map(|p| p.id);
    let staff = |department: &str, owner: Option<Uuid>| NewRecord {
        department: Some(department.to_owned()),
        owner_id: owner,
        created_by: None,
    };
    let get = |name: &str| {
        by_name.get(name).copied().ok_or_else(|| DemoError::Definition(format!("no {name}")))
    };
    create_record(
        state,
        get("leads")?,
        &document(json!({
        "name": "Ada Lovelace", "email": "ada@example.com", "phone": "+44 20 7946 0018",
        "message": "Could you send a quote for 40 seats?", "status": "new"})),
        staff("sales", None),
    )
    .await?;
    create_record(
        state,
        get("leads")?,
        &document(json!({
        "name": "Grace Hopper", "email": "grace@example.com", "status": "contacted"})),
        staff("support", None),
    )
    .await?;
    let acme = create_record(
        state,
        get("customers")?,
        &document(json!({
        "name": "Acme Ltd", "email": "buyer@acme.example", "phone": "+1 555 0100",
        "address": "1 Main Street, Springfield", "company": "Acme", "tier": "gold"})),
        staff("sales", customer),
    )
    .await?;
    create_record(
        state,
        get("customers")?,
        &document(json!({
        "name": "Globex", "email": "ap@globex.example", "tier": "standard"})),
        staff("finance", None),
    )
    .await?;
    let order = create_record(
        state,
        get("orders")?,
        &document(json!({
        "customer": acme.id.to_string(), "total": 1250.5, "status": "paid",
        "placed_at": "2026-11-20T09:30:00Z", "notes": "<p>Rush <b>delivery</b></p>"})),
        staff("sales", customer),
    )
    .await?;
    create_record(
        state,
        get("invoices")?,
        &document(json!({
        "number": "INV-2026-0001", "order": order.id.to_string(), "amount": 1250.5, "paid": true})),
        NewRecord { department: None, owner_id: None, created_by: None },
    )
    .await?;
    create_record(
        state,
        get("employees")?,
        &document(json!({
        "name": "Alan Turing", "email": "alan@company.example", "job_title": "Engineer",
        "salary": 98000, "started_on": "2024-03-01T00:00:00Z"})),
        NewRecord { department: None, owner_id: None, created_by: None },
    )
    .await?;
    Ok(())
}

fn title_case(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

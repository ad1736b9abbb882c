//! Shared by the benches that need many records: one collection of customers (a sensitive,
//! searchable e-mail among plain fields) spread over four departments, sealed and indexed with
//! `keyring` exactly as the server writes them, inserted in batches.

use rampart_core::records::seal::{lookups_for, seal_sensitive};
use rampart_crypto::{Keyring, OsRandom};
use rampart_domain::records::{CollectionSchema, FieldDef, split_sensitive};
use rampart_store::collections::{CollectionRow, insert_collection};
use rampart_store::departments::{DepartmentRow, insert_department};
use rampart_store::records::{RecordRow, insert_records};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

pub const DEPARTMENTS: [&str; 4] = ["sales", "support", "finance", "hr"];
pub const BATCH: usize = 5_000;

pub fn schema() -> CollectionSchema {
    let fields: Vec<FieldDef> = serde_json::from_value(json!([
        {"name": "name", "type": "text", "required": true},
        {"name": "email", "type": "email", "sensitive": true, "searchable": true},
        {"name": "status", "type": "enum", "values": ["open", "won", "lost"]},
        {"name": "total", "type": "decimal"},
    ]))
    .unwrap();
    CollectionSchema::parse(fields).unwrap()
}

pub async fn seed(db: &rampart_store::Db, keyring: &Keyring, count: usize) {
    let now = OffsetDateTime::now_utc();
    for name in DEPARTMENTS {
        let row = DepartmentRow { name: name.into(), title: name.into(), created_at: now };
        insert_department(db, &row).await.unwrap();
    }
    let schema = schema();
    let fields_json = serde_json::to_string(schema.fields()).unwrap();
    let collection = CollectionRow {
        name: "customers".into(),
        title: "Customers".into(),
        fields: fields_json,
        department_scoped: true,
        departments: "[]".into(),
        default_department: None,
        public_create: false,
        customer_access: false,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    insert_collection(db, &collection).await.unwrap();
    let random = OsRandom;
    let start = now - time::Duration::seconds(count as i64);
    let mut batch = Vec::with_capacity(BATCH);
    for n in 0..count {
        let id = Uuid::new_v4();
        let status = ["open", "won", "lost"][n % 3];
        let document = json!({
            "name": format!("Customer {n}"),
            "email": format!("customer{n}@example.com"),
            "status": status,
            "total": (n % 1000) as f64 + 0.5,
        });
        let serde_json::Value::Object(document) = document else { unreachable!() };
        let (plain, sensitive) = split_sensitive(&schema, &document);
        let sealed = seal_sensitive(keyring, "customers", id, &sensitive, &random).unwrap();
        let lookups = lookups_for(keyring, "customers", &schema, &document).unwrap();
        let at = start + time::Duration::seconds(n as i64);
        batch.push((
            RecordRow {
                id,
                collection: "customers".into(),
                department: Some(DEPARTMENTS[n % DEPARTMENTS.len()].into()),
                owner_id: None,
                data: serde_json::Value::Object(plain),
                sealed,
                version: 1,
                created_by: None,
                created_at: at,
                updated_at: at,
                deleted_at: None,
            },
            lookups,
        ));
        if batch.len() == BATCH {
            insert_records(db, &batch).await.unwrap();
            batch.clear();
        }
    }
    if !batch.is_empty() {
        insert_records(db, &batch).await.unwrap();
    }
}

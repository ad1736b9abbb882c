//! The example business (`rampart seed-demo`) as a test fixture: a server with the demo loaded,
//! and the people who act on it, signed in.
//!
//! The second factor is not demanded of owners and admins here (`mfa.required_roles = []`):
//! these tests are about who reaches which record; enforcement of the second factor has its own
//! tests (`mfa_enforcement.rs`).

use rampart_core::demo::{DemoUser, seed_demo};
use rampart_core::records::load_collection;
use rampart_core::records::write::{NewRecord, create_record};
use rampart_domain::records::Document;
use rampart_domain::{BuiltInRole, ManualClock};
use rampart_store::records::RecordRow;
use rampart_store::testing::TestEngine;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, TestOptions, spawn_app_with};
use crate::people::{bearer, create_user, login};

pub struct Business {
    pub app: TestApp,
    pub people: Vec<DemoUser>,
}

pub async fn business_options(
    engine: TestEngine,
    extra: Vec<(&'static str, toml::Value)>,
    clock: Option<ManualClock>,
) -> Business {
    business_on(engine, TestOptions { overrides: extra, clock, ..TestOptions::default() }).await
}

/// The demo business on an application started with `options` (its overrides come after the
/// business's own).
pub async fn business_on(engine: TestEngine, mut options: TestOptions) -> Business {
    let mut overrides = vec![("mfa.required_roles", toml::Value::Array(Vec::new()))];
    overrides.append(&mut options.overrides);
    let app = spawn_app_with(engine, TestOptions { overrides, ..options }).await;
    let people = seed_demo(&app.state).await.expect("the demo seeds");
    Business { app, people }
}

pub async fn business(engine: TestEngine) -> Business {
    business_options(engine, Vec::new(), None).await
}

impl Business {
    /// A bearer token of a demo person (`sales@…`, `customer@…`).
    pub async fn token_of(&self, local_part: &str) -> String {
        let person = self
            .people
            .iter()
            .find(|p| p.email.starts_with(&format!("{local_part}@")))
            .expect("a demo person");
        let response = login(&self.app, &person.email, &person.password).await;
        assert_eq!(response.status(), 200, "sign-in of {}", person.email);
        let body: Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    pub fn id_of(&self, local_part: &str) -> Uuid {
        self.people.iter().find(|p| p.email.starts_with(&format!("{local_part}@"))).unwrap().id
    }

    /// A new user holding `roles` everywhere, signed in.
    pub async fn signed_in_as(&self, address: &str, roles: &[BuiltInRole]) -> (Uuid, String) {
        let id = create_user(&self.app, address, roles).await;
        (id, bearer(&self.app, address).await)
    }

    /// Stores a record directly (as the server would), for a test to act on.
    pub async fn record(
        &self,
        collection: &str,
        department: Option<&str>,
        owner: Option<Uuid>,
        fields: Value,
    ) -> RecordRow {
        let collection = load_collection(&self.app.db, collection).await.unwrap().unwrap();
        let Value::Object(fields) = fields else { panic!("fields must be an object") };
        let new = NewRecord {
            department: department.map(str::to_owned),
            owner_id: owner,
            created_by: None,
        };
        create_record(&self.app.state, &collection, &fields, new).await.unwrap()
    }

    pub async fn patch_with(
        &self,
        path: &str,
        token: &str,
        version: i64,
        fields: Value,
    ) -> reqwest::Response {
        self.app
            .client
            .patch(self.app.at(path))
            .bearer_auth(token)
            .header("if-match", format!("\"{version}\""))
            .json(&json!({ "fields": fields }))
            .send()
            .await
            .unwrap()
    }
}

/// A customer record's fields (phone and address are sensitive).
pub fn customer_fields(name: &str) -> Value {
    json!({ "name": name, "phone": "+1 555 0199", "address": "2 Side Street", "tier": "standard" })
}

pub fn fields_of(body: &Value) -> Document {
    body["fields"].as_object().cloned().unwrap_or_default()
}

//! A collection definition as a client sends it and as it is shown; the checks that turn one
//! into a [`Collection`] are the use case's (`records/definitions.rs`).

use rampart_domain::records::FieldDef;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use rampart_core::records::Collection;
use rampart_core::records::definitions::Definition;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct CollectionDefinition {
    /// New collections only (a slug: `leads`, `hr_files`); a change names it in the path, and
    /// may repeat it but not change it. Not `null`.
    #[serde(default, deserialize_with = "crate::extract::present")]
    #[schema(schema_with = crate::routes::shapes::slug_schema)]
    pub(super) name: Option<String>,
    #[schema(schema_with = crate::routes::shapes::title_schema)]
    pub(super) title: String,
    /// Each `{"name","type",…,"required","unique","sensitive","searchable"}`.
    #[schema(value_type = Vec<Object>)]
    pub(super) fields: Vec<FieldDef>,
    #[serde(default)]
    pub(super) department_scoped: bool,
    #[serde(default)]
    pub(super) departments: Vec<String>,
    #[serde(default)]
    pub(super) default_department: Option<String>,
    #[serde(default)]
    pub(super) public_create: bool,
    #[serde(default)]
    pub(super) customer_access: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct CollectionView {
    name: String,
    title: String,
    #[schema(value_type = Vec<Object>)]
    fields: Vec<FieldDef>,
    department_scoped: bool,
    departments: Vec<String>,
    default_department: Option<String>,
    public_create: bool,
    customer_access: bool,
    version: i64,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    updated_at: OffsetDateTime,
}

impl From<&Collection> for CollectionView {
    fn from(collection: &Collection) -> Self {
        Self {
            name: collection.name.as_str().to_owned(),
            title: collection.title.clone(),
            fields: collection.schema.fields().to_vec(),
            department_scoped: collection.department_scoped,
            departments: collection.departments.clone(),
            default_department: collection.default_department.clone(),
            public_create: collection.public_create,
            customer_access: collection.customer_access,
            version: collection.version,
            created_at: collection.created_at,
            updated_at: collection.updated_at,
        }
    }
}

impl From<CollectionDefinition> for Definition {
    fn from(given: CollectionDefinition) -> Self {
        Self {
            title: given.title,
            fields: given.fields,
            department_scoped: given.department_scoped,
            departments: given.departments,
            default_department: given.default_department,
            public_create: given.public_create,
            customer_access: given.customer_access,
        }
    }
}

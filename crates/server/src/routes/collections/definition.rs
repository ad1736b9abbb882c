//! A collection definition as a client sends it, and the checks that turn it into a
//! [`Collection`]: a schema that parses, departments that exist, a default department where
//! records arrive without one, references to collections that exist.

use rampart_domain::records::{CollectionName, CollectionSchema, FieldDef, FieldKind};
use rampart_store::collections::find_collection;
use rampart_store::departments::existing_departments;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::records::Collection;
use crate::{ApiError, AppState};

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

fn invalid(message: String) -> ApiError {
    ApiError::Unprocessable(message)
}

/// `definition` checked, as collection `name` (version, times: the caller's to set).
pub(super) async fn checked(
    state: &AppState,
    name: &str,
    definition: CollectionDefinition,
) -> Result<Collection, ApiError> {
    let name =
        CollectionName::parse(name).map_err(|problem| invalid(format!("name: {problem}")))?;
    let title = crate::routes::departments::checked_title(&definition.title)?;
    let schema = CollectionSchema::parse(definition.fields)
        .map_err(|problem| invalid(problem.to_string()))?;
    let mut named = definition.departments.clone();
    named.extend(definition.default_department.clone());
    let existing = existing_departments(&state.db, &named).await?;
    if let Some(missing) = named.iter().find(|d| !existing.contains(d)) {
        return Err(invalid(format!("departments: {missing:?} is not a department")));
    }
    if let Some(default) = &definition.default_department
        && !definition.departments.is_empty()
        && !definition.departments.contains(default)
    {
        return Err(invalid("default_department: must be one of departments".into()));
    }
    if definition.department_scoped
        && (definition.public_create || definition.customer_access)
        && definition.default_department.is_none()
    {
        return Err(invalid(
            "default_department: a department-scoped collection that takes public or customer records needs one".into(),
        ));
    }
    for field in schema.fields() {
        if let FieldKind::Reference { collection: target } = &field.kind
            && target.as_str() != name.as_str()
            && find_collection(&state.db, target.as_str()).await?.is_none()
        {
            return Err(invalid(format!(
                "{}: references {}, which is not a collection",
                field.name, target
            )));
        }
    }
    let now = state.clock.now();
    Ok(Collection {
        name,
        title,
        schema,
        department_scoped: definition.department_scoped,
        departments: definition.departments,
        default_department: definition.default_department,
        public_create: definition.public_create,
        customer_access: definition.customer_access,
        version: 1,
        created_at: now,
        updated_at: now,
    })
}

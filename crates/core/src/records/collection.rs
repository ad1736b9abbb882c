//! A collection's definition as the server uses it: the stored row, parsed (fail closed: a row
//! whose schema does not parse is an internal error, never an empty schema).

use rampart_domain::records::{CollectionName, CollectionSchema};
use rampart_store::collections::{CollectionRow, find_collection};
use rampart_store::{Db, StoreError};
use time::OffsetDateTime;

#[derive(Debug, Clone)]
pub struct Collection {
    pub name: CollectionName,
    pub title: String,
    pub schema: CollectionSchema,
    /// Each record belongs to a department, and staff reach only their departments' records.
    pub department_scoped: bool,
    /// The departments whose staff may use the collection at all; empty for every department.
    pub departments: Vec<String>,
    /// Where records made through the public form or by a customer go.
    pub default_department: Option<String>,
    /// Anyone may create records through `POST /api/forms/{collection}` (a website form).
    pub public_create: bool,
    /// Customers may create records and see and edit their own.
    pub customer_access: bool,
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, thiserror::Error)]
pub enum CollectionError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The stored definition does not parse: someone edited the row by hand.
    #[error("the stored definition of collection {0} is damaged")]
    Damaged(String),
}

impl Collection {
    pub fn from_row(row: CollectionRow) -> Result<Self, CollectionError> {
        let damaged = || CollectionError::Damaged(row.name.clone());
        let name = CollectionName::parse(&row.name).map_err(|_| damaged())?;
        let schema: CollectionSchema = serde_json::from_str(&row.fields).map_err(|_| damaged())?;
        let departments: Vec<String> =
            serde_json::from_str(&row.departments).map_err(|_| damaged())?;
        Ok(Self {
            name,
            title: row.title,
            schema,
            department_scoped: row.department_scoped,
            departments,
            default_department: row.default_department,
            public_create: row.public_create,
            customer_access: row.customer_access,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }

    /// The row to store. Serialising a parsed schema cannot fail in practice; if it ever did,
    /// the change is refused rather than a damaged definition stored.
    pub fn to_row(&self) -> Result<CollectionRow, serde_json::Error> {
        Ok(CollectionRow {
            name: self.name.as_str().to_owned(),
            title: self.title.clone(),
            fields: serde_json::to_string(self.schema.fields())?,
            department_scoped: self.department_scoped,
            departments: serde_json::to_string(&self.departments)?,
            default_department: self.default_department.clone(),
            public_create: self.public_create,
            customer_access: self.customer_access,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }

    /// Whether staff of `department` may use this collection at all.
    pub fn open_to(&self, department: &str) -> bool {
        self.departments.is_empty() || self.departments.iter().any(|d| d == department)
    }
}

pub async fn load_collection(db: &Db, name: &str) -> Result<Option<Collection>, CollectionError> {
    find_collection(db, name).await?.map(Collection::from_row).transpose()
}

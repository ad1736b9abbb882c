//! Collection definitions. The schema (`fields`) and the department list are stored as JSON
//! text and parsed by the server through `rampart_domain::records`, which refuses a row that
//! does not parse (fail closed) rather than guess.

use sea_query::{Expr, ExprTrait, Func, Iden, Order, Query};
use time::OffsetDateTime;

use crate::{Executor, StoreError};

#[derive(Iden)]
enum Collections {
    Table,
    Name,
    Title,
    Fields,
    DepartmentScoped,
    Departments,
    DefaultDepartment,
    PublicCreate,
    CustomerAccess,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden)]
enum Records {
    Table,
    Collection,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CollectionRow {
    pub name: String,
    pub title: String,
    /// The schema: a JSON array of field definitions.
    pub fields: String,
    pub department_scoped: bool,
    /// A JSON array of department names whose staff may use the collection; empty for all.
    pub departments: String,
    /// Where records made through a public form or by a customer go (department-scoped
    /// collections).
    pub default_department: Option<String>,
    pub public_create: bool,
    pub customer_access: bool,
    /// Bumped on every change of the definition.
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

const COLUMNS: [Collections; 11] = [
    Collections::Name,
    Collections::Title,
    Collections::Fields,
    Collections::DepartmentScoped,
    Collections::Departments,
    Collections::DefaultDepartment,
    Collections::PublicCreate,
    Collections::CustomerAccess,
    Collections::Version,
    Collections::CreatedAt,
    Collections::UpdatedAt,
];

/// Adds a collection; [`StoreError::Duplicate`] when the name is taken.
pub async fn insert_collection(db: &impl Executor, row: &CollectionRow) -> Result<(), StoreError> {
    let insert = Query::insert()
        .into_table(Collections::Table)
        .columns(COLUMNS)
        .values_panic([
            row.name.as_str().into(),
            row.title.as_str().into(),
            row.fields.as_str().into(),
            row.department_scoped.into(),
            row.departments.as_str().into(),
            row.default_department.clone().into(),
            row.public_create.into(),
            row.customer_access.into(),
            row.version.into(),
            row.created_at.into(),
            row.updated_at.into(),
        ])
        .to_owned();
    db.execute(&insert).await.map(drop)
}

pub async fn find_collection(
    db: &impl Executor,
    name: &str,
) -> Result<Option<CollectionRow>, StoreError> {
    let query = Query::select()
        .columns(COLUMNS)
        .from(Collections::Table)
        .and_where(Expr::col(Collections::Name).eq(name))
        .to_owned();
    db.fetch_optional(&query).await
}

pub async fn list_collections(db: &impl Executor) -> Result<Vec<CollectionRow>, StoreError> {
    let query = Query::select()
        .columns(COLUMNS)
        .from(Collections::Table)
        .order_by(Collections::Name, Order::Asc)
        .to_owned();
    db.fetch_all(&query).await
}

/// Replaces the definition if it is still at `expected_version`; returns whether it was.
pub async fn update_collection(
    db: &impl Executor,
    row: &CollectionRow,
    expected_version: i64,
) -> Result<bool, StoreError> {
    let update = Query::update()
        .table(Collections::Table)
        .values([
            (Collections::Title, row.title.as_str().into()),
            (Collections::Fields, row.fields.as_str().into()),
            (Collections::DepartmentScoped, row.department_scoped.into()),
            (Collections::Departments, row.departments.as_str().into()),
            (Collections::DefaultDepartment, row.default_department.clone().into()),
            (Collections::PublicCreate, row.public_create.into()),
            (Collections::CustomerAccess, row.customer_access.into()),
            (Collections::Version, row.version.into()),
            (Collections::UpdatedAt, row.updated_at.into()),
        ])
        .and_where(Expr::col(Collections::Name).eq(row.name.as_str()))
        .and_where(Expr::col(Collections::Version).eq(expected_version))
        .to_owned();
    Ok(db.execute(&update).await? == 1)
}

/// Deletes a collection that holds no record, not even one in the bin; `Conflict` otherwise.
pub async fn delete_collection(db: &impl Executor, name: &str) -> Result<bool, StoreError> {
    let records = Query::select()
        .expr(Func::count(Expr::col(Records::Collection)))
        .from(Records::Table)
        .and_where(Expr::col(Records::Collection).eq(name))
        .to_owned();
    if db.count(&records).await? > 0 {
        return Err(StoreError::Conflict("the collection still holds records"));
    }
    let delete = Query::delete()
        .from_table(Collections::Table)
        .and_where(Expr::col(Collections::Name).eq(name))
        .to_owned();
    Ok(db.execute(&delete).await? == 1)
}

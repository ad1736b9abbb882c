//! Departments: named slugs that grants and records refer to.

use sea_query::{Expr, ExprTrait, Func, Iden, Order, Query};
use time::OffsetDateTime;

use crate::{Executor, StoreError};

#[derive(Iden)]
enum Departments {
    Table,
    Name,
    Title,
    CreatedAt,
}

#[derive(Iden)]
enum UserRoleDepartments {
    Table,
    Department,
}

#[derive(Iden)]
enum Records {
    Table,
    Department,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DepartmentRow {
    pub name: String,
    pub title: String,
    pub created_at: OffsetDateTime,
}

/// Adds a department; [`StoreError::Duplicate`] when the name is taken.
pub async fn insert_department(
    db: &impl Executor,
    department: &DepartmentRow,
) -> Result<(), StoreError> {
    let insert = Query::insert()
        .into_table(Departments::Table)
        .columns([Departments::Name, Departments::Title, Departments::CreatedAt])
        .values_panic([
            department.name.as_str().into(),
            department.title.as_str().into(),
            department.created_at.into(),
        ])
        .to_owned();
    db.execute(&insert).await.map(drop)
}

pub async fn list_departments(db: &impl Executor) -> Result<Vec<DepartmentRow>, StoreError> {
    let query = Query::select()
        .columns([Departments::Name, Departments::Title, Departments::CreatedAt])
        .from(Departments::Table)
        .order_by(Departments::Name, Order::Asc)
        .to_owned();
    db.fetch_all(&query).await
}

/// Which of `names` exist.
pub async fn existing_departments(
    db: &impl Executor,
    names: &[String],
) -> Result<Vec<String>, StoreError> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let query = Query::select()
        .column(Departments::Name)
        .from(Departments::Table)
        .and_where(Expr::col(Departments::Name).is_in(names.iter().map(String::as_str)))
        .to_owned();
    Ok(db.fetch_all::<(String,)>(&query).await?.into_iter().map(|(name,)| name).collect())
}

/// Renames a department's title; returns whether it exists.
pub async fn update_department_title(
    db: &impl Executor,
    name: &str,
    title: &str,
) -> Result<bool, StoreError> {
    let update = Query::update()
        .table(Departments::Table)
        .value(Departments::Title, title)
        .and_where(Expr::col(Departments::Name).eq(name))
        .to_owned();
    Ok(db.execute(&update).await? == 1)
}

/// Deletes a department that no grant and no record (live or in the bin) refers to; `Conflict`
/// otherwise, so that deleting one never silently widens or narrows anyone's access.
pub async fn delete_department(db: &impl Executor, name: &str) -> Result<bool, StoreError> {
    let grants = Query::select()
        .expr(Func::count(Expr::col(UserRoleDepartments::Department)))
        .from(UserRoleDepartments::Table)
        .and_where(Expr::col(UserRoleDepartments::Department).eq(name))
        .to_owned();
    if db.count(&grants).await? > 0 {
        return Err(StoreError::Conflict("the department is still named in role grants"));
    }
    let records = Query::select()
        .expr(Func::count(Expr::col(Records::Department)))
        .from(Records::Table)
        .and_where(Expr::col(Records::Department).eq(name))
        .to_owned();
    if db.count(&records).await? > 0 {
        return Err(StoreError::Conflict("the department still has records"));
    }
    let delete = Query::delete()
        .from_table(Departments::Table)
        .and_where(Expr::col(Departments::Name).eq(name))
        .to_owned();
    Ok(db.execute(&delete).await? == 1)
}

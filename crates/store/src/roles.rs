//! Role grants (built-in or custom role, all departments or listed ones) and custom roles.
//!
//! A grant is one `user_roles` row; when it is not for all departments, its departments are rows
//! of `user_role_departments`. Custom roles keep their permissions as a JSON array of names: an
//! unknown name read back (a hand-edited row) is dropped by the caller, never honoured.

use sea_query::{Expr, ExprTrait, Func, Iden, OnConflict, Order, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Executor, StoreError};

#[derive(Iden)]
enum UserRoles {
    Table,
    UserId,
    Role,
    GrantedAt,
    AllDepartments,
    GrantedBy,
}

#[derive(Iden)]
enum UserRoleDepartments {
    Table,
    UserId,
    Role,
    Department,
}

#[derive(Iden)]
enum CustomRoles {
    Table,
    Name,
    Description,
    Permissions,
    CreatedAt,
    UpdatedAt,
}

/// One role held by a user. `departments` is `None` for a grant over all departments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRow {
    pub role: String,
    pub departments: Option<Vec<String>>,
    pub granted_at: OffsetDateTime,
}

/// Grants `role` over all departments; granting a role already held changes nothing.
pub async fn grant_role(
    db: &impl Executor,
    user_id: Uuid,
    role: &str,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let insert = Query::insert()
        .into_table(UserRoles::Table)
        .columns([UserRoles::UserId, UserRoles::Role, UserRoles::GrantedAt])
        .values_panic([user_id.into(), role.into(), at.into()])
        .on_conflict(
            OnConflict::columns([UserRoles::UserId, UserRoles::Role]).do_nothing().to_owned(),
        )
        .to_owned();
    db.execute(&insert).await.map(drop)
}

/// Grants `role` over `departments` (`None`: all), replacing the scope of an earlier grant of
/// the same role, in one transaction.
pub async fn set_role_grant(
    db: &impl Executor,
    user_id: Uuid,
    role: &str,
    departments: Option<&[String]>,
    granted_by: Uuid,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let mut tx = db.atomic().await?;
    let delete = Query::delete()
        .from_table(UserRoles::Table)
        .and_where(Expr::col(UserRoles::UserId).eq(user_id))
        .and_where(Expr::col(UserRoles::Role).eq(role))
        .to_owned();
    tx.execute(&delete).await?;
    let insert = Query::insert()
        .into_table(UserRoles::Table)
        .columns([
            UserRoles::UserId,
            UserRoles::Role,
            UserRoles::GrantedAt,
            UserRoles::AllDepartments,
            UserRoles::GrantedBy,
        ])
        .values_panic([
            user_id.into(),
            role.into(),
            at.into(),
            departments.is_none().into(),
            granted_by.into(),
        ])
        .to_owned();
    tx.execute(&insert).await?;
    for department in departments.unwrap_or_default() {
        let insert = Query::insert()
            .into_table(UserRoleDepartments::Table)
            .columns([
                UserRoleDepartments::UserId,
                UserRoleDepartments::Role,
                UserRoleDepartments::Department,
            ])
            .values_panic([user_id.into(), role.into(), department.as_str().into()])
            .to_owned();
        tx.execute(&insert).await?;
    }
    tx.commit().await
}

pub async fn roles_of_user(db: &impl Executor, user_id: Uuid) -> Result<Vec<String>, StoreError> {
    let query = Query::select()
        .column(UserRoles::Role)
        .from(UserRoles::Table)
        .and_where(Expr::col(UserRoles::UserId).eq(user_id))
        .order_by(UserRoles::Role, Order::Asc)
        .to_owned();
    Ok(db.fetch_all::<(String,)>(&query).await?.into_iter().map(|(role,)| role).collect())
}

/// Every role a user holds, with its departments.
pub async fn grants_of_user(
    db: &impl Executor,
    user_id: Uuid,
) -> Result<Vec<GrantRow>, StoreError> {
    let query = Query::select()
        .columns([UserRoles::Role, UserRoles::AllDepartments, UserRoles::GrantedAt])
        .from(UserRoles::Table)
        .and_where(Expr::col(UserRoles::UserId).eq(user_id))
        .order_by(UserRoles::Role, Order::Asc)
        .to_owned();
    let roles = db.fetch_all::<(String, bool, OffsetDateTime)>(&query).await?;
    if roles.iter().all(|(_, all, _)| *all) {
        return Ok(roles
            .into_iter()
            .map(|(role, _, granted_at)| GrantRow { role, departments: None, granted_at })
            .collect());
    }
    let query = Query::select()
        .columns([UserRoleDepartments::Role, UserRoleDepartments::Department])
        .from(UserRoleDepartments::Table)
        .and_where(Expr::col(UserRoleDepartments::UserId).eq(user_id))
        .order_by(UserRoleDepartments::Department, Order::Asc)
        .to_owned();
    let scoped = db.fetch_all::<(String, String)>(&query).await?;
    Ok(roles
        .into_iter()
        .map(|(role, all, granted_at)| {
            let departments = (!all).then(|| {
                scoped.iter().filter(|(r, _)| *r == role).map(|(_, d)| d.clone()).collect()
            });
            GrantRow { role, departments, granted_at }
        })
        .collect())
}

/// How many users hold `role` (e.g. whether an owner exists yet).
pub async fn count_users_with_role(db: &impl Executor, role: &str) -> Result<i64, StoreError> {
    let query = Query::select()
        .expr(Func::count(Expr::col(UserRoles::UserId)))
        .from(UserRoles::Table)
        .and_where(Expr::col(UserRoles::Role).eq(role))
        .to_owned();
    db.count(&query).await
}

/// Takes `role` away; returns whether it was held.
pub async fn revoke_role(
    db: &impl Executor,
    user_id: Uuid,
    role: &str,
) -> Result<bool, StoreError> {
    let delete = Query::delete()
        .from_table(UserRoles::Table)
        .and_where(Expr::col(UserRoles::UserId).eq(user_id))
        .and_where(Expr::col(UserRoles::Role).eq(role))
        .to_owned();
    Ok(db.execute(&delete).await? == 1)
}

/// Takes `role` away unless that would leave nobody holding it (the last owner stays), in one
/// statement so that two concurrent revocations cannot both pass the check. Returns whether it
/// was taken; `Conflict` when the user is the last holder.
pub async fn revoke_role_keeping_one(
    db: &impl Executor,
    user_id: Uuid,
    role: &str,
) -> Result<bool, StoreError> {
    let others = Query::select()
        .expr(Expr::val(1))
        .from_as(UserRoles::Table, Others)
        .and_where(Expr::col((Others, UserRoles::Role)).eq(role))
        .and_where(Expr::col((Others, UserRoles::UserId)).ne(user_id))
        .to_owned();
    let delete = Query::delete()
        .from_table(UserRoles::Table)
        .and_where(Expr::col(UserRoles::UserId).eq(user_id))
        .and_where(Expr::col(UserRoles::Role).eq(role))
        .and_where(Expr::exists(others))
        .to_owned();
    if db.execute(&delete).await? == 1 {
        return Ok(true);
    }
    let held = roles_of_user(db, user_id).await?.iter().any(|held| held == role);
    if held { Err(StoreError::Conflict("the last holder of this role")) } else { Ok(false) }
}

#[derive(Iden)]
struct Others;

/// Who holds any of `roles` (e.g. whom to e-mail an alert).
pub async fn list_users_with_roles(
    db: &impl Executor,
    roles: &[&str],
) -> Result<Vec<Uuid>, StoreError> {
    let query = Query::select()
        .distinct()
        .column(UserRoles::UserId)
        .from(UserRoles::Table)
        .and_where(Expr::col(UserRoles::Role).is_in(roles.iter().copied()))
        .to_owned();
    Ok(db.fetch_all::<(Uuid,)>(&query).await?.into_iter().map(|(id,)| id).collect())
}

/// A custom role. `permissions` is the JSON array as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CustomRoleRow {
    pub name: String,
    pub description: String,
    pub permissions: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

const CUSTOM_ROLE_COLUMNS: [CustomRoles; 5] = [
    CustomRoles::Name,
    CustomRoles::Description,
    CustomRoles::Permissions,
    CustomRoles::CreatedAt,
    CustomRoles::UpdatedAt,
];

/// Adds a custom role; [`StoreError::Duplicate`] when the name is taken.
pub async fn insert_custom_role(
    db: &impl Executor,
    role: &CustomRoleRow,
) -> Result<(), StoreError> {
    let insert = Query::insert()
        .into_table(CustomRoles::Table)
        .columns(CUSTOM_ROLE_COLUMNS)
        .values_panic([
            role.name.as_str().into(),
            role.description.as_str().into(),
            role.permissions.as_str().into(),
            role.created_at.into(),
            role.updated_at.into(),
        ])
        .to_owned();
    db.execute(&insert).await.map(drop)
}

/// Changes a custom role's description and permissions; returns whether it exists.
pub async fn update_custom_role(
    db: &impl Executor,
    role: &CustomRoleRow,
) -> Result<bool, StoreError> {
    let update = Query::update()
        .table(CustomRoles::Table)
        .values([
            (CustomRoles::Description, role.description.as_str().into()),
            (CustomRoles::Permissions, role.permissions.as_str().into()),
            (CustomRoles::UpdatedAt, role.updated_at.into()),
        ])
        .and_where(Expr::col(CustomRoles::Name).eq(role.name.as_str()))
        .to_owned();
    Ok(db.execute(&update).await? == 1)
}

pub async fn list_custom_roles(db: &impl Executor) -> Result<Vec<CustomRoleRow>, StoreError> {
    let query = Query::select()
        .columns(CUSTOM_ROLE_COLUMNS)
        .from(CustomRoles::Table)
        .order_by(CustomRoles::Name, Order::Asc)
        .to_owned();
    db.fetch_all(&query).await
}

pub async fn find_custom_roles(
    db: &impl Executor,
    names: &[String],
) -> Result<Vec<CustomRoleRow>, StoreError> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let query = Query::select()
        .columns(CUSTOM_ROLE_COLUMNS)
        .from(CustomRoles::Table)
        .and_where(Expr::col(CustomRoles::Name).is_in(names.iter().map(String::as_str)))
        .to_owned();
    db.fetch_all(&query).await
}

/// Deletes a custom role nobody holds; `Conflict` while someone does.
pub async fn delete_custom_role(db: &impl Executor, name: &str) -> Result<bool, StoreError> {
    if count_users_with_role(db, name).await? > 0 {
        return Err(StoreError::Conflict("the role is still granted"));
    }
    let delete = Query::delete()
        .from_table(CustomRoles::Table)
        .and_where(Expr::col(CustomRoles::Name).eq(name))
        .to_owned();
    Ok(db.execute(&delete).await? == 1)
}

//! Which built-in roles a user holds. The roles issue adds custom roles and department scopes.

use sea_query::{Expr, ExprTrait, Func, Iden, OnConflict, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Db, StoreError};

#[derive(Iden)]
enum UserRoles {
    Table,
    UserId,
    Role,
    GrantedAt,
}

/// Grants `role`; granting a role already held changes nothing.
pub async fn grant_role(
    db: &Db,
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

pub async fn roles_of_user(db: &Db, user_id: Uuid) -> Result<Vec<String>, StoreError> {
    let query = Query::select()
        .column(UserRoles::Role)
        .from(UserRoles::Table)
        .and_where(Expr::col(UserRoles::UserId).eq(user_id))
        .to_owned();
    Ok(db.fetch_all::<(String,)>(&query).await?.into_iter().map(|(role,)| role).collect())
}

/// How many users hold `role` (e.g. whether an owner exists yet).
pub async fn count_users_with_role(db: &Db, role: &str) -> Result<i64, StoreError> {
    let query = Query::select()
        .expr(Func::count(Expr::col(UserRoles::UserId)))
        .from(UserRoles::Table)
        .and_where(Expr::col(UserRoles::Role).eq(role))
        .to_owned();
    db.count(&query).await
}

/// Takes `role` away; returns whether it was held.
pub async fn revoke_role(db: &Db, user_id: Uuid, role: &str) -> Result<bool, StoreError> {
    let delete = Query::delete()
        .from_table(UserRoles::Table)
        .and_where(Expr::col(UserRoles::UserId).eq(user_id))
        .and_where(Expr::col(UserRoles::Role).eq(role))
        .to_owned();
    Ok(db.execute(&delete).await? == 1)
}

/// Who holds any of `roles` (e.g. whom to e-mail an alert).
pub async fn list_users_with_roles(db: &Db, roles: &[&str]) -> Result<Vec<Uuid>, StoreError> {
    let query = Query::select()
        .distinct()
        .column(UserRoles::UserId)
        .from(UserRoles::Table)
        .and_where(Expr::col(UserRoles::Role).is_in(roles.iter().copied()))
        .to_owned();
    Ok(db.fetch_all::<(Uuid,)>(&query).await?.into_iter().map(|(id,)| id).collect())
}

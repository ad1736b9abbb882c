//! Test support: a fresh PostgreSQL database per test.

use sqlx::AssertSqlSafe;

use crate::StoreError;

/// Test support: creates an empty PostgreSQL database named `name` on the server of `admin_url`.
/// DDL cannot take bound parameters, so the name is checked to be `[a-z0-9_]` before it is quoted.
#[cfg(feature = "testing")]
pub(crate) async fn create_postgres_database(
    admin_url: &str,
    name: &str,
) -> Result<(), StoreError> {
    use sqlx::Connection;

    if name.is_empty()
        || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(StoreError::BadUrl("test database names are [a-z0-9_]"));
    }
    let mut connection =
        sqlx::PgConnection::connect(admin_url).await.map_err(StoreError::Unavailable)?;
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut connection)
        .await?;
    connection.close().await?;
    Ok(())
}

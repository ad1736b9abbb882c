//! PostgreSQL roles: the least-privilege set-up of `rampart db setup-roles` and what `doctor`
//! reads of the connected role. DDL cannot take bound parameters: every name is checked before
//! it is quoted.

use sqlx::{AssertSqlSafe, FromRow};

use super::Db;
use crate::StoreError;

/// PostgreSQL least privilege: the statements that make `migration_role` own the schema and
/// Rampart's tables, and give `runtime_role` only SELECT, INSERT, UPDATE and DELETE on them (no
/// CREATE, ALTER, DROP or TRUNCATE), now and for the tables later migrations add. Roles are made
/// (LOGIN, no password: set one, or use certificates) when missing. DDL cannot take bound
/// parameters, so each name is checked to be `[a-z_][a-z0-9_]*` before it is quoted; the table
/// names come from the catalog and are quoted too.
pub async fn least_privilege_statements(
    db: &Db,
    migration_role: &str,
    runtime_role: &str,
) -> Result<Vec<String>, StoreError> {
    let Db::Postgres(pool) = db else {
        return Err(StoreError::BadUrl("database roles are a PostgreSQL feature"));
    };
    for name in [migration_role, runtime_role] {
        let valid = name.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
            && name.len() <= 63
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid {
            return Err(StoreError::BadUrl("role names are [a-z_][a-z0-9_]*, at most 63 bytes"));
        }
    }
    if migration_role == runtime_role {
        return Err(StoreError::BadUrl("the migration and runtime roles must differ"));
    }
    let existing: Vec<(String,)> =
        sqlx::query_as("SELECT rolname FROM pg_roles WHERE rolname = $1 OR rolname = $2")
            .bind(migration_role)
            .bind(runtime_role)
            .fetch_all(pool)
            .await?;
    let tables: Vec<(String,)> =
        sqlx::query_as("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
            .fetch_all(pool)
            .await?;
    let (mig, app) = (format!("\"{migration_role}\""), format!("\"{runtime_role}\""));
    let mut statements = Vec::new();
    for (name, quoted) in [(migration_role, &mig), (runtime_role, &app)] {
        if !existing.iter().any(|(role,)| role == name) {
            statements.push(format!("CREATE ROLE {quoted} LOGIN"));
        }
    }
    statements.push("REVOKE CREATE ON SCHEMA public FROM PUBLIC".to_owned());
    statements.push(format!("GRANT USAGE, CREATE ON SCHEMA public TO {mig}"));
    for (table,) in &tables {
        let table = table.replace('"', "\"\"");
        statements.push(format!("ALTER TABLE public.\"{table}\" OWNER TO {mig}"));
    }
    statements.push(format!("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {app}"));
    statements.push(format!("GRANT USAGE ON SCHEMA public TO {app}"));
    statements.push(format!(
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}"
    ));
    statements.push(format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}"));
    if tables.iter().any(|(table,)| table == "_sqlx_migrations") {
        // Which migrations ran is the migration role's business alone.
        statements.push(format!("REVOKE ALL ON public._sqlx_migrations FROM {app}"));
    }
    statements.push(format!(
        "ALTER DEFAULT PRIVILEGES FOR ROLE {mig} IN SCHEMA public \
         GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}"
    ));
    statements.push(format!(
        "ALTER DEFAULT PRIVILEGES FOR ROLE {mig} IN SCHEMA public \
         GRANT USAGE, SELECT ON SEQUENCES TO {app}"
    ));
    Ok(statements)
}

/// What the role this pool connects as may do to the schema (`rampart doctor`): the runtime role
/// made by [`least_privilege_statements`] is no superuser, cannot CREATE in `public` or in the
/// database, and owns no table (an owner may ALTER, DROP or TRUNCATE it).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SchemaRights {
    pub role: String,
    pub superuser: bool,
    pub create_in_schema: bool,
    pub create_in_database: bool,
    pub tables_owned: i64,
}

impl SchemaRights {
    /// Whether the role can change the schema at all.
    pub fn can_change_schema(&self) -> bool {
        self.superuser || self.create_in_schema || self.create_in_database || self.tables_owned > 0
    }
}

/// The connected role's [`SchemaRights`]; `None` on SQLite, which has no roles.
pub async fn schema_rights(db: &Db) -> Result<Option<SchemaRights>, StoreError> {
    let Db::Postgres(pool) = db else { return Ok(None) };
    let rights = sqlx::query_as(
        "SELECT current_user::text AS role, r.rolsuper AS superuser, \
         has_schema_privilege('public', 'CREATE') AS create_in_schema, \
         has_database_privilege(current_database(), 'CREATE') AS create_in_database, \
         (SELECT count(*) FROM pg_tables t WHERE t.schemaname = 'public' \
          AND t.tableowner = current_user) AS tables_owned \
         FROM pg_roles r WHERE r.rolname = current_user",
    )
    .fetch_optional(pool)
    .await?;
    Ok(rights)
}

/// Runs [`least_privilege_statements`] in one transaction.
pub async fn apply_statements(db: &Db, statements: &[String]) -> Result<(), StoreError> {
    let Db::Postgres(pool) = db else {
        return Err(StoreError::BadUrl("database roles are a PostgreSQL feature"));
    };
    let mut tx = pool.begin().await?;
    for statement in statements {
        sqlx::query(AssertSqlSafe(statement.clone())).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

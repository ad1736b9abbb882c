//! PostgreSQL least privilege: the role of `database.url` (the one the server works through)
//! must not be able to change the schema, so that an injection or a stolen connection cannot
//! drop, alter or truncate tables. `rampart db setup-roles` makes such a role.

use rampart_store::schema_rights;

use super::{Context, Finding};

pub(super) async fn runtime_role(context: &Context<'_>) -> Finding {
    const CHECK: &str = "db-runtime-role";
    let rights = match schema_rights(context.db).await {
        Ok(Some(rights)) => rights,
        Ok(None) => {
            return Finding::skip(CHECK, "SQLite has no database roles: this does not apply");
        }
        Err(error) => return Finding::unreadable(CHECK, &error),
    };
    if !rights.can_change_schema() {
        return Finding::ok(
            CHECK,
            format!(
                "{} cannot create objects in schema public or the database, and owns no table",
                rights.role
            ),
        );
    }
    let mut rights_held = Vec::new();
    if rights.superuser {
        rights_held.push("is a superuser".to_owned());
    }
    if rights.create_in_schema {
        rights_held.push("may CREATE in schema public".to_owned());
    }
    if rights.create_in_database {
        rights_held.push("may CREATE in the database".to_owned());
    }
    if rights.tables_owned > 0 {
        rights_held
            .push(format!("owns {} tables (may ALTER, DROP, TRUNCATE)", rights.tables_owned));
    }
    Finding::fail(
        CHECK,
        format!(
            "database.url's role {} has DDL rights: it {}. Run `rampart db setup-roles`, then set \
             database.url to the runtime role and database.migration_url to the migration role",
            rights.role,
            rights_held.join(", ")
        ),
    )
}

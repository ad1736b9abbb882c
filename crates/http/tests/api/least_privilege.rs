//! PostgreSQL least privilege (`rampart db setup-roles`): the server works fully through a
//! runtime role that cannot CREATE, ALTER, DROP or TRUNCATE, while migrations go through the
//! role that owns the schema.

use rampart_store::testing::{TestDatabase, TestEngine};
use rampart_store::{Db, PoolSettings, apply_statements, least_privilege_statements};

use crate::helpers::{TestOptions, spawn_app_with};
use crate::people::{bearer, create_user, login};

/// `url` with another user name (the test server trusts local connections).
fn as_role(url: &str, role: &str) -> String {
    let mut url = url::Url::parse(url).unwrap();
    url.set_username(role).unwrap();
    url.to_string()
}

/// psql as `url`'s role: whether `sql` succeeded, and what it said.
fn psql(url: &str, sql: &str) -> (bool, String) {
    let output = std::process::Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-qc", sql])
        .output()
        .expect("psql is installed");
    (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
}

mod the_server_works_through_a_runtime_role_that_cannot_change_the_schema {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let database = TestDatabase::create(TestEngine::Postgres).await;
        let suffix = &uuid::Uuid::new_v4().simple().to_string()[..12];
        let (migrator, runtime) =
            (format!("rampart_t_{suffix}_mig"), format!("rampart_t_{suffix}_app"));
        // On an empty database, as an operator would before the first start: the tables the
        // migrations create later are covered by the default privileges.
        let admin = Db::connect(&database.url, &PoolSettings::default()).await.unwrap();
        let statements = least_privilege_statements(&admin, &migrator, &runtime).await.unwrap();
        assert!(statements.iter().any(|s| s.contains("GRANT SELECT, INSERT, UPDATE, DELETE")));
        apply_statements(&admin, &statements).await.unwrap();
        admin.close().await;
        let (migration_url, runtime_url) =
            (as_role(&database.url, &migrator), as_role(&database.url, &runtime));

        let app = spawn_app_with(
            TestEngine::Postgres,
            TestOptions {
                shared_database_url: Some(runtime_url.clone()),
                overrides: vec![("database.migration_url", migration_url.clone().into())],
                ..TestOptions::default()
            },
        )
        .await;
        create_user(&app, "ada@example.com", &[]).await;
        assert_eq!(login(&app, "ada@example.com", "not the password at all").await.status(), 401);
        let token = bearer(&app, "ada@example.com").await;
        assert_eq!(app.get_with("/api/me", &token).await.status(), 200);
        assert_eq!(app.get_with("/api/me/sessions", &token).await.status(), 200);
        assert_eq!(
            app.post_with("/api/auth/logout", &token, serde_json::json!({})).await.status(),
            204
        );

        for ddl in [
            "CREATE TABLE intruder (id INT)",
            "ALTER TABLE users ADD COLUMN intruder INT",
            "DROP TABLE sessions",
            "TRUNCATE audit_events",
        ] {
            let (ok, said) = psql(&runtime_url, ddl);
            assert!(!ok, "the runtime role ran {ddl}");
            assert!(
                said.contains("permission denied") || said.contains("must be owner"),
                "{ddl}: {said}"
            );
        }
        let (ok, said) = psql(&migration_url, "ALTER TABLE users ADD COLUMN schema_owner_can INT");
        assert!(ok, "the migration role owns the schema: {said}");
    }
}

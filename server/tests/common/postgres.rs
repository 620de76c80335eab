//! A fresh PostgreSQL database for a test, shared by the integration tests (`api`) and the
//! soak test (`soak`), each of which includes this file as a module.

/// A new, empty database on the server `admin_url` names (a role that may create databases);
/// its URL. Left behind afterwards (`.ci/setup.sh` drops `trailmap_test_*` at the next set-up).
pub async fn fresh_postgres_database(admin_url: &str) -> String {
    use sqlx::{Connection, Executor};
    sqlx::any::install_default_drivers();
    let name = format!("trailmap_test_{}", server::accounts::new_token().unwrap());
    // A minute is far more than either step takes; past it the test fails saying which step
    // hung, instead of waiting for ever.
    let deadline = std::time::Duration::from_secs(60);
    let mut admin = tokio::time::timeout(deadline, sqlx::AnyConnection::connect(admin_url))
        .await
        .expect("TRAILMAP_TEST_POSTGRES_URL answers within a minute")
        .expect("TRAILMAP_TEST_POSTGRES_URL accepts connections");
    tokio::time::timeout(
        deadline,
        admin.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))),
    )
    .await
    .unwrap_or_else(|_| panic!("CREATE DATABASE {name} finishes within a minute"))
    .expect("may create databases");
    admin.close().await.expect("the admin connection closes");
    let mut url = url::Url::parse(admin_url).expect("a valid URL");
    url.set_path(&name);
    url.to_string()
}

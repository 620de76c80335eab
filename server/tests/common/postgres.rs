//! A fresh PostgreSQL database for a test, shared by the integration tests (`api`) and the
//! soak test (`soak`), each of which includes this file as a module.

/// A new, empty database on the server `admin_url` names (a role that may create databases);
/// its URL. Left behind afterwards (`.ci/setup.sh` drops `trailmap_test_*` at the next set-up).
pub async fn fresh_postgres_database(admin_url: &str) -> String {
    use sqlx::{Connection, Executor};
    sqlx::any::install_default_drivers();
    let name = format!("trailmap_test_{}", server::accounts::new_token().unwrap());
    let mut admin = sqlx::AnyConnection::connect(admin_url)
        .await
        .expect("TRAILMAP_TEST_POSTGRES_URL accepts connections");
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .expect("may create databases");
    let mut url = url::Url::parse(admin_url).expect("a valid URL");
    url.set_path(&name);
    url.to_string()
}

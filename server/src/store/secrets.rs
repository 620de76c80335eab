//! Secrets every server process on the database shares (the CSRF signing key): made once by
//! whichever process asks first, read by all. Two processes starting together agree, as the
//! insert of the second does nothing and both read the first's.

use sqlx::Row;

use super::Db;

/// The secret called `name`, storing `fresh` under it if there is none yet.
pub async fn get_or_create(db: &Db, name: &str, fresh: &str) -> Result<String, sqlx::Error> {
    {
        let _turn = super::write_turn(db).await;
        sqlx::query(
            "INSERT INTO server_secrets (name, value) VALUES ($1, $2) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(fresh)
        .execute(db)
        .await?;
    }
    sqlx::query("SELECT value FROM server_secrets WHERE name = $1")
        .bind(name)
        .fetch_one(db)
        .await?
        .try_get("value")
}

//! Accounts: create one, find one by name.

use sqlx::Row;

use super::Db;
use crate::accounts::Username;

/// A stored account, with what sign-in needs.
#[derive(Clone, Debug)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
}

/// Creates an account; `Ok(None)` when the name is taken.
pub async fn create(
    db: &Db,
    username: &Username,
    password_hash: &str,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let _turn = super::write_turn(db).await;
    let row = sqlx::query(
        "INSERT INTO users (username, password_hash, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (username) DO NOTHING RETURNING id",
    )
    .bind(username.as_str())
    .bind(password_hash)
    .bind(now)
    .fetch_optional(db)
    .await?;
    row.map(|row| row.try_get::<i64, _>("id")).transpose()
}

pub async fn find(db: &Db, username: &Username) -> Result<Option<User>, sqlx::Error> {
    let row = sqlx::query("SELECT id, username, password_hash FROM users WHERE username = $1")
        .bind(username.as_str())
        .fetch_optional(db)
        .await?;
    row.map(|row| {
        Ok(User {
            id: row.try_get("id")?,
            username: row.try_get("username")?,
            password_hash: row.try_get("password_hash")?,
        })
    })
    .transpose()
}

//! Sign-in sessions: created at sign-in (replacing the browser's previous one), looked up on
//! every authenticated request, ended by sign-out or by expiry.
//!
//! Functions take the session *token* (the cookie's value) and store or look up only its hash
//! (`accounts::session_hash`): the database never holds a token.

use sqlx::Row;

use super::Db;
use crate::accounts::session_hash;

/// A session ends after this long without a request…
pub const IDLE_SECONDS: i64 = 14 * 24 * 60 * 60;
/// …and after this long in any case.
pub const ABSOLUTE_SECONDS: i64 = 60 * 24 * 60 * 60;
/// `last_seen_at` is rewritten at most this often, so reads do not all become writes.
const TOUCH_EVERY_SECONDS: i64 = 60;

/// Who a valid session belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionUser {
    pub user_id: i64,
    pub username: String,
}

/// Stores a new session for `user_id` with `token` and deletes `replacing` (the session token
/// the browser held before signing in, if any), in one transaction.
pub async fn create(
    db: &Db,
    token: &str,
    user_id: i64,
    replacing: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    let _turn = super::write_turn(db).await;
    let mut tx = db.begin().await?;
    if let Some(old) = replacing {
        delete(&mut *tx, old).await?;
    }
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $3, $4)",
    )
    .bind(session_hash(token))
    .bind(user_id)
    .bind(now)
    .bind(now + ABSOLUTE_SECONDS)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// The session's user if the session exists and has not expired (idle or absolute). Expired
/// sessions are deleted; live ones have `last_seen_at` refreshed.
pub async fn find(db: &Db, token: &str, now: i64) -> Result<Option<SessionUser>, sqlx::Error> {
    let id_hash = session_hash(token);
    let row = sqlx::query(
        "SELECT s.user_id, s.last_seen_at, s.expires_at, u.username \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1",
    )
    .bind(&id_hash)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let last_seen: i64 = row.try_get("last_seen_at")?;
    let expires: i64 = row.try_get("expires_at")?;
    if now >= expires || now - last_seen >= IDLE_SECONDS {
        let _turn = super::write_turn(db).await;
        delete(db, token).await?;
        return Ok(None);
    }
    if now - last_seen >= TOUCH_EVERY_SECONDS {
        let _turn = super::write_turn(db).await;
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(now)
            .bind(&id_hash)
            .execute(db)
            .await?;
    }
    Ok(Some(SessionUser {
        user_id: row.try_get("user_id")?,
        username: row.try_get("username")?,
    }))
}

/// Ends the session with `token`, if there is one.
pub async fn delete<'e, E>(executor: E, token: &str) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(session_hash(token))
        .execute(executor)
        .await?;
    Ok(())
}

/// Drops every expired session (run now and then; `find` ignores them anyway).
pub async fn delete_expired(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let _turn = super::write_turn(db).await;
    let result = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(now)
        .bind(now - IDLE_SECONDS)
        .execute(db)
        .await?;
    Ok(result.rows_affected())
}

/// How many sessions `find` would still accept at `now` (for the metrics gauge).
pub async fn count_active(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let count: i64 = sqlx::query(
        "SELECT COUNT(*) AS active FROM sessions WHERE expires_at > $1 AND last_seen_at > $2",
    )
    .bind(now)
    .bind(now - IDLE_SECONDS)
    .fetch_one(db)
    .await?
    .try_get("active")?;
    Ok(count.max(0) as u64)
}

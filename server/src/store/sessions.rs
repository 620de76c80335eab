//! Sign-in sessions: created at sign-in (replacing the browser's previous one), looked up on
//! every authenticated request, ended by sign-out or by expiry.

use sqlx::Row;

use super::Db;

/// A session ends after this long without a request…
pub const IDLE_SECONDS: i64 = 14 * 24 * 60 * 60;
/// …and after this long in any case.
pub const ABSOLUTE_SECONDS: i64 = 60 * 24 * 60 * 60;
/// `last_seen_at` is rewritten at most this often, so reads do not all become writes.
const TOUCH_EVERY_SECONDS: i64 = 60;

/// Who a valid session belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionUser {
    pub session_id: String,
    pub user_id: i64,
    pub username: String,
}

/// Stores a new session for `user_id` under `id` and deletes `replacing` (the session the
/// browser held before signing in, if any), in one transaction.
pub async fn create(
    db: &Db,
    id: &str,
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
        "INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $3, $4)",
    )
    .bind(id)
    .bind(user_id)
    .bind(now)
    .bind(now + ABSOLUTE_SECONDS)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// The session's user if the session exists and has not expired (idle or absolute). Expired
/// sessions are deleted; live ones have `last_seen_at` refreshed.
pub async fn find(db: &Db, id: &str, now: i64) -> Result<Option<SessionUser>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT s.user_id, s.last_seen_at, s.expires_at, u.username \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let last_seen: i64 = row.try_get("last_seen_at")?;
    let expires: i64 = row.try_get("expires_at")?;
    if now >= expires || now - last_seen >= IDLE_SECONDS {
        let _turn = super::write_turn(db).await;
        delete(db, id).await?;
        return Ok(None);
    }
    if now - last_seen >= TOUCH_EVERY_SECONDS {
        let _turn = super::write_turn(db).await;
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(db)
            .await?;
    }
    Ok(Some(SessionUser {
        session_id: id.to_owned(),
        user_id: row.try_get("user_id")?,
        username: row.try_get("username")?,
    }))
}

pub async fn delete<'e, E>(executor: E, id: &str) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(id)
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

//! Shared progress links: one per learner and roadmap while sharing is on.
//!
//! Functions take the link's *token* and store or look up only its SHA-256
//! (`accounts::session_hash`, the same as sessions): the database never holds a token, so the
//! server can show a link only when it makes one (turning sharing on, regenerating).

use sqlx::Row;

use super::Db;
use crate::accounts::{constant_time_eq, session_hash};

/// A share's settings as its owner sees them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareSettings {
    pub display_name: String,
    pub include_notes: bool,
    pub created_at: i64,
}

/// What a token opens: whose progress on which roadmap, and how to show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedProgress {
    pub user_id: i64,
    pub roadmap: String,
    pub settings: ShareSettings,
}

/// Turns sharing on for (`user_id`, `roadmap`) with `token`, or, when it is on already, only
/// changes its settings (the link stays). `true` when a new link was made (`token` is in use).
pub async fn enable(
    db: &Db,
    user_id: i64,
    roadmap: &str,
    token: &str,
    display_name: &str,
    include_notes: bool,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let _turn = super::write_turn(db).await;
    let mut tx = db.begin().await?;
    let updated = sqlx::query(
        "UPDATE shares SET display_name = $1, include_notes = $2 \
         WHERE user_id = $3 AND roadmap = $4",
    )
    .bind(display_name)
    .bind(i64::from(include_notes))
    .bind(user_id)
    .bind(roadmap)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if updated == 0 {
        // Two requests turning sharing on at once: the second's insert does nothing, and it
        // reports no new link (its token was never stored).
        let inserted = sqlx::query(
            "INSERT INTO shares (token_hash, user_id, roadmap, display_name, include_notes, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, roadmap) DO NOTHING",
        )
        .bind(session_hash(token))
        .bind(user_id)
        .bind(roadmap)
        .bind(display_name)
        .bind(i64::from(include_notes))
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        return Ok(inserted == 1);
    }
    tx.commit().await?;
    Ok(false)
}

/// Gives the share of (`user_id`, `roadmap`) the new `token`: the old link stops working.
/// `false` when sharing is off.
pub async fn regenerate(
    db: &Db,
    user_id: i64,
    roadmap: &str,
    token: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let _turn = super::write_turn(db).await;
    let updated = sqlx::query(
        "UPDATE shares SET token_hash = $1, created_at = $2 WHERE user_id = $3 AND roadmap = $4",
    )
    .bind(session_hash(token))
    .bind(now)
    .bind(user_id)
    .bind(roadmap)
    .execute(db)
    .await?
    .rows_affected();
    Ok(updated == 1)
}

/// Turns sharing off: the link answers 404 from now on. `false` when it was off.
pub async fn disable(db: &Db, user_id: i64, roadmap: &str) -> Result<bool, sqlx::Error> {
    let _turn = super::write_turn(db).await;
    let deleted = sqlx::query("DELETE FROM shares WHERE user_id = $1 AND roadmap = $2")
        .bind(user_id)
        .bind(roadmap)
        .execute(db)
        .await?
        .rows_affected();
    Ok(deleted == 1)
}

/// The owner's view of their share of `roadmap`, `None` when sharing is off.
pub async fn settings(
    db: &Db,
    user_id: i64,
    roadmap: &str,
) -> Result<Option<ShareSettings>, sqlx::Error> {
    sqlx::query(
        "SELECT display_name, include_notes, created_at FROM shares \
         WHERE user_id = $1 AND roadmap = $2",
    )
    .bind(user_id)
    .bind(roadmap)
    .fetch_optional(db)
    .await?
    .map(|row| read_settings(&row))
    .transpose()
}

/// What `token` opens, if anything. Every token, whatever its shape, costs the same: one hash
/// and one lookup of the hash by the primary key, then a constant-time comparison of the
/// stored hash with it. A token of the wrong length or alphabet hashes to something no link
/// has, so it is answered the way a wrong well-formed token is, after the same work.
pub async fn find(db: &Db, token: &str) -> Result<Option<SharedProgress>, sqlx::Error> {
    let hash = session_hash(token);
    let row = sqlx::query(
        "SELECT token_hash, user_id, roadmap, display_name, include_notes, created_at \
         FROM shares WHERE token_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let stored: String = row.try_get("token_hash")?;
    if !constant_time_eq(stored.as_bytes(), hash.as_bytes()) {
        return Ok(None);
    }
    Ok(Some(SharedProgress {
        user_id: row.try_get("user_id")?,
        roadmap: row.try_get("roadmap")?,
        settings: read_settings(&row)?,
    }))
}

fn read_settings(row: &sqlx::any::AnyRow) -> Result<ShareSettings, sqlx::Error> {
    Ok(ShareSettings {
        display_name: row.try_get("display_name")?,
        include_notes: row.try_get::<i64, _>("include_notes")? == 1,
        created_at: row.try_get("created_at")?,
    })
}

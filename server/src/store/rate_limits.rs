//! Rate-limit counters in the database, so that every server process on one database counts
//! together (N instances behind a load balancer share one limit, not N) and a restart forgets
//! nothing. SQLite runs the very same code with one process.
//!
//! A counter is a sliding window: one row per key holding the Unix seconds of the hits still
//! inside the window (at most `limit` of them, oldest first). Counting is one transaction over
//! all the keys an attempt touches: each key's row is locked (an upsert that changes nothing
//! locks it in PostgreSQL; SQLite has one writer anyway), in sorted order so two transactions
//! never wait for each other in a circle; if any key is full nothing is counted, else every key
//! gets the hit. So N concurrent attempts get exactly as far as the limit allows.

use sqlx::Row;

use super::Db;

/// One window a hit counts against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counter {
    pub key: String,
    /// Hits allowed within the window.
    pub limit: usize,
    pub window_secs: i64,
}

/// Counts a hit at `now` on every counter, all or none: `Ok(Err(seconds))` when one of them is
/// full, with how long until it has room again.
pub async fn hit(db: &Db, counters: &[Counter], now: i64) -> Result<Result<(), u64>, sqlx::Error> {
    let mut counters: Vec<&Counter> = counters.iter().collect();
    counters.sort_by(|a, b| a.key.cmp(&b.key));
    counters.dedup_by(|a, b| a.key == b.key);
    let _turn = super::write_turn(db).await;
    let mut tx = db.begin().await?;
    let mut windows = Vec::with_capacity(counters.len());
    let mut wait = None;
    for counter in &counters {
        let mut hits = locked_hits(&mut tx, &counter.key).await?;
        hits.expire(now, counter.window_secs);
        if let Some(seconds) = hits.wait(counter.limit, counter.window_secs, now) {
            wait = wait.max(Some(seconds));
        }
        windows.push(hits);
    }
    if let Some(seconds) = wait {
        tx.rollback().await?;
        return Ok(Err(seconds));
    }
    for (counter, mut hits) in counters.into_iter().zip(windows) {
        hits.0.push(now);
        store(&mut tx, &counter.key, &hits, counter.window_secs).await?;
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// Takes back one hit made at `at` (an attempt that turned out not to count).
pub async fn refund(db: &Db, counter: &Counter, at: i64) -> Result<(), sqlx::Error> {
    let _turn = super::write_turn(db).await;
    let mut tx = db.begin().await?;
    let mut hits = locked_hits(&mut tx, &counter.key).await?;
    if let Some(index) = hits.0.iter().position(|hit| *hit == at) {
        hits.0.remove(index);
    }
    store(&mut tx, &counter.key, &hits, counter.window_secs).await?;
    tx.commit().await
}

/// Forgets every hit of `key`.
pub async fn clear(db: &Db, key: &str) -> Result<(), sqlx::Error> {
    let _turn = super::write_turn(db).await;
    sqlx::query("DELETE FROM rate_limits WHERE key = $1")
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}

/// Deletes the rows whose every hit has left its window.
pub async fn sweep(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let _turn = super::write_turn(db).await;
    let result = sqlx::query("DELETE FROM rate_limits WHERE expires_at <= $1")
        .bind(now)
        .execute(db)
        .await?;
    Ok(result.rows_affected())
}

/// The key's hits, its row created if missing and locked until the transaction ends.
async fn locked_hits(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    key: &str,
) -> Result<Hits, sqlx::Error> {
    let row = sqlx::query(
        "INSERT INTO rate_limits (key, hits, expires_at) VALUES ($1, '', 0) \
         ON CONFLICT (key) DO UPDATE SET expires_at = rate_limits.expires_at \
         RETURNING hits",
    )
    .bind(key)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Hits::parse(row.try_get("hits")?))
}

async fn store(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    key: &str,
    hits: &Hits,
    window_secs: i64,
) -> Result<(), sqlx::Error> {
    // An empty row expires at once (the next sweep takes it).
    let expires_at = hits.0.last().map_or(0, |newest| newest + window_secs);
    sqlx::query("UPDATE rate_limits SET hits = $1, expires_at = $2 WHERE key = $3")
        .bind(hits.to_text())
        .bind(expires_at)
        .bind(key)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The Unix seconds of a key's hits, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Hits(Vec<i64>);

impl Hits {
    /// Space-separated seconds; anything else is dropped (the column is ours alone).
    fn parse(text: &str) -> Self {
        let mut hits: Vec<i64> = text
            .split_ascii_whitespace()
            .filter_map(|hit| hit.parse().ok())
            .collect();
        hits.sort_unstable();
        Self(hits)
    }

    fn to_text(&self) -> String {
        self.0
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Drops the hits that left the window.
    fn expire(&mut self, now: i64, window_secs: i64) {
        self.0.retain(|hit| now - hit < window_secs);
    }

    /// Seconds until one more hit is allowed, if the window is full now.
    fn wait(&self, limit: usize, window_secs: i64, now: i64) -> Option<u64> {
        if self.0.len() < limit {
            return None;
        }
        // The hit that must age out before there is room again.
        let blocking = self.0[self.0.len() - limit];
        Some((blocking + window_secs - now).max(1) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_round_trip_sorted_and_junk_is_dropped() {
        let hits = Hits::parse("30 10 x 20");
        assert_eq!(hits, Hits(vec![10, 20, 30]));
        assert_eq!(hits.to_text(), "10 20 30");
        assert_eq!(Hits::parse(""), Hits::default());
    }

    #[test]
    fn a_full_window_waits_for_its_oldest_blocking_hit() {
        let mut hits = Hits(vec![100, 200, 300]);
        assert_eq!(hits.wait(4, 900, 300), None, "room for one more");
        assert_eq!(hits.wait(3, 900, 300), Some(700), "100 leaves at 1000");
        assert_eq!(hits.wait(2, 900, 300), Some(800), "200 must leave");
        hits.expire(1000, 900);
        assert_eq!(hits, Hits(vec![200, 300]));
        assert_eq!(hits.wait(3, 900, 1000), None);
    }

    #[test]
    fn the_wait_is_never_zero() {
        // A hit exactly at the window's edge has just left it, but `wait` alone (without
        // `expire`) must still never answer 0 seconds.
        assert_eq!(Hits(vec![0]).wait(1, 10, 10), Some(1));
    }
}

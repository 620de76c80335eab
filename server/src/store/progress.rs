//! Synced progress: applying a device's push and answering pulls.
//!
//! A push runs in one transaction that first writes the user's row (`change_seq`), which takes
//! the write lock on SQLite and a row lock on PostgreSQL, so two pushes of one learner never
//! interleave. Then: skip mutations already applied for this device (a retry), reject a gap,
//! merge the rest with `ProgressLog::apply_edit` (last writer wins by HLC stamp), give each
//! changed register the next change sequence number, and remember the last applied id. The
//! answer carries the stored register of every topic named, so the device can adopt what the
//! server kept.
//!
//! Each kind of register (statuses, notes) has its own table ([`Stored`] names it), written
//! in the same transaction and numbered from the same change sequence, so one pull cursor
//! covers every kind. The code below is generic over the kind: pushing, answering, pulling
//! and reading rows are written once.

use std::collections::BTreeSet;

use sqlx::{any::AnyRow, AssertSqlSafe, Row};
use trailmap_core::progress::{
    Kind, NoteText, ProgressLog, PullResponse, Pulled, PulledEntry, PulledNote, Register, Stamp,
    Status,
};

use super::Db;
use crate::sync::ValidPush;

/// Where a kind of register is stored: its table and the column of its value (the other
/// columns are the same for every kind: user, roadmap, topic, stamp, change sequence). The
/// queries below name them with `format!`: they are constants of these impls, never input
/// (hence `AssertSqlSafe`).
pub trait Stored: Kind {
    const TABLE: &'static str;
    const COLUMN: &'static str;
    /// The value as stored.
    fn column(&self) -> &str;
    /// The stored value read back; `Err` names what is corrupt.
    fn from_column(raw: String) -> Result<Self, String>;
}

impl Stored for Status {
    const TABLE: &'static str = "progress";
    const COLUMN: &'static str = "status";
    fn column(&self) -> &str {
        self.as_str()
    }
    fn from_column(raw: String) -> Result<Self, String> {
        Status::parse(&raw)
    }
}

impl Stored for NoteText {
    const TABLE: &'static str = "notes";
    const COLUMN: &'static str = "body";
    fn column(&self) -> &str {
        self.as_str()
    }
    fn from_column(raw: String) -> Result<Self, String> {
        Ok(NoteText(raw))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushOutcome {
    /// Every mutation id up to this one is stored.
    pub acknowledged: u64,
    /// The learner's change sequence after the push.
    pub cursor: u64,
    /// The stored entry of every topic a status mutation of the push named, in the order
    /// first named.
    pub entries: Vec<PulledEntry>,
    /// The stored note of every topic a note mutation of the push named, likewise.
    pub notes: Vec<PulledNote>,
    /// New mutations (statuses and notes) that changed the stored register.
    pub applied: u64,
    /// New mutations that lost last writer wins to a stored register with a newer (or equal)
    /// stamp: another device's later edit got there first.
    pub superseded: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("mutation ids must follow on: expected {expected}, got {got}")]
    Gap { expected: u64, got: u64 },
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

pub async fn push(db: &Db, user_id: i64, push: &ValidPush) -> Result<PushOutcome, PushError> {
    let _turn = super::write_turn(db).await;
    let mut tx = db.begin().await?;
    let seq: i64 =
        sqlx::query("UPDATE users SET change_seq = change_seq WHERE id = $1 RETURNING change_seq")
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("change_seq")?;
    let last_applied: i64 = sqlx::query(
        "SELECT last_applied_id FROM devices WHERE user_id = $1 AND roadmap = $2 AND device = $3",
    )
    .bind(user_id)
    .bind(&push.roadmap)
    .bind(&push.device)
    .fetch_optional(&mut *tx)
    .await?
    .map(|row| row.try_get("last_applied_id"))
    .transpose()?
    .unwrap_or(0);

    let fresh: Vec<_> = push
        .mutations
        .iter()
        .filter(|mutation| mutation.id > last_applied)
        .collect();
    if let Some(first) = fresh.first() {
        if first.id != last_applied + 1 {
            tx.rollback().await?;
            return Err(PushError::Gap {
                expected: last_applied as u64 + 1,
                got: first.id as u64,
            });
        }
    }

    let mut log = load_log(&mut tx, user_id, &push.roadmap).await?;
    if fresh.is_empty() {
        // Nothing new: a retry of a push already applied (or an empty push).
        tx.rollback().await?;
        return Ok(PushOutcome {
            acknowledged: last_applied as u64,
            cursor: seq as u64,
            entries: named::<Status>(push, &log),
            notes: named::<NoteText>(push, &log),
            applied: 0,
            superseded: 0,
        });
    }
    let before = log.clone();
    let mut applied = 0;
    for mutation in &fresh {
        if log.apply_edit(&mutation.topic, &mutation.edit, &mutation.stamp) {
            applied += 1;
        }
    }
    let changed_statuses = changed::<Status>(&before, &log);
    let changed_notes = changed::<NoteText>(&before, &log);
    let mut seq = seq;
    let total = changed_statuses.len() + changed_notes.len();
    if total > 0 {
        seq = sqlx::query(
            "UPDATE users SET change_seq = change_seq + $2 WHERE id = $1 RETURNING change_seq",
        )
        .bind(user_id)
        .bind(total as i64)
        .fetch_one(&mut *tx)
        .await?
        .try_get("change_seq")?;
        let rows = RegisterRows {
            user_id,
            roadmap: &push.roadmap,
            log: &log,
        };
        let next_seq = rows
            .upsert::<Status>(&mut tx, &changed_statuses, seq - total as i64 + 1)
            .await?;
        rows.upsert::<NoteText>(&mut tx, &changed_notes, next_seq)
            .await?;
    }
    let acknowledged = fresh.last().map_or(last_applied, |mutation| mutation.id);
    sqlx::query(
        "INSERT INTO devices (user_id, roadmap, device, last_applied_id) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, roadmap, device) DO UPDATE SET \
         last_applied_id = excluded.last_applied_id",
    )
    .bind(user_id)
    .bind(&push.roadmap)
    .bind(&push.device)
    .bind(acknowledged)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(PushOutcome {
        acknowledged: acknowledged as u64,
        cursor: seq as u64,
        entries: named::<Status>(push, &log),
        notes: named::<NoteText>(push, &log),
        applied,
        superseded: fresh.len() as u64 - applied,
    })
}

/// The topics whose register of kind `V` differs in `after` from `before`, in id order.
fn changed<'a, V: Kind + 'a>(before: &ProgressLog, after: &'a ProgressLog) -> Vec<&'a str> {
    after
        .registers::<V>()
        .iter()
        .filter(|(topic, register)| before.registers::<V>().get(*topic) != Some(register))
        .map(|(topic, _)| topic.as_str())
        .collect()
}

/// The log's register of kind `V` for every topic a mutation of that kind in `push` names,
/// each once, in the order first named.
fn named<V: Kind>(push: &ValidPush, log: &ProgressLog) -> Vec<Pulled<V>> {
    let mut seen = BTreeSet::new();
    push.mutations
        .iter()
        .filter(|mutation| V::of_edit(&mutation.edit).is_some())
        .filter(|mutation| seen.insert(mutation.topic.as_str()))
        .filter_map(|mutation| {
            log.registers::<V>()
                .get(&mutation.topic)
                .map(|register| Pulled {
                    topic: mutation.topic.clone(),
                    register: register.clone(),
                })
        })
        .collect()
}

/// A push's changed registers, written to their tables in its transaction.
struct RegisterRows<'a> {
    user_id: i64,
    roadmap: &'a str,
    log: &'a ProgressLog,
}

impl RegisterRows<'_> {
    /// Writes the register of kind `V` of each of `topics` (insert or replace), numbered from
    /// change sequence `first_seq` on; returns the next free number.
    async fn upsert<V: Stored>(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        topics: &[&str],
        first_seq: i64,
    ) -> Result<i64, sqlx::Error> {
        let (table, column) = (V::TABLE, V::COLUMN);
        let sql = format!(
            "INSERT INTO {table} \
             (user_id, roadmap, topic, {column}, millis, counter, device, updated_seq) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (user_id, roadmap, topic) DO UPDATE SET \
             {column} = excluded.{column}, millis = excluded.millis, \
             counter = excluded.counter, device = excluded.device, \
             updated_seq = excluded.updated_seq"
        );
        let mut seq = first_seq;
        for topic in topics {
            let register = &self.log.registers::<V>()[*topic];
            sqlx::query(AssertSqlSafe(sql.as_str()))
                .bind(self.user_id)
                .bind(self.roadmap)
                .bind(*topic)
                .bind(register.value.column())
                .bind(register.stamp.millis as i64)
                .bind(i64::from(register.stamp.counter))
                .bind(&register.stamp.device)
                .bind(seq)
                .execute(&mut **tx)
                .await?;
            seq += 1;
        }
        Ok(seq)
    }
}

/// Every register of `roadmap` changed after cursor `since` (all of them for 0), every kind,
/// and the cursor to pull from next time.
pub async fn pull(
    db: &Db,
    user_id: i64,
    roadmap: &str,
    since: i64,
) -> Result<PullResponse, sqlx::Error> {
    let mut tx = db.begin().await?;
    // The cursor is read first: a push committing after this read can only add rows above
    // it, which this pull may or may not include and the next one surely will.
    let cursor: i64 = sqlx::query("SELECT change_seq FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("change_seq")?;
    // A cursor from the future (the database was restored from a backup, or replaced) would
    // hide every row until the sequence caught up: send everything instead.
    let since = if since > cursor { 0 } else { since };
    let entries: Vec<PulledEntry> = pull_kind(&mut tx, user_id, roadmap, since).await?;
    let notes: Vec<PulledNote> = pull_kind(&mut tx, user_id, roadmap, since).await?;
    tx.commit().await?;
    Ok(PullResponse {
        cursor: cursor.max(0) as u64,
        entries,
        notes,
    })
}

/// The registers of kind `V` of `roadmap` changed after `since`, oldest change first.
async fn pull_kind<V: Stored>(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_id: i64,
    roadmap: &str,
    since: i64,
) -> Result<Vec<Pulled<V>>, sqlx::Error> {
    let (table, column) = (V::TABLE, V::COLUMN);
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT topic, {column}, millis, counter, device FROM {table} \
         WHERE user_id = $1 AND roadmap = $2 AND updated_seq > $3 ORDER BY updated_seq"
    )))
    .bind(user_id)
    .bind(roadmap)
    .bind(since)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|row| {
            let (topic, register) = read_register(row)?;
            Ok(Pulled { topic, register })
        })
        .collect()
}

async fn load_log(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_id: i64,
    roadmap: &str,
) -> Result<ProgressLog, sqlx::Error> {
    let mut log = ProgressLog::default();
    load_kind::<Status>(tx, user_id, roadmap, &mut log).await?;
    load_kind::<NoteText>(tx, user_id, roadmap, &mut log).await?;
    Ok(log)
}

/// Every stored register of kind `V` of `roadmap`, into `log`.
async fn load_kind<V: Stored>(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_id: i64,
    roadmap: &str,
    log: &mut ProgressLog,
) -> Result<(), sqlx::Error> {
    let (table, column) = (V::TABLE, V::COLUMN);
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT topic, {column}, millis, counter, device FROM {table} \
         WHERE user_id = $1 AND roadmap = $2"
    )))
    .bind(user_id)
    .bind(roadmap)
    .fetch_all(&mut **tx)
    .await?;
    for row in &rows {
        let (topic, register) = read_register::<V>(row)?;
        V::registers_mut(log).insert(topic, register);
    }
    Ok(())
}

/// A row of a register table: its topic and register.
fn read_register<V: Stored>(row: &AnyRow) -> Result<(String, Register<V>), sqlx::Error> {
    let corrupt = |what: String| sqlx::Error::Decode(what.into());
    let millis: i64 = row.try_get("millis")?;
    let counter: i64 = row.try_get("counter")?;
    let stamp = Stamp {
        millis: u64::try_from(millis).map_err(|_| corrupt(format!("millis {millis}")))?,
        counter: u32::try_from(counter).map_err(|_| corrupt(format!("counter {counter}")))?,
        device: row.try_get("device")?,
    };
    let value = V::from_column(row.try_get(V::COLUMN)?).map_err(corrupt)?;
    Ok((row.try_get("topic")?, Register::new(value, stamp)))
}

//! Synced progress: applying a device's push and answering pulls.
//!
//! A push runs in one transaction that first writes the user's row (`change_seq`), which takes
//! the write lock on SQLite and a row lock on PostgreSQL, so two pushes of one learner never
//! interleave. Then: skip mutations already applied for this device (a retry), reject a gap,
//! merge the rest with `ProgressLog::apply` (last writer wins by HLC stamp), give each changed
//! row the next change sequence number, and remember the last applied id. The answer carries
//! the stored entry of every topic named, so the device can adopt what the server kept.
//!
//! Notes are a second register per topic in their own table (`notes`), merged with
//! `ProgressLog::apply_note` in the same transaction and numbered from the same change
//! sequence, so one pull cursor covers statuses and notes alike.

use std::collections::BTreeSet;

use sqlx::{any::AnyRow, Row};
use trailmap_core::progress::{
    Entry, NoteEntry, ProgressLog, PullResponse, PulledEntry, PulledNote, Stamp, Status,
};

use super::Db;
use crate::sync::{ValidPush, Write};

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
            entries: named_entries(push, &log),
            notes: named_notes(push, &log),
            applied: 0,
            superseded: 0,
        });
    }
    let mut changed = BTreeSet::new();
    let mut changed_notes = BTreeSet::new();
    let mut applied = 0;
    for mutation in &fresh {
        let won = match &mutation.write {
            Write::Status(entry) => {
                let won = log.apply(&mutation.topic, entry.clone());
                if won {
                    changed.insert(mutation.topic.as_str());
                }
                won
            }
            Write::Note(note) => {
                let won = log.apply_note(&mutation.topic, note.clone());
                if won {
                    changed_notes.insert(mutation.topic.as_str());
                }
                won
            }
        };
        if won {
            applied += 1;
        }
    }
    let mut seq = seq;
    let total = changed.len() + changed_notes.len();
    if total > 0 {
        seq = sqlx::query(
            "UPDATE users SET change_seq = change_seq + $2 WHERE id = $1 RETURNING change_seq",
        )
        .bind(user_id)
        .bind(total as i64)
        .fetch_one(&mut *tx)
        .await?
        .try_get("change_seq")?;
        let first_seq = seq - total as i64 + 1;
        for (offset, topic) in changed.iter().enumerate() {
            let entry = &log.entries[*topic];
            let row = RegisterRow {
                value: entry.status.as_str(),
                stamp: &entry.stamp,
                seq: first_seq + offset as i64,
            };
            upsert_register(
                &mut tx,
                Register::Status,
                user_id,
                &push.roadmap,
                topic,
                row,
            )
            .await?;
        }
        let first_note_seq = first_seq + changed.len() as i64;
        for (offset, topic) in changed_notes.iter().enumerate() {
            let note = &log.notes[*topic];
            let row = RegisterRow {
                value: &note.text,
                stamp: &note.stamp,
                seq: first_note_seq + offset as i64,
            };
            upsert_register(&mut tx, Register::Note, user_id, &push.roadmap, topic, row).await?;
        }
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
        entries: named_entries(push, &log),
        notes: named_notes(push, &log),
        applied,
        superseded: fresh.len() as u64 - applied,
    })
}

/// The log's entry for every topic a status mutation of `push` names, each once.
fn named_entries(push: &ValidPush, log: &ProgressLog) -> Vec<PulledEntry> {
    let mut seen = BTreeSet::new();
    push.mutations
        .iter()
        .filter(|mutation| matches!(mutation.write, Write::Status(_)))
        .filter(|mutation| seen.insert(mutation.topic.as_str()))
        .filter_map(|mutation| {
            log.entries.get(&mutation.topic).map(|entry| PulledEntry {
                topic: mutation.topic.clone(),
                status: entry.status,
                stamp: entry.stamp.clone(),
            })
        })
        .collect()
}

/// The log's note for every topic a note mutation of `push` names, each once.
fn named_notes(push: &ValidPush, log: &ProgressLog) -> Vec<PulledNote> {
    let mut seen = BTreeSet::new();
    push.mutations
        .iter()
        .filter(|mutation| matches!(mutation.write, Write::Note(_)))
        .filter(|mutation| seen.insert(mutation.topic.as_str()))
        .filter_map(|mutation| {
            log.notes.get(&mutation.topic).map(|note| PulledNote {
                topic: mutation.topic.clone(),
                text: note.text.clone(),
                stamp: note.stamp.clone(),
            })
        })
        .collect()
}

/// The two per-topic registers and the table (and value column) each is stored in.
#[derive(Clone, Copy)]
enum Register {
    Status,
    Note,
}

/// One register's stored value: the status name or the note's text, its stamp, and the change
/// sequence number it was written at.
struct RegisterRow<'a> {
    value: &'a str,
    stamp: &'a Stamp,
    seq: i64,
}

/// Writes a topic's register row (insert or replace), in the push's transaction.
async fn upsert_register(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    register: Register,
    user_id: i64,
    roadmap: &str,
    topic: &str,
    row: RegisterRow<'_>,
) -> Result<(), sqlx::Error> {
    let sql = match register {
        Register::Status => {
            "INSERT INTO progress \
             (user_id, roadmap, topic, status, millis, counter, device, updated_seq) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (user_id, roadmap, topic) DO UPDATE SET \
             status = excluded.status, millis = excluded.millis, \
             counter = excluded.counter, device = excluded.device, \
             updated_seq = excluded.updated_seq"
        }
        Register::Note => {
            "INSERT INTO notes \
             (user_id, roadmap, topic, body, millis, counter, device, updated_seq) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (user_id, roadmap, topic) DO UPDATE SET \
             body = excluded.body, millis = excluded.millis, \
             counter = excluded.counter, device = excluded.device, \
             updated_seq = excluded.updated_seq"
        }
    };
    sqlx::query(sql)
        .bind(user_id)
        .bind(roadmap)
        .bind(topic)
        .bind(row.value)
        .bind(row.stamp.millis as i64)
        .bind(i64::from(row.stamp.counter))
        .bind(&row.stamp.device)
        .bind(row.seq)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Every entry and note of `roadmap` changed after cursor `since` (all of them for 0), and the cursor
/// to pull from next time.
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
    let rows = sqlx::query(
        "SELECT topic, status, millis, counter, device FROM progress \
         WHERE user_id = $1 AND roadmap = $2 AND updated_seq > $3 ORDER BY updated_seq",
    )
    .bind(user_id)
    .bind(roadmap)
    .bind(since)
    .fetch_all(&mut *tx)
    .await?;
    let note_rows = sqlx::query(
        "SELECT topic, body, millis, counter, device FROM notes \
         WHERE user_id = $1 AND roadmap = $2 AND updated_seq > $3 ORDER BY updated_seq",
    )
    .bind(user_id)
    .bind(roadmap)
    .bind(since)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let notes = note_rows
        .iter()
        .map(|row| {
            let (topic, note) = read_note(row)?;
            Ok(PulledNote {
                topic,
                text: note.text,
                stamp: note.stamp,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    let entries = rows
        .iter()
        .map(|row| {
            let (topic, entry) = read_entry(row)?;
            Ok(PulledEntry {
                topic,
                status: entry.status,
                stamp: entry.stamp,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(PullResponse {
        cursor: cursor.max(0) as u64,
        entries,
        notes,
    })
}

async fn load_log(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_id: i64,
    roadmap: &str,
) -> Result<ProgressLog, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT topic, status, millis, counter, device FROM progress \
         WHERE user_id = $1 AND roadmap = $2",
    )
    .bind(user_id)
    .bind(roadmap)
    .fetch_all(&mut **tx)
    .await?;
    let mut log = ProgressLog::default();
    for row in &rows {
        let (topic, entry) = read_entry(row)?;
        log.entries.insert(topic, entry);
    }
    let rows = sqlx::query(
        "SELECT topic, body, millis, counter, device FROM notes \
         WHERE user_id = $1 AND roadmap = $2",
    )
    .bind(user_id)
    .bind(roadmap)
    .fetch_all(&mut **tx)
    .await?;
    for row in &rows {
        let (topic, note) = read_note(row)?;
        log.notes.insert(topic, note);
    }
    Ok(log)
}

fn read_note(row: &AnyRow) -> Result<(String, NoteEntry), sqlx::Error> {
    let note = NoteEntry {
        text: row.try_get("body")?,
        stamp: read_stamp(row)?,
    };
    Ok((row.try_get("topic")?, note))
}

fn read_stamp(row: &AnyRow) -> Result<Stamp, sqlx::Error> {
    let corrupt = |what: String| sqlx::Error::Decode(what.into());
    let millis: i64 = row.try_get("millis")?;
    let counter: i64 = row.try_get("counter")?;
    Ok(Stamp {
        millis: u64::try_from(millis).map_err(|_| corrupt(format!("millis {millis}")))?,
        counter: u32::try_from(counter).map_err(|_| corrupt(format!("counter {counter}")))?,
        device: row.try_get("device")?,
    })
}

fn read_entry(row: &AnyRow) -> Result<(String, Entry), sqlx::Error> {
    let corrupt = |what: String| sqlx::Error::Decode(what.into());
    let status: String = row.try_get("status")?;
    let entry = Entry {
        status: Status::parse(&status).map_err(corrupt)?,
        stamp: read_stamp(row)?,
    };
    Ok((row.try_get("topic")?, entry))
}

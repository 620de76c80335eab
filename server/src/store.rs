//! Storage for accounts, sessions and synced progress: plain async functions that take the
//! pool explicitly, so handlers stay short and tests call the very same functions.
//!
//! One set of queries serves SQLite (the default: a file, nothing to install) and PostgreSQL
//! (any `postgres://` URL) through sqlx's `Any` driver. To keep that true the SQL sticks to
//! what both understand: `$n` parameters, BIGINT Unix-second times, `ON CONFLICT` upserts and
//! `RETURNING`. Only the migrations differ (`migrations/sqlite`, `migrations/postgres`), in the
//! one thing they must: how a user id is generated.

pub mod progress;
pub mod rate_limits;
pub mod secrets;
pub mod sessions;
pub mod users;

use std::{path::Path, str::FromStr, time::Duration};

use sqlx::{
    any::{AnyConnectOptions, AnyPoolOptions},
    AnyPool, Executor,
};

/// The connection pool, whichever database is behind it.
pub type Db = AnyPool;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL must start with sqlite:// or postgres:// (got `{0}`)")]
    UnknownScheme(String),
    #[error("could not create the database folder {path}: {source}")]
    CreateDir {
        path: String,
        source: std::io::Error,
    },
    #[error("could not open the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("could not migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Self, DbError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            // Only the scheme: the rest may hold a password.
            let scheme = url.split(':').next().unwrap_or_default();
            Err(DbError::UnknownScheme(format!("{scheme}:…")))
        }
    }
}

/// Opens the database (creating a SQLite file and its folder when missing), sets SQLite up
/// for durability, and runs the migrations. Any failure stops start-up.
pub async fn connect(url: &str) -> Result<Db, DbError> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of_url(url)?;
    if backend == Backend::Sqlite {
        create_sqlite_folder(url)?;
    }
    let options = AnyConnectOptions::from_str(url).map_err(DbError::Connect)?;
    let db = AnyPoolOptions::new()
        .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(move |connection, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // Per connection. WAL lets readers run beside the one writer;
                    // synchronous=FULL syncs the WAL at every commit, so an acknowledged push
                    // survives a crash or kill -9; the busy timeout makes writers queue
                    // instead of failing.
                    connection
                        .execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                        )
                        .await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .map_err(DbError::Connect)?;
    match backend {
        Backend::Sqlite => sqlx::migrate!("migrations/sqlite").run(&db).await?,
        Backend::Postgres => sqlx::migrate!("migrations/postgres").run(&db).await?,
    }
    Ok(db)
}

/// Waits for this process's turn to write to `db` when it is SQLite, and holds it until the
/// guard is dropped (`None` for PostgreSQL, which locks rows, not the whole database).
///
/// SQLite lets one writer in at a time; the others wait in its busy handler, which polls with
/// growing sleeps and gives up after `busy_timeout`. Under load (the soak test: 100 learners on
/// 2 cores) an unlucky writer can keep losing that race until it times out, and its request
/// fails with a 500. Queued here first, in arrival order (tokio's mutex is fair), writers of one
/// process meet SQLite's lock one at a time and only wait for each other. Take it before the
/// transaction starts, and never while holding a pooled connection.
pub async fn write_turn(db: &Db) -> Option<tokio::sync::OwnedMutexGuard<()>> {
    use std::{
        collections::HashMap,
        sync::{Arc, Mutex, OnceLock},
    };
    type Turns = Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>;
    static TURNS: OnceLock<Turns> = OnceLock::new();

    let url = db.connect_options().database_url.to_string();
    if Backend::of_url(&url).ok()? != Backend::Sqlite {
        return None;
    }
    let turn = TURNS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .entry(url)
        .or_default()
        .clone();
    Some(turn.lock_owned().await)
}

/// `sqlite://data/trailmap.db?mode=rwc` → creates `data/` if it does not exist.
fn create_sqlite_folder(url: &str) -> Result<(), DbError> {
    let path = url
        .trim_start_matches("sqlite:")
        .trim_start_matches("//")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    match Path::new(path).parent() {
        Some(parent) if !parent.as_os_str().is_empty() => {
            std::fs::create_dir_all(parent).map_err(|source| DbError::CreateDir {
                path: parent.display().to_string(),
                source,
            })
        }
        _ => Ok(()),
    }
}

/// Seconds since the Unix epoch (the stored time unit).
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_follows_the_url_scheme_and_hides_the_rest() {
        assert_eq!(Backend::of_url("sqlite://x.db").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::of_url("sqlite::memory:").unwrap(), Backend::Sqlite);
        assert_eq!(
            Backend::of_url("postgres://u:p@h/db").unwrap(),
            Backend::Postgres
        );
        let message = Backend::of_url("mysql://u:secret@h/db")
            .unwrap_err()
            .to_string();
        assert!(!message.contains("secret"), "{message}");
    }
}

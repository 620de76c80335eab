//! The run: the server binary, the learners, the staged crash, and the database file read
//! directly for the checks.

use std::{
    collections::BTreeMap,
    sync::Arc,
    time::{Duration, Instant},
};

use sqlx::{Connection, Row};
use trailmap_core::progress::{Entry, Stamp, Status};

use crate::{
    client::{Learner, ROADMAP},
    process::{workspace_path, ServerProcess},
    report::{CrashReport, Report, Settings, StoredLearner},
};

pub async fn run(settings: &Settings) -> Report {
    let dir = tempfile::TempDir::new().expect("a temporary folder");
    let db_path = dir.path().join("soak.db");
    let database_url = format!("sqlite://{}?mode=rwc", db_path.display());
    let mut server = ServerProcess::start(&database_url, "127.0.0.1:0");
    let address = server.address.clone();
    let topics = backend_topics();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTP client");

    let started = Instant::now();
    let deadline = started + settings.duration;
    let mut tasks = Vec::new();
    let mut acknowledged = Vec::new();
    for index in 0..settings.learners {
        let learner = Learner::new(
            index,
            client.clone(),
            address.clone(),
            topics.clone(),
            settings.think_ms,
        );
        acknowledged.push((learner.username.clone(), learner.acked.clone()));
        tasks.push(tokio::spawn(learner.run(deadline)));
    }

    let crash = if settings.crash {
        tokio::time::sleep_until((started + settings.duration / 2).into()).await;
        // On a slow machine sign-ups may still be running: wait until every learner has an
        // acknowledged write, so the check below has something to check for each of them.
        while Instant::now() < deadline
            && acknowledged
                .iter()
                .any(|(_, acked)| acked.lock().unwrap().is_empty())
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        server.kill_9();
        let killed = Instant::now();
        // The server is dead: whatever it acknowledged must be in the file now.
        let stored = read_database(&database_url).await;
        let mut checked = 0;
        let mut lost = Vec::new();
        for (username, acked) in &acknowledged {
            let acked = acked.lock().unwrap().clone();
            let empty = BTreeMap::new();
            let held = stored
                .get(username)
                .map_or(&empty, |learner| &learner.progress);
            for (topic, entry) in &acked {
                checked += 1;
                match held.get(topic) {
                    Some(kept) if kept == entry || kept.supersedes(entry) => {}
                    other => lost.push(format!(
                        "{username}/{topic}: acknowledged {entry:?}, stored {other:?}"
                    )),
                }
            }
        }
        // Stay down a moment so learners notice, then come back on the same port and file.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (url, addr) = (database_url.clone(), address["http://".len()..].to_owned());
        server = tokio::task::spawn_blocking(move || ServerProcess::start(&url, &addr))
            .await
            .expect("the server starts");
        assert_eq!(server.address, address, "restarted on the same port");
        Some(CrashReport {
            acknowledged_checked: checked,
            lost,
            down_for: killed.elapsed(),
        })
    } else {
        None
    };

    let mut learners = Vec::new();
    for task in tasks {
        learners.push(task.await.expect("a learner task does not panic"));
    }
    let elapsed = started.elapsed();

    // Verification against the database file, read directly (the server still runs: WAL
    // readers do not disturb it).
    let stored = read_database(&database_url).await;
    for learner in &mut learners {
        learner.verify_database(&stored);
    }
    drop(server);
    Report {
        learners,
        elapsed,
        crash,
    }
}

/// Every learner's Backend progress and device state, straight from the SQLite file.
async fn read_database(url: &str) -> BTreeMap<String, StoredLearner> {
    let mut connection = sqlx::SqliteConnection::connect(url)
        .await
        .expect("the database file opens");
    let mut learners: BTreeMap<String, StoredLearner> = BTreeMap::new();
    let users = sqlx::query("SELECT username FROM users")
        .fetch_all(&mut connection)
        .await
        .expect("users are readable");
    for row in users {
        learners.insert(
            row.get("username"),
            StoredLearner {
                progress: BTreeMap::new(),
                last_applied_id: None,
            },
        );
    }
    let rows = sqlx::query(
        "SELECT u.username, p.topic, p.status, p.millis, p.counter, p.device \
         FROM progress p JOIN users u ON u.id = p.user_id WHERE p.roadmap = ?",
    )
    .bind(ROADMAP)
    .fetch_all(&mut connection)
    .await
    .expect("progress is readable");
    for row in rows {
        let username: String = row.get("username");
        let status: String = row.get("status");
        let entry = Entry::new(
            Status::parse(&status).expect("a stored status is valid"),
            Stamp {
                millis: row.get::<i64, _>("millis") as u64,
                counter: row.get::<i64, _>("counter") as u32,
                device: row.get("device"),
            },
        );
        if let Some(learner) = learners.get_mut(&username) {
            learner.progress.insert(row.get("topic"), entry);
        }
    }
    let devices = sqlx::query(
        "SELECT u.username, d.last_applied_id FROM devices d JOIN users u ON u.id = d.user_id \
         WHERE d.roadmap = ?",
    )
    .bind(ROADMAP)
    .fetch_all(&mut connection)
    .await
    .expect("devices are readable");
    for row in devices {
        let username: String = row.get("username");
        if let Some(learner) = learners.get_mut(&username) {
            learner.last_applied_id = Some(row.get::<i64, _>("last_applied_id") as u64);
        }
    }
    connection.close().await.expect("the connection closes");
    learners
}

/// The Backend roadmap's topic ids (stages cannot be marked).
fn backend_topics() -> Arc<Vec<String>> {
    let roadmaps =
        trailmap_core::content::load_catalog(&workspace_path("roadmaps")).expect("roadmaps load");
    let backend = roadmaps
        .iter()
        .find(|roadmap| roadmap.slug == ROADMAP)
        .expect("the backend roadmap");
    Arc::new(
        backend
            .nodes
            .iter()
            .filter(|node| !node.is_stage())
            .map(|node| node.id.as_str().to_owned())
            .collect(),
    )
}

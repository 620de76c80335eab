//! The database as the server opens it: durability settings, migrations, restarts, crashes.

use std::process::{Command, Stdio};

use serde_json::json;
use server::{store, AppState};
use sqlx::Row;

use crate::{
    helpers::{spawn_app, test_config, workspace_path, Browser, PASSWORD},
    server_process::ServerProcess,
};

fn sqlite_url(dir: &std::path::Path) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        dir.join("nested/db/trailmap.db").display()
    )
}

#[tokio::test]
async fn sqlite_is_opened_for_durability_in_a_folder_it_creates() {
    let dir = tempfile::TempDir::new().unwrap();

    let db = store::connect(&sqlite_url(dir.path())).await.unwrap();

    assert!(dir.path().join("nested/db/trailmap.db").exists());
    let pragma = |name: &'static str| {
        let db = db.clone();
        async move {
            let row = sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA {name}")))
                .fetch_one(&db)
                .await
                .unwrap();
            // journal_mode answers text; the others numbers.
            row.try_get::<String, _>(0)
                .or_else(|_| row.try_get::<i64, _>(0).map(|n| n.to_string()))
                .unwrap()
        }
    };
    assert_eq!(pragma("journal_mode").await, "wal");
    assert_eq!(pragma("synchronous").await, "2", "FULL");
    assert_eq!(pragma("foreign_keys").await, "1");
    assert_eq!(pragma("busy_timeout").await, "5000");
}

#[tokio::test]
async fn a_failing_migration_stops_start_up_with_a_clear_error() {
    let dir = tempfile::TempDir::new().unwrap();
    let url = sqlite_url(dir.path());
    // A database some other program made, with a clashing table.
    sqlx::any::install_default_drivers();
    std::fs::create_dir_all(dir.path().join("nested/db")).unwrap();
    {
        let options: sqlx::any::AnyConnectOptions = url.parse().unwrap();
        use sqlx::{ConnectOptions, Executor};
        let mut connection = options.connect().await.unwrap();
        connection
            .execute("CREATE TABLE users (something_else TEXT)")
            .await
            .unwrap();
    }
    let config = test_config(url);

    let error = AppState::load(&config).await.err().expect("start-up fails");

    assert!(
        error.to_string().contains("could not migrate the database"),
        "{error}"
    );
}

#[tokio::test]
async fn an_unknown_database_scheme_is_refused() {
    let error = store::connect("mysql://user:secret@localhost/db")
        .await
        .unwrap_err()
        .to_string();

    assert!(error.contains("sqlite:// or postgres://"), "{error}");
    assert!(!error.contains("secret"));
}

#[tokio::test]
async fn concurrent_pushes_from_several_devices_all_land() {
    let app = spawn_app().await;
    let browser = app.browser().signed_up("alice").await;
    let now = 1_700_000_000_000u64;

    let mut tasks = Vec::new();
    for device in 0..4 {
        let mut browser = Browser {
            address: browser.address.clone(),
            client: browser.client.clone(),
            cookies: browser.cookies.clone(),
        };
        tasks.push(tokio::spawn(async move {
            let name = format!("device-{device}-concurrent");
            let topic = ["dns", "http", "docker", "postgresql"][device];
            for id in 1..=10u64 {
                let body = json!({ "device": name, "mutations": [{
                    "id": id, "topic": topic,
                    "status": "in_progress",
                    "stamp": { "millis": now + id, "counter": 0, "device": name } }] });
                let response = browser.push("backend", &body).await;
                assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }

    let mut browser = browser;
    let pulled = browser.pull("backend", 0).await;
    assert_eq!(pulled["entries"].as_array().unwrap().len(), 4);
    assert_eq!(
        pulled["cursor"], 40,
        "every accepted write took one sequence number"
    );
}

#[tokio::test]
async fn an_acknowledged_push_survives_kill_9() {
    let dir = tempfile::TempDir::new().unwrap();
    let url = sqlite_url(dir.path());
    let mut first = ServerProcess::start(&url, &[]);
    let mut browser = Browser {
        address: first.address.clone(),
        client: crate::helpers::test_client(),
        cookies: Default::default(),
    };
    assert_eq!(browser.signup("alice", PASSWORD).await.status(), 201);
    let body = json!({ "device": "device-a1", "mutations": [{
        "id": 1, "topic": "dns", "status": "done",
        "stamp": { "millis": 1_700_000_000_000u64, "counter": 0, "device": "device-a1" } }] });
    assert_eq!(browser.push("backend", &body).await.status(), 200);

    first.kill_9(); // no graceful shutdown, no pool close
    let second = ServerProcess::start(&url, &[]);
    browser.address = second.address.clone();
    let pulled = browser.pull("backend", 0).await;

    assert_eq!(pulled["entries"][0]["topic"], "dns");
    assert_eq!(pulled["entries"][0]["status"], "done");
}

#[test]
fn the_binary_exits_with_a_clear_message_when_the_database_cannot_open() {
    let output = Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["--addr", "127.0.0.1:0", "--database-url", "mysql://nope"])
        .arg("--roadmaps")
        .arg(workspace_path("roadmaps"))
        .output()
        .unwrap();

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot start"), "{stderr}");
    assert!(stderr.contains("DATABASE_URL"), "{stderr}");
}

#[tokio::test]
async fn sessions_end_when_idle_too_long_or_too_old() {
    use store::sessions::{ABSOLUTE_SECONDS, IDLE_SECONDS};
    let dir = tempfile::TempDir::new().unwrap();
    let db = store::connect(&sqlite_url(dir.path())).await.unwrap();
    let username = server::accounts::Username::parse("alice").unwrap();
    let user = store::users::create(&db, &username, "hash", 0)
        .await
        .unwrap()
        .unwrap();
    let idle = "a".repeat(32);
    let busy = "b".repeat(32);
    store::sessions::create(&db, &idle, user, None, 0)
        .await
        .unwrap();
    store::sessions::create(&db, &busy, user, None, 0)
        .await
        .unwrap();

    // The busy session is used every day; the idle one never again.
    let day = 24 * 60 * 60;
    let mut now = 0;
    while now + day < ABSOLUTE_SECONDS {
        now += day;
        let found = store::sessions::find(&db, &busy, now).await.unwrap();
        assert!(found.is_some(), "day {}", now / day);
    }

    assert!(store::sessions::find(&db, &idle, IDLE_SECONDS)
        .await
        .unwrap()
        .is_none());
    assert!(store::sessions::find(&db, &busy, ABSOLUTE_SECONDS)
        .await
        .unwrap()
        .is_none());
    assert!(
        store::sessions::find(&db, &busy, now)
            .await
            .unwrap()
            .is_none(),
        "deleted"
    );
}

/// Runs the real binary with `args` (plus a free port) and returns its exit status and stderr,
/// killing it if it is still up after 20 s (it would then be serving: a failure).
fn start_binary(args: &[&std::ffi::OsStr]) -> (std::process::ExitStatus, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["--addr", "127.0.0.1:0"])
        .args(args)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server binary starts");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
            return (status, stderr);
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the server kept running instead of refusing to start");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn start_up_refuses_a_missing_roadmaps_folder() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());

    let (status, stderr) = start_binary(&[
        "--roadmaps".as_ref(),
        dir.path().join("no-such-folder").as_os_str(),
        "--database-url".as_ref(),
        db.as_ref(),
    ]);

    assert!(!status.success());
    assert!(stderr.contains("cannot start"), "{stderr}");
    assert!(stderr.contains("no-such-folder"), "{stderr}");
}

#[test]
fn start_up_refuses_an_invalid_roadmap_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let roadmap = dir.path().join("roadmaps/broken");
    std::fs::create_dir_all(&roadmap).unwrap();
    std::fs::write(
        roadmap.join("roadmap.md"),
        "title: Broken\nsummary: x\nlevel: beginner\nestimate: 1 week\ncolour: red\n\nIntro.\n",
    )
    .unwrap();
    let db = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());

    let (status, stderr) = start_binary(&[
        "--roadmaps".as_ref(),
        dir.path().join("roadmaps").as_os_str(),
        "--database-url".as_ref(),
        db.as_ref(),
    ]);

    assert!(!status.success());
    assert!(stderr.contains("cannot start"), "{stderr}");
    assert!(
        stderr.contains("roadmap.md:5"),
        "names the file and line: {stderr}"
    );
}

#[test]
fn start_up_refuses_a_corrupt_or_unwritable_database() {
    let dir = tempfile::tempdir().unwrap();
    let corrupt = dir.path().join("corrupt.db");
    std::fs::write(&corrupt, vec![0x5a_u8; 64 * 1024]).unwrap();
    // A database "folder" that is a file: it can be neither created nor written.
    let blocker = dir.path().join("blocker");
    std::fs::write(&blocker, "not a folder").unwrap();

    for url in [
        format!("sqlite://{}?mode=rwc", corrupt.display()),
        format!("sqlite://{}?mode=rwc", blocker.join("t.db").display()),
    ] {
        let (status, stderr) = start_binary(&[
            "--roadmaps".as_ref(),
            workspace_path("roadmaps").as_os_str(),
            "--database-url".as_ref(),
            url.as_ref(),
        ]);

        assert!(!status.success(), "{url}");
        assert!(stderr.contains("cannot start"), "{url}: {stderr}");
        assert!(
            stderr.to_lowercase().contains("database"),
            "{url}: {stderr}"
        );
    }
}

//! Soak and crash test: many simulated learners against the real server binary.
//!
//! Each learner signs up and in over HTTP (cookies and the CSRF token, like the browser),
//! keeps the real client model (`trailmap_core::progress::LocalProgress` with its `Outbox`), marks random
//! topics of the Backend roadmap, pushes `outbox.batch(500)` and pulls, and retries with
//! backoff whenever the server cannot be reached or answers 5xx — it resumes by itself, as the
//! browser does. Optionally the server is killed with SIGKILL half-way through and restarted on
//! the same port and database.
//!
//! Checks, per learner: no request failed other than connection failures while the server was
//! down; right after the kill, the database file holds every write acknowledged before it (read
//! directly, server dead); at the end, the learner's own belief (its `LocalProgress` log after
//! all acknowledgements and a final pull) equals both a fresh pull from 0 and the rows in the
//! database file, topic by topic, and the server applied exactly the mutation ids it created.
//!
//! `learners_resume_after_kill_9_and_lose_nothing` is the small version that runs with the
//! other tests. The full run is ignored by default and configured by environment:
//!
//! ```sh
//! cargo test --release -p server --test soak -- --ignored --nocapture
//! TRAILMAP_SOAK_CRASH=1 cargo test --release -p server --test soak -- --ignored --nocapture
//! ```
//!
//! `TRAILMAP_SOAK_LEARNERS` (default 100), `TRAILMAP_SOAK_SECONDS` (default 60),
//! `TRAILMAP_SOAK_CRASH` (`1`: kill -9 and restart half-way; default 0),
//! `TRAILMAP_SOAK_THINK_MS` (longest pause between a learner's actions, default 100).
//! Sign-up and sign-in (Argon2id) happen inside the timed period.

use std::{
    collections::BTreeMap,
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::{Connection, Row};
use trailmap_core::progress::{
    Entry, LocalProgress, PullResponse, PushRequest, PushResponse, Stamp, Status,
};

const ROADMAP: &str = "backend";
const PASSWORD: &str = "soak test password 1";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn learners_resume_after_kill_9_and_lose_nothing() {
    let settings = Settings {
        learners: 12,
        duration: Duration::from_secs(5),
        crash: true,
        think_ms: 60,
    };

    let report = run(&settings).await;

    report.print(&settings);
    report.assert_clean(&settings);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "the full soak run: see the module documentation and the README"]
async fn soak() {
    let settings = Settings::from_env();

    let report = run(&settings).await;

    report.print(&settings);
    report.assert_clean(&settings);
}

// ---------------------------------------------------------------------------------------------
// Settings and the run

#[derive(Clone, Debug)]
struct Settings {
    learners: usize,
    duration: Duration,
    /// Kill the server with SIGKILL half-way through, then restart it.
    crash: bool,
    /// The longest pause between two actions of a learner.
    think_ms: u64,
}

impl Settings {
    fn from_env() -> Self {
        fn number(name: &str, default: u64) -> u64 {
            match std::env::var(name) {
                Ok(raw) if !raw.trim().is_empty() => raw
                    .trim()
                    .parse()
                    .unwrap_or_else(|_| panic!("{name} must be a whole number, not `{raw}`")),
                _ => default,
            }
        }
        Self {
            learners: number("TRAILMAP_SOAK_LEARNERS", 100).max(1) as usize,
            duration: Duration::from_secs(number("TRAILMAP_SOAK_SECONDS", 60).max(1)),
            crash: number("TRAILMAP_SOAK_CRASH", 0) != 0,
            think_ms: number("TRAILMAP_SOAK_THINK_MS", 100),
        }
    }
}

/// What one run observed.
struct Report {
    learners: Vec<LearnerReport>,
    elapsed: Duration,
    /// The crash, if one was staged.
    crash: Option<CrashReport>,
}

struct CrashReport {
    /// Acknowledged writes (learner, topic) checked in the database file right after the kill.
    acknowledged_checked: usize,
    /// Those missing or older in the database: must be none.
    lost: Vec<String>,
    down_for: Duration,
}

async fn run(settings: &Settings) -> Report {
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

// ---------------------------------------------------------------------------------------------
// One simulated learner

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Csrf,
    Signup,
    Signin,
    Push,
    Pull,
}

impl Kind {
    const ALL: [Kind; 5] = [
        Kind::Csrf,
        Kind::Signup,
        Kind::Signin,
        Kind::Push,
        Kind::Pull,
    ];

    fn name(self) -> &'static str {
        match self {
            Kind::Csrf => "csrf",
            Kind::Signup => "sign-up",
            Kind::Signin => "sign-in",
            Kind::Push => "push",
            Kind::Pull => "pull",
        }
    }
}

/// Why a request got no usable answer: a 4xx, an unreadable body, a timeout, or a server
/// that stayed unreachable. A real error, reported.
type Failure = String;

#[derive(Default)]
struct LearnerReport {
    username: String,
    /// Latencies of answered requests, per kind.
    latencies: BTreeMap<Kind, Vec<Duration>>,
    /// Requests that could not reach the server (connection refused or reset): expected only
    /// while it is down.
    connection_failures: usize,
    /// 5xx answers (retried like connection failures, but a fault of a running server).
    server_errors: Vec<String>,
    /// Everything else that went wrong: 4xx answers, unreadable bodies, timeouts, verification.
    errors: Vec<String>,
    pushes: usize,
    /// Mutations acknowledged by the server.
    mutations: u64,
    pulls: usize,
    /// Topics compared in the final verification.
    topics_verified: usize,
    /// The learner's final belief, kept for the database comparison.
    belief: BTreeMap<String, Entry>,
    /// The last mutation id the learner created.
    last_id: u64,
}

struct Learner {
    username: String,
    client: reqwest::Client,
    address: String,
    cookies: BTreeMap<String, String>,
    local: LocalProgress,
    /// The acknowledged entry of every topic: what the server must never lose.
    acked: Arc<Mutex<BTreeMap<String, Entry>>>,
    topics: Arc<Vec<String>>,
    think_ms: u64,
    rng: SplitMix64,
    report: LearnerReport,
}

impl Learner {
    fn new(
        index: usize,
        client: reqwest::Client,
        address: String,
        topics: Arc<Vec<String>>,
        think_ms: u64,
    ) -> Self {
        let username = format!("learner-{index:04}");
        Self {
            local: LocalProgress::new(ROADMAP, &format!("soak-device-{index:04}")),
            report: LearnerReport {
                username: username.clone(),
                ..LearnerReport::default()
            },
            username,
            client,
            address,
            cookies: BTreeMap::new(),
            acked: Arc::default(),
            topics,
            think_ms,
            rng: SplitMix64(0x5eed_0000 + index as u64),
        }
    }

    async fn run(mut self, deadline: Instant) -> LearnerReport {
        if let Err(error) = self.sign_up_and_in().await {
            self.report.errors.push(format!("signing in: {error}"));
            return self.report;
        }
        while Instant::now() < deadline {
            let roll = self.rng.below(10);
            let outcome = if roll < 6 {
                self.edit();
                self.push().await
            } else if roll < 9 {
                self.pull().await
            } else {
                // Edits that wait for the next push, as after a debounce.
                self.edit();
                Ok(())
            };
            if let Err(error) = outcome {
                self.report.errors.push(error);
                return self.report;
            }
            let pause = self.rng.below(self.think_ms + 1);
            tokio::time::sleep(Duration::from_millis(pause)).await;
        }
        // Settle: everything pushed, then one last pull.
        while !self.local.outbox.is_empty() {
            if let Err(error) = self.push().await {
                self.report.errors.push(format!("settling: {error}"));
                return self.report;
            }
        }
        if let Err(error) = self.pull().await {
            self.report.errors.push(format!("final pull: {error}"));
            return self.report;
        }
        self.verify_against_a_fresh_pull().await;
        self.report
    }

    /// Marks one to three random topics.
    fn edit(&mut self) {
        for _ in 0..=self.rng.below(3) {
            let topic = self.topics[self.rng.below(self.topics.len() as u64) as usize].clone();
            let status = Status::ALL[self.rng.below(Status::ALL.len() as u64) as usize];
            self.local.set(&topic, status, wall_millis());
        }
    }

    async fn sign_up_and_in(&mut self) -> Result<(), Failure> {
        let (status, body) = self
            .request(Kind::Csrf, Method::GET, "/api/auth/csrf", None)
            .await?;
        expect(status, StatusCode::OK, "csrf", &body)?;
        let credentials = json!({ "username": self.username, "password": PASSWORD });
        let (status, body) = self
            .request(
                Kind::Signup,
                Method::POST,
                "/api/auth/signup",
                Some(&credentials),
            )
            .await?;
        // A 409 is our own account: a sign-up whose answer was lost in a crash, retried.
        if status != StatusCode::CONFLICT {
            expect(status, StatusCode::CREATED, "sign-up", &body)?;
        }
        // Sign in as well (a new session), so both paths carry load.
        let (status, body) = self
            .request(
                Kind::Signin,
                Method::POST,
                "/api/auth/signin",
                Some(&credentials),
            )
            .await?;
        expect(status, StatusCode::OK, "sign-in", &body)
    }

    /// Pushes the oldest pending mutations (the client always sends `batch(MAX_MUTATIONS)`).
    async fn push(&mut self) -> Result<(), Failure> {
        let batch = self.local.outbox.batch(PushRequest::MAX_MUTATIONS).to_vec();
        if batch.is_empty() {
            return Ok(());
        }
        let body = serde_json::to_value(PushRequest {
            device: self.local.clock.device.clone(),
            mutations: batch.clone(),
        })
        .expect("a push serialises");
        let path = format!("/api/sync/{ROADMAP}/push");
        let (status, answer) = self
            .request(Kind::Push, Method::POST, &path, Some(&body))
            .await?;
        expect(status, StatusCode::OK, "push", &answer)?;
        let response: PushResponse = serde_json::from_slice(&answer)
            .map_err(|error| format!("push: unreadable answer: {error}"))?;
        let before = self.local.outbox.len();
        {
            let mut acked = self.acked.lock().unwrap();
            for mutation in batch.iter().filter(|m| m.id <= response.acknowledged) {
                // The learners only mark statuses (no notes).
                let Some(entry) = mutation.register::<Status>() else {
                    continue;
                };
                let newer = acked
                    .get(&mutation.topic)
                    .is_none_or(|known| entry.supersedes(known));
                if newer {
                    acked.insert(mutation.topic.clone(), entry);
                }
            }
        }
        self.local.acknowledge_push(&response, wall_millis());
        self.report.pushes += 1;
        self.report.mutations += (before - self.local.outbox.len()) as u64;
        Ok(())
    }

    async fn pull(&mut self) -> Result<(), Failure> {
        let since = self.local.cursor.clone().unwrap_or_else(|| "0".into());
        let path = format!("/api/sync/{ROADMAP}/pull?since={since}");
        let (status, body) = self.request(Kind::Pull, Method::GET, &path, None).await?;
        expect(status, StatusCode::OK, "pull", &body)?;
        let pulled: PullResponse = serde_json::from_slice(&body)
            .map_err(|error| format!("pull: unreadable answer: {error}"))?;
        self.local.absorb(&pulled, wall_millis());
        self.local.cursor = Some(pulled.cursor.to_string());
        self.report.pulls += 1;
        Ok(())
    }

    /// After settling, the belief must equal what a fresh pull from 0 returns.
    async fn verify_against_a_fresh_pull(&mut self) {
        let path = format!("/api/sync/{ROADMAP}/pull?since=0");
        let pulled = match self.request(Kind::Pull, Method::GET, &path, None).await {
            Ok((StatusCode::OK, body)) => serde_json::from_slice::<PullResponse>(&body),
            Ok((status, body)) => {
                let error = format!("fresh pull: {status} {}", String::from_utf8_lossy(&body));
                self.report.errors.push(error);
                return;
            }
            Err(error) => {
                self.report.errors.push(format!("fresh pull: {error}"));
                return;
            }
        };
        let pulled = match pulled {
            Ok(pulled) => pulled,
            Err(error) => {
                self.report.errors.push(format!("fresh pull: {error}"));
                return;
            }
        };
        let server: BTreeMap<String, Entry> = pulled
            .entries
            .into_iter()
            .map(|pulled| (pulled.topic, pulled.register))
            .collect();
        let belief = self.local.log.entries.clone();
        if server != belief {
            self.report.errors.push(format!(
                "a fresh pull differs from the belief: {}",
                difference(&belief, &server)
            ));
        }
        let acked = self.acked.lock().unwrap().clone();
        for (topic, entry) in &acked {
            if belief.get(topic) != Some(entry) {
                self.report.errors.push(format!(
                    "{topic}: last acknowledged {entry:?}, believed {:?}",
                    belief.get(topic)
                ));
            }
        }
        if !self.local.outbox.is_empty() {
            self.report.errors.push(format!(
                "{} mutations never acknowledged",
                self.local.outbox.len()
            ));
        }
        self.report.topics_verified = belief.len();
        self.report.belief = belief;
        self.report.last_id = self.local.outbox.next_id.saturating_sub(1);
    }

    /// Sends a request, retrying with backoff while the server cannot be reached or answers
    /// 5xx; returns the first other answer.
    async fn request(
        &mut self,
        kind: Kind,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Vec<u8>), Failure> {
        let mut attempt = 0u32;
        let give_up = Instant::now() + Duration::from_secs(120);
        loop {
            let mut request = self
                .client
                .request(method.clone(), format!("{}{path}", self.address));
            if !self.cookies.is_empty() {
                let cookie = self
                    .cookies
                    .iter()
                    .map(|(name, value)| format!("{name}={value}"))
                    .collect::<Vec<_>>()
                    .join("; ");
                request = request.header("cookie", cookie);
            }
            if let Some(body) = body {
                let token = self
                    .cookies
                    .get("trailmap_csrf")
                    .cloned()
                    .unwrap_or_default();
                request = request.header("x-csrf-token", token).json(body);
            }
            let sent = Instant::now();
            let answer = match request.send().await {
                Ok(response) => {
                    self.keep_cookies(&response);
                    let status = response.status();
                    response.bytes().await.map(|body| (status, body.to_vec()))
                }
                Err(error) => Err(error),
            };
            let latency = sent.elapsed();
            match answer {
                Ok((status, body)) if status.is_server_error() => {
                    self.report.server_errors.push(format!(
                        "{} {path}: {status} {}",
                        kind.name(),
                        String::from_utf8_lossy(&body)
                    ));
                }
                Ok((status, body)) => {
                    self.report.latencies.entry(kind).or_default().push(latency);
                    return Ok((status, body));
                }
                Err(error) if error.is_timeout() => {
                    return Err(format!("{} {path}: no answer in time", kind.name()));
                }
                Err(_) => self.report.connection_failures += 1,
            }
            if Instant::now() > give_up {
                return Err(format!(
                    "{} {path}: the server stayed unreachable",
                    kind.name()
                ));
            }
            // Exponential backoff with jitter: 25 ms, 50 ms, … at most 1.6 s.
            let ceiling = 25u64 << attempt.min(6);
            attempt += 1;
            let pause = ceiling / 2 + self.rng.below(ceiling / 2 + 1);
            tokio::time::sleep(Duration::from_millis(pause)).await;
        }
    }

    fn keep_cookies(&mut self, response: &reqwest::Response) {
        for set in response.headers().get_all("set-cookie") {
            let Ok(set) = set.to_str() else { continue };
            let (pair, attributes) = set.split_once(';').unwrap_or((set, ""));
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            if attributes.contains("Max-Age=0") {
                self.cookies.remove(name.trim());
            } else {
                self.cookies
                    .insert(name.trim().to_owned(), value.trim().to_owned());
            }
        }
    }
}

impl LearnerReport {
    /// The learner's belief must equal its rows in the database file, and the server must
    /// have applied exactly the mutation ids the learner created.
    fn verify_database(&mut self, stored: &BTreeMap<String, StoredLearner>) {
        if !self.errors.is_empty() {
            return; // Already failed; the belief is incomplete.
        }
        let Some(stored) = stored.get(&self.username) else {
            self.errors.push("no account in the database".into());
            return;
        };
        if stored.progress != self.belief {
            self.errors.push(format!(
                "the database differs from the belief: {}",
                difference(&self.belief, &stored.progress)
            ));
        }
        if self.last_id > 0 && stored.last_applied_id != Some(self.last_id) {
            self.errors.push(format!(
                "created mutations 1..={}, the database applied through {:?}",
                self.last_id, stored.last_applied_id
            ));
        }
    }
}

fn expect(status: StatusCode, wanted: StatusCode, what: &str, body: &[u8]) -> Result<(), Failure> {
    if status == wanted {
        Ok(())
    } else {
        Err(format!(
            "{what}: {status} {}",
            String::from_utf8_lossy(body)
        ))
    }
}

/// The first few topics on which two logs differ.
fn difference(belief: &BTreeMap<String, Entry>, other: &BTreeMap<String, Entry>) -> String {
    let mut topics: Vec<&String> = belief.keys().chain(other.keys()).collect();
    topics.sort();
    topics.dedup();
    topics
        .into_iter()
        .filter(|topic| belief.get(*topic) != other.get(*topic))
        .take(3)
        .map(|topic| {
            format!(
                "{topic}: believed {:?}, found {:?}",
                belief.get(topic),
                other.get(topic)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn wall_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_millis() as u64
}

/// A small deterministic generator per learner (SplitMix64): reproducible choices without a
/// dependency.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (0 when `bound` is 0).
    fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            0
        } else {
            self.next() % bound
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The database file, read directly

struct StoredLearner {
    progress: BTreeMap<String, Entry>,
    last_applied_id: Option<u64>,
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
        let entry = Entry {
            value: Status::parse(&status).expect("a stored status is valid"),
            stamp: Stamp {
                millis: row.get::<i64, _>("millis") as u64,
                counter: row.get::<i64, _>("counter") as u32,
                device: row.get("device"),
            },
        };
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

fn workspace_path(relative: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).join(relative)
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

// ---------------------------------------------------------------------------------------------
// The real server binary

/// The server's errors (at most 20; its stderr too), printed with the report.
static SERVER_LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn keep_server_log(line: String) {
    let mut kept = SERVER_LOG.lock().unwrap();
    if kept.len() < 20 {
        kept.push(line);
    }
}

/// A server process, killed (SIGKILL) when dropped, so a failing test leaves none behind.
struct ServerProcess {
    child: Child,
    address: String,
}

impl ServerProcess {
    /// Starts the binary on `addr` (port 0: a free one) and waits until it listens. A port just
    /// released by a killed server can take a moment to bind again: a few attempts are made.
    fn start(database_url: &str, addr: &str) -> Self {
        let mut last_log = String::new();
        for _ in 0..50 {
            match Self::try_start(database_url, addr) {
                Ok(server) => return server,
                Err(log) => last_log = log,
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the server did not start on {addr}: {last_log}");
    }

    fn try_start(database_url: &str, addr: &str) -> Result<Self, String> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
            .args(["--addr", addr, "--database-url", database_url])
            .arg("--roadmaps")
            .arg(workspace_path("roadmaps"))
            .arg("--site-root")
            .arg(workspace_path("target/site"))
            // Only the start-up line: a log line per request would slow the server down.
            .env("RUST_LOG", "warn,server=info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server binary starts");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout is piped")).lines();
        while let Some(Ok(line)) = lines.next() {
            if let Some(at) = line.find("listening on http://") {
                let address: String = line[at + "listening on ".len()..]
                    .chars()
                    .take_while(|c| !c.is_whitespace())
                    .collect();
                // Keep draining the log so the server never blocks on a full pipe; keep its
                // errors for the report.
                std::thread::spawn(move || {
                    for line in lines.map_while(Result::ok) {
                        if line.contains("ERROR") {
                            keep_server_log(line);
                        }
                    }
                });
                let stderr = BufReader::new(child.stderr.take().expect("stderr is piped"));
                std::thread::spawn(move || {
                    stderr
                        .lines()
                        .map_while(Result::ok)
                        .for_each(keep_server_log)
                });
                return Ok(Self { child, address });
            }
        }
        let mut stderr = String::new();
        if let Some(mut pipe) = child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
        }
        let _ = child.kill();
        let _ = child.wait();
        Err(stderr)
    }

    fn kill_9(&mut self) {
        let _ = self.child.kill(); // SIGKILL: no graceful shutdown, no pool close
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill_9();
    }
}

// ---------------------------------------------------------------------------------------------
// The report

impl Report {
    fn print(&self, settings: &Settings) {
        let sum = |f: fn(&LearnerReport) -> usize| self.learners.iter().map(f).sum::<usize>();
        let requests = sum(|l| l.latencies.values().map(Vec::len).sum());
        let mutations: u64 = self.learners.iter().map(|l| l.mutations).sum();
        println!(
            "soak: {} learners, {:.1} s planned, {:.1} s run (sign-up and sign-in included), \
             think time up to {} ms, crash: {}",
            settings.learners,
            settings.duration.as_secs_f64(),
            self.elapsed.as_secs_f64(),
            settings.think_ms,
            if settings.crash {
                "kill -9 half-way, then restart"
            } else {
                "no"
            }
        );
        println!(
            "  requests answered: {requests} ({:.0}/s) · pushes: {} · mutations acknowledged: \
             {mutations} · pulls: {}",
            requests as f64 / self.elapsed.as_secs_f64(),
            sum(|l| l.pushes),
            sum(|l| l.pulls),
        );
        println!(
            "  errors: {} · server errors (5xx): {} · connection failures retried: {}",
            sum(|l| l.errors.len()),
            sum(|l| l.server_errors.len()),
            sum(|l| l.connection_failures),
        );
        println!("  latency      count      p50      p90      p99      max");
        for kind in Kind::ALL {
            let mut all: Vec<Duration> = self
                .learners
                .iter()
                .filter_map(|l| l.latencies.get(&kind))
                .flatten()
                .copied()
                .collect();
            if all.is_empty() {
                continue;
            }
            all.sort();
            let at = |p: f64| all[((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1];
            println!(
                "  {:<9} {:>8} {:>8} {:>8} {:>8} {:>8}",
                kind.name(),
                all.len(),
                ms(at(0.50)),
                ms(at(0.90)),
                ms(at(0.99)),
                ms(all[all.len() - 1])
            );
        }
        if let Some(crash) = &self.crash {
            println!(
                "  crash: server down {:.2} s; {} acknowledged writes checked in the file right \
                 after the kill, {} lost",
                crash.down_for.as_secs_f64(),
                crash.acknowledged_checked,
                crash.lost.len()
            );
        }
        let verified = sum(|l| l.topics_verified);
        let failed = self
            .learners
            .iter()
            .filter(|l| !l.errors.is_empty())
            .count();
        println!(
            "  verification: {} of {} learners hold exactly what the server and the database \
             file hold ({verified} topics compared)",
            self.learners.len() - failed,
            self.learners.len()
        );
        for learner in self
            .learners
            .iter()
            .filter(|l| !l.errors.is_empty())
            .take(5)
        {
            println!("    {}: {}", learner.username, learner.errors.join(" | "));
        }
        for learner in self
            .learners
            .iter()
            .filter(|l| !l.server_errors.is_empty())
            .take(5)
        {
            println!("    {}: {}", learner.username, learner.server_errors[0]);
        }
        for line in SERVER_LOG.lock().unwrap().iter() {
            println!("    server log: {line}");
        }
    }

    fn assert_clean(&self, settings: &Settings) {
        let errors: Vec<String> = self
            .learners
            .iter()
            .flat_map(|l| l.errors.iter().map(move |e| format!("{}: {e}", l.username)))
            .collect();
        assert!(errors.is_empty(), "{} errors: {errors:#?}", errors.len());
        let server_errors: Vec<&String> = self
            .learners
            .iter()
            .flat_map(|l| &l.server_errors)
            .collect();
        assert!(server_errors.is_empty(), "5xx answers: {server_errors:#?}");
        assert!(
            self.learners
                .iter()
                .all(|l| l.pushes > 0 && l.topics_verified > 0),
            "every learner pushed and had its progress verified"
        );
        let failures: usize = self.learners.iter().map(|l| l.connection_failures).sum();
        match &self.crash {
            None => assert_eq!(failures, 0, "no connection failures without a crash"),
            Some(crash) => {
                assert!(crash.lost.is_empty(), "lost writes: {:#?}", crash.lost);
                assert!(
                    crash.acknowledged_checked > 0,
                    "writes were acknowledged before the kill"
                );
                assert!(
                    failures > 0,
                    "learners noticed the server was down, and resumed (they all verified)"
                );
            }
        }
        assert!(settings.learners == self.learners.len());
    }
}

fn ms(duration: Duration) -> String {
    format!("{:.1}ms", duration.as_secs_f64() * 1000.0)
}

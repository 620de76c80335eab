//! One simulated learner. It signs up and in like the browser (cookies, the CSRF header),
//! marks random topics in its `LocalProgress`, and pushes and pulls with the browser's own sync
//! driver (`push_all`, `pull_changes`): [`Progress`] is the driver's device (the progress in
//! memory), [`Http`] its transport (reqwest, retrying with backoff while the server cannot be
//! reached or answers 5xx, and keeping the figures of the report).

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use trailmap_core::{
    links,
    progress::{
        pull_changes, push_all, Device, Entry, LocalProgress, PullResponse, PushRequest,
        PushResponse, Status, SyncFailure, Transport,
    },
};

use crate::report::{difference, Kind, LearnerReport};

/// The roadmap the learners study.
pub const ROADMAP: &str = "backend";

const PASSWORD: &str = "soak test password 1";

/// Why a request got no usable answer: a 4xx, an unreadable body, a timeout, or a server
/// that stayed unreachable. A real error, reported.
type Failure = String;

pub struct Learner {
    pub username: String,
    progress: Progress,
    http: Http,
    /// The acknowledged entry of every topic: what the server must never lose.
    pub acked: Arc<Mutex<BTreeMap<String, Entry>>>,
    topics: Arc<Vec<String>>,
    think_ms: u64,
    rng: SplitMix64,
    report: LearnerReport,
}

impl Learner {
    pub fn new(
        index: usize,
        client: reqwest::Client,
        address: String,
        topics: Arc<Vec<String>>,
        think_ms: u64,
    ) -> Self {
        let username = format!("learner-{index:04}");
        let acked = Arc::default();
        Self {
            progress: Progress {
                local: Mutex::new(LocalProgress::new(
                    ROADMAP,
                    &format!("soak-device-{index:04}"),
                )),
                restarts: Mutex::default(),
            },
            http: Http {
                client,
                address,
                acked: Arc::clone(&acked),
                state: Mutex::new(HttpState::new(SplitMix64(0xbac0_0000 + index as u64))),
            },
            report: LearnerReport {
                username: username.clone(),
                ..LearnerReport::default()
            },
            username,
            acked,
            topics,
            think_ms,
            rng: SplitMix64(0x5eed_0000 + index as u64),
        }
    }

    pub async fn run(mut self, deadline: Instant) -> LearnerReport {
        if let Err(error) = self.sign_up_and_in().await {
            self.report.errors.push(format!("signing in: {error}"));
            return self.finish();
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
                return self.finish();
            }
            let pause = self.rng.below(self.think_ms + 1);
            tokio::time::sleep(Duration::from_millis(pause)).await;
        }
        // Settle: everything pushed, then one last pull.
        if let Err(error) = self.push().await {
            self.report.errors.push(format!("settling: {error}"));
            return self.finish();
        }
        if let Err(error) = self.pull().await {
            self.report.errors.push(format!("final pull: {error}"));
            return self.finish();
        }
        self.verify_against_a_fresh_pull().await;
        self.finish()
    }

    /// The report, with the transport's figures.
    fn finish(mut self) -> LearnerReport {
        let state = self.http.state.into_inner().unwrap();
        self.report.latencies = state.latencies;
        self.report.connection_failures = state.connection_failures;
        self.report.server_errors = state.server_errors;
        self.report.pushes = state.pushes;
        self.report.pulls = state.pulls;
        self.report
    }

    /// Marks one to three random topics.
    fn edit(&mut self) {
        for _ in 0..=self.rng.below(3) {
            let topic = self.topics[self.rng.below(self.topics.len() as u64) as usize].clone();
            let status = Status::ALL[self.rng.below(Status::ALL.len() as u64) as usize];
            self.progress.update(|local| {
                local.set(&topic, status, wall_millis());
            });
        }
    }

    async fn sign_up_and_in(&mut self) -> Result<(), Failure> {
        let (status, body) = self
            .http
            .request(Kind::Csrf, Method::GET, links::api::CSRF, None)
            .await?;
        expect(status, StatusCode::OK, "csrf", &body)?;
        let credentials = json!({ "username": self.username, "password": PASSWORD });
        let (status, body) = self
            .http
            .request(
                Kind::Signup,
                Method::POST,
                links::api::SIGN_UP,
                Some(&credentials),
            )
            .await?;
        // A 409 is our own account: a sign-up whose answer was lost in a crash, retried.
        if status != StatusCode::CONFLICT {
            expect(status, StatusCode::CREATED, "sign-up", &body)?;
        }
        // Sign in as well (a new session), so both paths carry load.
        let (status, body) = self
            .http
            .request(
                Kind::Signin,
                Method::POST,
                links::api::SIGN_IN,
                Some(&credentials),
            )
            .await?;
        expect(status, StatusCode::OK, "sign-in", &body)
    }

    /// Pushes every pending mutation with the driver (`outbox.batch(500)` at a time).
    async fn push(&mut self) -> Result<(), Failure> {
        let before = self.pending();
        push_all(&self.progress, &self.http, ROADMAP, |_| true)
            .await
            .map_err(|failure| self.http.reason(&failure))?;
        if let Some(refusal) = self.progress.restarts.lock().unwrap().first() {
            return Err(format!("the server refused the outbox: {refusal}"));
        }
        self.report.mutations += (before - self.pending()) as u64;
        Ok(())
    }

    /// Pulls what changed since the cursor, with the driver.
    async fn pull(&mut self) -> Result<(), Failure> {
        pull_changes(&self.progress, &self.http, ROADMAP)
            .await
            .map_err(|failure| self.http.reason(&failure))
    }

    fn pending(&self) -> usize {
        self.progress.local.lock().unwrap().outbox.len()
    }

    /// After settling, the belief must equal what a fresh pull from 0 returns.
    async fn verify_against_a_fresh_pull(&mut self) {
        let path = links::api::sync_pull(ROADMAP, 0);
        let pulled: PullResponse = match self.http.call(Kind::Pull, Method::GET, &path, None).await
        {
            Ok(pulled) => pulled,
            Err(failure) => {
                let reason = self.http.reason(&failure);
                self.report.errors.push(format!("fresh pull: {reason}"));
                return;
            }
        };
        let server: BTreeMap<String, Entry> = pulled
            .entries
            .into_iter()
            .map(|pulled| (pulled.topic, pulled.register))
            .collect();
        let local = self.progress.local.lock().unwrap().clone();
        let belief = local.log.entries.clone();
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
        if !local.outbox.is_empty() {
            self.report.errors.push(format!(
                "{} mutations never acknowledged",
                local.outbox.len()
            ));
        }
        self.report.topics_verified = belief.len();
        self.report.belief = belief;
        self.report.last_id = local.outbox.next_id.saturating_sub(1);
    }
}

/// The learner's progress as the sync driver sees it: in memory.
struct Progress {
    local: Mutex<LocalProgress>,
    /// Why the server refused the outbox, each time it did (it never should).
    restarts: Mutex<Vec<String>>,
}

impl Device for Progress {
    fn read<R>(&self, read: impl FnOnce(&LocalProgress) -> R) -> Option<R> {
        Some(read(&self.local.lock().unwrap()))
    }

    fn update(&self, change: impl FnOnce(&mut LocalProgress)) {
        change(&mut self.local.lock().unwrap());
    }

    fn now_millis(&self) -> u64 {
        wall_millis()
    }

    fn new_device_id(&self) -> String {
        format!("soak-restarted-{:016x}", wall_millis())
    }

    fn restarted(&self, failure: &SyncFailure) {
        self.restarts.lock().unwrap().push(failure.message());
    }
}

/// The sync API over HTTP, as the driver calls it, with the learner's cookies.
struct Http {
    client: reqwest::Client,
    address: String,
    /// Shared with the run, which checks them in the database file after the kill.
    acked: Arc<Mutex<BTreeMap<String, Entry>>>,
    state: Mutex<HttpState>,
}

/// What the transport keeps between requests: the cookies, and the figures of the report.
struct HttpState {
    cookies: BTreeMap<String, String>,
    rng: SplitMix64,
    latencies: BTreeMap<Kind, Vec<Duration>>,
    connection_failures: usize,
    server_errors: Vec<String>,
    pushes: usize,
    pulls: usize,
    /// Why the last call failed, in words (the driver only learns a `SyncFailure`).
    failure: Option<String>,
}

impl HttpState {
    fn new(rng: SplitMix64) -> Self {
        Self {
            cookies: BTreeMap::new(),
            rng,
            latencies: BTreeMap::new(),
            connection_failures: 0,
            server_errors: Vec::new(),
            pushes: 0,
            pulls: 0,
            failure: None,
        }
    }
}

impl Transport for Http {
    async fn push(&self, slug: &str, request: &PushRequest) -> Result<PushResponse, SyncFailure> {
        let body = serde_json::to_value(request).expect("a push serialises");
        let path = links::api::sync_push(slug);
        let response: PushResponse = self
            .call(Kind::Push, Method::POST, &path, Some(&body))
            .await?;
        self.state.lock().unwrap().pushes += 1;
        let mut acked = self.acked.lock().unwrap();
        for mutation in request
            .mutations
            .iter()
            .filter(|m| m.id <= response.acknowledged)
        {
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
        Ok(response)
    }

    async fn pull(&self, slug: &str, since: u64) -> Result<PullResponse, SyncFailure> {
        let path = links::api::sync_pull(slug, since);
        let response = self.call(Kind::Pull, Method::GET, &path, None).await?;
        self.state.lock().unwrap().pulls += 1;
        Ok(response)
    }
}

impl Http {
    /// A sync call as the driver sees it: a 200 with a readable body, or a failure whose
    /// reason is kept for the report ([`Self::reason`]).
    async fn call<T: DeserializeOwned>(
        &self,
        kind: Kind,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<T, SyncFailure> {
        let failed = |reason: String, failure: SyncFailure| {
            self.state.lock().unwrap().failure = Some(reason);
            failure
        };
        match self.request(kind, method, path, body).await {
            Err(reason) => Err(failed(reason, SyncFailure::Offline)),
            Ok((status, body)) if status != StatusCode::OK => {
                let message = String::from_utf8_lossy(&body).into_owned();
                let reason = format!("{}: {status} {message}", kind.name());
                let status = status.as_u16();
                Err(failed(reason, SyncFailure::Refused { status, message }))
            }
            Ok((_, body)) => serde_json::from_slice(&body).map_err(|error| {
                let message = format!("unreadable answer: {error}");
                let reason = format!("{}: {message}", kind.name());
                failed(
                    reason,
                    SyncFailure::Refused {
                        status: 200,
                        message,
                    },
                )
            }),
        }
    }

    /// Why the last call failed.
    fn reason(&self, failure: &SyncFailure) -> Failure {
        self.state
            .lock()
            .unwrap()
            .failure
            .take()
            .unwrap_or_else(|| failure.message())
    }

    /// Sends a request, retrying with backoff while the server cannot be reached or answers
    /// 5xx; returns the first other answer.
    async fn request(
        &self,
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
            {
                let state = self.state.lock().unwrap();
                if !state.cookies.is_empty() {
                    let cookie = state
                        .cookies
                        .iter()
                        .map(|(name, value)| format!("{name}={value}"))
                        .collect::<Vec<_>>()
                        .join("; ");
                    request = request.header("cookie", cookie);
                }
                if let Some(body) = body {
                    let token = state
                        .cookies
                        .get("trailmap_csrf")
                        .cloned()
                        .unwrap_or_default();
                    request = request.header("x-csrf-token", token).json(body);
                }
            }
            let sent = Instant::now();
            let answer = match request.send().await {
                Ok(response) => {
                    keep_cookies(&mut self.state.lock().unwrap().cookies, &response);
                    let status = response.status();
                    response.bytes().await.map(|body| (status, body.to_vec()))
                }
                Err(error) => Err(error),
            };
            let latency = sent.elapsed();
            let pause = {
                let mut state = self.state.lock().unwrap();
                match answer {
                    Ok((status, body)) if status.is_server_error() => {
                        state.server_errors.push(format!(
                            "{} {path}: {status} {}",
                            kind.name(),
                            String::from_utf8_lossy(&body)
                        ));
                    }
                    Ok((status, body)) => {
                        state.latencies.entry(kind).or_default().push(latency);
                        return Ok((status, body));
                    }
                    Err(error) if error.is_timeout() => {
                        return Err(format!("{} {path}: no answer in time", kind.name()));
                    }
                    Err(_) => state.connection_failures += 1,
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
                ceiling / 2 + state.rng.below(ceiling / 2 + 1)
            };
            tokio::time::sleep(Duration::from_millis(pause)).await;
        }
    }
}

fn keep_cookies(cookies: &mut BTreeMap<String, String>, response: &reqwest::Response) {
    for set in response.headers().get_all("set-cookie") {
        let Ok(set) = set.to_str() else { continue };
        let (pair, attributes) = set.split_once(';').unwrap_or((set, ""));
        let Some((name, value)) = pair.split_once('=') else {
            continue;
        };
        if attributes.contains("Max-Age=0") {
            cookies.remove(name.trim());
        } else {
            cookies.insert(name.trim().to_owned(), value.trim().to_owned());
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

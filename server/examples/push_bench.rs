//! Sync push benchmark: the real server on a fresh SQLite file (WAL, synchronous=FULL), one
//! signed-in learner, and pushes of 50 mutations each over HTTP. Prints throughput and
//! latency percentiles; never pass/fail.
//!
//!   cargo run --release -p server --example push_bench [PUSHES] [DEVICES]
//!
//! PUSHES (default 400) pushes in total, spread over DEVICES (default 4) concurrent devices.
//! Each device is the real client: it marks 50 topics in its `LocalProgress` and pushes its
//! outbox with the core's sync driver (`push_all`), over HTTP with the browser's cookies and
//! CSRF header; the latency of each push is measured inside the driver's transport.

use std::{
    path::PathBuf,
    sync::Mutex,
    time::{Duration, Instant},
};

use reqwest::Client;
use serde_json::json;
use server::{config::Config, AppState, Application};
use trailmap_core::{
    links,
    progress::{
        push_all, Device, LocalProgress, PullResponse, PushRequest, PushResponse, Status,
        SyncFailure, Transport,
    },
};

const MUTATIONS_PER_PUSH: usize = 50;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let pushes: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(400);
    let devices: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(4).max(1);

    let dir = tempfile::tempdir().expect("a temporary folder");
    let workspace = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let config = Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        roadmaps: workspace.join("roadmaps"),
        site_root: workspace.join("target/site"),
        database_url: format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        ),
        secure_cookies: false,
        public_url: None,
        embed_origins: Vec::new(),
        metrics_addr: None,
        limits: Default::default(),
    };
    let state = AppState::load(&config)
        .await
        .expect("the server state loads");
    let topics: Vec<String> = state
        .catalog
        .get("backend")
        .expect("the backend roadmap")
        .nodes
        .iter()
        .filter(|node| !node.is_stage())
        .map(|node| node.id.as_str().to_owned())
        .collect();
    let application = Application::with_state(config.addr, state)
        .await
        .expect("binds a free port");
    let address = format!("http://{}", application.local_addr());
    tokio::spawn(application.run_until_stopped());

    let (client, auth) = sign_up(&address).await;
    let per_device = pushes.div_ceil(devices);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for device in 0..devices {
        let (client, auth, address, topics) = (
            client.clone(),
            auth.clone(),
            address.clone(),
            topics.clone(),
        );
        tasks.push(tokio::spawn(async move {
            push_stream(&client, &address, &auth, device, per_device, &topics).await
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("the device task finishes"));
    }
    let elapsed = started.elapsed();
    latencies.sort();

    let total = latencies.len();
    let percentile = |p: f64| latencies[((total as f64 * p).ceil() as usize).clamp(1, total) - 1];
    println!("push benchmark: SQLite (WAL, synchronous=FULL), {MUTATIONS_PER_PUSH} mutations per push, {devices} concurrent devices");
    println!("  pushes:      {total} in {:.2} s", elapsed.as_secs_f64());
    println!(
        "  throughput:  {:.0} pushes/s, {:.0} mutations/s",
        total as f64 / elapsed.as_secs_f64(),
        (total * MUTATIONS_PER_PUSH) as f64 / elapsed.as_secs_f64()
    );
    println!(
        "  latency:     p50 {} · p90 {} · p99 {} · max {}",
        ms(percentile(0.50)),
        ms(percentile(0.90)),
        ms(percentile(0.99)),
        ms(latencies[total - 1])
    );
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

/// Creates the learner; returns a client and the `Cookie` header (session and CSRF cookie),
/// whose CSRF value is also the `X-CSRF-Token` to send.
async fn sign_up(address: &str) -> (Client, Auth) {
    let client = Client::new();
    let csrf = client
        .get(format!("{address}/api/auth/csrf"))
        .send()
        .await
        .expect("the server answers");
    let mut cookies = cookies_of(&csrf);
    let token = cookies
        .iter()
        .find(|(name, _)| name == "trailmap_csrf")
        .map(|(_, value)| value.clone())
        .expect("a CSRF cookie");
    let response = client
        .post(format!("{address}/api/auth/signup"))
        .header("X-CSRF-Token", &token)
        .header("Cookie", format!("trailmap_csrf={token}"))
        .json(&json!({ "username": "bench", "password": "a long bench password" }))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), 201, "sign-up succeeds");
    // Sign-up sets the session and renews the CSRF cookie.
    for (name, value) in cookies_of(&response) {
        cookies.retain(|(old, _)| *old != name);
        cookies.push((name, value));
    }
    let token = cookies
        .iter()
        .find(|(name, _)| name == "trailmap_csrf")
        .map(|(_, value)| value.clone())
        .expect("a CSRF cookie");
    let cookie = cookies
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("; ");
    (client, Auth { cookie, token })
}

#[derive(Clone)]
struct Auth {
    cookie: String,
    token: String,
}

fn cookies_of(response: &reqwest::Response) -> Vec<(String, String)> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .filter_map(|value| value.split(';').next()?.split_once('='))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect()
}

/// One device's progress, in memory.
struct Bench(Mutex<LocalProgress>);

impl Device for Bench {
    fn read<R>(&self, read: impl FnOnce(&LocalProgress) -> R) -> Option<R> {
        Some(read(&self.0.lock().unwrap()))
    }

    fn update(&self, change: impl FnOnce(&mut LocalProgress)) {
        change(&mut self.0.lock().unwrap());
    }

    fn now_millis(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("a clock after 1970")
            .as_millis() as u64
    }

    fn new_device_id(&self) -> String {
        unreachable!("the bench's pushes are never refused")
    }
}

/// The sync API over HTTP, timing each push.
struct Http<'a> {
    client: &'a Client,
    address: &'a str,
    auth: &'a Auth,
    latencies: Mutex<Vec<Duration>>,
}

impl Transport for Http<'_> {
    async fn push(&self, slug: &str, request: &PushRequest) -> Result<PushResponse, SyncFailure> {
        let started = Instant::now();
        let response = self
            .client
            .post(format!("{}{}", self.address, links::api::sync_push(slug)))
            .header("X-CSRF-Token", &self.auth.token)
            .header("Cookie", &self.auth.cookie)
            .json(request)
            .send()
            .await
            .expect("the server answers");
        let status = response.status().as_u16();
        let body = response.text().await.expect("an answer");
        self.latencies.lock().unwrap().push(started.elapsed());
        assert_eq!(status, 200, "push accepted: {body}");
        Ok(serde_json::from_str(&body).expect("a push answer"))
    }

    async fn pull(&self, _: &str, _: u64) -> Result<PullResponse, SyncFailure> {
        unreachable!("the bench only pushes")
    }
}

/// One device pushing `count` pushes back to back; returns each push's latency.
async fn push_stream(
    client: &Client,
    address: &str,
    auth: &Auth,
    device: usize,
    count: usize,
    topics: &[String],
) -> Vec<Duration> {
    let local = LocalProgress::new("backend", &format!("bench-device-{device:04}"));
    let bench = Bench(Mutex::new(local));
    let http = Http {
        client,
        address,
        auth,
        latencies: Mutex::new(Vec::with_capacity(count)),
    };
    let statuses = [
        Status::Done,
        Status::InProgress,
        Status::Skipped,
        Status::Pending,
    ];
    for push in 0..count {
        let now = bench.now_millis();
        bench.update(|local| {
            for i in 0..MUTATIONS_PER_PUSH {
                let n = push * MUTATIONS_PER_PUSH + i;
                local.set(&topics[n % topics.len()], statuses[n % statuses.len()], now);
            }
        });
        push_all(&bench, &http, "backend", |_| true)
            .await
            .expect("every push is accepted");
        assert!(bench.read(|local| local.outbox.is_empty()).unwrap());
    }
    http.latencies.into_inner().unwrap()
}

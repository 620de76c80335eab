//! Prometheus metrics on the separate listener (`metrics_addr`): request counts and latency by
//! route template, sync pushes and conflicts, active sessions; never on the public port.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, Browser, TestApp};

async fn metrics_app() -> TestApp {
    spawn_app_with(|config| config.metrics_addr = Some("127.0.0.1:0".parse().unwrap())).await
}

async fn scrape(app: &TestApp) -> String {
    let address = app.metrics_address.as_ref().expect("a metrics listener");
    let response = reqwest::get(format!("{address}/metrics")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    response.text().await.unwrap()
}

/// The value of one sample, by its exact name and labels; 0 when the series does not exist.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |value| value.parse().expect("a number"))
}

fn requests(route: &str, method: &str, status: u16) -> String {
    format!(
        "trailmap_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}}"
    )
}

fn latency_count(route: &str, method: &str) -> String {
    format!("trailmap_http_request_duration_seconds_count{{route=\"{route}\",method=\"{method}\"}}")
}

fn now_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

fn push(device: &str, id: u64, topic: &str, millis: u64) -> Value {
    json!({
        "device": device,
        "mutations": [{
            "id": id, "topic": topic, "status": "done",
            "stamp": { "millis": millis, "counter": 0, "device": device },
        }],
    })
}

#[tokio::test]
async fn metrics_count_requests_sync_conflicts_and_sessions() {
    // Arrange
    let app = metrics_app().await;
    let before = scrape(&app).await;
    assert_eq!(sample(&before, "trailmap_active_sessions"), 0.0);
    const LIST: &str = "/api/roadmaps";
    const SHOW: &str = "/api/roadmaps/{slug}";
    const PUSH: &str = "/api/sync/{slug}/push";

    // Act
    for _ in 0..2 {
        assert_eq!(app.get("/api/roadmaps").await.status(), 200);
    }
    assert_eq!(app.get("/api/roadmaps/not-a-roadmap").await.status(), 404);
    let mut alice: Browser = app.browser().signed_up("alice").await;
    let _bob: Browser = app.browser().signed_up("bob").await;
    let now = now_millis();
    // Laptop marks `dns` later than the phone, which pushes its older edit afterwards: the
    // phone's mutation loses last writer wins. Then the phone skips an id: a 409 gap.
    let laptop = alice
        .push("backend", &push("laptop-01", 1, "dns", now))
        .await;
    assert_eq!(laptop.status(), 200);
    let phone = alice
        .push("backend", &push("phone-001", 1, "dns", now - 60_000))
        .await;
    assert_eq!(phone.status(), 200);
    let gap = alice
        .push("backend", &push("phone-001", 5, "dns", now))
        .await;
    assert_eq!(gap.status(), 409);
    let text = scrape(&app).await;

    // Assert
    assert_eq!(sample(&text, &requests(LIST, "GET", 200)), 2.0);
    assert_eq!(sample(&text, &requests(SHOW, "GET", 404)), 1.0);
    assert_eq!(sample(&text, &requests(PUSH, "POST", 200)), 2.0);
    assert_eq!(sample(&text, &requests(PUSH, "POST", 409)), 1.0);
    assert_eq!(
        sample(&text, &requests("/api/auth/signup", "POST", 201)),
        2.0
    );
    assert_eq!(sample(&text, &latency_count(LIST, "GET")), 2.0);
    assert_eq!(sample(&text, &latency_count(PUSH, "POST")), 3.0);
    let inf = format!(
        "trailmap_http_request_duration_seconds_bucket{{route=\"{PUSH}\",method=\"POST\",le=\"+Inf\"}}"
    );
    assert_eq!(sample(&text, &inf), 3.0);
    assert!(
        !text.contains("not-a-roadmap") && !text.contains("/api/roadmaps/backend"),
        "raw paths must never become labels"
    );
    assert_eq!(sample(&text, "trailmap_sync_pushes_total"), 2.0);
    assert_eq!(sample(&text, "trailmap_sync_mutations_applied_total"), 1.0);
    assert_eq!(
        sample(&text, "trailmap_sync_conflicts_total{kind=\"superseded\"}"),
        1.0
    );
    assert_eq!(
        sample(&text, "trailmap_sync_conflicts_total{kind=\"gap\"}"),
        1.0
    );
    assert_eq!(sample(&text, "trailmap_active_sessions"), 2.0);

    // Signing out ends a session: the gauge follows the session store.
    let token = alice.csrf_token().await;
    let request = alice
        .request(reqwest::Method::POST, "/api/auth/signout")
        .header("x-csrf-token", token);
    assert_eq!(alice.send(request).await.status(), 204);
    let after = scrape(&app).await;
    assert_eq!(sample(&after, "trailmap_active_sessions"), 1.0);
}

#[tokio::test]
async fn metrics_are_never_on_the_public_port() {
    let without = spawn_app().await;
    assert!(without.metrics_address.is_none());
    assert_eq!(without.get("/metrics").await.status(), 404);

    let with = metrics_app().await;
    assert_eq!(with.get("/metrics").await.status(), 404);
    assert_eq!(with.get("/api/metrics").await.status(), 404);
    // The metrics listener answers `/metrics` only.
    let address = with.metrics_address.as_ref().unwrap();
    let other = reqwest::get(format!("{address}/api/roadmaps"))
        .await
        .unwrap();
    assert_eq!(other.status(), 404);
    assert!(scrape(&with)
        .await
        .contains("# TYPE trailmap_http_requests_total counter"));
}

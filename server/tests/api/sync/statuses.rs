//! Statuses through the sync API: pushing, pulling, cursors, sessions and refusals (the rules
//! every kind of register shares are in `registers`).

use reqwest::Method;
use serde_json::{json, Value};

use super::{now_millis, signed_in, Kind, DEVICE};
use crate::helpers::{error_of, spawn_app, Browser};

fn mutation(id: u64, topic: &str, status: &str, millis: u64) -> Value {
    super::status(id, topic, status, millis)
}

fn push_body(mutations: Vec<Value>) -> Value {
    super::push_body(DEVICE, mutations)
}

/// topic → status of everything the server holds for the backend roadmap.
async fn server_state(browser: &mut Browser) -> Vec<(String, String)> {
    Kind::Status.server_state(browser).await
}

#[tokio::test]
async fn push_applies_and_pull_returns_the_entries() {
    let (_app, mut browser) = signed_in().await;
    let now = now_millis();

    let response = browser
        .push(
            "backend",
            &push_body(vec![
                mutation(1, "dns", "done", now),
                mutation(2, "postgresql", "in_progress", now + 1),
            ]),
        )
        .await;

    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let ack: Value = response.json().await.unwrap();
    assert_eq!(ack["acknowledged"], 2);
    assert_eq!(ack["cursor"], 2);
    let pulled = browser.pull("backend", 0).await;
    assert_eq!(pulled["cursor"], 2);
    let entries = pulled["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["topic"], "dns");
    assert_eq!(entries[0]["stamp"]["millis"], now);
    assert_eq!(entries[0]["stamp"]["device"], DEVICE);
    let later = browser.pull("backend", 1).await;
    assert_eq!(later["entries"].as_array().unwrap().len(), 1);
    assert_eq!(later["entries"][0]["topic"], "postgresql");
    assert!(browser.pull("backend", 2).await["entries"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn sync_needs_a_session() {
    let app = spawn_app().await;
    let mut browser = app.browser();

    let push = browser
        .push("backend", &push_body(vec![mutation(1, "dns", "done", 1)]))
        .await;
    let pull = browser.get("/api/sync/backend/pull?since=0").await;

    error_of(push, 401, "unauthorized").await;
    error_of(pull, 401, "unauthorized").await;
}

#[tokio::test]
async fn a_retry_overlapping_new_mutations_applies_only_the_new_ones() {
    let (_app, mut browser) = signed_in().await;
    let now = now_millis();
    browser
        .push("backend", &push_body(vec![mutation(1, "dns", "done", now)]))
        .await;

    let response = browser
        .push(
            "backend",
            &push_body(vec![
                mutation(1, "dns", "done", now),
                mutation(2, "http-methods", "in_progress", now + 1),
            ]),
        )
        .await;

    let ack: Value = response.json().await.unwrap();
    assert_eq!(ack["acknowledged"], 2);
    let topics: Vec<&str> = ack["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["topic"].as_str().unwrap())
        .collect();
    assert_eq!(topics, ["dns", "http-methods"], "every topic named, once");
    assert_eq!(server_state(&mut browser).await.len(), 2);
}

#[tokio::test]
async fn devices_have_separate_id_sequences() {
    let (_app, mut browser) = signed_in().await;
    let now = now_millis();
    browser
        .push("backend", &push_body(vec![mutation(1, "dns", "done", now)]))
        .await;

    let other = json!({ "device": "device-b2", "mutations": [{
        "id": 1, "topic": "postgresql", "status": "done",
        "stamp": { "millis": now, "counter": 0, "device": "device-b2" } }] });
    let response = browser.push("backend", &other).await;

    assert_eq!(response.status(), 200);
    assert_eq!(server_state(&mut browser).await.len(), 2);
}

#[tokio::test]
async fn bad_pushes_are_refused_and_store_nothing() {
    let (_app, mut browser) = signed_in().await;
    let now = now_millis();
    let good = mutation(1, "dns", "done", now);
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (
            "unknown topic",
            push_body(vec![
                good.clone(),
                mutation(2, "no-such-topic", "done", now),
            ]),
            422,
            "unprocessable",
        ),
        (
            "bad status",
            push_body(vec![
                good.clone(),
                mutation(2, "http-methods", "finished", now),
            ]),
            400,
            "bad_request",
        ),
        (
            "wrong types",
            json!({ "device": DEVICE, "mutations": [good.clone(), {"id": "two"}] }),
            400,
            "bad_request",
        ),
        (
            "invalid device id",
            json!({ "device": "x", "mutations": [] }),
            400,
            "bad_request",
        ),
        (
            "clock a day ahead",
            push_body(vec![
                good.clone(),
                mutation(2, "http-methods", "done", now + 25 * 60 * 60 * 1000),
            ]),
            400,
            "bad_request",
        ),
        (
            "ids out of order",
            push_body(vec![good.clone(), mutation(3, "http-methods", "done", now)]),
            400,
            "bad_request",
        ),
        (
            "id zero",
            push_body(vec![mutation(0, "http-methods", "done", now)]),
            400,
            "bad_request",
        ),
        (
            "too many mutations",
            push_body(
                (1..=501)
                    .map(|id| {
                        json!({"id": id, "topic": "dns", "status": "done",
                        "stamp": {"millis": now, "counter": id, "device": DEVICE}})
                    })
                    .collect(),
            ),
            413,
            "payload_too_large",
        ),
    ];

    for (case, body, status, code) in cases {
        let response = browser.push("backend", &body).await;
        assert_eq!(response.status(), status, "{case}");
        error_of(response, status, code).await;
        assert!(server_state(&mut browser).await.is_empty(), "{case}");
    }
}

#[tokio::test]
async fn unknown_roadmap_is_a_404_and_stores_nothing() {
    let (_app, mut browser) = signed_in().await;

    let response = browser
        .push(
            "nope",
            &push_body(vec![mutation(1, "dns", "done", now_millis())]),
        )
        .await;

    error_of(response, 404, "not_found").await;
    error_of(
        browser.get("/api/sync/nope/pull?since=0").await,
        404,
        "not_found",
    )
    .await;
    assert!(server_state(&mut browser).await.is_empty());
}

#[tokio::test]
async fn malformed_json_and_oversize_bodies_are_json_errors() {
    let (_app, mut browser) = signed_in().await;
    let token = browser.csrf_token().await;
    let malformed = browser
        .request(Method::POST, "/api/sync/backend/push")
        .header("x-csrf-token", &token)
        .header("content-type", "application/json")
        .body("{\"device\": ");
    error_of(browser.send(malformed).await, 400, "bad_request").await;

    let huge = format!(
        "{{\"device\":\"{DEVICE}\",\"mutations\":[],\"pad\":\"{}\"}}",
        "x".repeat(70 * 1024)
    );
    let oversize = browser
        .request(Method::POST, "/api/sync/backend/push")
        .header("x-csrf-token", &token)
        .header("content-type", "application/json")
        .body(huge);
    error_of(browser.send(oversize).await, 413, "payload_too_large").await;

    let not_json = browser
        .request(Method::POST, "/api/sync/backend/push")
        .header("x-csrf-token", &token)
        .header("content-type", "text/plain")
        .body("{}");
    error_of(browser.send(not_json).await, 415, "unsupported_media_type").await;
    assert!(server_state(&mut browser).await.is_empty());
}

#[tokio::test]
async fn a_bad_cursor_is_a_400() {
    let (_app, mut browser) = signed_in().await;

    for query in ["since=abc", "since=-1", "since="] {
        let response = browser
            .get(&format!("/api/sync/backend/pull?{query}"))
            .await;
        error_of(response, 400, "bad_request").await;
    }
}

#[tokio::test]
async fn users_do_not_see_each_others_progress() {
    let (app, mut alice) = signed_in().await;
    alice
        .push(
            "backend",
            &push_body(vec![mutation(1, "dns", "done", now_millis())]),
        )
        .await;

    let mut bob = app.browser().signed_up("bob").await;

    assert!(server_state(&mut bob).await.is_empty());
}

#[tokio::test]
async fn progress_and_sessions_survive_a_restart() {
    let (app, mut browser) = signed_in().await;
    browser
        .push(
            "backend",
            &push_body(vec![mutation(1, "dns", "done", now_millis())]),
        )
        .await;

    let restarted = app.restart().await;
    let mut same_browser = restarted.browser();
    same_browser.cookies = browser.cookies.clone();

    assert_eq!(same_browser.get("/api/auth/me").await.status(), 200);
    assert_eq!(
        server_state(&mut same_browser).await,
        [("dns".into(), "done".into())]
    );
    let mut fresh = restarted.browser();
    assert_eq!(
        fresh
            .signin("alice", crate::helpers::PASSWORD)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn a_cursor_from_the_future_gets_everything() {
    let (_app, mut browser) = signed_in().await;
    browser
        .push(
            "backend",
            &push_body(vec![mutation(1, "dns", "done", now_millis())]),
        )
        .await;

    let pulled = browser.pull("backend", 1_000).await;

    assert_eq!(pulled["cursor"], 1);
    assert_eq!(pulled["entries"].as_array().unwrap().len(), 1);
}

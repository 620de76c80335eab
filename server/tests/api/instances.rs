//! Several server instances on one database, as behind a load balancer: the limits are the
//! database's, not each process's, and the client address is the one a trusted proxy names.
//! (Run on PostgreSQL too by `.ci/test`; two in-process instances on one SQLite file stand in
//! for the rest.)

use reqwest::{Method, Response};
use serde_json::json;
use server::AppState;

use crate::helpers::{
    error_of, fresh_database_url, spawn_app, spawn_app_with, test_config, Browser, TestApp,
    PASSWORD,
};

/// A sign-in sent with `X-Forwarded-For: forwarded_for`, as a proxy in front would add it.
async fn signin_via(
    browser: &mut Browser,
    forwarded_for: &str,
    username: &str,
    password: &str,
) -> Response {
    let token = browser.csrf_token().await;
    let request = browser
        .request(Method::POST, "/api/auth/signin")
        .header("x-csrf-token", token)
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({ "username": username, "password": password }));
    browser.send(request).await
}

/// The same browser (cookies and all) talking to `app`.
fn on(app: &TestApp, browser: &Browser) -> Browser {
    Browser {
        address: app.address.clone(),
        client: browser.client.clone(),
        cookies: browser.cookies.clone(),
    }
}

#[tokio::test]
async fn six_wrong_guesses_spread_over_two_instances_get_a_429_on_the_sixth() {
    let a = spawn_app().await;
    let b = a.restart().await;
    a.browser().signed_up("alice").await;
    let mut on_a = a.browser();

    for n in 0..5 {
        let mut browser = if n % 2 == 0 {
            on(&a, &on_a)
        } else {
            on(&b, &on_a)
        };
        let response = browser.signin("alice", "not the password").await;
        error_of(response, 401, "invalid_credentials").await;
    }

    let mut on_b = on(&b, &on_a);
    error_of(
        on_b.signin("alice", "not the password").await,
        429,
        "rate_limited",
    )
    .await;
    error_of(on_a.signin("alice", PASSWORD).await, 429, "rate_limited").await;
}

#[tokio::test]
async fn a_lock_holds_on_both_instances_after_either_restarts() {
    let a = spawn_app().await;
    let b = a.restart().await;
    a.browser().signed_up("alice").await;
    let mut browser = a.browser();
    for _ in 0..5 {
        browser.signin("alice", "not the password").await;
    }

    // A fresh process on the same database (as after a restart of `a`, then of `b`).
    let a_again = a.restart().await;
    let b_again = b.restart().await;

    for app in [&a_again, &b, &b_again, &a] {
        let mut browser = on(app, &browser);
        error_of(browser.signin("alice", PASSWORD).await, 429, "rate_limited").await;
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_one_clients_failures_do_not_lock_out_another() {
    let app = spawn_app_with(|config| {
        config.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await;
    app.browser().signed_up("alice").await;
    let mut browser = app.browser();
    for n in 0..20 {
        let response = signin_via(&mut browser, "203.0.113.1", &format!("nobody-{n}"), "x").await;
        error_of(response, 401, "invalid_credentials").await;
    }

    let same_client = signin_via(&mut browser, "203.0.113.1", "nobody-20", "x").await;
    let other_client = signin_via(&mut browser, "203.0.113.2", "nobody-21", "x").await;
    let alice = signin_via(&mut browser, "198.51.100.7", "alice", PASSWORD).await;

    error_of(same_client, 429, "rate_limited").await;
    error_of(other_client, 401, "invalid_credentials").await;
    assert_eq!(alice.status(), 200);
}

#[tokio::test]
async fn an_untrusted_peers_forwarded_for_is_ignored() {
    let app = spawn_app_with(|config| {
        config.trusted_proxies = vec!["10.9.9.9".parse().unwrap()];
    })
    .await;
    let mut browser = app.browser();
    // A client that makes up a new address for every attempt still counts as itself.
    for n in 0..20 {
        let made_up = format!("203.0.113.{n}");
        let response = signin_via(&mut browser, &made_up, &format!("nobody-{n}"), "x").await;
        error_of(response, 401, "invalid_credentials").await;
    }

    let response = signin_via(&mut browser, "198.51.100.99", "nobody-20", "x").await;

    error_of(response, 429, "rate_limited").await;
}

#[tokio::test]
async fn two_instances_starting_together_on_an_empty_database_both_come_up() {
    let dir = tempfile::TempDir::new().unwrap();
    let config = test_config(fresh_database_url(&dir.path().join("db")).await);

    let (first, second) = tokio::join!(AppState::load(&config), AppState::load(&config));

    let (first, second) = (first.expect("first starts"), second.expect("second starts"));
    let created = server::store::users::create(
        &first.db,
        &server::accounts::Username::parse("alice").unwrap(),
        "hash",
        0,
    )
    .await
    .unwrap();
    assert!(created.is_some());
    let found = server::store::users::find(
        &second.db,
        &server::accounts::Username::parse("alice").unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(found.map(|user| user.id), created);
}

#[tokio::test]
async fn one_devices_pushes_reaching_both_instances_at_once_apply_exactly_once_without_gaps() {
    let a = spawn_app().await;
    let b = a.restart().await;
    let alice = a.browser().signed_up("alice").await;
    let topics = ["dns", "http", "docker", "postgresql"];
    let statuses = ["done", "skipped", "in_progress"];
    let now = 1_700_000_000_000u64;
    // Mutation `id` of one device: topics in turn, each topic's status changing every time.
    let mutation = |id: u64| {
        json!({ "id": id, "topic": topics[id as usize % 4],
            "status": statuses[(id as usize / 4) % 3],
            "stamp": { "millis": now + id, "counter": 0, "device": "laptop-01" } })
    };
    let batch = |ids: std::ops::RangeInclusive<u64>| json!({ "device": "laptop-01", "mutations": ids.map(mutation).collect::<Vec<_>>() });

    // The same outbox pushed to both instances at once, several times over (a retrying client
    // behind a round-robin balancer), then a longer one overlapping it, again to both.
    for body in [batch(1..=20), batch(1..=40)] {
        let mut sends = tokio::task::JoinSet::new();
        for n in 0..6 {
            let mut browser = on(if n % 2 == 0 { &a } else { &b }, &alice);
            let body = body.clone();
            sends.spawn(async move {
                let response = browser.push("backend", &body).await;
                assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
                response.json::<serde_json::Value>().await.unwrap()["acknowledged"].clone()
            });
        }
        let last = body["mutations"].as_array().unwrap().len();
        while let Some(acknowledged) = sends.join_next().await {
            assert_eq!(
                acknowledged.unwrap(),
                last,
                "every answer acknowledges the whole push"
            );
        }
    }

    let mut reader = on(&b, &alice);
    let pulled = reader.pull("backend", 0).await;
    // A push takes one sequence number per row it changes: 4 topics for ids 1–20 and 4 for
    // 21–40, each range applied by one of the concurrent pushes and skipped by the others.
    assert_eq!(pulled["cursor"], 8);
    for (i, topic) in topics.iter().enumerate() {
        let last_id = (37..=40).find(|id| *id as usize % 4 == i).unwrap();
        let entry = pulled["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|entry| entry["topic"] == *topic)
            .unwrap();
        assert_eq!(
            entry["status"],
            statuses[(last_id as usize / 4) % 3],
            "{topic}"
        );
    }
    // Gap-free: skipping id 41 is refused on either instance, 41 itself is taken.
    let mut on_a = on(&a, &alice);
    error_of(on_a.push("backend", &batch(42..=42)).await, 409, "gap").await;
    assert_eq!(reader.push("backend", &batch(41..=41)).await.status(), 200);
}

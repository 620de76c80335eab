//! Shared progress (issue 18): `/api/shares/{slug}` for the owner, and what a link opens
//! (`/api/shared/{token}`, the page `/roadmaps/{slug}/shared/{token}` and its badge) for anyone.

use std::time::Instant;

use reqwest::{Method, Response};
use serde_json::{json, Value};

use crate::{
    helpers::{error_of, spawn_app, Browser, TestApp},
    sync::{note, push, signed_in, status, DEVICE},
};

/// Sends a share change the way the front end does (cookies and the CSRF header).
async fn change(
    browser: &mut Browser,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Response {
    let token = browser.csrf_token().await;
    let mut request = browser.request(method, path).header("x-csrf-token", token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    browser.send(request).await
}

/// Turns sharing of the backend roadmap on and returns the answer's link.
async fn share(browser: &mut Browser, body: Value) -> Value {
    let response = change(browser, Method::PUT, "/api/shares/backend", Some(body)).await;
    assert_eq!(response.status(), 201);
    let state: Value = response.json().await.unwrap();
    assert_eq!(state["enabled"], true);
    state["link"].clone()
}

/// What a link opens, read by a stranger (no cookies).
async fn read_shared(app: &TestApp, token: &str) -> Response {
    app.get(&format!("/api/shared/{token}")).await
}

fn statuses(body: &Value) -> Vec<(String, String)> {
    body["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["topic"].as_str().unwrap().into(),
                s["status"].as_str().unwrap().into(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_shared_link_shows_exactly_the_stored_statuses_and_no_notes_unless_included() {
    let (app, mut alice) = signed_in().await;
    let now = crate::sync::now_millis();
    let response = push(
        &mut alice,
        DEVICE,
        vec![
            status(1, "http", "done", now),
            status(2, "dns", "in_progress", now + 1),
            status(3, "postgresql", "skipped", now + 2),
            note(4, "http", "my secret note", now + 3, DEVICE),
        ],
    )
    .await;
    assert_eq!(response.status(), 200);

    let link = share(&mut alice, json!({"display_name": "Sam"})).await;
    let token = link["token"].as_str().unwrap();
    assert_eq!(token.len(), 32, "128 bits in hex");
    assert_eq!(link["page"], format!("/roadmaps/backend/shared/{token}"));

    let body: Value = read_shared(&app, token).await.json().await.unwrap();
    assert_eq!(
        statuses(&body),
        [
            ("dns".to_owned(), "in_progress".to_owned()),
            ("http".into(), "done".into()),
            ("postgresql".into(), "skipped".into()),
        ]
    );
    assert_eq!(body["display_name"], "Sam");
    assert_eq!(body["counts"]["done"], 1);
    assert_eq!(body["counts"]["skipped"], 1);
    assert!(body["notes"].is_null(), "{body}");

    let page = app.get(&link["page"].as_str().unwrap()).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Progress shared by <strong>Sam</strong>"));
    assert!(
        !html.contains("alice"),
        "the username is not shown by default"
    );
    assert!(!html.contains("my secret note"));
    assert!(html.contains("Start this roadmap yourself"));
    assert!(html.contains(r#"data-topic="http" data-status="done""#));
    assert!(html.contains(r#"data-topic="dns" data-status="in_progress""#));
    assert!(!html.contains("<form") && !html.contains("<button") && !html.contains("<script"));

    // Including notes: same link, notes now show.
    let response = change(
        &mut alice,
        Method::PUT,
        "/api/shares/backend",
        Some(json!({"display_name": "Sam", "include_notes": true})),
    )
    .await;
    assert_eq!(response.status(), 200, "settings changed, link kept");
    let state: Value = response.json().await.unwrap();
    assert!(
        state["link"].is_null(),
        "the link is only in the answer that made it"
    );
    let body: Value = read_shared(&app, token).await.json().await.unwrap();
    assert_eq!(
        body["notes"],
        json!([{"topic": "http", "text": "my secret note"}])
    );
    let html = app
        .get(&link["page"].as_str().unwrap())
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("my secret note"));
}

#[tokio::test]
async fn the_shared_page_follows_new_marks() {
    let (app, mut alice) = signed_in().await;
    let link = share(&mut alice, json!({})).await;
    let page = link["page"].as_str().unwrap();
    let before = app.get(page).await.text().await.unwrap();
    assert!(before.contains(r#"data-topic="http" data-status="pending""#));
    assert!(before.contains("A Trailmap learner"), "the default name");
    // One picture, light by its attributes, repainted when the reader prefers dark.
    assert_eq!(before.matches("<svg ").count(), 1);
    assert!(before.contains(r##"class="bg" fill="#f7f8fa""##));
    assert!(before.contains("@media (prefers-color-scheme:dark){.map svg .bg{fill:#12161c;}"));

    let now = crate::sync::now_millis();
    push(&mut alice, DEVICE, vec![status(1, "http", "done", now)]).await;

    let after = app.get(page).await.text().await.unwrap();
    assert!(after.contains(r#"data-topic="http" data-status="done""#));
}

#[tokio::test]
async fn regenerating_kills_the_old_link_and_turning_off_answers_404_at_once() {
    let (app, mut alice) = signed_in().await;
    let old = share(&mut alice, json!({"display_name": "Sam"})).await;
    let old_token = old["token"].as_str().unwrap();

    let response = change(
        &mut alice,
        Method::POST,
        "/api/shares/backend/regenerate",
        None,
    )
    .await;
    assert_eq!(response.status(), 200);
    let new: Value = response.json().await.unwrap();
    let new_token = new["link"]["token"].as_str().unwrap().to_owned();
    assert_ne!(new_token, old_token);

    error_of(read_shared(&app, old_token).await, 404, "not_found").await;
    assert_eq!(app.get(old["page"].as_str().unwrap()).await.status(), 404);
    assert_eq!(app.get(old["badge"].as_str().unwrap()).await.status(), 404);
    assert_eq!(read_shared(&app, &new_token).await.status(), 200);

    let response = change(&mut alice, Method::DELETE, "/api/shares/backend", None).await;
    assert_eq!(response.status(), 204);
    error_of(read_shared(&app, &new_token).await, 404, "not_found").await;
    assert_eq!(
        app.get(&format!("/roadmaps/backend/shared/{new_token}"))
            .await
            .status(),
        404
    );
    let state: Value = alice.get("/api/shares/backend").await.json().await.unwrap();
    assert_eq!(state["enabled"], false);
    let response = change(
        &mut alice,
        Method::POST,
        "/api/shares/backend/regenerate",
        None,
    )
    .await;
    error_of(response, 404, "not_found").await;
}

#[tokio::test]
async fn another_learners_token_never_shows_this_learners_data() {
    let (app, mut alice) = signed_in().await;
    let mut bob = app.browser().signed_up("bob").await;
    let now = crate::sync::now_millis();
    push(&mut alice, DEVICE, vec![status(1, "http", "done", now)]).await;
    push(&mut bob, DEVICE, vec![status(1, "dns", "skipped", now)]).await;

    let alices = share(&mut alice, json!({"display_name": "Alice A."})).await;
    let bobs = share(&mut bob, json!({"display_name": "Bob B."})).await;

    let body: Value = read_shared(&app, bobs["token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(statuses(&body), [("dns".to_owned(), "skipped".to_owned())]);
    assert_eq!(body["display_name"], "Bob B.");
    let body: Value = read_shared(&app, alices["token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(statuses(&body), [("http".to_owned(), "done".to_owned())]);

    // Bob's session does not change what Alice's link shows, nor does Bob's token open a
    // page under another roadmap's address.
    let page = bob
        .get(alices["page"].as_str().unwrap())
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Alice A.") && !page.contains("Bob B."));
    let wrong_roadmap = format!(
        "/roadmaps/frontend/shared/{}",
        bobs["token"].as_str().unwrap()
    );
    assert_eq!(app.get(&wrong_roadmap).await.status(), 404);
}

#[tokio::test]
async fn shared_pages_and_badges_set_no_cookies_read_none_and_send_noindex() {
    let (app, mut alice) = signed_in().await;
    let link = share(&mut alice, json!({"display_name": "Sam"})).await;

    for path in [
        link["page"].as_str().unwrap().to_owned(),
        link["badge"].as_str().unwrap().to_owned(),
        format!("/api/shared/{}", link["token"].as_str().unwrap()),
    ] {
        // The owner's own browser, cookies and all: nothing is set, nothing differs.
        let response = alice.get(&path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert!(response.headers().get("set-cookie").is_none(), "{path}");
        let cache = response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            cache.contains("no-store") || cache.contains("max-age=60"),
            "{path}: {cache}"
        );
        let with_cookies = response.bytes().await.unwrap();
        let stranger = app.get(&path).await;
        assert!(stranger.headers().get("set-cookie").is_none(), "{path}");
        if !path.starts_with("/api/") {
            assert_eq!(
                stranger.headers()["x-robots-tag"],
                "noindex, nofollow",
                "{path}"
            );
        }
        assert_eq!(
            stranger.bytes().await.unwrap(),
            with_cookies,
            "{path}: cookies read"
        );
    }
    let page = app.get(link["page"].as_str().unwrap()).await;
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("script-src"));
    assert!(page
        .text()
        .await
        .unwrap()
        .contains(r#"<meta name="robots" content="noindex, nofollow">"#));
    assert!(app
        .get(link["page"].as_str().unwrap())
        .await
        .headers()
        .get("x-page-cache")
        .is_none());
}

#[tokio::test]
async fn the_badge_says_title_percent_and_counts_with_an_etag_and_a_short_lifetime() {
    let (app, mut alice) = signed_in().await;
    let now = crate::sync::now_millis();
    push(
        &mut alice,
        DEVICE,
        vec![
            status(1, "http", "done", now),
            status(2, "dns", "skipped", now + 1),
        ],
    )
    .await;
    let link = share(&mut alice, json!({})).await;
    let badge = link["badge"].as_str().unwrap();

    let response = app.get(badge).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "image/svg+xml; charset=utf-8"
    );
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=60, must-revalidate"
    );
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let svg = response.text().await.unwrap();
    let document = roxmltree::Document::parse(&svg).expect("well-formed SVG");
    let texts: Vec<&str> = document
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(texts[0], "Backend Developer");
    let total = texts[1]
        .rsplit(' ')
        .next()
        .unwrap()
        .parse::<usize>()
        .unwrap();
    assert_eq!(texts[1], format!("{} % · 2 of {total}", 200 / total));

    let again = app.get_with(badge, "if-none-match", &etag).await;
    assert_eq!(again.status(), 304);
    push(
        &mut alice,
        DEVICE,
        vec![status(3, "postgresql", "done", now + 2)],
    )
    .await;
    let changed = app.get_with(badge, "if-none-match", &etag).await;
    assert_eq!(changed.status(), 200, "a new mark is a new badge");
}

#[tokio::test]
async fn wrong_short_and_malformed_tokens_are_404_after_the_same_work() {
    let (app, mut alice) = signed_in().await;
    let link = share(&mut alice, json!({})).await;
    let token = link["token"].as_str().unwrap().to_owned();
    let mut wrong = token.clone().into_bytes();
    wrong[31] = if wrong[31] == b'0' { b'1' } else { b'0' };
    let wrong = String::from_utf8(wrong).unwrap();
    let cases = [
        ("wrong", wrong),
        ("short", token[..31].to_owned()),
        ("prefix", token[..8].to_owned()),
        ("upper case", token.to_uppercase()),
        ("malformed", "%E2%98%83'--%20OR%201=1".to_owned()),
        ("long", "a".repeat(2000)),
    ];
    for (what, candidate) in &cases {
        error_of(read_shared(&app, candidate).await, 404, "not_found").await;
        let page = app
            .get(&format!("/roadmaps/backend/shared/{candidate}"))
            .await;
        assert_eq!(page.status(), 404, "{what}");
        assert!(
            !page.text().await.unwrap().contains("Progress shared by"),
            "{what}"
        );
        let badge = app
            .get(&format!("/roadmaps/backend/shared/{candidate}/badge.svg"))
            .await;
        assert_eq!(badge.status(), 404, "{what}");
    }
    // Figures, not assertions (tests never assert on time): every token goes through one hash
    // and one primary-key lookup (`store::shares::find`), whatever its shape.
    for (what, candidate) in &cases {
        let started = Instant::now();
        for _ in 0..20 {
            read_shared(&app, candidate).await;
        }
        println!("{what:>10}: {:?} per 404", started.elapsed() / 20);
    }
}

#[tokio::test]
async fn share_changes_need_a_session_and_the_csrf_token_and_are_rate_limited() {
    let app = spawn_app().await;
    let mut guest = app.browser();
    let response = change(
        &mut guest,
        Method::PUT,
        "/api/shares/backend",
        Some(json!({})),
    )
    .await;
    error_of(response, 401, "unauthorized").await;
    error_of(guest.get("/api/shares/backend").await, 401, "unauthorized").await;

    let mut alice = app.browser().signed_up("alice").await;
    let request = alice
        .request(Method::PUT, "/api/shares/backend")
        .json(&json!({}));
    error_of(alice.send(request).await, 403, "csrf").await;
    let request = alice.request(Method::DELETE, "/api/shares/backend");
    error_of(alice.send(request).await, 403, "csrf").await;
    let response = change(&mut alice, Method::PUT, "/api/shares/nope", Some(json!({}))).await;
    error_of(response, 404, "not_found").await;
    let response = change(
        &mut alice,
        Method::PUT,
        "/api/shares/backend",
        Some(json!({"display_name": "x".repeat(41)})),
    )
    .await;
    error_of(response, 400, "bad_request").await;
    let state: Value = alice.get("/api/shares/backend").await.json().await.unwrap();
    assert_eq!(state["enabled"], false, "refused changes change nothing");

    // Refused requests (401, 403, 404, 400) counted nothing: 30 changes an hour remain.
    for _ in 0..30 {
        let response = change(&mut alice, Method::DELETE, "/api/shares/backend", None).await;
        assert_eq!(response.status(), 204);
    }
    let response = change(
        &mut alice,
        Method::PUT,
        "/api/shares/backend",
        Some(json!({})),
    )
    .await;
    assert!(response.headers().contains_key("retry-after"));
    error_of(response, 429, "rate_limited").await;
}

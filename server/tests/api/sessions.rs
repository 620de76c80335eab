//! Sessions are stored hashed; CSRF tokens are signed for the session; over HTTPS the cookies
//! carry the `__Host-` prefix and HSTS is sent.

use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::helpers::{error_of, spawn_app, spawn_app_with, TestApp, PASSWORD};

async fn stored_session_ids(app: &TestApp) -> Vec<String> {
    sqlx::any::install_default_drivers();
    let db = sqlx::AnyPool::connect(&app.config.database_url)
        .await
        .unwrap();
    sqlx::query("SELECT id_hash FROM sessions")
        .fetch_all(&db)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get::<String, _>("id_hash"))
        .collect()
}

#[tokio::test]
async fn the_database_holds_a_hash_of_the_session_token_not_the_token() {
    let app = spawn_app().await;
    let browser = app.browser().signed_up("alice").await;
    let token = browser.cookies["trailmap_session"].clone();

    let stored = stored_session_ids(&app).await;

    let hash: String = Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    assert_eq!(stored, [hash]);
    assert!(!stored.contains(&token));
}

#[tokio::test]
async fn a_csrf_token_works_only_with_the_session_it_was_made_for() {
    let app = spawn_app().await;
    let mut alice = app.browser().signed_up("alice").await;
    let alices_token = alice.cookies["trailmap_csrf"].clone();
    let mut bob = app.browser().signed_up("bob").await;
    let push = json!({ "device": "device-b1", "mutations": [] });

    // Bob's browser with Alice's token planted in it (cookie and header alike).
    bob.cookies
        .insert("trailmap_csrf".into(), alices_token.clone());
    let request = bob
        .request(Method::POST, "/api/sync/backend/push")
        .header("x-csrf-token", &alices_token)
        .json(&push);
    error_of(bob.send(request).await, 403, "csrf").await;

    // A guest's token does not carry over into a session either.
    let mut guest = app.browser();
    let guest_token = guest.csrf_token().await;
    alice
        .cookies
        .insert("trailmap_csrf".into(), guest_token.clone());
    let request = alice
        .request(Method::POST, "/api/sync/backend/push")
        .header("x-csrf-token", &guest_token)
        .json(&push);
    error_of(alice.send(request).await, 403, "csrf").await;

    // Asking again gives Alice a token for her session, which works.
    let fresh: Value = alice.get("/api/auth/csrf").await.json().await.unwrap();
    assert_ne!(fresh["token"], guest_token.as_str());
    assert_eq!(alice.push("backend", &push).await.status(), 200);
}

#[tokio::test]
async fn signing_out_hands_the_browser_a_guests_token() {
    let app = spawn_app().await;
    let mut browser = app.browser().signed_up("alice").await;
    let session_token = browser.cookies["trailmap_csrf"].clone();

    let response = browser.post_json("/api/auth/signout", &json!({})).await;

    assert_eq!(response.status(), 204);
    let guest_token = browser.cookies["trailmap_csrf"].clone();
    assert_ne!(guest_token, session_token);
    // The browser signs in again with the token it was just given.
    assert_eq!(browser.signin("alice", PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn over_https_cookies_have_the_host_prefix_and_plain_names_are_ignored() {
    let app = spawn_app_with(|config| config.secure_cookies = true).await;
    let mut browser = app.browser();

    let response = browser.signup("alice", PASSWORD).await;

    assert_eq!(response.status(), 201);
    let set_cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(set_cookies.len(), 2, "{set_cookies:?}");
    for cookie in &set_cookies {
        assert!(cookie.starts_with("__Host-trailmap_"), "{cookie}");
        assert!(
            cookie.contains("; Path=/;") && cookie.ends_with("; Secure"),
            "{cookie}"
        );
        assert!(!cookie.contains("Domain="), "{cookie}");
    }
    assert_eq!(browser.get("/api/auth/me").await.status(), 200);
    // The same token under the plain name (as a sibling subdomain could set it) is not read.
    let token = browser.cookies.remove("__Host-trailmap_session").unwrap();
    browser.cookies.insert("trailmap_session".into(), token);
    error_of(browser.get("/api/auth/me").await, 401, "unauthorized").await;
}

#[tokio::test]
async fn hsts_is_sent_when_the_site_is_served_over_https_only() {
    let plain = spawn_app().await;
    let secure = spawn_app_with(|config| config.secure_cookies = true).await;
    let https_url =
        spawn_app_with(|config| config.public_url = Some("https://trailmap.example".into())).await;
    let http_url =
        spawn_app_with(|config| config.public_url = Some("http://trailmap.example".into())).await;

    for (app, expected) in [
        (&plain, None),
        (&secure, Some("max-age=31536000")),
        (&https_url, Some("max-age=31536000")),
        (&http_url, None),
    ] {
        for path in ["/", "/api/roadmaps", "/healthz"] {
            let response = app.get(path).await;
            let hsts = response
                .headers()
                .get("strict-transport-security")
                .map(|value| value.to_str().unwrap().to_owned());
            assert_eq!(hsts.as_deref(), expected, "{path}");
        }
    }
}

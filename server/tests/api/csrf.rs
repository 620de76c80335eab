use reqwest::Method;
use serde_json::json;

use crate::helpers::{error_of, spawn_app, PASSWORD};

fn signup_body() -> serde_json::Value {
    json!({ "username": "alice", "password": PASSWORD })
}

#[tokio::test]
async fn post_without_the_csrf_header_is_refused() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    browser.csrf_token().await;
    let request = browser
        .request(Method::POST, "/api/auth/signup")
        .json(&signup_body());

    let response = browser.send(request).await;

    error_of(response, 403, "csrf").await;
    assert_eq!(app.browser().signup("alice", PASSWORD).await.status(), 201);
}

#[tokio::test]
async fn post_with_a_mismatched_token_is_refused() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    browser.csrf_token().await;
    let request = browser
        .request(Method::POST, "/api/auth/signup")
        .header("x-csrf-token", "0".repeat(32))
        .json(&signup_body());

    error_of(browser.send(request).await, 403, "csrf").await;
}

#[tokio::test]
async fn post_without_the_csrf_cookie_is_refused() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    let request = browser
        .request(Method::POST, "/api/auth/signup")
        .header("x-csrf-token", "0".repeat(32))
        .json(&signup_body());

    error_of(browser.send(request).await, 403, "csrf").await;
}

#[tokio::test]
async fn cross_site_form_post_is_refused() {
    let app = spawn_app().await;
    let mut victim = app.browser().signed_up("alice").await;
    // What a form on another site makes the browser send: our cookies (if SameSite allowed
    // them), a form body, a foreign Origin, no custom header.
    let request = victim
        .request(Method::POST, "/api/sync/backend/push")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "https://evil.example")
        .body("device=device-a1&mutations=");

    error_of(victim.send(request).await, 403, "csrf").await;
    let request = victim
        .request(Method::POST, "/api/auth/signout")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("");
    error_of(victim.send(request).await, 403, "csrf").await;
    assert_eq!(victim.get("/api/auth/me").await.status(), 200);
}

#[tokio::test]
async fn foreign_origin_is_refused_even_with_a_valid_token() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    let token = browser.csrf_token().await;
    let request = browser
        .request(Method::POST, "/api/auth/signup")
        .header("x-csrf-token", &token)
        .header("origin", "http://evil.example")
        .json(&signup_body());

    error_of(browser.send(request).await, 403, "csrf").await;
}

#[tokio::test]
async fn same_origin_request_with_a_valid_token_passes() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    let token = browser.csrf_token().await;
    let origin = app.address.clone();
    let request = browser
        .request(Method::POST, "/api/auth/signup")
        .header("x-csrf-token", &token)
        .header("origin", origin)
        .json(&signup_body());

    assert_eq!(browser.send(request).await.status(), 201);
}

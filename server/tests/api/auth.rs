use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{error_of, spawn_app, PASSWORD};

#[tokio::test]
async fn signup_signs_in_and_me_names_the_user() {
    let app = spawn_app().await;
    let mut browser = app.browser();

    let response = browser.signup("Alice", PASSWORD).await;

    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["username"], "alice", "names are stored lower-cased");
    let me = browser.get("/api/auth/me").await;
    assert_eq!(me.status(), 200);
    assert_eq!(me.json::<Value>().await.unwrap()["username"], "alice");
}

#[tokio::test]
async fn session_names_the_user_or_null_for_a_guest() {
    let app = spawn_app().await;
    let mut browser = app.browser();

    let guest = browser.get("/api/auth/session").await;
    assert_eq!(guest.status(), 200);
    assert_eq!(
        guest.json::<Value>().await.unwrap(),
        json!({ "username": null })
    );

    browser.signup("Alice", PASSWORD).await;
    let signed_in = browser.get("/api/auth/session").await;
    assert_eq!(signed_in.status(), 200);
    assert_eq!(
        signed_in.json::<Value>().await.unwrap(),
        json!({ "username": "alice" })
    );
}

#[tokio::test]
async fn me_without_a_session_is_a_json_401() {
    let app = spawn_app().await;
    let mut browser = app.browser();

    let response = browser.get("/api/auth/me").await;

    error_of(response, 401, "unauthorized").await;
}

#[tokio::test]
async fn signout_ends_the_session_and_clears_the_cookie() {
    let app = spawn_app().await;
    let mut browser = app.browser().signed_up("alice").await;
    let old_session = browser.cookies["trailmap_session"].clone();

    let response = browser.post_json("/api/auth/signout", &json!({})).await;

    assert_eq!(response.status(), 204);
    let cleared = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cleared.starts_with("trailmap_session=;"), "{cleared}");
    assert!(cleared.contains("Max-Age=0"));
    assert!(!browser.cookies.contains_key("trailmap_session"));
    // The old id is dead on the server too, not just forgotten by the browser.
    browser
        .cookies
        .insert("trailmap_session".into(), old_session);
    error_of(browser.get("/api/auth/me").await, 401, "unauthorized").await;
}

#[tokio::test]
async fn signin_with_the_right_password_starts_a_session() {
    let app = spawn_app().await;
    app.browser().signed_up("alice").await;
    let mut other = app.browser();

    let response = other.signin("ALICE", PASSWORD).await;

    assert_eq!(response.status(), 200);
    assert_eq!(other.get("/api/auth/me").await.status(), 200);
}

#[tokio::test]
async fn session_cookie_is_httponly_lax_and_not_secure_over_http() {
    let app = spawn_app().await;
    let mut browser = app.browser();

    let response = browser.signup("alice", PASSWORD).await;

    let cookies: Vec<&str> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap())
        .collect();
    let session = cookies
        .iter()
        .find(|cookie| cookie.starts_with("trailmap_session="))
        .expect("a session cookie");
    let id = &session["trailmap_session=".len()..session.find(';').unwrap()];
    assert_eq!(id.len(), 32, "128 bits in hex");
    assert!(session.contains("HttpOnly"));
    assert!(session.contains("SameSite=Lax"));
    assert!(session.contains("Path=/"));
    assert!(!session.contains("Secure"));
    let csrf = cookies
        .iter()
        .find(|cookie| cookie.starts_with("trailmap_csrf="))
        .expect("a fresh CSRF cookie");
    assert!(!csrf.contains("HttpOnly"), "scripts must read it");
    assert!(csrf.contains("SameSite=Strict"));
}

#[tokio::test]
async fn cookies_are_secure_when_the_proxy_says_https() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    let request = browser
        .request(Method::GET, "/api/auth/csrf")
        .header("x-forwarded-proto", "https");
    browser.send(request).await;
    let token = browser.cookies["__Host-trailmap_csrf"].clone();
    let request = browser
        .request(Method::POST, "/api/auth/signup")
        .header("x-csrf-token", token)
        .header("x-forwarded-proto", "https")
        .json(&json!({ "username": "alice", "password": PASSWORD }));

    let response = browser.send(request).await;

    assert_eq!(response.status(), 201);
    for cookie in response.headers().get_all("set-cookie") {
        let cookie = cookie.to_str().unwrap();
        assert!(cookie.starts_with("__Host-"), "{cookie}");
        assert!(cookie.contains("; Secure"), "{cookie}");
    }
}

#[tokio::test]
async fn signin_rotates_the_session_id_and_kills_the_old_one() {
    let app = spawn_app().await;
    let mut browser = app.browser().signed_up("alice").await;
    let before = browser.cookies["trailmap_session"].clone();

    let response = browser.signin("alice", PASSWORD).await;

    assert_eq!(response.status(), 200);
    let after = browser.cookies["trailmap_session"].clone();
    assert_ne!(before, after);
    let mut stale = app.browser();
    stale.cookies.insert("trailmap_session".into(), before);
    error_of(stale.get("/api/auth/me").await, 401, "unauthorized").await;
}

#[tokio::test]
async fn weak_passwords_are_refused() {
    let app = spawn_app().await;
    let mut browser = app.browser();

    for weak in ["short", "password123", "qwertyuiop", &"x".repeat(129)] {
        let response = browser.signup("alice", weak).await;
        error_of(response, 400, "bad_request").await;
    }
    error_of(browser.get("/api/auth/me").await, 401, "unauthorized").await;
}

#[tokio::test]
async fn invalid_usernames_are_refused() {
    let app = spawn_app().await;
    let mut browser = app.browser();

    for bad in ["ab", "has space", "x".repeat(33).as_str()] {
        error_of(browser.signup(bad, PASSWORD).await, 400, "bad_request").await;
    }
}

#[tokio::test]
async fn duplicate_username_is_a_409_whatever_the_case() {
    let app = spawn_app().await;
    app.browser().signed_up("alice").await;

    let response = app.browser().signup("Alice", "another good password").await;

    error_of(response, 409, "username_taken").await;
}

#[tokio::test]
async fn wrong_password_or_unknown_user_is_a_401() {
    let app = spawn_app().await;
    app.browser().signed_up("alice").await;
    let mut browser = app.browser();

    let wrong = browser.signin("alice", "not the password").await;
    let unknown = browser.signin("nobody", PASSWORD).await;

    let wrong = error_of(wrong, 401, "invalid_credentials").await;
    let unknown = error_of(unknown, 401, "invalid_credentials").await;
    assert_eq!(wrong, unknown, "the answer does not tell which was wrong");
    assert!(!browser.cookies.contains_key("trailmap_session"));
}

#[tokio::test]
async fn repeated_failures_are_rate_limited_with_retry_after() {
    let app = spawn_app().await;
    app.browser().signed_up("alice").await;
    let mut browser = app.browser();
    for _ in 0..5 {
        let response = browser.signin("alice", "not the password").await;
        assert_eq!(response.status(), 401);
    }

    let response = browser.signin("alice", PASSWORD).await;

    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after > 0 && retry_after <= 15 * 60);
    error_of(response, 429, "rate_limited").await;
    error_of(browser.get("/api/auth/me").await, 401, "unauthorized").await;
}

#[tokio::test]
async fn malformed_auth_bodies_are_json_400s() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    let token = browser.csrf_token().await;
    let request = browser
        .request(Method::POST, "/api/auth/signup")
        .header("x-csrf-token", token)
        .header("content-type", "application/json")
        .body("{not json");

    let response = browser.send(request).await;

    error_of(response, 400, "bad_request").await;
    let response = browser
        .post_json("/api/auth/signin", &json!({ "username": 5 }))
        .await;
    error_of(response, 400, "bad_request").await;
}

#[tokio::test]
async fn csrf_endpoint_keeps_an_existing_token() {
    let app = spawn_app().await;
    let mut browser = app.browser();

    let first = browser.csrf_token().await;
    let again: Value = browser.get("/api/auth/csrf").await.json().await.unwrap();

    assert_eq!(first.len(), server::accounts::CSRF_TOKEN_LEN);
    assert_eq!(again["token"], first.as_str());
}

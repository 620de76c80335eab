//! Every error under `/api` is JSON `{error, message}`, whoever answers: a 405 from the router,
//! a 413 for an oversized body, and the server functions' answers to bad arguments.

use std::time::Duration;

use reqwest::{header, Method};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::helpers::{error_of, spawn_app, Browser, TestApp};

const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";

/// Sends `body` as `content_type` with the browser's cookies and CSRF header.
async fn post(
    browser: &mut Browser,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    let token = browser.csrf_token().await;
    let request = browser
        .request(Method::POST, path)
        .header("x-csrf-token", token)
        .header(header::CONTENT_TYPE, content_type)
        .body(body);
    browser.send(request).await
}

#[tokio::test]
async fn every_405_under_api_is_json_and_names_the_allowed_methods() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    let token = browser.csrf_token().await;

    for (method, path, allowed) in [
        (Method::GET, "/api/sync/backend/push", "POST"),
        (Method::DELETE, "/api/auth/signup", "POST"),
        (Method::POST, "/api/roadmaps", "GET"),
        (Method::PUT, "/api/auth/me", "GET"),
        (Method::GET, "/api/fn/roadmap", "POST"),
    ] {
        let request = browser
            .request(method.clone(), path)
            .header("x-csrf-token", &token);
        let response = browser.send(request).await;

        let allow = response.headers()[header::ALLOW]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(allow.contains(allowed), "{method} {path}: Allow {allow}");
        error_of(response, 405, "method_not_allowed").await;
    }
}

#[tokio::test]
async fn bad_bodies_to_the_json_endpoints_are_4xx_json() {
    let app = spawn_app().await;
    let mut browser = app.browser().signed_up("alice").await;

    for path in [
        "/api/auth/signup",
        "/api/auth/signin",
        "/api/sync/backend/push",
    ] {
        let form = post(&mut browser, path, FORM, b"nope=1".to_vec()).await;
        error_of(form, 415, "unsupported_media_type").await;
        let empty = post(&mut browser, path, JSON, Vec::new()).await;
        error_of(empty, 400, "bad_request").await;
        let junk = post(&mut browser, path, JSON, b"%%%&&==".to_vec()).await;
        error_of(junk, 400, "bad_request").await;
        let not_utf8 = post(&mut browser, path, JSON, vec![b'"', 0xff, 0xfe, b'"']).await;
        error_of(not_utf8, 400, "bad_request").await;
        let oversized = post(&mut browser, path, JSON, vec![b' '; 65 * 1024]).await;
        error_of(oversized, 413, "payload_too_large").await;
    }
    // Signing out takes no body, but a declared oversized one is refused all the same.
    let oversized = post(
        &mut browser,
        "/api/auth/signout",
        JSON,
        vec![b' '; 65 * 1024],
    )
    .await;
    error_of(oversized, 413, "payload_too_large").await;
}

#[tokio::test]
async fn bad_arguments_to_the_server_functions_are_4xx_json() {
    let app = spawn_app().await;
    let mut browser = app.browser();

    for body in [&b"nope=1"[..], b"", b"%%%&&=="] {
        let response = post(&mut browser, "/api/fn/roadmap", FORM, body.to_vec()).await;
        let what = String::from_utf8_lossy(body).into_owned();
        assert_eq!(response.status(), 400, "{what}");
        error_of(response, 400, "bad_request").await;
    }
    for path in ["/api/fn/roadmap", "/api/fn/roadmaps", "/api/fn/site_origin"] {
        let not_utf8 = post(&mut browser, path, FORM, vec![b's', b'=', 0xff, 0xfe]).await;
        error_of(not_utf8, 400, "bad_request").await;
        let json = post(&mut browser, path, JSON, b"{\"slug\":\"backend\"}".to_vec()).await;
        error_of(json, 415, "unsupported_media_type").await;
        let oversized = post(&mut browser, path, FORM, vec![b'a'; 65 * 1024]).await;
        error_of(oversized, 413, "payload_too_large").await;
    }
    // The arguments the page sends still work.
    let good = post(
        &mut browser,
        "/api/fn/roadmap",
        FORM,
        b"slug=backend".to_vec(),
    )
    .await;
    assert_eq!(good.status(), 200);
}

/// A POST with a chunked body of `total` bytes, written while the answer is read: the server
/// must answer once it has seen enough, without reading it all.
async fn chunked_post(app: &TestApp, path: &str, content_type: &str, total: usize) -> String {
    let address = app.address.trim_start_matches("http://");
    let stream = TcpStream::connect(address).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: {content_type}\r\n\
         Transfer-Encoding: chunked\r\nCookie: trailmap_csrf=x\r\nX-CSRF-Token: x\r\n\r\n"
    );
    let writing = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await?;
        let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "a".repeat(64 * 1024));
        for _ in 0..total / (64 * 1024) {
            writer.write_all(chunk.as_bytes()).await?;
        }
        writer.write_all(b"0\r\n\r\n").await
    });
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(30), reader.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(read)) => answer.extend_from_slice(&buffer[..read]),
            Err(_) => panic!(
                "no complete answer within 30 s: {}",
                String::from_utf8_lossy(&answer)
            ),
        }
        if answer.windows(4).any(|window| window == b"\r\n\r\n") && answer.ends_with(b"}") {
            break;
        }
    }
    writing.abort();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_64_mib_chunked_body_is_a_json_413_for_server_functions() {
    let app = spawn_app().await;

    let answer = chunked_post(&app, "/api/fn/roadmap", FORM, 64 * 1024 * 1024).await;

    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer.contains("\"error\":\"payload_too_large\""),
        "{answer}"
    );
}

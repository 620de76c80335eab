//! Connection hygiene: one client cannot hold the server's connections (or file descriptors)
//! and make it unreachable for everyone else.

use std::{net::SocketAddr, time::Duration};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpSocket, TcpStream},
    task::JoinSet,
};

use crate::{
    helpers::{fresh_database_url, spawn_app_with, TestApp},
    server_process::ServerProcess,
};

/// How long a test waits for something the server must do long before (a liveness bound, not
/// a speed target).
const PATIENCE: Duration = Duration::from_secs(20);

/// A TCP connection to `app` coming from `ip` (any 127.x.y.z reaches the loopback server).
async fn connect_from(ip: [u8; 4], address: &str) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((ip, 0))).unwrap();
    let address: SocketAddr = address.trim_start_matches("http://").parse().unwrap();
    socket.connect(address).await.expect("connects")
}

/// Reads until the server closes the connection, returning what it sent; `None` if it is still
/// open after `PATIENCE`.
async fn until_closed(stream: &mut TcpStream) -> Option<String> {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout(PATIENCE, stream.read(&mut buffer)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(String::from_utf8_lossy(&received).into()),
            Ok(Ok(read)) => received.extend_from_slice(&buffer[..read]),
        }
    }
}

async fn healthz_from(ip: [u8; 4], app_address: &str) -> u16 {
    let client = crate::helpers::client_from(ip.into());
    let response = tokio::time::timeout(
        PATIENCE,
        client.get(format!("{app_address}/healthz")).send(),
    )
    .await
    .expect("answered in time")
    .expect("answered");
    response.status().as_u16()
}

#[tokio::test]
async fn two_hundred_half_sent_requests_are_closed_while_others_are_served() {
    let app = spawn_app_with(|config| config.limits.header_timeout_secs = 2).await;
    let mut held = Vec::new();
    for n in 0..200u8 {
        let mut stream = connect_from([127, 0, 7, n], &app.address).await;
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: trailmap\r\nX-Never-Ends: ")
            .await
            .unwrap();
        held.push(stream);
    }

    assert_eq!(healthz_from([127, 0, 0, 1], &app.address).await, 200);

    let mut closing = JoinSet::new();
    for mut stream in held {
        closing.spawn(async move { until_closed(&mut stream).await.is_some() });
    }
    let mut closed = 0;
    while let Some(done) = closing.join_next().await {
        closed += usize::from(done.unwrap());
    }
    assert_eq!(closed, 200, "half-sent requests the server closed");
}

#[tokio::test]
async fn a_body_that_trickles_gets_a_408_and_the_connection_is_closed() {
    let app = spawn_app_with(|config| config.limits.body_timeout_secs = 1).await;
    let token = app.browser().csrf_token().await;
    let mut stream = connect_from([127, 0, 0, 1], &app.address).await;
    let head = format!(
        "POST /api/auth/signin HTTP/1.1\r\nHost: trailmap\r\nContent-Type: application/json\r\n\
         Content-Length: 200\r\nCookie: trailmap_csrf={token}\r\nX-CSRF-Token: {token}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let trickle = tokio::spawn(async move {
        for _ in 0..200 {
            if writer.write_all(b" ").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });

    let mut answer = Vec::new();
    let closed = tokio::time::timeout(PATIENCE, reader.read_to_end(&mut answer)).await;

    trickle.abort();
    let answer = String::from_utf8_lossy(&answer);
    assert!(closed.is_ok(), "still open; so far: {answer}");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"error\":\"request_timeout\""), "{answer}");
}

#[tokio::test]
async fn connections_past_the_per_address_cap_are_closed_at_once() {
    let app = spawn_app_with(|config| {
        config.limits.max_connections_per_ip = 4;
        config.limits.header_timeout_secs = 60;
    })
    .await;
    let mut idle = Vec::new();
    for _ in 0..4 {
        idle.push(connect_from([127, 0, 8, 1], &app.address).await);
    }
    // The server counts a connection once it has accepted it: make sure it has.
    let mut probe = connect_from([127, 0, 8, 1], &app.address).await;

    assert!(
        until_closed(&mut probe).await.is_some(),
        "the fifth is closed"
    );
    assert_eq!(healthz_from([127, 0, 8, 2], &app.address).await, 200);
    drop(idle);
    assert!(eventually_healthy([127, 0, 8, 1], &app).await);
}

#[tokio::test]
async fn connections_past_the_total_cap_are_closed_at_once() {
    let app = spawn_app_with(|config| {
        config.limits.max_connections = Some(6);
        config.limits.header_timeout_secs = 60;
    })
    .await;
    let mut idle = Vec::new();
    for n in 1..=6 {
        idle.push(connect_from([127, 0, 9, n], &app.address).await);
    }
    let mut seventh = connect_from([127, 0, 9, 7], &app.address).await;

    assert!(
        until_closed(&mut seventh).await.is_some(),
        "the seventh is closed"
    );
    idle.pop();
    assert!(eventually_healthy([127, 0, 9, 8], &app).await);
}

/// Whether `/healthz` answers 200 from `ip` within `PATIENCE`, retrying while connections the
/// client dropped are still being closed on the server's side.
async fn eventually_healthy(ip: [u8; 4], app: &TestApp) -> bool {
    let client = crate::helpers::client_from(ip.into());
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while tokio::time::Instant::now() < deadline {
        let answer = client.get(format!("{}/healthz", app.address)).send().await;
        if answer.is_ok_and(|response| response.status() == 200) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test]
async fn the_server_survives_running_out_of_file_descriptors() {
    let dir = tempfile::TempDir::new().unwrap();
    let database_url = fresh_database_url(&dir.path().join("db")).await;
    let server = ServerProcess::start_with_open_files(
        &database_url,
        &[
            "--max-connections",
            "1000",
            "--max-connections-per-ip",
            "1000",
            "--header-timeout-secs",
            "2",
        ],
        64,
    );
    // Far more half-sent requests than the process has descriptors for, held open.
    let mut held = Vec::new();
    for n in 0..150u8 {
        let mut stream = connect_from([127, 0, 10, n], &server.address).await;
        let _ = stream
            .write_all(b"GET / HTTP/1.1\r\nHost: trailmap\r\n")
            .await;
        held.push(stream);
    }

    let status = healthz_from([127, 0, 0, 1], &server.address).await;

    assert_eq!(status, 200);
    let log = server.log.lock().unwrap().join("\n");
    assert!(
        log.contains("cannot accept connections; pausing"),
        "the descriptors did run out: {log}"
    );
    drop(held);
}

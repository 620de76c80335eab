//! Password hashing is bounded: however many sign-ins arrive at once, only a few Argon2 hashes
//! (19 MiB each) run at a time; the rest wait briefly, then get 503 with `Retry-After`.

use std::{collections::BTreeMap, net::IpAddr};

use serde_json::json;
use tokio::task::JoinSet;

use crate::{
    helpers::{client_from, fresh_database_url, PASSWORD},
    server_process::ServerProcess,
};

#[tokio::test]
async fn many_concurrent_unknown_user_signins_keep_memory_bounded() {
    let dir = tempfile::TempDir::new().unwrap();
    let database_url = fresh_database_url(&dir.path().join("db")).await;
    let server = ServerProcess::start(&database_url, &["--metrics-addr", "127.0.0.1:0"]);
    let token: serde_json::Value = reqwest::get(format!("{}/api/auth/csrf", server.address))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_owned();
    let before_kib = server.memory_kib("VmRSS");

    // 128 people at once, each from their own address and for a name nobody has: every one
    // is checked against the dummy hash, and no per-address or per-account limit stops them.
    let mut burst = JoinSet::new();
    for n in 0..128u8 {
        let client = client_from(IpAddr::from([127, 0, 1, n]));
        let request = client
            .post(format!("{}/api/auth/signin", server.address))
            .header("cookie", format!("trailmap_csrf={token}"))
            .header("x-csrf-token", &token)
            .json(&json!({ "username": format!("nobody-{n}"), "password": PASSWORD }));
        burst.spawn(async move {
            let response = request.send().await.expect("an answer");
            let status = response.status().as_u16();
            let retry_after = response.headers().contains_key("retry-after");
            (status, retry_after)
        });
    }
    let mut counts = BTreeMap::<u16, usize>::new();
    while let Some(answer) = burst.join_next().await {
        let (status, retry_after) = answer.unwrap();
        assert!(
            matches!(status, 401 | 429 | 503),
            "an answer of {status} to a wrong sign-in"
        );
        if status == 503 {
            assert!(retry_after, "a 503 says when to come back");
        }
        *counts.entry(status).or_default() += 1;
    }

    let peak_kib = server.memory_kib("VmHWM");
    let after_kib = server.memory_kib("VmRSS");
    println!(
        "128 concurrent unknown-user sign-ins: {counts:?}; resident memory {} MiB before, \
         {} MiB after, {} MiB at the peak",
        before_kib / 1024,
        after_kib / 1024,
        peak_kib / 1024
    );
    assert!(
        peak_kib < 300 * 1024,
        "the server's peak resident memory was {} MiB",
        peak_kib / 1024
    );
    let metrics = reqwest::get(format!(
        "{}/metrics",
        server.metrics_address.as_ref().unwrap()
    ))
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    let sample = |name: &str| -> u64 {
        metrics
            .lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("no {name} in {metrics}"))
            .parse()
            .unwrap()
    };
    let refused = counts.get(&503).copied().unwrap_or_default() as u64;
    assert_eq!(sample("trailmap_password_hash_rejections_total"), refused);
    assert_eq!(sample("trailmap_password_hash_queue_depth"), 0);
    assert!(sample("trailmap_password_hashes_total") >= counts[&401] as u64);
}

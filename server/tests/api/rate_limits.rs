//! Rate limits under concurrency: attempts are counted before the password is checked, so a
//! burst gets no further than the same attempts one at a time.

use std::{collections::BTreeMap, net::IpAddr};

use reqwest::Method;
use serde_json::json;
use tokio::task::JoinSet;

use crate::helpers::{error_of, spawn_app, spawn_app_with, Browser, PASSWORD};

/// Sends every sign-in at once from one browser; returns how many got each status.
async fn signin_burst(
    browser: &mut Browser,
    attempts: impl IntoIterator<Item = (String, String)>,
) -> BTreeMap<u16, usize> {
    let token = browser.csrf_token().await;
    let mut burst = JoinSet::new();
    for (username, password) in attempts {
        let request = browser
            .request(Method::POST, "/api/auth/signin")
            .header("x-csrf-token", &token)
            .json(&json!({ "username": username, "password": password }));
        burst.spawn(async move { request.send().await.expect("an answer").status().as_u16() });
    }
    let mut counts = BTreeMap::new();
    while let Some(status) = burst.join_next().await {
        *counts.entry(status.unwrap()).or_default() += 1;
    }
    counts
}

/// Each 401 is a checked password: at most `limit` of the 40, the rest refused with 429 (or,
/// on a machine too busy to hash them within the queue's wait, 503, which counts nothing).
fn assert_checked_at_most(counts: &BTreeMap<u16, usize>, limit: usize) {
    let checked = counts.get(&401).copied().unwrap_or_default();
    let busy = counts.get(&503).copied().unwrap_or_default();
    assert!(
        counts
            .keys()
            .all(|status| matches!(status, 401 | 429 | 503)),
        "{counts:?}"
    );
    if busy == 0 {
        assert_eq!(counts, &BTreeMap::from([(401, limit), (429, 40 - limit)]));
    } else {
        assert!(checked < limit, "{counts:?}");
    }
}

#[tokio::test]
async fn forty_concurrent_wrong_guesses_check_at_most_five_passwords() {
    let app = spawn_app().await;
    app.browser().signed_up("alice").await;
    let mut browser = app.browser();

    let counts = signin_burst(
        &mut browser,
        (0..40).map(|n| ("alice".to_owned(), format!("wrong guess {n}"))),
    )
    .await;

    assert_checked_at_most(&counts, 5);
    let response = browser.signin("alice", PASSWORD).await;
    error_of(response, 429, "rate_limited").await;
}

#[tokio::test]
async fn concurrent_guesses_at_many_accounts_stop_at_the_address_limit() {
    let app = spawn_app().await;
    let mut browser = app.browser();

    let counts = signin_burst(
        &mut browser,
        (0..40).map(|n| (format!("nobody-{n}"), "wrong guess".to_owned())),
    )
    .await;

    assert_checked_at_most(&counts, 20);
}

#[tokio::test]
async fn a_successful_signin_gives_its_reservation_back() {
    let app = spawn_app().await;
    app.browser().signed_up("alice").await;
    let mut browser = app.browser();
    for _ in 0..4 {
        let response = browser.signin("alice", "not the password").await;
        error_of(response, 401, "invalid_credentials").await;
    }

    assert_eq!(browser.signin("alice", PASSWORD).await.status(), 200);

    // The account's failures are forgotten: five more wrong guesses are checked.
    for _ in 0..5 {
        let response = browser.signin("alice", "not the password").await;
        error_of(response, 401, "invalid_credentials").await;
    }
    error_of(browser.signin("alice", PASSWORD).await, 429, "rate_limited").await;
}

#[tokio::test]
async fn the_21st_signup_from_one_address_within_the_hour_is_a_429() {
    let app = spawn_app().await;
    app.browser().signed_up("taken").await;
    // 20 sign-ups: one above, 18 here and a taken name (which counts too, so names cannot be
    // enumerated any faster).
    for n in 1..19 {
        let response = app
            .browser()
            .signup(&format!("learner-{n}"), PASSWORD)
            .await;
        assert_eq!(response.status(), 201, "sign-up {n}");
    }
    let taken = app.browser().signup("taken", PASSWORD).await;
    error_of(taken, 409, "username_taken").await;

    let refused = app.browser().signup("learner-21", PASSWORD).await;

    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after > 0 && retry_after <= 60 * 60, "{retry_after}");
    error_of(refused, 429, "rate_limited").await;
    // Another address still signs up (`signed_up` asserts the 201).
    app.browser_from(IpAddr::from([127, 0, 3, 1]))
        .signed_up("learner-22")
        .await;
}

#[tokio::test]
async fn signups_from_everyone_together_are_limited_too() {
    let app = spawn_app_with(|config| config.limits.signups_per_hour = 3).await;
    for n in 1..=3 {
        app.browser_from(IpAddr::from([127, 0, 4, n]))
            .signed_up(&format!("learner-{n}"))
            .await;
    }

    let response = app
        .browser_from(IpAddr::from([127, 0, 4, 4]))
        .signup("learner-4", PASSWORD)
        .await;

    error_of(response, 429, "rate_limited").await;
}

//! What holds for every kind of register alike, run once per kind: a retried push changes
//! nothing, a gap is refused, an older stamp loses, a clock running minutes ahead is clamped,
//! and an alias is stored under the topic's current id.

use serde_json::Value;

use super::{now_millis, push_body, signed_in, Kind, DEVICE, OTHER};
use crate::helpers::error_of;

async fn a_retried_push_is_idempotent(kind: Kind) {
    let (_app, mut browser) = signed_in().await;
    let now = now_millis();
    let [one, two, _] = kind.values();
    let body = push_body(
        DEVICE,
        vec![
            kind.mutation(1, "dns", one, now, DEVICE),
            kind.mutation(2, "dns", two, now + 1, DEVICE),
        ],
    );

    let first: Value = browser.push("backend", &body).await.json().await.unwrap();
    let state_after_first = kind.server_state(&mut browser).await;
    let second = browser.push("backend", &body).await;

    assert_eq!(second.status(), 200);
    let second: Value = second.json().await.unwrap();
    assert_eq!(first, second, "same acknowledgement, cursor and registers");
    assert_eq!(kind.server_state(&mut browser).await, state_after_first);
    assert_eq!(state_after_first, [("dns".into(), two.into())]);
}

#[tokio::test]
async fn a_retried_status_push_is_idempotent() {
    a_retried_push_is_idempotent(Kind::Status).await;
}

#[tokio::test]
async fn a_retried_note_push_is_idempotent() {
    a_retried_push_is_idempotent(Kind::Note).await;
}

async fn a_gap_is_a_409_and_stores_nothing(kind: Kind) {
    let (_app, mut browser) = signed_in().await;
    let now = now_millis();
    let [one, two, three] = kind.values();
    let first = push_body(DEVICE, vec![kind.mutation(1, "dns", one, now, DEVICE)]);
    browser.push("backend", &first).await;

    let gap = push_body(
        DEVICE,
        vec![
            kind.mutation(3, "dns", two, now + 1, DEVICE),
            kind.mutation(4, "http-methods", three, now + 2, DEVICE),
        ],
    );
    let response = browser.push("backend", &gap).await;

    error_of(response, 409, "gap").await;
    assert_eq!(
        kind.server_state(&mut browser).await,
        [("dns".into(), one.into())]
    );
}

#[tokio::test]
async fn a_status_gap_is_a_409_and_stores_nothing() {
    a_gap_is_a_409_and_stores_nothing(Kind::Status).await;
}

#[tokio::test]
async fn a_note_gap_is_a_409_and_stores_nothing() {
    a_gap_is_a_409_and_stores_nothing(Kind::Note).await;
}

async fn an_older_stamp_does_not_overwrite_a_newer_one(kind: Kind) {
    let (_app, mut browser) = signed_in().await;
    let now = now_millis();
    let [newer, older, _] = kind.values();
    let from_other = push_body(OTHER, vec![kind.mutation(1, "dns", newer, now, OTHER)]);
    browser.push("backend", &from_other).await;

    let stale = push_body(
        DEVICE,
        vec![kind.mutation(1, "dns", older, now - 5_000, DEVICE)],
    );
    let response = browser.push("backend", &stale).await;

    assert_eq!(response.status(), 200, "older edits are acknowledged…");
    let ack: Value = response.json().await.unwrap();
    assert_eq!(
        kind.value_of(&kind.in_answer(&ack)[0]),
        newer,
        "…the answer says what won…"
    );
    let pulled = browser.pull("backend", 0).await;
    let stored = &kind.in_answer(&pulled)[0];
    assert_eq!(kind.value_of(stored), newer, "…and the older one lost");
    assert_eq!(stored["stamp"]["device"], OTHER);
    assert_eq!(pulled["cursor"], 1, "a losing write changes no row");
}

#[tokio::test]
async fn an_older_status_does_not_overwrite_a_newer_one() {
    an_older_stamp_does_not_overwrite_a_newer_one(Kind::Status).await;
}

#[tokio::test]
async fn an_older_note_does_not_overwrite_a_newer_one() {
    an_older_stamp_does_not_overwrite_a_newer_one(Kind::Note).await;
}

async fn a_clock_minutes_ahead_is_clamped_to_a_minute_ahead(kind: Kind) {
    let (_app, mut browser) = signed_in().await;
    let now = now_millis();
    let [first, second, _] = kind.values();
    let ahead = push_body(
        DEVICE,
        vec![
            kind.mutation(1, "dns", first, now + 60 * 60 * 1000, DEVICE),
            kind.mutation(2, "dns", second, now + 2 * 60 * 60 * 1000, DEVICE),
        ],
    );

    let response = browser.push("backend", &ahead).await;

    assert_eq!(response.status(), 200);
    let ack: Value = response.json().await.unwrap();
    let pulled = browser.pull("backend", 0).await;
    assert_eq!(
        kind.in_answer(&ack),
        kind.in_answer(&pulled),
        "the answer tells the device what was stored"
    );
    let stored = &kind.in_answer(&pulled)[0];
    let millis = stored["stamp"]["millis"].as_u64().unwrap();
    assert!(
        millis >= now + 60_000 && millis <= now_millis() + 60_000,
        "{millis}"
    );
    assert_eq!(
        kind.value_of(stored),
        second,
        "clamped edits keep their order"
    );
}

#[tokio::test]
async fn a_status_clock_minutes_ahead_is_clamped_to_a_minute_ahead() {
    a_clock_minutes_ahead_is_clamped_to_a_minute_ahead(Kind::Status).await;
}

#[tokio::test]
async fn a_note_clock_minutes_ahead_is_clamped_to_a_minute_ahead() {
    a_clock_minutes_ahead_is_clamped_to_a_minute_ahead(Kind::Note).await;
}

async fn an_alias_is_stored_under_the_current_topic_id(kind: Kind) {
    let (_app, mut browser) = signed_in().await;
    let [value, _, _] = kind.values();
    let body = push_body(
        DEVICE,
        vec![kind.mutation(1, "postgres", value, now_millis(), DEVICE)],
    );

    let response = browser.push("backend", &body).await;

    assert_eq!(response.status(), 200);
    assert_eq!(
        kind.server_state(&mut browser).await,
        [("postgresql".into(), value.into())]
    );
}

#[tokio::test]
async fn a_status_under_an_alias_is_stored_under_the_current_topic_id() {
    an_alias_is_stored_under_the_current_topic_id(Kind::Status).await;
}

#[tokio::test]
async fn a_note_under_an_alias_is_stored_under_the_current_topic_id() {
    an_alias_is_stored_under_the_current_topic_id(Kind::Note).await;
}

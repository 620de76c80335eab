//! Personal notes through the sync API: a second LWW register per topic, pushed and pulled
//! with the same protocol as statuses (the rules every kind shares are in `registers`).

use serde_json::{json, Value};

use super::{note, now_millis, push, signed_in, Kind, DEVICE, OTHER};
use crate::helpers::{error_of, Browser};

fn status(id: u64, topic: &str, status: &str, millis: u64, device: &str) -> Value {
    Kind::Status.mutation(id, topic, status, millis, device)
}

/// topic → note text of everything the server holds (tombstones as "").
async fn server_notes(browser: &mut Browser) -> Vec<(String, String)> {
    Kind::Note.server_state(browser).await
}

#[tokio::test]
async fn notes_are_pushed_answered_and_pulled_beside_statuses() {
    let (_app, mut browser) = signed_in().await;
    let now = now_millis();

    let response = push(
        &mut browser,
        DEVICE,
        vec![
            status(1, "dns", "done", now, DEVICE),
            note(2, "dns", "Use `dig +trace`", now + 1, DEVICE),
            note(3, "http", "<script>alert(1)</script>", now + 2, DEVICE),
        ],
    )
    .await;

    assert_eq!(response.status(), 200);
    let ack: Value = response.json().await.unwrap();
    assert_eq!(ack["acknowledged"], 3);
    assert_eq!(
        ack["cursor"], 3,
        "each changed register takes a sequence number"
    );
    assert_eq!(ack["entries"].as_array().unwrap().len(), 1);
    assert_eq!(ack["entries"][0]["status"], "done");
    assert_eq!(
        ack["notes"],
        json!([
            {"topic": "dns", "text": "Use `dig +trace`",
             "stamp": {"millis": now + 1, "counter": 0, "device": DEVICE}},
            {"topic": "http", "text": "<script>alert(1)</script>",
             "stamp": {"millis": now + 2, "counter": 0, "device": DEVICE}},
        ])
    );
    let pulled = browser.pull("backend", 0).await;
    assert_eq!(pulled["cursor"], 3);
    assert_eq!(pulled["entries"].as_array().unwrap().len(), 1);
    assert_eq!(pulled["entries"][0]["status"], "done");
    assert_eq!(pulled["notes"], ack["notes"]);
    let later = browser.pull("backend", 2).await;
    assert!(later["entries"].as_array().unwrap().is_empty());
    assert_eq!(later["notes"].as_array().unwrap().len(), 1);
    assert_eq!(later["notes"][0]["topic"], "http");
}

#[tokio::test]
async fn a_note_and_a_status_never_overwrite_each_other() {
    let (_app, mut browser) = signed_in().await;
    let now = now_millis();
    push(
        &mut browser,
        DEVICE,
        vec![note(1, "dns", "keep me", now, DEVICE)],
    )
    .await;

    // Another device sets the status later, and an older note arrives after it.
    let response = push(
        &mut browser,
        OTHER,
        vec![
            status(1, "dns", "skipped", now + 10, OTHER),
            note(2, "dns", "older text", now - 10, OTHER),
        ],
    )
    .await;

    assert_eq!(response.status(), 200);
    let ack: Value = response.json().await.unwrap();
    assert_eq!(
        ack["notes"][0]["text"], "keep me",
        "the answer says what won"
    );
    assert_eq!(
        server_notes(&mut browser).await,
        [("dns".into(), "keep me".into())]
    );
    let pulled = browser.pull("backend", 0).await;
    assert_eq!(pulled["entries"][0]["status"], "skipped");
}

#[tokio::test]
async fn the_later_note_wins_and_an_empty_note_is_a_tombstone_that_syncs() {
    let (_app, mut browser) = signed_in().await;
    let now = now_millis();
    push(
        &mut browser,
        DEVICE,
        vec![note(1, "http", "first", now, DEVICE)],
    )
    .await;
    push(
        &mut browser,
        OTHER,
        vec![note(1, "http", "second", now + 5, OTHER)],
    )
    .await;
    assert_eq!(
        server_notes(&mut browser).await,
        [("http".into(), "second".into())]
    );
    let cursor = browser.pull("backend", 0).await["cursor"].as_u64().unwrap();

    push(
        &mut browser,
        DEVICE,
        vec![note(2, "http", "", now + 9, DEVICE)],
    )
    .await;

    let since = browser.pull("backend", cursor).await;
    assert_eq!(
        since["notes"],
        json!([{"topic": "http", "text": "",
                "stamp": {"millis": now + 9, "counter": 0, "device": DEVICE}}]),
        "the deletion comes down as an empty note"
    );
}

#[tokio::test]
async fn a_note_over_the_limit_is_a_400_naming_the_topic_and_stores_nothing() {
    let (_app, mut browser) = signed_in().await;
    let now = now_millis();
    let too_long = "é".repeat(2_001);

    let response = push(
        &mut browser,
        DEVICE,
        vec![
            status(1, "dns", "done", now, DEVICE),
            note(2, "http", &too_long, now + 1, DEVICE),
        ],
    )
    .await;

    let body = error_of(response, 400, "bad_request").await;
    assert_eq!(
        body["message"],
        "mutation 2: topic `http`: the note is 2,001 characters long; at most 2,000 are allowed"
    );
    let pulled = browser.pull("backend", 0).await;
    assert_eq!(pulled["cursor"], 0);
    assert!(pulled["entries"].as_array().unwrap().is_empty());
    assert!(pulled["notes"].as_array().unwrap().is_empty());
    // Nothing was acknowledged either: id 1 is still expected next.
    let retry = push(
        &mut browser,
        DEVICE,
        vec![note(1, "http", &"é".repeat(2_000), now, DEVICE)],
    )
    .await;
    assert_eq!(retry.status(), 200, "exactly 2,000 characters are fine");
}

#[tokio::test]
async fn bad_note_mutations_are_refused() {
    let (_app, mut browser) = signed_in().await;
    let now = now_millis();
    let both = json!({
        "id": 1, "topic": "dns", "status": "done", "note": "x",
        "stamp": { "millis": now, "counter": 0, "device": DEVICE },
    });
    let neither = json!({
        "id": 1, "topic": "dns",
        "stamp": { "millis": now, "counter": 0, "device": DEVICE },
    });
    for bad in [both, neither] {
        let response = push(&mut browser, DEVICE, vec![bad]).await;
        let body = error_of(response, 400, "bad_request").await;
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("exactly one of `status` and `note`"),
            "{body}"
        );
    }
    let nul = push(
        &mut browser,
        DEVICE,
        vec![note(1, "dns", "a\u{0}b", now, DEVICE)],
    )
    .await;
    error_of(nul, 400, "bad_request").await;
    let unknown = push(
        &mut browser,
        DEVICE,
        vec![note(1, "no-such-topic", "x", now, DEVICE)],
    )
    .await;
    error_of(unknown, 422, "unprocessable").await;
    assert!(server_notes(&mut browser).await.is_empty());
}

#[tokio::test]
async fn a_push_of_many_long_notes_fits_the_body_limit_when_batched() {
    use trailmap_core::progress::{Edit, Outbox, PushRequest, Stamp};
    let (_app, mut browser) = signed_in().await;
    let now = now_millis();
    let mut outbox = Outbox::default();
    let topics = ["dns", "http", "postgresql", "docker", "http-methods"];
    for (n, topic) in topics.iter().cycle().take(60).enumerate() {
        let stamp = Stamp {
            millis: now + n as u64,
            counter: 0,
            device: DEVICE.into(),
        };
        outbox.record(
            topic,
            Edit::Note(format!("{n} {}", "ü".repeat(1_990))),
            stamp,
        );
    }

    let mut pushes = 0;
    while !outbox.is_empty() {
        let request = PushRequest::from_outbox(DEVICE, &outbox);
        let response = browser
            .push("backend", &serde_json::to_value(&request).unwrap())
            .await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
        let ack: Value = response.json().await.unwrap();
        outbox.acknowledge(ack["acknowledged"].as_u64().unwrap());
        pushes += 1;
    }

    assert!(pushes > 1, "60 notes of ~4 KB do not fit one 64 KiB push");
    let notes = server_notes(&mut browser).await;
    assert_eq!(notes.len(), topics.len());
    assert!(notes.iter().any(|(_, text)| text.starts_with("59 ")));
}

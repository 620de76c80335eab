//! The sync API's request and response bodies, shared by the browser client and the server so
//! both sides always agree on the wire format. Pure serde types: no web or server imports.
//!
//! Cursors are the server's per-learner change sequence: opaque to the client, which only
//! stores the last one it pulled (as a string, in [`super::LocalProgress::cursor`]) and sends it
//! back as `since`. A push's `cursor` is informational; only a pull may advance the stored one,
//! or changes from other devices committed in between would be skipped.
//!
//! Pulled entries merge by last writer wins (`LocalProgress::absorb`). A push's `entries` are
//! adopted as they are for topics with nothing pending (`LocalProgress::acknowledge_push`):
//! the server has seen every acknowledged edit, so its entry is the truth even when it carries
//! a smaller stamp than the device's own (a clamped one). Without that, a device whose clock
//! ran ahead would keep its own edit forever while every other device had moved on.

use serde::{Deserialize, Serialize};

use super::{Entry, Mutation, Stamp, Status};

/// `POST /api/sync/{slug}/push`: the device's oldest unacknowledged mutations, oldest first,
/// with consecutive ids.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    pub device: String,
    pub mutations: Vec<Mutation>,
}

impl PushRequest {
    /// The most mutations one push may carry; the client sends `outbox.batch(MAX_MUTATIONS)`.
    pub const MAX_MUTATIONS: usize = 500;
    /// The largest request body the server reads, in bytes.
    pub const MAX_BODY_BYTES: usize = 64 * 1024;
}

/// The answer to a push: every mutation with an id up to `acknowledged` is stored. The
/// client hands the whole response to `LocalProgress::acknowledge_push`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    pub acknowledged: u64,
    pub cursor: u64,
    /// The server's current entry for every topic the push named (under the topic's current
    /// id), also when the push was a retry of one already applied. The server may have stored
    /// an entry other than the one pushed: another device's newer edit, or the pushed edit with
    /// its stamp clamped because the device's clock ran ahead.
    #[serde(default)]
    pub entries: Vec<PulledEntry>,
}

/// `GET /api/sync/{slug}/pull?since=<cursor>`: every topic changed after `since`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    pub cursor: u64,
    pub entries: Vec<PulledEntry>,
}

/// One topic's current entry on the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PulledEntry {
    pub topic: String,
    pub status: Status,
    pub stamp: Stamp,
}

impl PulledEntry {
    pub fn entry(&self) -> Entry {
        Entry {
            status: self.status,
            stamp: self.stamp.clone(),
        }
    }
}

impl PullResponse {
    /// The entries as `LocalProgress::absorb` takes them.
    pub fn pairs(&self) -> Vec<(String, Entry)> {
        self.entries
            .iter()
            .map(|pulled| (pulled.topic.clone(), pulled.entry()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_request_reads_the_documented_shape() {
        let json = r#"{"device":"device-a1","mutations":[
            {"id":1,"topic":"dns","status":"done",
             "stamp":{"millis":1700000000000,"counter":0,"device":"device-a1"}}]}"#;
        let request: PushRequest = serde_json::from_str(json).unwrap();
        assert_eq!(request.device, "device-a1");
        assert_eq!(request.mutations[0].id, 1);
        assert_eq!(request.mutations[0].status, Status::Done);
        assert!(
            serde_json::from_str::<PushRequest>(r#"{"device":"x","mutations":[{"id":-1}]}"#)
                .is_err()
        );
    }

    #[test]
    fn pull_response_round_trips_and_gives_absorbable_pairs() {
        let response = PullResponse {
            cursor: 7,
            entries: vec![PulledEntry {
                topic: "dns".into(),
                status: Status::InProgress,
                stamp: Stamp {
                    millis: 5,
                    counter: 1,
                    device: "device-a1".into(),
                },
            }],
        };
        let json = serde_json::to_string(&response).unwrap();
        assert_eq!(
            serde_json::from_str::<PullResponse>(&json).unwrap(),
            response
        );
        let pairs = response.pairs();
        assert_eq!(pairs[0].0, "dns");
        assert_eq!(pairs[0].1.status, Status::InProgress);
    }
}

//! Checking a push before anything is stored: the whole request is validated up front, so a
//! bad mutation anywhere rejects the push and stores nothing of it.
//!
//! The merge rule itself is not here: the store applies mutations with
//! `trailmap_core::progress::ProgressLog::apply` (statuses) and `apply_note` (notes), the same
//! last-writer-wins code the browser runs. A note over `MAX_NOTE_CHARS` characters is a `400`
//! naming the mutation and the topic, and nothing of its push is stored.

use trailmap_core::progress::{
    validate_entry, validate_note, DeviceId, Edit, Entry, NoteEntry, PushRequest, Stamp,
};
use trailmap_core::roadmap::Roadmap;

use crate::error::ApiError;

/// A stamp further ahead of the server's clock than this is refused: that clock is broken.
pub const MAX_AHEAD_MILLIS: u64 = 24 * 60 * 60 * 1000;
/// A stamp ahead by more than this (but within a day) is stored as server time + this, so one
/// fast clock cannot make its edits win over everyone's for hours.
pub const CLAMP_AHEAD_MILLIS: u64 = 60 * 1000;

/// A push that passed every check; topics are resolved to current node ids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidPush {
    pub roadmap: String,
    pub device: String,
    /// Consecutive ids, oldest first.
    pub mutations: Vec<ValidMutation>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidMutation {
    pub id: i64,
    pub topic: String,
    pub write: Write,
}

/// Which register a valid mutation writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Write {
    Status(Entry),
    Note(NoteEntry),
}

impl Write {
    fn stamp_mut(&mut self) -> &mut Stamp {
        match self {
            Self::Status(entry) => &mut entry.stamp,
            Self::Note(note) => &mut note.stamp,
        }
    }
}

/// A raw push body, as `POST /api/sync/{slug}/push` receives it, read and validated: the
/// handler's JSON extraction (`ApiJson`, whose decoding is `crate::http::json::from_bytes`)
/// followed by [`validate_push`], in one pure function (fuzzed by `fuzz/`'s `sync_push`).
pub fn parse_push(roadmap: &Roadmap, body: &[u8], now_millis: u64) -> Result<ValidPush, ApiError> {
    let request: PushRequest = crate::http::json::from_bytes(body)?;
    validate_push(roadmap, request, now_millis)
}

/// Validates a push for `roadmap` received at server time `now_millis`.
pub fn validate_push(
    roadmap: &Roadmap,
    request: PushRequest,
    now_millis: u64,
) -> Result<ValidPush, ApiError> {
    DeviceId::parse(&request.device).map_err(ApiError::BadRequest)?;
    if request.mutations.len() > PushRequest::MAX_MUTATIONS {
        return Err(ApiError::PayloadTooLarge(format!(
            "a push may carry at most {} mutations, not {}",
            PushRequest::MAX_MUTATIONS,
            request.mutations.len()
        )));
    }
    let limit = now_millis.saturating_add(CLAMP_AHEAD_MILLIS);
    let mut last_clamped: Option<(u64, u32)> = None;
    let mut previous_id: Option<u64> = None;
    let mut mutations = Vec::with_capacity(request.mutations.len());
    for mutation in request.mutations {
        let id = mutation.id;
        if id == 0 || i64::try_from(id).is_err() {
            return Err(ApiError::BadRequest(format!(
                "mutation id {id} is out of range"
            )));
        }
        if previous_id.is_some_and(|previous| previous.checked_add(1) != Some(id)) {
            return Err(ApiError::BadRequest(
                "mutation ids must be consecutive and increasing".into(),
            ));
        }
        previous_id = Some(id);
        // A mutation may carry another device's stamp: a device re-sends marks it imported
        // from a file or held as a guest, with their original stamps (validated below).
        let (mut write, checked) = match &mutation.edit {
            Edit::Status(status) => {
                let entry = Entry {
                    status: *status,
                    stamp: mutation.stamp.clone(),
                };
                let checked = validate_entry(&mutation.topic, &entry);
                (Write::Status(entry), checked)
            }
            Edit::Note(text) => {
                let note = NoteEntry {
                    text: text.clone(),
                    stamp: mutation.stamp.clone(),
                };
                let checked = validate_note(&mutation.topic, &note);
                (Write::Note(note), checked)
            }
        };
        checked.map_err(|message| ApiError::BadRequest(format!("mutation {id}: {message}")))?;
        let node = roadmap.resolve(&mutation.topic).ok_or_else(|| {
            ApiError::Unprocessable(format!(
                "mutation {id}: roadmap `{}` has no topic `{}`",
                roadmap.slug, mutation.topic
            ))
        })?;
        let stamp = write.stamp_mut();
        if stamp.millis > now_millis.saturating_add(MAX_AHEAD_MILLIS) {
            return Err(ApiError::BadRequest(format!(
                "mutation {id}: clock too far ahead (more than a day ahead of the server)"
            )));
        }
        if stamp.millis > limit {
            *stamp = clamp(stamp, limit, &mut last_clamped);
        }
        mutations.push(ValidMutation {
            id: id as i64,
            topic: node.id.as_str().to_owned(),
            write,
        });
    }
    Ok(ValidPush {
        roadmap: roadmap.slug.clone(),
        device: request.device,
        mutations,
    })
}

/// The stamp moved back to `limit`; clamped stamps of one push keep their order through the
/// counter, so the later edit still wins.
fn clamp(stamp: &Stamp, limit: u64, last: &mut Option<(u64, u32)>) -> Stamp {
    let time = match *last {
        Some((millis, counter)) if millis == limit => (limit, counter.saturating_add(1)),
        _ => (limit, 0),
    };
    *last = Some(time);
    Stamp {
        millis: time.0,
        counter: time.1,
        device: stamp.device.clone(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use trailmap_core::content::load_roadmap_dir;

    use super::*;

    fn backend() -> Roadmap {
        load_roadmap_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../roadmaps/backend"))
            .expect("the backend roadmap loads")
    }

    const NOW: u64 = 1_700_000_000_000;

    #[test]
    fn parse_push_reads_and_validates_a_raw_body() {
        let body = br#"{"device":"device-a1","mutations":[
            {"id":1,"topic":"dns","status":"done",
             "stamp":{"millis":1700000000000,"counter":0,"device":"device-a1"}}]}"#;

        let push = parse_push(&backend(), body, NOW).expect("a valid push");

        assert_eq!(push.device, "device-a1");
        assert_eq!(push.mutations.len(), 1);
        assert_eq!(push.mutations[0].topic, "dns");
    }

    #[test]
    fn parse_push_refuses_bad_bodies_with_client_errors() {
        let roadmap = backend();
        let cases: [(&[u8], u16); 5] = [
            (b"", 400),
            (b"{\"device\":", 400),
            (b"{\"device\":\"device-a1\",\"mutations\":[{\"id\":-1}]}", 400),
            (b"\xff\xfe", 400),
            (
                br#"{"device":"device-a1","mutations":[{"id":1,"topic":"no-such-topic","status":"done","stamp":{"millis":1,"counter":0,"device":"device-a1"}}]}"#,
                422,
            ),
        ];
        for (body, status) in cases {
            let error = parse_push(&roadmap, body, NOW).unwrap_err();
            let response = axum::response::IntoResponse::into_response(error);
            assert_eq!(
                response.status().as_u16(),
                status,
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
    }
}

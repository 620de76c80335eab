//! Checking a push before anything is stored: the whole request is validated up front, so a
//! bad mutation anywhere rejects the push and stores nothing of it. A refusal is a domain
//! error ([`PushRejection`]); `crate::http::sync` maps it to the HTTP answer.
//!
//! The merge rule itself is not here: the store applies mutations with
//! `trailmap_core::progress::ProgressLog::apply_edit`, the same last-writer-wins code the
//! browser runs, for every kind of register. A note over `MAX_NOTE_CHARS` characters is a `400`
//! naming the mutation and the topic, and nothing of its push is stored.

use trailmap_core::progress::{DeviceId, Edit, PushRequest, Stamp};
use trailmap_core::roadmap::Roadmap;

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

/// A mutation that passed every check: its topic is the node's current id, its stamp is
/// clamped (see [`CLAMP_AHEAD_MILLIS`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidMutation {
    pub id: i64,
    pub topic: String,
    pub edit: Edit,
    pub stamp: Stamp,
}

/// Why a push is refused before anything of it is stored. Each message names the mutation
/// (and topic) at fault.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PushRejection {
    /// A bad device id, mutation id, stamp or note.
    #[error("{0}")]
    Invalid(String),
    /// More mutations than one push may carry.
    #[error("{0}")]
    TooMany(String),
    /// A mutation names a topic the roadmap does not have.
    #[error("{0}")]
    UnknownTopic(String),
}

/// Validates a push for `roadmap` received at server time `now_millis`.
pub fn validate_push(
    roadmap: &Roadmap,
    request: PushRequest,
    now_millis: u64,
) -> Result<ValidPush, PushRejection> {
    DeviceId::parse(&request.device).map_err(PushRejection::Invalid)?;
    if request.mutations.len() > PushRequest::MAX_MUTATIONS {
        return Err(PushRejection::TooMany(format!(
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
            return Err(PushRejection::Invalid(format!(
                "mutation id {id} is out of range"
            )));
        }
        if previous_id.is_some_and(|previous| previous.checked_add(1) != Some(id)) {
            return Err(PushRejection::Invalid(
                "mutation ids must be consecutive and increasing".into(),
            ));
        }
        previous_id = Some(id);
        // A mutation may carry another device's stamp: a device re-sends marks it imported
        // from a file or held as a guest, with their original stamps (validated below).
        mutation
            .validate()
            .map_err(|message| PushRejection::Invalid(format!("mutation {id}: {message}")))?;
        let node = roadmap.resolve(&mutation.topic).ok_or_else(|| {
            PushRejection::UnknownTopic(format!(
                "mutation {id}: roadmap `{}` has no topic `{}`",
                roadmap.slug, mutation.topic
            ))
        })?;
        let mut stamp = mutation.stamp;
        if stamp.millis > now_millis.saturating_add(MAX_AHEAD_MILLIS) {
            return Err(PushRejection::Invalid(format!(
                "mutation {id}: clock too far ahead (more than a day ahead of the server)"
            )));
        }
        if stamp.millis > limit {
            stamp = clamp(&stamp, limit, &mut last_clamped);
        }
        mutations.push(ValidMutation {
            id: id as i64,
            topic: node.id.as_str().to_owned(),
            edit: mutation.edit,
            stamp,
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

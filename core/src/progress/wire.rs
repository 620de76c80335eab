//! The sync API's request and response bodies, shared by the browser client and the server so
//! both sides always agree on the wire format. Pure serde types: no web or server imports.
//!
//! Cursors are the server's per-learner change sequence: opaque to the client, which only
//! stores the last one it pulled (as a string, in [`super::LocalProgress::cursor`]) and sends it
//! back as `since`. A push's `cursor` is informational; only a pull may advance the stored one,
//! or changes from other devices committed in between would be skipped.
//!
//! Pulled registers merge by last writer wins (`LocalProgress::absorb`). A push's `entries` are
//! adopted as they are for topics with nothing pending (`LocalProgress::acknowledge_push`):
//! the server has seen every acknowledged edit, so its entry is the truth even when it carries
//! a smaller stamp than the device's own (a clamped one). Without that, a device whose clock
//! ran ahead would keep its own edit forever while every other device had moved on.

use serde::{Deserialize, Serialize};

use super::{
    register::{Register, RegisterValue},
    Mutation, NoteText, Outbox, Status,
};

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
    /// What a client aims to stay under, leaving room for the envelope and rounding.
    const BODY_BUDGET: usize = Self::MAX_BODY_BYTES - 1024;

    /// The next push from `outbox`: its oldest mutations, at most [`Self::MAX_MUTATIONS`] and
    /// as many as fit in a body under [`Self::MAX_BODY_BYTES`] (notes make mutations large).
    /// Always at least one mutation when the outbox has any: one note of the maximum length
    /// is far below the limit. The same outbox always gives the same batch, so a retry
    /// repeats the push whose answer was lost.
    pub fn from_outbox(device: &str, outbox: &Outbox) -> Self {
        let mut size = 0;
        let mut count = 0;
        for mutation in outbox.batch(Self::MAX_MUTATIONS) {
            // Each mutation as JSON, plus its separating comma.
            size += serde_json::to_string(mutation).map_or(0, |json| json.len()) + 1;
            if count > 0 && size > Self::BODY_BUDGET {
                break;
            }
            count += 1;
        }
        Self {
            device: device.to_owned(),
            mutations: outbox.batch(count).to_vec(),
        }
    }
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
    /// The same for notes: the server's current note of every topic the push wrote a note
    /// on (tombstones included).
    #[serde(default)]
    pub notes: Vec<PulledNote>,
}

/// `GET /api/sync/{slug}/pull?since=<cursor>`: every topic changed after `since`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    pub cursor: u64,
    pub entries: Vec<PulledEntry>,
    /// Notes changed after `since`, tombstones (empty `text`) included so deletions sync.
    /// Absent from answers of servers older than notes.
    #[serde(default)]
    pub notes: Vec<PulledNote>,
}

/// One topic's current register of one kind on the server: on the wire
/// `{topic, status, stamp}` for a status, `{topic, text, stamp}` for a note.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "V: RegisterValue")]
pub struct Pulled<V> {
    pub topic: String,
    #[serde(flatten)]
    pub register: Register<V>,
}

/// One topic's current status entry on the server.
pub type PulledEntry = Pulled<Status>;
/// One topic's current note on the server.
pub type PulledNote = Pulled<NoteText>;

/// The API document describes a pulled register by its JSON form: the topic, the value's
/// field (as the kind names it) and the stamp, all required.
#[cfg(feature = "openapi")]
mod schema {
    use std::borrow::Cow;

    use utoipa::{
        openapi::{schema::Schema, ObjectBuilder, RefOr, Type},
        PartialSchema, ToSchema,
    };

    use super::{NoteText, Pulled, Status};
    use crate::progress::{register::RegisterValue, Stamp};

    /// What the API document calls each kind's pulled register, and its value's schema.
    pub trait Documented: RegisterValue {
        const PULLED_NAME: &'static str;
        fn value_schema() -> RefOr<Schema>;
        fn value_schemas(schemas: &mut Vec<(String, RefOr<Schema>)>);
    }

    impl Documented for Status {
        const PULLED_NAME: &'static str = "PulledEntry";
        fn value_schema() -> RefOr<Schema> {
            utoipa::openapi::Ref::from_schema_name(<Status as ToSchema>::name()).into()
        }
        fn value_schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
            schemas.push((
                <Status as ToSchema>::name().into(),
                <Status as PartialSchema>::schema(),
            ));
        }
    }

    impl Documented for NoteText {
        const PULLED_NAME: &'static str = "PulledNote";
        fn value_schema() -> RefOr<Schema> {
            ObjectBuilder::new().schema_type(Type::String).into()
        }
        fn value_schemas(_: &mut Vec<(String, RefOr<Schema>)>) {}
    }

    impl<V: Documented> PartialSchema for Pulled<V> {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .property("topic", ObjectBuilder::new().schema_type(Type::String))
                .required("topic")
                .property(V::FIELD, V::value_schema())
                .required(V::FIELD)
                .property(
                    "stamp",
                    utoipa::openapi::Ref::from_schema_name(<Stamp as ToSchema>::name()),
                )
                .required("stamp")
                .description(Some(format!(
                    "One topic's current {} on the server.",
                    V::NOUN
                )))
                .into()
        }
    }

    impl<V: Documented> ToSchema for Pulled<V> {
        fn name() -> Cow<'static, str> {
            Cow::Borrowed(V::PULLED_NAME)
        }

        fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
            V::value_schemas(schemas);
            schemas.push((
                <Stamp as ToSchema>::name().into(),
                <Stamp as PartialSchema>::schema(),
            ));
            <Stamp as ToSchema>::schemas(schemas);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::progress::{Entry, NoteEntry, Stamp};

    /// A pull's answer holding these registers.
    pub(crate) fn pull(entries: Vec<(&str, Entry)>, notes: Vec<(&str, NoteEntry)>) -> PullResponse {
        fn pulled<V>(pairs: Vec<(&str, Register<V>)>) -> Vec<Pulled<V>> {
            pairs
                .into_iter()
                .map(|(topic, register)| Pulled {
                    topic: topic.into(),
                    register,
                })
                .collect()
        }
        PullResponse {
            cursor: 0,
            entries: pulled(entries),
            notes: pulled(notes),
        }
    }

    #[test]
    fn push_request_reads_the_documented_shape() {
        let json = r#"{"device":"device-a1","mutations":[
            {"id":1,"topic":"dns","status":"done",
             "stamp":{"millis":1700000000000,"counter":0,"device":"device-a1"}}]}"#;
        let request: PushRequest = serde_json::from_str(json).unwrap();
        assert_eq!(request.device, "device-a1");
        assert_eq!(request.mutations[0].id, 1);
        assert_eq!(
            request.mutations[0].edit,
            crate::progress::Edit::Status(Status::Done)
        );
        assert!(
            serde_json::from_str::<PushRequest>(r#"{"device":"x","mutations":[{"id":-1}]}"#)
                .is_err()
        );
    }

    #[test]
    fn pull_response_round_trips_in_the_documented_shape() {
        let stamp = Stamp {
            millis: 5,
            counter: 1,
            device: "device-a1".into(),
        };
        let response = PullResponse {
            cursor: 7,
            entries: vec![PulledEntry {
                topic: "dns".into(),
                register: Register::new(Status::InProgress, stamp.clone()),
            }],
            notes: vec![PulledNote {
                topic: "dns".into(),
                register: Register::new("dig +trace".into(), stamp),
            }],
        };
        let json = serde_json::to_string(&response).unwrap();
        assert_eq!(
            json,
            r#"{"cursor":7,"entries":[{"topic":"dns","status":"in_progress","stamp":{"millis":5,"counter":1,"device":"device-a1"}}],"notes":[{"topic":"dns","text":"dig +trace","stamp":{"millis":5,"counter":1,"device":"device-a1"}}]}"#
        );
        assert_eq!(
            serde_json::from_str::<PullResponse>(&json).unwrap(),
            response
        );
    }

    #[test]
    fn answers_without_notes_still_read() {
        let pull: PullResponse = serde_json::from_str(r#"{"cursor":3,"entries":[]}"#).unwrap();
        assert!(pull.notes.is_empty());
        let push: PushResponse =
            serde_json::from_str(r#"{"acknowledged":1,"cursor":3,"entries":[]}"#).unwrap();
        assert!(push.notes.is_empty());
    }

    fn stamp(millis: u64) -> Stamp {
        Stamp {
            millis,
            counter: 0,
            device: "device-a1".into(),
        }
    }

    #[test]
    fn a_push_from_the_outbox_stays_under_the_body_limit() {
        use crate::progress::{Edit, MAX_NOTE_CHARS};
        let mut outbox = Outbox::default();
        // 100 notes of the longest kind, in the widest characters (4 bytes each in UTF-8).
        let widest = "𝄞".repeat(MAX_NOTE_CHARS);
        for millis in 1..=100 {
            outbox.record("http", Edit::Note(widest.clone()), stamp(millis));
        }
        let mut ids = Vec::new();
        while !outbox.is_empty() {
            let push = PushRequest::from_outbox("device-a1", &outbox);
            let body = serde_json::to_string(&push).unwrap();
            assert!(body.len() <= PushRequest::MAX_BODY_BYTES, "{}", body.len());
            assert!(!push.mutations.is_empty());
            assert_eq!(
                PushRequest::from_outbox("device-a1", &outbox),
                push,
                "the same outbox gives the same push"
            );
            ids.extend(push.mutations.iter().map(|m| m.id));
            outbox.acknowledge(push.mutations.last().unwrap().id);
        }
        assert_eq!(
            ids,
            (1..=100).collect::<Vec<u64>>(),
            "every mutation, in order"
        );
    }

    #[test]
    fn small_mutations_still_go_500_at_a_time() {
        use crate::progress::Edit;
        let mut outbox = Outbox::default();
        for millis in 1..=600 {
            outbox.record("http", Edit::Status(Status::Done), stamp(millis));
        }
        let push = PushRequest::from_outbox("device-a1", &outbox);
        assert_eq!(push.mutations.len(), PushRequest::MAX_MUTATIONS);
        assert!(serde_json::to_string(&push).unwrap().len() <= PushRequest::MAX_BODY_BYTES);
    }
}

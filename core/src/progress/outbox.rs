//! The outbox: a device's edits that the server has not acknowledged yet.
//!
//! Every edit gets the next id (ids strictly increase per device and never repeat, starting at
//! 1 so that a server's "last applied id" of 0 means "nothing yet"). The device pushes the
//! oldest few, the server applies them idempotently (skipping ids it has applied, rejecting
//! gaps) and acknowledges the last id it holds, and the device drops everything up to it.
//! Edits are never coalesced: dropping a superseded edit would leave a gap in the ids.

use serde::{Deserialize, Serialize};

use super::{
    register::{Edit, Register, RegisterValue},
    NoteText, Stamp, Status,
};

/// One edit of one topic, as pushed to the server: on the wire
/// `{id, topic, status, stamp}` for a status or `{id, topic, note, stamp}` for a note (an empty
/// `note` deletes it), so pushes written before notes existed still read the same.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "MutationBody", into = "MutationBody")]
pub struct Mutation {
    pub id: u64,
    pub topic: String,
    pub edit: Edit,
    pub stamp: Stamp,
}

/// A mutation as JSON: exactly one of `status` and `note`.
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
struct MutationBody {
    id: u64,
    topic: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    stamp: Stamp,
}

/// The API document describes a mutation by its JSON form.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Mutation {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <MutationBody as utoipa::PartialSchema>::schema()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Mutation {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Mutation")
    }
}

impl TryFrom<MutationBody> for Mutation {
    type Error = String;

    fn try_from(body: MutationBody) -> Result<Self, String> {
        let edit = match (body.status, body.note) {
            (Some(status), None) => Edit::Status(status),
            (None, Some(note)) => Edit::Note(note),
            _ => {
                return Err(format!(
                    "mutation {} must set exactly one of `status` and `note`",
                    body.id
                ))
            }
        };
        Ok(Self {
            id: body.id,
            topic: body.topic,
            edit,
            stamp: body.stamp,
        })
    }
}

impl From<Mutation> for MutationBody {
    fn from(mutation: Mutation) -> Self {
        let (status, note) = match mutation.edit {
            Edit::Status(status) => (Some(status), None),
            Edit::Note(note) => (None, Some(note)),
        };
        Self {
            id: mutation.id,
            topic: mutation.topic,
            status,
            note,
            stamp: mutation.stamp,
        }
    }
}

impl Mutation {
    /// The register of kind `V` this mutation writes, if it writes one of that kind.
    pub fn register<V: RegisterValue>(&self) -> Option<Register<V>> {
        V::of_edit(&self.edit).map(|value| Register::new(value, self.stamp.clone()))
    }

    /// Checks a mutation that came from outside (storage, the network) as the register it
    /// writes: topic id, stamp and value. The message names the topic.
    pub fn validate(&self) -> Result<(), String> {
        match &self.edit {
            Edit::Status(_) => self.checked::<Status>(),
            Edit::Note(_) => self.checked::<NoteText>(),
        }
    }

    fn checked<V: RegisterValue>(&self) -> Result<(), String> {
        self.register::<V>()
            .map_or(Ok(()), |register| register.validate(&self.topic))
    }
}

/// Mutations not yet acknowledged by the server; ids strictly increase per device and never
/// repeat.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outbox {
    /// The id the next recorded mutation gets (0 is read as 1: ids start at 1).
    pub next_id: u64,
    /// Oldest first.
    pub pending: Vec<Mutation>,
}

impl Outbox {
    /// Queues an edit under the next id and returns it.
    pub fn record(&mut self, topic: &str, edit: Edit, stamp: Stamp) -> Mutation {
        let id = self.next_id.max(1);
        self.next_id = id.saturating_add(1);
        let mutation = Mutation {
            id,
            topic: topic.to_owned(),
            edit,
            stamp,
        };
        self.pending.push(mutation.clone());
        mutation
    }

    /// Drops every pending mutation with an id up to and including `through_id`. Should the
    /// server acknowledge an id this outbox has not issued yet (its state was lost and
    /// restarted under the same device id), later ids skip past it so none is ever reused.
    pub fn acknowledge(&mut self, through_id: u64) {
        self.pending.retain(|mutation| mutation.id > through_id);
        self.next_id = self.next_id.max(through_id.saturating_add(1));
    }

    /// The oldest `max` pending mutations (fewer if there are fewer): the next push.
    pub fn batch(&self, max: usize) -> &[Mutation] {
        &self.pending[..max.min(self.pending.len())]
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(millis: u64) -> Stamp {
        Stamp {
            millis,
            counter: 0,
            device: "device-a".into(),
        }
    }

    #[test]
    fn record_gives_strictly_increasing_ids_from_1() {
        let mut outbox = Outbox::default();
        let first = outbox.record("http", Edit::Status(Status::Done), stamp(1));
        let second = outbox.record("dns", Edit::Status(Status::InProgress), stamp(2));
        let third = outbox.record("http", Edit::Status(Status::Skipped), stamp(3));
        assert_eq!((first.id, second.id, third.id), (1, 2, 3));
        assert_eq!(outbox.next_id, 4);
        assert_eq!(outbox.len(), 3);
        assert_eq!(
            second,
            Mutation {
                id: 2,
                topic: "dns".into(),
                edit: Edit::Status(Status::InProgress),
                stamp: stamp(2),
            }
        );
        assert_eq!(
            second.register::<Status>().unwrap().value,
            Status::InProgress
        );
        assert_eq!(second.register::<NoteText>(), None);
    }

    #[test]
    fn acknowledge_removes_through_the_id_and_ids_never_repeat() {
        let mut outbox = Outbox::default();
        for millis in 1..=4 {
            outbox.record("http", Edit::Status(Status::Done), stamp(millis));
        }
        outbox.acknowledge(2);
        let ids: Vec<u64> = outbox.pending.iter().map(|m| m.id).collect();
        assert_eq!(ids, [3, 4]);
        outbox.acknowledge(2);
        assert_eq!(outbox.len(), 2);
        outbox.acknowledge(4);
        assert!(outbox.is_empty());
        assert_eq!(
            outbox
                .record("dns", Edit::Status(Status::Done), stamp(9))
                .id,
            5
        );
    }

    #[test]
    fn acknowledging_an_unissued_id_moves_later_ids_past_it() {
        let mut outbox = Outbox::default();
        outbox.record("http", Edit::Status(Status::Done), stamp(1));
        outbox.acknowledge(40);
        assert!(outbox.is_empty());
        assert_eq!(
            outbox
                .record("http", Edit::Status(Status::Done), stamp(2))
                .id,
            41
        );
        outbox.acknowledge(u64::MAX);
        assert_eq!(outbox.next_id, u64::MAX);
    }

    #[test]
    fn mutations_read_and_write_status_or_note_and_never_both() {
        let status: Mutation = serde_json::from_str(
            r#"{"id":1,"topic":"dns","status":"done","stamp":{"millis":1,"counter":0,"device":"device-a"}}"#,
        )
        .unwrap();
        assert_eq!(status.edit, Edit::Status(Status::Done));
        let note: Mutation = serde_json::from_str(
            r#"{"id":2,"topic":"dns","note":"*mine*","stamp":{"millis":1,"counter":0,"device":"device-a"}}"#,
        )
        .unwrap();
        assert_eq!(note.edit, Edit::Note("*mine*".into()));
        assert_eq!(
            note.register::<NoteText>().unwrap().value.as_str(),
            "*mine*"
        );
        assert_eq!(note.register::<Status>(), None);
        let json = serde_json::to_value(&note).unwrap();
        assert_eq!(json["note"], "*mine*");
        assert!(json.get("status").is_none());
        let json = serde_json::to_value(&status).unwrap();
        assert_eq!(json["status"], "done");
        assert!(json.get("note").is_none());
        for bad in [
            r#"{"id":3,"topic":"dns","stamp":{"millis":1,"counter":0,"device":"device-a"}}"#,
            r#"{"id":3,"topic":"dns","status":"done","note":"x","stamp":{"millis":1,"counter":0,"device":"device-a"}}"#,
        ] {
            let error = serde_json::from_str::<Mutation>(bad)
                .unwrap_err()
                .to_string();
            assert!(
                error.contains("exactly one of `status` and `note`"),
                "{error}"
            );
        }
    }

    #[test]
    fn batch_is_the_oldest_few() {
        let mut outbox = Outbox::default();
        assert!(outbox.batch(10).is_empty());
        for millis in 1..=5 {
            outbox.record("http", Edit::Status(Status::Done), stamp(millis));
        }
        let ids: Vec<u64> = outbox.batch(2).iter().map(|m| m.id).collect();
        assert_eq!(ids, [1, 2]);
        assert_eq!(outbox.batch(50).len(), 5);
        assert!(outbox.batch(0).is_empty());
    }
}

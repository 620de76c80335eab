//! The last-writer-wins register: one per topic and kind of value (a status, a note), and the
//! one rule by which two of them merge.
//!
//! A register holds a value and the stamp of the edit that wrote it; of two registers the one
//! with the greater stamp wins. Because stamps are totally ordered (and, for the impossible
//! case of two equal stamps, the values break the tie), merging is commutative, associative
//! and idempotent: devices can exchange registers in any order, any number of times, and all
//! end up with the same value.
//!
//! The register is generic over its value ([`RegisterValue`]): [`Status`] and
//! [`super::NoteText`] are the two kinds today, and every rule written here (merging,
//! validation, the JSON shape `{"<field>": value, "stamp": …}`, the edit it becomes in the
//! outbox) serves both. A new kind of per-topic value implements the trait, gets a map in
//! `ProgressLog` (see `log`) and a field on the wire (see `wire`).

use std::{cmp::Ordering, fmt, marker::PhantomData};

use serde::{
    de::{self, DeserializeOwned, MapAccess, Visitor},
    ser::SerializeMap,
    Deserialize, Deserializer, Serialize, Serializer,
};

use super::{shorten, Stamp, Status};
use crate::roadmap::NodeId;

/// A value a per-topic register holds: what sets one kind of register apart from another.
pub trait RegisterValue:
    Clone + fmt::Debug + PartialEq + Eq + Serialize + DeserializeOwned
{
    /// The value's field in the register's JSON (stored logs, export files, sync answers):
    /// `status` in `{"status": …, "stamp": …}`.
    const FIELD: &'static str;
    /// What one register of this kind is called in messages: `entry`, `note`.
    const NOUN: &'static str;

    /// Orders two values written with the very same stamp (which honest devices never
    /// produce), so that merging stays commutative anyway.
    fn tie_break(&self, other: &Self) -> Ordering;

    /// Checks a value that came from outside, beyond what its type guarantees.
    fn validate(&self) -> Result<(), String>;

    /// The outbox's edit that writes this value.
    fn edit(&self) -> Edit;

    /// The value `edit` writes, if it writes this kind of register.
    fn of_edit(edit: &Edit) -> Option<Self>;
}

/// Which register a mutation writes, and what: the kinds of register as the outbox and the
/// push body know them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    Status(Status),
    /// The note's new text; empty deletes the note.
    Note(String),
}

/// One topic's value of one kind and when (by which device) it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Register<V> {
    pub value: V,
    pub stamp: Stamp,
}

/// One topic's status register.
pub type Entry = Register<Status>;

impl<V: RegisterValue> Register<V> {
    pub fn new(value: V, stamp: Stamp) -> Self {
        Self { value, stamp }
    }

    /// Whether this register wins over `other` in a merge: the greater stamp, then (only if
    /// the stamps are equal) the value's tie-break.
    pub fn supersedes(&self, other: &Self) -> bool {
        self.stamp
            .cmp(&other.stamp)
            .then_with(|| self.value.tie_break(&other.value))
            == Ordering::Greater
    }

    /// Checks a register that came from outside (storage, a file, the network): the topic id
    /// is a slug, the stamp and the value are valid. The message names the topic.
    pub fn validate(&self, topic: &str) -> Result<(), String> {
        validate_topic(topic)?;
        self.stamp
            .validate()
            .and_then(|()| self.value.validate())
            .map_err(|message| format!("topic `{topic}`: {message}"))
    }

    /// The outbox's edit that writes this register's value.
    pub fn edit(&self) -> Edit {
        self.value.edit()
    }
}

impl RegisterValue for Status {
    const FIELD: &'static str = "status";
    const NOUN: &'static str = "entry";

    fn tie_break(&self, other: &Self) -> Ordering {
        self.rank().cmp(&other.rank())
    }

    fn validate(&self) -> Result<(), String> {
        Ok(())
    }

    fn edit(&self) -> Edit {
        Edit::Status(*self)
    }

    fn of_edit(edit: &Edit) -> Option<Self> {
        match edit {
            Edit::Status(status) => Some(*status),
            Edit::Note(_) => None,
        }
    }
}

/// Checks a topic id from outside: a slug of at most [`NodeId::MAX_LEN`] characters.
fn validate_topic(topic: &str) -> Result<(), String> {
    if topic.len() > NodeId::MAX_LEN {
        return Err(format!(
            "topic id `{}` is longer than {} characters",
            shorten(topic),
            NodeId::MAX_LEN
        ));
    }
    NodeId::parse(topic).map(|_| ())
}

/// `{"<field>": value, "stamp": stamp}`, the field named by the kind (`status`, `text`): the
/// shape stored logs and export files have always had.
impl<V: RegisterValue> Serialize for Register<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry(V::FIELD, &self.value)?;
        map.serialize_entry("stamp", &self.stamp)?;
        map.end()
    }
}

impl<'de, V: RegisterValue> Deserialize<'de> for Register<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(RegisterVisitor(PhantomData))
    }
}

struct RegisterVisitor<V>(PhantomData<V>);

impl<'de, V: RegisterValue> Visitor<'de> for RegisterVisitor<V> {
    type Value = Register<V>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        write!(formatter, "an object with `{}` and `stamp`", V::FIELD)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut value = None;
        let mut stamp = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == V::FIELD {
                if value.is_some() {
                    return Err(de::Error::duplicate_field(V::FIELD));
                }
                value = Some(map.next_value()?);
            } else if key == "stamp" {
                if stamp.is_some() {
                    return Err(de::Error::duplicate_field("stamp"));
                }
                stamp = Some(map.next_value()?);
            } else {
                // Unknown fields are ignored, as they always were.
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        Ok(Register {
            value: value.ok_or_else(|| de::Error::missing_field(V::FIELD))?,
            stamp: stamp.ok_or_else(|| de::Error::missing_field("stamp"))?,
        })
    }
}

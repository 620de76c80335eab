//! The progress log: one last-writer-wins register per topic, and how two logs merge.
//!
//! Each topic keeps only the entry with the greatest stamp. Because stamps are totally ordered
//! (and, for the impossible case of two equal stamps, the status breaks the tie), merging is
//! commutative, associative and idempotent: devices can exchange logs in any order, any number
//! of times, and all end up with the same log. A `BTreeMap` keeps serialised output stable.
//!
//! Notes ([`NoteEntry`]) are a second, independent register per topic in the same log, merged
//! by the same rule: a status edit never touches a note and a note edit never touches a status.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{shorten, NoteEntry, Stamp, Status};
use crate::roadmap::NodeId;

/// One topic's status and when (by which device) it was set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub status: Status,
    pub stamp: Stamp,
}

impl Entry {
    /// Whether this entry wins over `other` in a merge: the greater stamp, then (only if the
    /// stamps are equal, which honest devices never produce) the greater status rank.
    pub fn supersedes(&self, other: &Entry) -> bool {
        (&self.stamp, self.status.rank()) > (&other.stamp, other.status.rank())
    }
}

/// Checks an entry that came from outside (storage, a file, the network): the topic id is a
/// slug and the stamp is valid. The message names the topic.
pub fn validate_entry(topic: &str, entry: &Entry) -> Result<(), String> {
    validate_topic(topic)?;
    entry
        .stamp
        .validate()
        .map_err(|message| format!("topic `{topic}`: {message}"))
}

/// Checks a topic id from outside: a slug of at most [`NodeId::MAX_LEN`] characters.
pub(crate) fn validate_topic(topic: &str) -> Result<(), String> {
    if topic.len() > NodeId::MAX_LEN {
        return Err(format!(
            "topic id `{}` is longer than {} characters",
            shorten(topic),
            NodeId::MAX_LEN
        ));
    }
    NodeId::parse(topic).map(|_| ())
}

/// Per-roadmap progress: topic id → LWW register. BTreeMap for deterministic output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressLog {
    pub entries: BTreeMap<String, Entry>,
    /// Topic id → note register, tombstones (empty texts) included so deletions sync. Absent
    /// from data saved before notes existed, and left out of the JSON when empty.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub notes: BTreeMap<String, NoteEntry>,
}

impl ProgressLog {
    /// The topic's status; `Pending` when the log has nothing for it.
    pub fn status(&self, topic: &str) -> Status {
        self.entries
            .get(topic)
            .map(|entry| entry.status)
            .unwrap_or_default()
    }

    /// Keeps whichever of the stored entry and `entry` has the greater stamp; true if the log
    /// changed.
    pub fn apply(&mut self, topic: &str, entry: Entry) -> bool {
        match self.entries.get_mut(topic) {
            Some(current) if entry.supersedes(current) => {
                *current = entry;
                true
            }
            Some(_) => false,
            None => {
                self.entries.insert(topic.to_owned(), entry);
                true
            }
        }
    }

    /// The topic's note, `None` when it has none (or it was deleted).
    pub fn note(&self, topic: &str) -> Option<&str> {
        self.notes
            .get(topic)
            .filter(|note| !note.is_tombstone())
            .map(|note| note.text.as_str())
    }

    /// Keeps whichever of the stored note and `note` has the greater stamp; true if the log
    /// changed. Never touches the topic's status.
    pub fn apply_note(&mut self, topic: &str, note: NoteEntry) -> bool {
        match self.notes.get_mut(topic) {
            Some(current) if note.supersedes(current) => {
                *current = note;
                true
            }
            Some(_) => false,
            None => {
                self.notes.insert(topic.to_owned(), note);
                true
            }
        }
    }

    /// Applies every entry and every note of `other`.
    pub fn merge(&mut self, other: &ProgressLog) {
        for (topic, entry) in &other.entries {
            self.apply(topic, entry.clone());
        }
        for (topic, note) in &other.notes {
            self.apply_note(topic, note.clone());
        }
    }

    /// How many topics have a status entry (notes not counted).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// No status entry and no note register at all.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.notes.is_empty()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use proptest::prelude::*;

    use super::*;

    pub(crate) fn entry(status: Status, millis: u64, counter: u32, device: &str) -> Entry {
        Entry {
            status,
            stamp: Stamp {
                millis,
                counter,
                device: device.into(),
            },
        }
    }

    #[test]
    fn status_is_pending_when_absent() {
        let mut log = ProgressLog::default();
        assert_eq!(log.status("http"), Status::Pending);
        log.apply("http", entry(Status::Done, 1, 0, "device-a"));
        assert_eq!(log.status("http"), Status::Done);
        assert_eq!(log.status("dns"), Status::Pending);
        assert_eq!(log.len(), 1);
    }

    #[test]
    fn apply_keeps_the_greater_stamp() {
        let mut log = ProgressLog::default();
        assert!(log.apply("http", entry(Status::InProgress, 10, 0, "device-a")));
        assert!(log.apply("http", entry(Status::Done, 20, 0, "device-a")));
        assert!(!log.apply("http", entry(Status::Skipped, 15, 3, "device-b")));
        assert_eq!(log.entries["http"], entry(Status::Done, 20, 0, "device-a"));
        // Re-applying the same entry changes nothing.
        assert!(!log.apply("http", entry(Status::Done, 20, 0, "device-a")));
    }

    #[test]
    fn a_tie_in_time_is_broken_by_the_device_id() {
        let a = entry(Status::Done, 20, 1, "device-a");
        let b = entry(Status::Skipped, 20, 1, "device-b");
        let mut first = ProgressLog::default();
        first.apply("http", a.clone());
        first.apply("http", b.clone());
        let mut second = ProgressLog::default();
        second.apply("http", b.clone());
        second.apply("http", a);
        assert_eq!(first, second);
        assert_eq!(first.entries["http"], b);
    }

    #[test]
    fn equal_stamps_with_different_statuses_still_converge() {
        let done = entry(Status::Done, 5, 0, "device-a");
        let skipped = entry(Status::Skipped, 5, 0, "device-a");
        assert!(skipped.supersedes(&done));
        assert!(!done.supersedes(&skipped));
        assert!(!done.supersedes(&done));
    }

    #[test]
    fn validate_entry_checks_topic_and_stamp() {
        let good = entry(Status::Done, 1, 0, "device-a");
        assert_eq!(validate_entry("http-methods", &good), Ok(()));
        assert!(validate_entry("Bad Topic", &good).is_err());
        assert!(validate_entry("", &good).is_err());
        assert_eq!(
            validate_entry(&"a".repeat(100), &good),
            Err(format!(
                "topic id `{}…` is longer than 64 characters",
                "a".repeat(40)
            ))
        );
        assert_eq!(
            validate_entry("http", &entry(Status::Done, 1, 0, "dev")),
            Err("topic `http`: device id `dev` must be 8 to 64 characters long".into())
        );
    }

    #[test]
    fn merge_applies_every_entry() {
        let mut mine = ProgressLog::default();
        mine.apply("http", entry(Status::Done, 10, 0, "device-a"));
        mine.apply("dns", entry(Status::InProgress, 30, 0, "device-a"));
        let mut theirs = ProgressLog::default();
        theirs.apply("http", entry(Status::Skipped, 12, 0, "device-b"));
        theirs.apply("dns", entry(Status::Done, 25, 0, "device-b"));
        theirs.apply("tcp", entry(Status::Done, 1, 0, "device-b"));
        mine.merge(&theirs);
        assert_eq!(mine.status("http"), Status::Skipped);
        assert_eq!(mine.status("dns"), Status::InProgress);
        assert_eq!(mine.status("tcp"), Status::Done);
        assert_eq!(mine.len(), 3);
    }

    pub(crate) fn arb_status() -> impl Strategy<Value = Status> {
        prop::sample::select(Status::ALL.to_vec())
    }

    /// Entries over few topics, times and devices, so that collisions (including equal
    /// stamps) are common.
    pub(crate) fn arb_entry() -> impl Strategy<Value = Entry> {
        (
            arb_status(),
            0u64..4,
            0u32..3,
            prop::sample::select(vec!["device-a", "device-b", "device-c"]),
        )
            .prop_map(|(status, millis, counter, device)| entry(status, millis, counter, device))
    }

    pub(crate) fn arb_topic() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["http", "dns", "tcp", "sql", "caching-101"])
            .prop_map(str::to_owned)
    }

    pub(crate) fn arb_note() -> impl Strategy<Value = NoteEntry> {
        (
            prop::sample::select(vec!["", "a note", "**bold**"]),
            0u64..4,
            0u32..3,
            prop::sample::select(vec!["device-a", "device-b", "device-c"]),
        )
            .prop_map(|(text, millis, counter, device)| {
                crate::progress::note::tests::note(text, millis, counter, device)
            })
    }

    fn arb_log() -> impl Strategy<Value = ProgressLog> {
        (
            prop::collection::vec((arb_topic(), arb_entry()), 0..12),
            prop::collection::vec((arb_topic(), arb_note()), 0..6),
        )
            .prop_map(|(pairs, notes)| {
                let mut log = ProgressLog::default();
                for (topic, entry) in pairs {
                    log.apply(&topic, entry);
                }
                for (topic, note) in notes {
                    log.apply_note(&topic, note);
                }
                log
            })
    }

    #[test]
    fn notes_and_statuses_are_independent_registers() {
        use crate::progress::note::tests::note;
        let mut log = ProgressLog::default();
        log.apply("http", entry(Status::Done, 10, 0, "device-a"));
        // A note written earlier than the status, on another device, still lands…
        assert!(log.apply_note("http", note("read RFC 9110", 5, 0, "device-b")));
        // …and a later status leaves the note alone.
        assert!(log.apply("http", entry(Status::Skipped, 20, 0, "device-b")));
        assert_eq!(log.note("http"), Some("read RFC 9110"));
        assert_eq!(log.status("http"), Status::Skipped);
        // A later note leaves the status alone.
        assert!(log.apply_note("http", note("done twice", 30, 0, "device-a")));
        assert_eq!(log.status("http"), Status::Skipped);
        assert_eq!(log.note("http"), Some("done twice"));
        // An older note loses.
        assert!(!log.apply_note("http", note("stale", 25, 0, "device-c")));
        assert_eq!(log.note("http"), Some("done twice"));
    }

    #[test]
    fn an_empty_note_is_a_tombstone_that_wins_by_its_stamp() {
        use crate::progress::note::tests::note;
        let mut log = ProgressLog::default();
        log.apply_note("dns", note("keep", 10, 0, "device-a"));
        assert!(log.apply_note("dns", note("", 11, 0, "device-b")));
        assert_eq!(log.note("dns"), None, "deleted");
        assert_eq!(
            log.notes.len(),
            1,
            "the tombstone stays to carry the deletion"
        );
        assert!(
            !log.apply_note("dns", note("keep", 10, 0, "device-a")),
            "old text stays dead"
        );
        assert!(log.apply_note("dns", note("again", 12, 0, "device-a")));
        assert_eq!(log.note("dns"), Some("again"));
        assert!(!log.is_empty());
        assert_eq!(log.len(), 0, "len counts statuses only");
    }

    fn merged(a: &ProgressLog, b: &ProgressLog) -> ProgressLog {
        let mut out = a.clone();
        out.merge(b);
        out
    }

    proptest! {
        #[test]
        fn merge_is_commutative(a in arb_log(), b in arb_log()) {
            prop_assert_eq!(merged(&a, &b), merged(&b, &a));
        }

        #[test]
        fn merge_is_associative(a in arb_log(), b in arb_log(), c in arb_log()) {
            prop_assert_eq!(merged(&merged(&a, &b), &c), merged(&a, &merged(&b, &c)));
        }

        #[test]
        fn merge_is_idempotent(a in arb_log(), b in arb_log()) {
            prop_assert_eq!(merged(&a, &a), a.clone());
            let once = merged(&a, &b);
            prop_assert_eq!(merged(&once, &b), once);
        }

        #[test]
        fn applying_mutations_in_any_order_gives_the_same_log(
            (mutations, shuffled) in prop::collection::vec((arb_topic(), arb_entry()), 0..20)
                .prop_flat_map(|mutations| {
                    let shuffled = Just(mutations.clone()).prop_shuffle();
                    (Just(mutations), shuffled)
                })
        ) {
            let mut first = ProgressLog::default();
            for (topic, entry) in mutations {
                first.apply(&topic, entry);
            }
            let mut second = ProgressLog::default();
            for (topic, entry) in shuffled {
                second.apply(&topic, entry);
            }
            prop_assert_eq!(first, second);
        }
    }
}

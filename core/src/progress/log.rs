//! The progress log: every register of one roadmap, topic by topic, and how two logs merge.
//!
//! The log holds one map per kind of register (`entries` for statuses, `notes` for notes), as
//! the stored and exported JSON always had them; [`Kind`] says which map (and which list of a
//! sync answer) holds a kind, so every rule over registers is written once, generically.
//! `BTreeMap`s keep serialised output stable.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    register::{Edit, Register, RegisterValue},
    NoteText, PullResponse, Pulled, PushResponse, Stamp, Status,
};

/// A kind of register and where it lives: its map in a [`ProgressLog`] and its list in the
/// sync API's answers. Implemented by [`Status`] and [`NoteText`].
pub trait Kind: RegisterValue {
    fn registers(log: &ProgressLog) -> &BTreeMap<String, Register<Self>>;
    fn registers_mut(log: &mut ProgressLog) -> &mut BTreeMap<String, Register<Self>>;
    /// The server's current register of this kind for every topic a push named.
    fn answered(response: &PushResponse) -> &[Pulled<Self>];
    /// The registers of this kind a pull brought.
    fn pulled(response: &PullResponse) -> &[Pulled<Self>];
}

impl Kind for Status {
    fn registers(log: &ProgressLog) -> &BTreeMap<String, Register<Self>> {
        &log.entries
    }
    fn registers_mut(log: &mut ProgressLog) -> &mut BTreeMap<String, Register<Self>> {
        &mut log.entries
    }
    fn answered(response: &PushResponse) -> &[Pulled<Self>] {
        &response.entries
    }
    fn pulled(response: &PullResponse) -> &[Pulled<Self>] {
        &response.entries
    }
}

impl Kind for NoteText {
    fn registers(log: &ProgressLog) -> &BTreeMap<String, Register<Self>> {
        &log.notes
    }
    fn registers_mut(log: &mut ProgressLog) -> &mut BTreeMap<String, Register<Self>> {
        &mut log.notes
    }
    fn answered(response: &PushResponse) -> &[Pulled<Self>] {
        &response.notes
    }
    fn pulled(response: &PullResponse) -> &[Pulled<Self>] {
        &response.notes
    }
}

/// Per-roadmap progress: topic id → register, per kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressLog {
    /// Topic id → status register.
    pub entries: BTreeMap<String, Register<Status>>,
    /// Topic id → note register, tombstones (empty texts) included so deletions sync. Absent
    /// from data saved before notes existed, and left out of the JSON when empty.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub notes: BTreeMap<String, Register<NoteText>>,
}

impl ProgressLog {
    /// The log's registers of kind `V`, by topic.
    pub fn registers<V: Kind>(&self) -> &BTreeMap<String, Register<V>> {
        V::registers(self)
    }

    /// The topic's status; `Pending` when the log has nothing for it.
    pub fn status(&self, topic: &str) -> Status {
        self.entries
            .get(topic)
            .map(|entry| entry.value)
            .unwrap_or_default()
    }

    /// The topic's note, `None` when it has none (or it was deleted).
    pub fn note(&self, topic: &str) -> Option<&str> {
        self.notes
            .get(topic)
            .filter(|note| !note.is_tombstone())
            .map(|note| note.value.as_str())
    }

    /// Keeps whichever of the stored register and `register` has the greater stamp; true if
    /// the log changed. Never touches the topic's registers of other kinds.
    pub fn apply<V: Kind>(&mut self, topic: &str, register: Register<V>) -> bool {
        let registers = V::registers_mut(self);
        match registers.get_mut(topic) {
            Some(current) if register.supersedes(current) => {
                *current = register;
                true
            }
            Some(_) => false,
            None => {
                registers.insert(topic.to_owned(), register);
                true
            }
        }
    }

    /// Applies what `edit` writes, stamped `stamp`, to the register it writes.
    pub fn apply_edit(&mut self, topic: &str, edit: &Edit, stamp: &Stamp) -> bool {
        match edit {
            Edit::Status(status) => self.apply(topic, Register::new(*status, stamp.clone())),
            Edit::Note(text) => {
                self.apply(topic, Register::new(NoteText(text.clone()), stamp.clone()))
            }
        }
    }

    /// Applies every register of `other`, kind by kind.
    pub fn merge(&mut self, other: &ProgressLog) {
        self.merge_kind::<Status>(other);
        self.merge_kind::<NoteText>(other);
    }

    fn merge_kind<V: Kind>(&mut self, other: &ProgressLog) {
        for (topic, register) in other.registers::<V>() {
            self.apply(topic, register.clone());
        }
    }

    /// Every stamp the log holds, all kinds.
    pub fn stamps(&self) -> impl Iterator<Item = &Stamp> {
        let statuses = self.entries.values().map(|entry| &entry.stamp);
        statuses.chain(self.notes.values().map(|note| &note.stamp))
    }

    /// Every topic id with a register of any kind (an id may come twice).
    pub fn topics(&self) -> impl Iterator<Item = &String> {
        self.entries.keys().chain(self.notes.keys())
    }

    /// How many topics have a status entry (notes not counted).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// No register of any kind at all.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.notes.is_empty()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::progress::{Entry, NoteEntry};

    pub(crate) fn entry(status: Status, millis: u64, counter: u32, device: &str) -> Entry {
        Entry::new(
            status,
            Stamp {
                millis,
                counter,
                device: device.into(),
            },
        )
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
        assert_eq!(good.validate("http-methods"), Ok(()));
        assert!(good.validate("Bad Topic").is_err());
        assert!(good.validate("").is_err());
        assert_eq!(
            good.validate(&"a".repeat(100)),
            Err(format!(
                "topic id `{}…` is longer than 64 characters",
                "a".repeat(40)
            ))
        );
        assert_eq!(
            entry(Status::Done, 1, 0, "dev").validate("http"),
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
                    log.apply(&topic, note);
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
        assert!(log.apply("http", note("read RFC 9110", 5, 0, "device-b")));
        // …and a later status leaves the note alone.
        assert!(log.apply("http", entry(Status::Skipped, 20, 0, "device-b")));
        assert_eq!(log.note("http"), Some("read RFC 9110"));
        assert_eq!(log.status("http"), Status::Skipped);
        // A later note leaves the status alone.
        assert!(log.apply("http", note("done twice", 30, 0, "device-a")));
        assert_eq!(log.status("http"), Status::Skipped);
        assert_eq!(log.note("http"), Some("done twice"));
        // An older note loses.
        assert!(!log.apply("http", note("stale", 25, 0, "device-c")));
        assert_eq!(log.note("http"), Some("done twice"));
    }

    #[test]
    fn an_empty_note_is_a_tombstone_that_wins_by_its_stamp() {
        use crate::progress::note::tests::note;
        let mut log = ProgressLog::default();
        log.apply("dns", note("keep", 10, 0, "device-a"));
        assert!(log.apply("dns", note("", 11, 0, "device-b")));
        assert_eq!(log.note("dns"), None, "deleted");
        assert_eq!(
            log.notes.len(),
            1,
            "the tombstone stays to carry the deletion"
        );
        assert!(
            !log.apply("dns", note("keep", 10, 0, "device-a")),
            "old text stays dead"
        );
        assert!(log.apply("dns", note("again", 12, 0, "device-a")));
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

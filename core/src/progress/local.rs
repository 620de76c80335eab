//! A device's whole saved state for one roadmap: what the browser keeps in localStorage.
//!
//! One schema-versioned JSON document per roadmap holds the clock, the log, the outbox and the
//! server pull cursor together, so they are always saved and restored consistently. Reading it
//! back is defensive: anything corrupt, foreign (another roadmap) or from another schema
//! version is refused with a plain message (the caller warns and starts fresh), and small
//! inconsistencies that lose nothing (a clock behind its own log, an outbox id counter behind
//! its queue) are repaired instead.
//!
//! Notes live in the same log (`log.notes`) and the same outbox, so every rule below (adopting
//! the server's answer, merging imports, restarting the device) treats them like statuses,
//! register by register. Data saved before notes existed has no `notes` and loads as is.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    shorten, tally, validate_note_text, Clock, DeviceId, Kind, Mutation, NoteText, Outbox,
    ProgressLog, PullResponse, PushResponse, Reconciliation, Register, Status,
};
use crate::roadmap::Roadmap;

/// A device's whole local state for one roadmap (what localStorage holds), schema-versioned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalProgress {
    pub version: u32,
    pub roadmap: String,
    pub clock: Clock,
    pub log: ProgressLog,
    pub outbox: Outbox,
    /// Where the next pull from the server starts; `None` before the first pull.
    pub cursor: Option<String>,
    /// The account this device last synced with; `None` for a guest.
    #[serde(default)]
    pub account: Option<String>,
}

impl LocalProgress {
    pub const VERSION: u32 = 1;

    pub fn new(roadmap: &str, device: &str) -> Self {
        Self {
            version: Self::VERSION,
            roadmap: roadmap.to_owned(),
            clock: Clock::new(device),
            log: ProgressLog::default(),
            outbox: Outbox::default(),
            cursor: None,
            account: None,
        }
    }

    pub fn status(&self, topic: &str) -> Status {
        self.log.status(topic)
    }

    /// Set a status now: ticks the clock, applies to the log, records in the outbox; returns
    /// the mutation.
    pub fn set(&mut self, topic: &str, status: Status, wall_millis: u64) -> Mutation {
        self.write(topic, status, wall_millis)
    }

    /// Writes a register now: ticks the clock, applies to the log, records in the outbox.
    fn write<V: Kind>(&mut self, topic: &str, value: V, wall_millis: u64) -> Mutation {
        let register = Register::new(value, self.clock.now(wall_millis));
        let mutation = self
            .outbox
            .record(topic, register.edit(), register.stamp.clone());
        self.log.apply(topic, register);
        mutation
    }

    /// The topic's note (`None` when it has none).
    pub fn note(&self, topic: &str) -> Option<&str> {
        self.log.note(topic)
    }

    /// Writes a topic's note now, like [`Self::set`] does a status; a blank text deletes the
    /// note (a tombstone, so the deletion syncs). Refuses a text over the limit (the message
    /// says so) and does nothing, returning `Ok(None)`, when the note would not change.
    pub fn set_note(
        &mut self,
        topic: &str,
        text: &str,
        wall_millis: u64,
    ) -> Result<Option<Mutation>, String> {
        validate_note_text(text)?;
        let text = if text.trim().is_empty() { "" } else { text };
        if self.log.note(topic).unwrap_or_default() == text {
            return Ok(None);
        }
        Ok(Some(self.write(topic, NoteText::from(text), wall_millis)))
    }

    /// Parse what localStorage held: Err(plain message) on corrupt JSON, a different version,
    /// another roadmap, an invalid device id or invalid entries — the caller warns and starts
    /// fresh.
    pub fn from_json(raw: &str, roadmap: &str) -> Result<Self, String> {
        let value: Value = serde_json::from_str(raw)
            .map_err(|error| format!("the saved progress is not valid JSON ({error})"))?;
        let Some(object) = value.as_object() else {
            return Err("the saved progress is not a JSON object".into());
        };
        match object.get("version").and_then(Value::as_u64) {
            None => return Err("the saved progress has no version number".into()),
            Some(version) if version != u64::from(Self::VERSION) => {
                return Err(format!(
                    "the saved progress is version {version}; this app reads version {}",
                    Self::VERSION
                ))
            }
            Some(_) => {}
        }
        match object.get("roadmap").and_then(Value::as_str) {
            None => return Err("the saved progress names no roadmap".into()),
            Some(saved) if saved != roadmap => {
                return Err(format!(
                    "the saved progress belongs to roadmap `{}`, not `{}`",
                    shorten(saved),
                    shorten(roadmap)
                ))
            }
            Some(_) => {}
        }
        let mut local: Self = serde_json::from_value(value)
            .map_err(|error| format!("the saved progress is malformed ({error})"))?;
        local.check()?;
        local.repair();
        Ok(local)
    }

    pub fn to_json(&self) -> String {
        // Cannot fail: every map key is a string and every value plain data.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Folds in what a pull brought (and observes its stamps in the clock), every kind of
    /// register. Registers that fail validation are skipped: a bad one must not poison the
    /// clock.
    pub fn absorb(&mut self, response: &PullResponse, wall_millis: u64) {
        self.absorb_kind(Status::pulled(response), wall_millis);
        self.absorb_kind(NoteText::pulled(response), wall_millis);
    }

    fn absorb_kind<V: Kind>(&mut self, pulled: &[super::Pulled<V>], wall_millis: u64) {
        for pulled in pulled {
            if pulled.register.validate(&pulled.topic).is_ok() {
                self.clock.observe(&pulled.register.stamp, wall_millis);
                self.log.apply(&pulled.topic, pulled.register.clone());
            }
        }
    }

    /// Takes in the answer to a push: drops the acknowledged mutations from the outbox, then,
    /// for every register the server returned whose topic has nothing of its kind left pending
    /// here, makes the server's register the local one, even if its stamp is smaller (the
    /// server clamped a stamp from a clock that ran ahead, or kept a newer edit). Registers
    /// with pending edits keep their local value: those edits are pushed next and their answer
    /// settles them. Kind by kind: a pending status edit does not hold back the server's note,
    /// nor a pending note the server's status. Registers that fail validation are skipped.
    pub fn acknowledge_push(&mut self, response: &PushResponse, wall_millis: u64) {
        self.outbox.acknowledge(response.acknowledged);
        self.adopt(Status::answered(response), wall_millis);
        self.adopt(NoteText::answered(response), wall_millis);
    }

    fn adopt<V: Kind>(&mut self, answered: &[super::Pulled<V>], wall_millis: u64) {
        for pulled in answered {
            if pulled.register.validate(&pulled.topic).is_err() {
                continue;
            }
            self.clock.observe(&pulled.register.stamp, wall_millis);
            let pending = self.outbox.pending.iter().any(|mutation| {
                mutation.topic == pulled.topic && V::of_edit(&mutation.edit).is_some()
            });
            if !pending {
                V::registers_mut(&mut self.log)
                    .insert(pulled.topic.clone(), pulled.register.clone());
            }
        }
    }

    /// Merges an imported log (see `import_json`): each entry or note that changes the local
    /// log is also queued in the outbox, with its original stamp, so the server learns it too.
    /// Returns how many registers (statuses and notes) changed.
    pub fn merge_import(&mut self, imported: &ProgressLog, wall_millis: u64) -> usize {
        self.merge_import_kind::<Status>(imported, wall_millis)
            + self.merge_import_kind::<NoteText>(imported, wall_millis)
    }

    fn merge_import_kind<V: Kind>(&mut self, imported: &ProgressLog, wall_millis: u64) -> usize {
        let mut changed = 0;
        for (topic, register) in imported.registers::<V>() {
            self.clock.observe(&register.stamp, wall_millis);
            if self.log.apply(topic, register.clone()) {
                self.queue(topic, register);
                changed += 1;
            }
        }
        changed
    }

    /// Queues a register in the outbox as it is, with its original stamp.
    fn queue<V: Kind>(&mut self, topic: &str, register: &Register<V>) {
        self.outbox
            .record(topic, register.edit(), register.stamp.clone());
    }

    /// [`tally::reconcile`] on this device's log, queueing each entry that moved onto a
    /// node's current id in the outbox (with its original stamp) so the server learns it.
    pub fn reconcile(&mut self, roadmap: &Roadmap) -> Reconciliation {
        let before = self.log.clone();
        let reconciliation = tally::reconcile(roadmap, &mut self.log);
        let mut queued: Vec<&str> = Vec::new();
        for (_, id) in &reconciliation.renamed {
            let id = id.as_str();
            if queued.contains(&id) {
                continue;
            }
            queued.push(id);
            self.queue_if_moved::<Status>(&before, id);
            self.queue_if_moved::<NoteText>(&before, id);
        }
        reconciliation
    }

    /// Queues topic `id`'s register of kind `V` if it differs from the one in `before`.
    fn queue_if_moved<V: Kind>(&mut self, before: &ProgressLog, id: &str) {
        if let Some(register) = self.log.registers::<V>().get(id).cloned() {
            if before.registers::<V>().get(id) != Some(&register) {
                self.queue(id, &register);
            }
        }
    }

    /// Prepares this device to sync with `account`. Nothing changes if it already syncs with
    /// it. Otherwise (a guest's first sign-in, or another account on this browser) the device
    /// restarts (see [`Self::restart_device`]): the account MERGES the local marks (newest
    /// stamp per topic wins), nothing is replaced, and the pull cursor restarts so the
    /// account's own marks come down too. Returns whether the device was rebound.
    pub fn bind_account(
        &mut self,
        account: &str,
        fresh_device: &str,
        known: impl Fn(&str) -> bool,
    ) -> bool {
        if self.account.as_deref() == Some(account) {
            return false;
        }
        self.restart_device(fresh_device, known);
        self.cursor = None;
        self.account = Some(account.to_owned());
        true
    }

    /// Starts over as a new device: a fresh id (the server has never seen it, so outbox ids
    /// start again at 1 without a gap) and an outbox holding every mark of the log on a topic
    /// the roadmap knows, each with its original stamp. Pushing it is always safe: merging is
    /// idempotent. Used on sign-in and to recover when the server refuses the outbox (a gap,
    /// or a topic the roadmap no longer has).
    pub fn restart_device(&mut self, fresh_device: &str, known: impl Fn(&str) -> bool) {
        self.clock.device = fresh_device.to_owned();
        self.outbox = Outbox::default();
        self.queue_all::<Status>(&known);
        // Tombstones too: a deletion must win over the account's older copy of the note.
        self.queue_all::<NoteText>(&known);
    }

    /// Queues every register of kind `V` on a known topic, with its original stamp.
    fn queue_all<V: Kind>(&mut self, known: &impl Fn(&str) -> bool) {
        let registers = self.log.registers::<V>().clone();
        for (topic, register) in registers.iter().filter(|(topic, _)| known(topic)) {
            self.queue(topic, register);
        }
    }

    /// Refuses state that cannot be trusted.
    fn check(&self) -> Result<(), String> {
        DeviceId::parse(&self.clock.device)
            .map_err(|message| format!("the saved device id is invalid: {message}"))?;
        check_kind::<Status>(&self.log)?;
        check_kind::<NoteText>(&self.log)?;
        let mut last_id = 0;
        for mutation in &self.outbox.pending {
            mutation
                .validate()
                .map_err(|message| format!("the saved outbox has a bad edit: {message}"))?;
            if mutation.id <= last_id {
                return Err("the saved outbox is out of order".into());
            }
            last_id = mutation.id;
        }
        Ok(())
    }

    /// Fixes inconsistencies that lose nothing: the clock must be at or past every stamp the
    /// device holds, and the next outbox id past every queued one.
    fn repair(&mut self) {
        let stamps = self
            .log
            .stamps()
            .chain(self.outbox.pending.iter().map(|mutation| &mutation.stamp));
        for stamp in stamps {
            if !self.clock.covers(stamp) {
                self.clock.observe(stamp, 0);
            }
        }
        if let Some(last) = self.outbox.pending.last() {
            if last.id >= self.outbox.next_id {
                self.outbox.next_id = last.id.saturating_add(1);
            }
        }
    }
}

/// Refuses a saved log with an invalid register of kind `V`.
fn check_kind<V: Kind>(log: &ProgressLog) -> Result<(), String> {
    for (topic, register) in log.registers::<V>() {
        register
            .validate(topic)
            .map_err(|message| format!("the saved progress has a bad {}: {message}", V::NOUN))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::progress::log::tests::entry;
    use crate::progress::wire::tests::pull;
    use crate::progress::{Edit, Stamp};

    fn server_entry(
        topic: &str,
        status: Status,
        millis: u64,
        device: &str,
    ) -> crate::progress::PulledEntry {
        crate::progress::PulledEntry {
            topic: topic.into(),
            register: entry(status, millis, 0, device),
        }
    }

    #[test]
    fn acknowledge_push_adopts_the_server_entry_for_settled_topics_only() {
        let mut local = LocalProgress::new("backend", "device-a1");
        // This device's clock runs two hours ahead.
        local.set("dns", Status::Done, 7_200_000);
        local.set("http", Status::Done, 7_200_001);
        local.set("http", Status::Skipped, 7_200_002);
        let response = PushResponse {
            acknowledged: 2,
            cursor: 2,
            notes: Vec::new(),
            entries: vec![
                // Clamped by the server to its time + 1 minute.
                server_entry("dns", Status::Done, 60_000, "device-a1"),
                server_entry("http", Status::Done, 60_000, "device-a1"),
            ],
        };

        local.acknowledge_push(&response, 7_200_003);

        assert_eq!(local.outbox.len(), 1, "mutation 3 is still pending");
        assert_eq!(local.log.entries["dns"].stamp.millis, 60_000, "adopted");
        assert_eq!(
            local.log.entries["http"].value,
            Status::Skipped,
            "a topic with a pending edit keeps the local entry"
        );
        let mut later = LocalProgress::new("backend", "device-a1");
        later.acknowledge_push(
            &PushResponse {
                acknowledged: 0,
                cursor: 0,
                entries: vec![server_entry("Bad Topic", Status::Done, 1, "device-a1")],
                notes: Vec::new(),
            },
            0,
        );
        assert!(later.log.is_empty(), "invalid entries are skipped");
    }

    const DEVICE: &str = "device-a1";

    fn sample() -> LocalProgress {
        let mut local = LocalProgress::new("backend", DEVICE);
        local.set("http", Status::Done, 1_000);
        local.set("dns", Status::InProgress, 2_000);
        local.absorb(
            &pull(
                vec![("tcp", entry(Status::Skipped, 1_500, 0, "device-b2"))],
                vec![],
            ),
            2_100,
        );
        local.cursor = Some("c-42".into());
        local
    }

    #[test]
    fn new_is_empty_version_1() {
        let local = LocalProgress::new("backend", DEVICE);
        assert_eq!(local.version, 1);
        assert_eq!(local.roadmap, "backend");
        assert_eq!(local.clock, Clock::new(DEVICE));
        assert!(local.log.is_empty());
        assert!(local.outbox.is_empty());
        assert_eq!(local.cursor, None);
    }

    #[test]
    fn set_ticks_applies_and_records() {
        let mut local = LocalProgress::new("backend", DEVICE);
        let first = local.set("http", Status::InProgress, 1_000);
        let stamp = Stamp {
            millis: 1_000,
            counter: 0,
            device: DEVICE.into(),
        };
        assert_eq!(
            first,
            Mutation {
                id: 1,
                topic: "http".into(),
                edit: Edit::Status(Status::InProgress),
                stamp: stamp.clone(),
            }
        );
        // The wall clock went backwards: the edit still wins.
        let second = local.set("http", Status::Done, 900);
        assert_eq!(
            (second.id, second.stamp.millis, second.stamp.counter),
            (2, 1_000, 1)
        );
        assert_eq!(local.status("http"), Status::Done);
        assert_eq!(local.outbox.len(), 2);
    }

    #[test]
    fn json_round_trips_exactly() {
        let local = sample();
        let json = local.to_json();
        assert_eq!(LocalProgress::from_json(&json, "backend"), Ok(local));
        let fresh = LocalProgress::new("backend", DEVICE);
        assert_eq!(
            LocalProgress::from_json(&fresh.to_json(), "backend"),
            Ok(fresh)
        );
    }

    #[test]
    fn from_json_rejects_corrupt_foreign_and_other_version_data() {
        let good = sample().to_json();
        let err = |raw: &str| LocalProgress::from_json(raw, "backend").unwrap_err();
        assert!(err("").starts_with("the saved progress is not valid JSON"));
        assert!(err(&good[..good.len() / 2]).starts_with("the saved progress is not valid JSON"));
        assert_eq!(err("[1,2]"), "the saved progress is not a JSON object");
        assert_eq!(err("{}"), "the saved progress has no version number");
        assert_eq!(
            err(&good.replace("\"version\":1", "\"version\":2")),
            "the saved progress is version 2; this app reads version 1"
        );
        assert_eq!(
            LocalProgress::from_json(&good, "frontend").unwrap_err(),
            "the saved progress belongs to roadmap `backend`, not `frontend`"
        );
        assert_eq!(
            err(&good.replace(DEVICE, "bad id!")),
            "the saved device id is invalid: device id `bad id!` may only hold letters, digits, `_` and `-`"
        );
        assert!(err(&good.replace("\"done\"", "\"finished\""))
            .starts_with("the saved progress is malformed (unknown variant `finished`"));
        assert!(err(&good.replace("\"clock\"", "\"klock\""))
            .starts_with("the saved progress is malformed (missing field `clock`"));
        assert_eq!(
            err(&good.replace("\"tcp\"", "\"Not A Slug\"")),
            "the saved progress has a bad entry: id `Not A Slug` is not a slug: use lowercase letters, digits and single hyphens"
        );
    }

    #[test]
    fn from_json_rejects_an_outbox_out_of_order() {
        let mut local = sample();
        local.outbox.pending.swap(0, 1);
        assert_eq!(
            LocalProgress::from_json(&local.to_json(), "backend"),
            Err("the saved outbox is out of order".into())
        );
    }

    #[test]
    fn from_json_repairs_a_clock_behind_and_an_id_counter_behind() {
        let mut local = sample();
        local.clock.millis = 0;
        local.clock.counter = 0;
        local.outbox.next_id = 1;
        let repaired = LocalProgress::from_json(&local.to_json(), "backend").unwrap();
        assert_eq!((repaired.clock.millis, repaired.clock.counter), (2_000, 1));
        assert_eq!(repaired.outbox.next_id, 3);
        let mut repaired = repaired;
        let held = repaired.log.clone();
        let next = repaired.set("sql", Status::Done, 0);
        assert_eq!(next.id, 3);
        assert!(held.entries.values().all(|e| e.stamp < next.stamp));
    }

    #[test]
    fn absorb_observes_stamps_so_later_local_edits_win() {
        let mut local = LocalProgress::new("backend", DEVICE);
        local.set("http", Status::Done, 1_000);
        // Another device, whose clock runs ahead, skipped it later.
        local.absorb(
            &pull(
                vec![
                    ("http", entry(Status::Skipped, 9_000, 3, "device-b2")),
                    ("bad topic", entry(Status::Done, 1, 0, "device-b2")),
                    (
                        "dns",
                        entry(Status::Done, Stamp::MAX_MILLIS + 1, 0, "device-b2"),
                    ),
                ],
                vec![],
            ),
            1_100,
        );
        assert_eq!(local.status("http"), Status::Skipped);
        assert_eq!(local.log.len(), 1, "invalid entries are skipped");
        assert_eq!((local.clock.millis, local.clock.counter), (9_000, 4));
        let again = local.set("http", Status::InProgress, 1_200);
        assert_eq!(local.status("http"), Status::InProgress);
        assert_eq!((again.stamp.millis, again.stamp.counter), (9_000, 5));
        // Absorbing never touches the outbox.
        assert_eq!(local.outbox.len(), 2);
    }

    #[test]
    fn merge_import_queues_only_what_changed() {
        let mut local = LocalProgress::new("backend", DEVICE);
        local.set("http", Status::Done, 5_000);
        let mut imported = ProgressLog::default();
        imported.apply("http", entry(Status::Pending, 4_000, 0, "device-b2"));
        imported.apply("dns", entry(Status::Done, 3_000, 0, "device-b2"));
        assert_eq!(local.merge_import(&imported, 6_000), 1);
        assert_eq!(local.status("http"), Status::Done);
        assert_eq!(local.status("dns"), Status::Done);
        let queued = local.outbox.pending.last().unwrap();
        assert_eq!((queued.id, queued.topic.as_str()), (2, "dns"));
        assert_eq!(queued.stamp, imported.entries["dns"].stamp);
        assert_eq!(local.merge_import(&imported, 6_000), 0);
    }

    fn arb_noise() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[{}\\[\\]\":,0-9a-z_ -]{0,80}",
            (any::<usize>(), any::<char>()).prop_map(|(at, ch)| {
                let good = sample().to_json();
                let mut chars: Vec<char> = good.chars().collect();
                let at = at % chars.len();
                chars[at] = ch;
                chars.into_iter().collect()
            }),
            any::<usize>().prop_map(|cut| {
                let good = sample().to_json();
                good[..cut % good.len()].to_owned()
            }),
        ]
    }

    proptest! {
        #[test]
        fn from_json_never_panics(raw in arb_noise()) {
            if let Ok(local) = LocalProgress::from_json(&raw, "backend") {
                prop_assert_eq!(local.roadmap.as_str(), "backend");
                prop_assert!(local.log.entries.values().all(|e| local.clock.covers(&e.stamp)));
            }
        }
    }

    #[test]
    fn binding_a_guest_to_an_account_queues_every_mark_under_a_fresh_device() {
        let mut local = sample();
        local.outbox.acknowledge(1);

        assert!(local.bind_account("alice", "device-fresh1", |_| true));

        assert_eq!(local.account.as_deref(), Some("alice"));
        assert_eq!(local.clock.device, "device-fresh1");
        assert_eq!(local.cursor, None);
        let queued: Vec<_> = local
            .outbox
            .pending
            .iter()
            .map(|m| (m.id, m.topic.as_str(), m.stamp.clone()))
            .collect();
        assert_eq!(
            queued.len(),
            3,
            "every mark of the log, acknowledged or not"
        );
        assert_eq!(
            queued.iter().map(|q| q.0).collect::<Vec<_>>(),
            vec![1, 2, 3],
            "ids restart at 1"
        );
        for (_, topic, stamp) in &queued {
            assert_eq!(
                &local.log.entries[*topic].stamp, stamp,
                "original stamps kept"
            );
        }
        let after = local.set("http", Status::Skipped, 3_000);
        assert_eq!(after.stamp.device, "device-fresh1");
        assert_eq!(after.id, 4);
    }

    #[test]
    fn binding_the_same_account_again_changes_nothing() {
        let mut local = sample();
        local.bind_account("alice", "device-fresh1", |_| true);
        let before = local.clone();
        assert!(!local.bind_account("alice", "device-other2", |_| true));
        assert_eq!(local, before);
    }

    #[test]
    fn the_account_survives_a_save_and_older_saves_read_as_guest() {
        let mut local = sample();
        local.bind_account("alice", "device-fresh1", |_| true);
        let back = LocalProgress::from_json(&local.to_json(), "backend").unwrap();
        assert_eq!(back.account.as_deref(), Some("alice"));

        let mut old: serde_json::Value = serde_json::from_str(&sample().to_json()).unwrap();
        old.as_object_mut().unwrap().remove("account");
        let back = LocalProgress::from_json(&old.to_string(), "backend").unwrap();
        assert_eq!(back.account, None);
    }

    #[test]
    fn restarting_the_device_queues_only_topics_the_roadmap_knows() {
        let mut local = sample();
        local.restart_device("device-fresh1", |topic| topic != "tcp");
        let topics: Vec<_> = local
            .outbox
            .pending
            .iter()
            .map(|m| m.topic.as_str())
            .collect();
        assert_eq!(topics, vec!["dns", "http"]);
        assert_eq!(local.log.len(), 3, "the log itself keeps every mark");
        assert_eq!(
            local.account, None,
            "a restart alone does not bind an account"
        );
    }

    #[test]
    fn set_note_records_a_note_edit_beside_the_status() {
        let mut local = LocalProgress::new("backend", DEVICE);
        local.set("http", Status::Done, 1_000);
        let written = local
            .set_note("http", "Read **RFC 9110**", 1_001)
            .unwrap()
            .unwrap();
        assert_eq!(written.id, 2);
        assert_eq!(written.edit, Edit::Note("Read **RFC 9110**".into()));
        assert_eq!(local.note("http"), Some("Read **RFC 9110**"));
        assert_eq!(
            local.status("http"),
            Status::Done,
            "the status is untouched"
        );
        local.set("http", Status::Skipped, 1_002);
        assert_eq!(
            local.note("http"),
            Some("Read **RFC 9110**"),
            "and vice versa"
        );
        assert_eq!(
            local.set_note("http", "Read **RFC 9110**", 1_003),
            Ok(None),
            "an unchanged note records nothing"
        );
        assert_eq!(local.outbox.len(), 3);
    }

    #[test]
    fn a_blank_note_deletes_with_a_tombstone_that_is_queued() {
        let mut local = LocalProgress::new("backend", DEVICE);
        local.set_note("dns", "dig +trace", 1_000).unwrap();
        let deleted = local.set_note("dns", "  \n ", 1_001).unwrap().unwrap();
        assert_eq!(deleted.edit, Edit::Note(String::new()));
        assert_eq!(local.note("dns"), None);
        assert!(local.log.notes["dns"].is_tombstone());
        assert_eq!(
            local.set_note("dns", "", 1_002),
            Ok(None),
            "already deleted"
        );
        assert_eq!(local.set_note("tcp", "", 1_002), Ok(None), "never written");
    }

    #[test]
    fn set_note_refuses_a_note_over_the_limit_and_changes_nothing() {
        let mut local = LocalProgress::new("backend", DEVICE);
        let before = local.clone();
        assert_eq!(
            local.set_note("dns", &"x".repeat(crate::progress::MAX_NOTE_CHARS + 1), 1),
            Err("the note is 2,001 characters long; at most 2,000 are allowed".into())
        );
        assert_eq!(local, before);
    }

    #[test]
    fn data_saved_before_notes_existed_still_loads() {
        let old = r#"{"version":1,"roadmap":"backend",
            "clock":{"millis":1000,"counter":0,"device":"device-a1"},
            "log":{"entries":{"http":{"status":"done",
                "stamp":{"millis":1000,"counter":0,"device":"device-a1"}}}},
            "outbox":{"next_id":2,"pending":[{"id":1,"topic":"http","status":"done",
                "stamp":{"millis":1000,"counter":0,"device":"device-a1"}}]},
            "cursor":null}"#;
        let local = LocalProgress::from_json(old, "backend").unwrap();
        assert_eq!(local.status("http"), Status::Done);
        assert!(local.log.notes.is_empty());
        assert_eq!(local.outbox.pending[0].edit, Edit::Status(Status::Done));
        // A state without notes saves without the field, as before.
        assert!(!local.to_json().contains("notes"));
    }

    #[test]
    fn notes_survive_a_save_and_bad_saved_notes_are_refused() {
        let mut local = sample();
        local.set_note("http", "line one\nline two", 3_000).unwrap();
        local.set_note("dns", "gone soon", 3_001).unwrap();
        local.set_note("dns", "", 3_002).unwrap();
        let back = LocalProgress::from_json(&local.to_json(), "backend").unwrap();
        assert_eq!(back, local);
        let too_long = local
            .to_json()
            .replace("line one\\nline two", &"x".repeat(2_001));
        assert!(LocalProgress::from_json(&too_long, "backend")
            .unwrap_err()
            .starts_with("the saved progress has a bad note: topic `http`: the note is 2,001"));
    }

    #[test]
    fn acknowledge_push_adopts_notes_register_by_register() {
        let mut local = LocalProgress::new("backend", DEVICE);
        local.set_note("dns", "mine", 7_200_000).unwrap();
        local.set("dns", Status::Done, 7_200_001);
        let response = PushResponse {
            acknowledged: 1,
            cursor: 1,
            entries: Vec::new(),
            notes: vec![crate::progress::PulledNote {
                topic: "dns".into(),
                register: Register::new(
                    "mine".into(),
                    Stamp {
                        millis: 60_000,
                        counter: 0,
                        device: DEVICE.into(),
                    },
                ),
            }],
        };
        local.acknowledge_push(&response, 7_200_002);
        assert_eq!(
            local.log.notes["dns"].stamp.millis, 60_000,
            "clamped note adopted"
        );
        assert_eq!(local.status("dns"), Status::Done, "pending status kept");
        assert_eq!(local.outbox.len(), 1);
    }

    #[test]
    fn absorb_notes_merges_by_stamp_and_skips_invalid_notes() {
        use crate::progress::note::tests::note;
        let mut local = LocalProgress::new("backend", DEVICE);
        local.set_note("http", "local", 1_000).unwrap();
        local.absorb(
            &pull(
                vec![],
                vec![
                    ("http", note("remote, later", 5_000, 0, "device-b2")),
                    ("dns", note(&"x".repeat(2_001), 1, 0, "device-b2")),
                    ("Bad", note("x", 1, 0, "device-b2")),
                ],
            ),
            1_100,
        );
        assert_eq!(local.note("http"), Some("remote, later"));
        assert_eq!(local.log.notes.len(), 1);
        assert_eq!(local.clock.millis, 5_000);
    }

    #[test]
    fn imports_and_restarts_queue_notes_with_their_stamps() {
        use crate::progress::note::tests::note;
        let mut local = LocalProgress::new("backend", DEVICE);
        local.set_note("http", "newer here", 5_000).unwrap();
        let mut imported = ProgressLog::default();
        imported.apply("http", note("older", 4_000, 0, "device-b2"));
        imported.apply("dns", note("from the file", 3_000, 0, "device-b2"));
        imported.apply("dns", entry(Status::Done, 3_000, 0, "device-b2"));
        assert_eq!(local.merge_import(&imported, 6_000), 2);
        assert_eq!(local.note("http"), Some("newer here"));
        assert_eq!(local.note("dns"), Some("from the file"));
        let last = local.outbox.pending.last().unwrap();
        assert_eq!(last.edit, Edit::Note("from the file".into()));
        assert_eq!(last.stamp, imported.notes["dns"].stamp);

        local.set_note("http", "", 7_000).unwrap();
        local.restart_device("device-fresh1", |_| true);
        let queued: Vec<_> = local
            .outbox
            .pending
            .iter()
            .map(|m| (m.topic.as_str(), m.edit.clone()))
            .collect();
        assert_eq!(
            queued,
            vec![
                ("dns", Edit::Status(Status::Done)),
                ("dns", Edit::Note("from the file".into())),
                ("http", Edit::Note(String::new())),
            ],
            "statuses, notes and tombstones"
        );
    }

    /// Written by the version before statuses and notes became one generic register (kept
    /// verbatim): what a browser holds in localStorage, what it pushes and what it exports.
    /// Today's code must read all three and write them back byte for byte.
    const SAVED_BEFORE_GENERIC_REGISTER: &str = r#"{"version":1,"roadmap":"backend","clock":{"device":"device-a1b2c3","millis":1700000003000,"counter":0},"log":{"entries":{"dns":{"status":"done","stamp":{"millis":1700000000000,"counter":0,"device":"device-a1b2c3"}},"http":{"status":"in_progress","stamp":{"millis":1700000000500,"counter":0,"device":"device-a1b2c3"}}},"notes":{"dns":{"text":"Use `dig +trace`","stamp":{"millis":1700000001000,"counter":0,"device":"device-a1b2c3"}},"http":{"text":"","stamp":{"millis":1700000003000,"counter":0,"device":"device-a1b2c3"}}}},"outbox":{"next_id":6,"pending":[{"id":2,"topic":"http","status":"in_progress","stamp":{"millis":1700000000500,"counter":0,"device":"device-a1b2c3"}},{"id":3,"topic":"dns","note":"Use `dig +trace`","stamp":{"millis":1700000001000,"counter":0,"device":"device-a1b2c3"}},{"id":4,"topic":"http","note":"draft","stamp":{"millis":1700000002000,"counter":0,"device":"device-a1b2c3"}},{"id":5,"topic":"http","note":"","stamp":{"millis":1700000003000,"counter":0,"device":"device-a1b2c3"}}]},"cursor":"17","account":"alice"}"#;
    const PUSHED_BEFORE_GENERIC_REGISTER: &str = r#"{"device":"device-a1b2c3","mutations":[{"id":2,"topic":"http","status":"in_progress","stamp":{"millis":1700000000500,"counter":0,"device":"device-a1b2c3"}},{"id":3,"topic":"dns","note":"Use `dig +trace`","stamp":{"millis":1700000001000,"counter":0,"device":"device-a1b2c3"}},{"id":4,"topic":"http","note":"draft","stamp":{"millis":1700000002000,"counter":0,"device":"device-a1b2c3"}},{"id":5,"topic":"http","note":"","stamp":{"millis":1700000003000,"counter":0,"device":"device-a1b2c3"}}]}"#;
    const EXPORTED_BEFORE_GENERIC_REGISTER: &str = r#"{
  "format": "trailmap-progress",
  "version": 1,
  "roadmap": "backend",
  "entries": {
    "dns": {
      "status": "done",
      "stamp": {
        "millis": 1700000000000,
        "counter": 0,
        "device": "device-a1b2c3"
      }
    },
    "http": {
      "status": "in_progress",
      "stamp": {
        "millis": 1700000000500,
        "counter": 0,
        "device": "device-a1b2c3"
      }
    }
  },
  "notes": {
    "dns": {
      "text": "Use `dig +trace`",
      "stamp": {
        "millis": 1700000001000,
        "counter": 0,
        "device": "device-a1b2c3"
      }
    },
    "http": {
      "text": "",
      "stamp": {
        "millis": 1700000003000,
        "counter": 0,
        "device": "device-a1b2c3"
      }
    }
  }
}"#;

    #[test]
    fn data_written_by_the_previous_version_reads_and_writes_back_unchanged() {
        let local = LocalProgress::from_json(SAVED_BEFORE_GENERIC_REGISTER, "backend")
            .expect("yesterday's saved progress loads");
        assert_eq!(local.status("dns"), Status::Done);
        assert_eq!(local.status("http"), Status::InProgress);
        assert_eq!(local.note("dns"), Some("Use `dig +trace`"));
        assert_eq!(local.note("http"), None, "a tombstone");
        assert_eq!(local.log.notes.len(), 2);
        assert_eq!(local.outbox.len(), 4);
        assert_eq!(local.cursor.as_deref(), Some("17"));
        assert_eq!(local.account.as_deref(), Some("alice"));
        assert_eq!(local.to_json(), SAVED_BEFORE_GENERIC_REGISTER);

        let request: crate::progress::PushRequest =
            serde_json::from_str(PUSHED_BEFORE_GENERIC_REGISTER).expect("yesterday's push reads");
        assert_eq!(
            request,
            crate::progress::PushRequest::from_outbox(&local.clock.device, &local.outbox)
        );
        assert_eq!(request.mutations[0].edit, Edit::Status(Status::InProgress));
        assert_eq!(request.mutations[3].edit, Edit::Note(String::new()));
        assert_eq!(
            serde_json::to_string(&request).unwrap(),
            PUSHED_BEFORE_GENERIC_REGISTER
        );

        let imported = crate::progress::import_json(EXPORTED_BEFORE_GENERIC_REGISTER, "backend")
            .expect("yesterday's export imports");
        assert_eq!(imported, local.log);
        assert_eq!(
            crate::progress::export_json("backend", &imported),
            EXPORTED_BEFORE_GENERIC_REGISTER
        );
    }
}

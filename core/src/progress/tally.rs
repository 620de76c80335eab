//! Progress measured against a roadmap: counts per stage and overall, the topic to study next,
//! and reconciling a log after the roadmap's ids changed.
//!
//! Everything is computed from the roadmap model, never from what the page shows, so the
//! server, the browser and the tests agree. A node's former ids (its aliases) keep counting for
//! it, so renaming a topic never loses anyone's progress; entries for ids that are gone are
//! ignored by the counts and reported by [`reconcile`], but never deleted.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{Entry, Kind, NoteText, ProgressLog, Register, Status};
use crate::roadmap::{Node, NodeId, Roadmap};

/// Counts over a roadmap's topics (every non-stage node).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub total: usize,
    pub done: usize,
    pub in_progress: usize,
    pub skipped: usize,
}

impl Counts {
    /// Done or skipped.
    pub fn settled(&self) -> usize {
        self.done.saturating_add(self.skipped)
    }

    /// Neither settled nor in progress.
    pub fn pending(&self) -> usize {
        self.total
            .saturating_sub(self.settled())
            .saturating_sub(self.in_progress)
    }

    /// Settled topics as a whole percentage of the total, rounded down; 0 when there are no
    /// topics.
    pub fn percent(&self) -> u8 {
        if self.total == 0 {
            return 0;
        }
        let percent = self.settled().min(self.total) as u128 * 100 / self.total as u128;
        u8::try_from(percent).unwrap_or(100)
    }

    /// Counts one more topic with this status.
    pub fn add(&mut self, status: Status) {
        self.total += 1;
        match status {
            Status::Pending => {}
            Status::InProgress => self.in_progress += 1,
            Status::Done => self.done += 1,
            Status::Skipped => self.skipped += 1,
        }
    }
}

/// A roadmap's counts overall and per stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoadmapProgress {
    pub overall: Counts,
    /// In stage order; a stage counts the topics below it (all depths).
    pub stages: Vec<(NodeId, Counts)>,
}

impl RoadmapProgress {
    /// The counts of one stage.
    pub fn stage(&self, id: &str) -> Option<Counts> {
        self.stages
            .iter()
            .find(|(stage, _)| stage.as_str() == id)
            .map(|(_, counts)| *counts)
    }
}

/// A node's register of kind `V` that counts: the winning one among those stored under its
/// id and under its aliases.
pub fn register_for<'a, V: Kind>(node: &Node, log: &'a ProgressLog) -> Option<&'a Register<V>> {
    std::iter::once(&node.id)
        .chain(&node.aliases)
        .filter_map(|id| log.registers::<V>().get(id.as_str()))
        .fold(None, |best: Option<&Register<V>>, register| match best {
            Some(best) if !register.supersedes(best) => Some(best),
            _ => Some(register),
        })
}

/// The entry that decides a node's status (see [`register_for`]).
pub fn entry_for<'a>(node: &Node, log: &'a ProgressLog) -> Option<&'a Entry> {
    register_for(node, log)
}

/// The note that shows on a node (see [`register_for`]); `None` when there is none or the
/// winner is a deletion.
pub fn note_for<'a>(node: &Node, log: &'a ProgressLog) -> Option<&'a str> {
    register_for::<NoteText>(node, log)
        .filter(|note| !note.is_tombstone())
        .map(|note| note.value.as_str())
}

/// A node's status, counting entries stored under its aliases.
pub fn status_of(node: &Node, log: &ProgressLog) -> Status {
    entry_for(node, log)
        .map(|entry| entry.value)
        .unwrap_or_default()
}

/// Counts overall (every non-stage node) and for each stage (the topics below it, at any
/// depth). Entries for unknown ids are ignored; alias ids count for their node.
pub fn count(roadmap: &Roadmap, log: &ProgressLog) -> RoadmapProgress {
    let mut overall = Counts::default();
    for node in topics(roadmap) {
        overall.add(status_of(node, log));
    }
    let index: HashMap<&str, &Node> = roadmap
        .nodes
        .iter()
        .map(|node| (node.id.as_str(), node))
        .collect();
    let stages = roadmap
        .stages()
        .map(|stage| {
            let mut counts = Counts::default();
            for node in descendants(&index, stage) {
                counts.add(status_of(node, log));
            }
            (stage.id.clone(), counts)
        })
        .collect();
    RoadmapProgress { overall, stages }
}

/// The topic to study next, in authored order: the first one in progress if any, else the
/// first pending one; `None` when every topic is settled.
pub fn next_topic(roadmap: &Roadmap, log: &ProgressLog) -> Option<NodeId> {
    let mut first_pending = None;
    for node in topics(roadmap) {
        match status_of(node, log) {
            Status::InProgress => return Some(node.id.clone()),
            Status::Pending if first_pending.is_none() => first_pending = Some(node.id.clone()),
            _ => {}
        }
    }
    first_pending
}

/// What [`reconcile`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    /// (alias the entry was stored under, the node id it moved to), in id order.
    pub renamed: Vec<(String, NodeId)>,
    /// Ids no node has any more, in id order; their entries stay in the log.
    pub missing: Vec<String>,
}

impl Reconciliation {
    pub fn is_empty(&self) -> bool {
        self.renamed.is_empty() && self.missing.is_empty()
    }
}

/// After a roadmap changed: entries stored under an alias move to the node's id (LWW merge with
/// what is there); entries whose id no longer exists are reported (kept in the log, not deleted
/// — never lose progress).
/// Notes move the same way (and count in the report alike).
pub fn reconcile(roadmap: &Roadmap, log: &mut ProgressLog) -> Reconciliation {
    let mut reconciliation = Reconciliation::default();
    let ids: BTreeSet<String> = log.topics().cloned().collect();
    for id in ids {
        if roadmap.node(&id).is_some() {
            continue;
        }
        match roadmap.resolve(&id) {
            Some(node) => {
                move_register::<Status>(log, &id, node.id.as_str());
                move_register::<NoteText>(log, &id, node.id.as_str());
                reconciliation.renamed.push((id, node.id.clone()));
            }
            None => reconciliation.missing.push(id),
        }
    }
    reconciliation
}

/// Moves the register of kind `V` stored under `from` (if any) onto `to`, merging by LWW.
fn move_register<V: Kind>(log: &mut ProgressLog, from: &str, to: &str) {
    if let Some(register) = V::registers_mut(log).remove(from) {
        log.apply(to, register);
    }
}

/// Every topic (non-stage node) in authored order.
fn topics(roadmap: &Roadmap) -> impl Iterator<Item = &Node> {
    roadmap.nodes.iter().filter(|node| !node.is_stage())
}

/// The topics below `stage` at any depth, each once, even if the data has a cycle.
fn descendants<'a>(index: &HashMap<&str, &'a Node>, stage: &'a Node) -> Vec<&'a Node> {
    let mut seen: HashSet<&str> = HashSet::from([stage.id.as_str()]);
    let mut stack: Vec<&NodeId> = stage.children.iter().rev().collect();
    let mut found = Vec::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id.as_str()) {
            continue;
        }
        let Some(node) = index.get(id.as_str()) else {
            continue;
        };
        if node.is_stage() {
            continue;
        }
        found.push(*node);
        stack.extend(node.children.iter().rev());
    }
    found
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::progress::log::tests::entry;
    use crate::progress::wire::tests::pull;
    use crate::roadmap::{Estimate, Level, LevelRange, TimeUnit};

    fn id(raw: &str) -> NodeId {
        NodeId::parse(raw).unwrap()
    }

    fn node(raw: &str, parent: Option<&str>, children: &[&str], aliases: &[&str]) -> Node {
        Node {
            id: id(raw),
            title: raw.to_uppercase(),
            parent: parent.map(id),
            children: children.iter().copied().map(id).collect(),
            aliases: aliases.iter().copied().map(id).collect(),
            related: Vec::new(),
            alternatives: Vec::new(),
            see: Vec::new(),
            optional: false,
            level: None,
            estimate: None,
            resources: Vec::new(),
            tips: Vec::new(),
            markdown: String::new(),
            html: String::new(),
        }
    }

    /// basics ─ a (alias a-old), b ─ b1 (alias b1-old); advanced ─ c.
    fn small() -> Roadmap {
        Roadmap {
            slug: "small".into(),
            title: "Small".into(),
            summary: String::new(),
            level: LevelRange {
                from: Level::Beginner,
                to: Level::Beginner,
            },
            estimate: Estimate {
                amount: 1,
                up_to: None,
                unit: TimeUnit::Weeks,
            },
            intro_html: String::new(),
            stages: vec![id("basics"), id("advanced")],
            nodes: vec![
                node("basics", None, &["a", "b"], &[]),
                node("a", Some("basics"), &[], &["a-old"]),
                node("b", Some("basics"), &["b1"], &[]),
                node("b1", Some("b"), &[], &["b1-old"]),
                node("advanced", None, &["c"], &[]),
                node("c", Some("advanced"), &[], &[]),
            ],
        }
    }

    fn counts(total: usize, done: usize, in_progress: usize, skipped: usize) -> Counts {
        Counts {
            total,
            done,
            in_progress,
            skipped,
        }
    }

    fn log(entries: &[(&str, Entry)]) -> ProgressLog {
        let mut log = ProgressLog::default();
        for (topic, entry) in entries {
            log.apply(topic, entry.clone());
        }
        log
    }

    #[test]
    fn counts_helpers() {
        let c = counts(7, 2, 1, 1);
        assert_eq!((c.settled(), c.pending(), c.percent()), (3, 3, 42));
        assert_eq!(counts(0, 0, 0, 0).percent(), 0);
        assert_eq!(counts(3, 3, 0, 0).percent(), 100);
        assert_eq!(counts(3, 0, 0, 2).percent(), 66);
        // Inconsistent hand-made counts never panic or exceed 100.
        assert_eq!(counts(1, 5, 5, 5).percent(), 100);
        assert_eq!(counts(1, 5, 5, 5).pending(), 0);
        assert_eq!(counts(usize::MAX, usize::MAX, 0, 0).percent(), 100);
        let mut add = Counts::default();
        for status in Status::ALL {
            add.add(status);
        }
        assert_eq!(add, counts(4, 1, 1, 1));
    }

    #[test]
    fn count_nested_topics_aliases_and_unknown_ids() {
        let roadmap = small();
        let log = log(&[
            ("a-old", entry(Status::Done, 1, 0, "device-a")),
            ("b1", entry(Status::Skipped, 2, 0, "device-a")),
            ("c", entry(Status::InProgress, 3, 0, "device-a")),
            ("gone", entry(Status::Done, 4, 0, "device-a")),
            ("basics", entry(Status::Done, 5, 0, "device-a")),
        ]);
        let progress = count(&roadmap, &log);
        assert_eq!(progress.overall, counts(4, 1, 1, 1));
        assert_eq!(progress.overall.percent(), 50);
        assert_eq!(
            progress.stages,
            vec![
                (id("basics"), counts(3, 1, 0, 1)),
                (id("advanced"), counts(1, 0, 1, 0)),
            ]
        );
        assert_eq!(progress.stage("basics"), Some(counts(3, 1, 0, 1)));
        assert_eq!(progress.stage("nope"), None);
    }

    #[test]
    fn the_newest_of_a_node_and_its_alias_entries_wins() {
        let roadmap = small();
        let a = roadmap.node("a").unwrap();
        let newer_alias = log(&[
            ("a", entry(Status::InProgress, 1, 0, "device-a")),
            ("a-old", entry(Status::Done, 2, 0, "device-a")),
        ]);
        assert_eq!(status_of(a, &newer_alias), Status::Done);
        let newer_id = log(&[
            ("a", entry(Status::InProgress, 3, 0, "device-a")),
            ("a-old", entry(Status::Done, 2, 0, "device-a")),
        ]);
        assert_eq!(status_of(a, &newer_id), Status::InProgress);
        assert_eq!(status_of(a, &ProgressLog::default()), Status::Pending);
        assert_eq!(entry_for(a, &ProgressLog::default()), None);
    }

    #[test]
    fn count_of_an_empty_roadmap_is_zero() {
        let mut roadmap = small();
        roadmap.nodes.clear();
        roadmap.stages.clear();
        let progress = count(&roadmap, &ProgressLog::default());
        assert_eq!(progress.overall, Counts::default());
        assert!(progress.stages.is_empty());
    }

    #[test]
    fn count_survives_cycles_and_dangling_children() {
        let mut roadmap = small();
        roadmap.nodes[3].children = vec![id("b"), id("nowhere"), id("basics")];
        let progress = count(&roadmap, &ProgressLog::default());
        assert_eq!(progress.stage("basics"), Some(counts(3, 0, 0, 0)));
    }

    #[test]
    fn next_topic_prefers_in_progress_then_first_pending() {
        let roadmap = small();
        assert_eq!(next_topic(&roadmap, &ProgressLog::default()), Some(id("a")));
        let some = log(&[
            ("a", entry(Status::Done, 1, 0, "device-a")),
            ("b", entry(Status::Skipped, 1, 0, "device-a")),
        ]);
        assert_eq!(next_topic(&roadmap, &some), Some(id("b1")));
        let started = log(&[
            ("a", entry(Status::Done, 1, 0, "device-a")),
            ("c", entry(Status::InProgress, 1, 0, "device-a")),
        ]);
        assert_eq!(next_topic(&roadmap, &started), Some(id("c")));
        let via_alias = log(&[("b1-old", entry(Status::InProgress, 1, 0, "device-a"))]);
        assert_eq!(next_topic(&roadmap, &via_alias), Some(id("b1")));
        let all = log(&[
            ("a", entry(Status::Done, 1, 0, "device-a")),
            ("b", entry(Status::Done, 1, 0, "device-a")),
            ("b1", entry(Status::Skipped, 1, 0, "device-a")),
            ("c", entry(Status::Done, 1, 0, "device-a")),
        ]);
        assert_eq!(next_topic(&roadmap, &all), None);
    }

    #[test]
    fn reconcile_moves_alias_entries_and_reports_missing() {
        let roadmap = small();
        let mut log = log(&[
            ("a-old", entry(Status::Done, 5, 0, "device-a")),
            ("a", entry(Status::InProgress, 2, 0, "device-a")),
            ("b1-old", entry(Status::Done, 1, 0, "device-a")),
            ("b1", entry(Status::Skipped, 9, 0, "device-a")),
            ("gone", entry(Status::Done, 3, 0, "device-a")),
            ("c", entry(Status::Done, 3, 0, "device-a")),
        ]);
        let reconciliation = reconcile(&roadmap, &mut log);
        assert_eq!(
            reconciliation,
            Reconciliation {
                renamed: vec![("a-old".into(), id("a")), ("b1-old".into(), id("b1"))],
                missing: vec!["gone".into()],
            }
        );
        assert_eq!(log.entries["a"], entry(Status::Done, 5, 0, "device-a"));
        assert_eq!(log.entries["b1"], entry(Status::Skipped, 9, 0, "device-a"));
        assert!(log.entries.contains_key("gone"));
        assert!(!log.entries.contains_key("a-old"));
        assert_eq!(log.len(), 4);
        // A second pass has nothing left to do but report what is still missing.
        let again = reconcile(&roadmap, &mut log);
        assert!(again.renamed.is_empty());
        assert_eq!(again.missing, vec!["gone".to_owned()]);
        assert!(Reconciliation::default().is_empty());
    }

    #[test]
    fn notes_follow_aliases_and_move_on_reconcile() {
        use crate::progress::note::tests::note;
        let roadmap = small();
        let mut log = ProgressLog::default();
        log.apply("a-old", note("from the old id", 5, 0, "device-a"));
        log.apply("a", note("older", 2, 0, "device-a"));
        log.apply("c", note("", 3, 0, "device-a"));
        log.apply("c", entry(Status::Done, 1, 0, "device-a"));
        let a = roadmap.node("a").unwrap();
        let c = roadmap.node("c").unwrap();
        assert_eq!(note_for(a, &log), Some("from the old id"));
        assert_eq!(note_for(c, &log), None, "a tombstone shows nothing");
        let reconciliation = reconcile(&roadmap, &mut log);
        assert_eq!(reconciliation.renamed, vec![("a-old".into(), id("a"))]);
        assert_eq!(log.notes["a"], note("from the old id", 5, 0, "device-a"));
        assert!(!log.notes.contains_key("a-old"));
        assert_eq!(log.status("c"), Status::Done, "statuses untouched");
    }

    #[test]
    fn local_reconcile_queues_moved_entries() {
        use crate::progress::LocalProgress;
        let roadmap = small();
        let mut local = LocalProgress::new("small", "device-a1");
        local.absorb(
            &pull(
                vec![
                    ("a-old", entry(Status::Done, 5, 0, "device-b2")),
                    ("b1-old", entry(Status::Done, 1, 0, "device-b2")),
                ],
                vec![],
            ),
            10,
        );
        local.set("b1", Status::InProgress, 20);
        let reconciliation = local.reconcile(&roadmap);
        assert_eq!(reconciliation.renamed.len(), 2);
        let queued: Vec<(&str, Status)> = local
            .outbox
            .pending
            .iter()
            .map(|m| (m.topic.as_str(), m.register::<Status>().unwrap().value))
            .collect();
        // b1's own newer edit won, so only `a` is queued (with the original stamp).
        assert_eq!(queued, [("b1", Status::InProgress), ("a", Status::Done)]);
        assert_eq!(
            local.outbox.pending[1].stamp,
            entry(Status::Done, 5, 0, "device-b2").stamp
        );
    }

    fn backend() -> Roadmap {
        crate::content::load_roadmap_dir(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../roadmaps/backend"
        )))
        .expect("the backend roadmap loads")
    }

    #[test]
    fn counts_the_real_backend_roadmap() {
        let roadmap = backend();
        let topics = roadmap.nodes.iter().filter(|n| n.parent.is_some()).count();
        let empty = count(&roadmap, &ProgressLog::default());
        assert_eq!(empty.overall, counts(topics, 0, 0, 0));
        assert_eq!(empty.overall.total, roadmap.topic_count());
        assert_eq!(empty.stages.len(), 13);
        let stage_ids: Vec<&NodeId> = empty.stages.iter().map(|(id, _)| id).collect();
        assert_eq!(stage_ids, roadmap.stages.iter().collect::<Vec<_>>());
        // Every topic sits below exactly one stage.
        let per_stage: usize = empty.stages.iter().map(|(_, c)| c.total).sum();
        assert_eq!(per_stage, topics);
        assert!(empty.stages.iter().all(|(_, c)| c.total > 0));

        // Mark the first topic done under one of its aliases, start the second.
        let first = roadmap.nodes.iter().find(|n| !n.is_stage()).unwrap();
        let alias = first.aliases.first().expect("the first topic has an alias");
        let second = roadmap
            .nodes
            .iter()
            .filter(|n| !n.is_stage())
            .nth(1)
            .unwrap();
        let log = log(&[
            (alias.as_str(), entry(Status::Done, 1, 0, "device-a")),
            (
                second.id.as_str(),
                entry(Status::InProgress, 2, 0, "device-a"),
            ),
            ("no-such-topic", entry(Status::Done, 3, 0, "device-a")),
        ]);
        let progress = count(&roadmap, &log);
        assert_eq!(progress.overall, counts(topics, 1, 1, 0));
        assert_eq!(progress.stages[0].1.done, 1);
        assert_eq!(next_topic(&roadmap, &log), Some(second.id.clone()));
        assert_eq!(
            next_topic(&roadmap, &ProgressLog::default()),
            Some(first.id.clone())
        );
    }
}

//! Learner progress: the pure logic behind "mark this topic done", shared by the browser (which
//! keeps progress in localStorage, offline and without an account) and the server (which syncs
//! it across a learner's devices).
//!
//! Why it is shaped so:
//! - Progress must merge across devices without ever losing an update and converge to the same
//!   answer everywhere, whatever order updates arrive in. So each topic's status is a
//!   last-writer-wins register ([`Register`], an [`Entry`] in a [`ProgressLog`]) ordered by a
//!   hybrid logical clock ([`Clock`], [`Stamp`]) with the device id as the final tie-break:
//!   merging is commutative, associative and idempotent (proptests below pin that down).
//! - A device queues its edits in an [`Outbox`] with strictly increasing ids, so the server can
//!   apply pushes idempotently (skip ids it has seen, reject gaps).
//! - Everything read from outside (localStorage, an imported file) is validated here with plain
//!   messages and never panics: the caller shows the message and carries on.
//! - Counts and "what next" are computed from the roadmap model, never the DOM, and an entry
//!   stored under a node's former id (an alias) still counts for the node.
//! - Pure std + serde + serde_json, no web imports, so it builds and tests natively.
//!
//! - A topic also holds an optional personal note ([`NoteEntry`], `note`): a second LWW
//!   register in the same log, synced by the same outbox and rules, never touching the status.
//!   Both are the one generic [`Register`], parameterised by its value ([`Status`],
//!   [`NoteText`]); every rule (merge, validation, JSON shape, outbox, sync) is written once.
//!
//! Layers: `clock` (HLC stamps, device ids), `register` (the generic LWW register, its merge
//! rule, validation and JSON shape), `note` (the note's value and its limits), `wire` (the sync
//! API's bodies, shared with the server), `log` (the log of every register of a roadmap, and
//! where each kind lives), `outbox` (unacknowledged mutations), `local` (a device's saved
//! state), `tally` (counts, next topic, reconciliation after a roadmap changed), `transfer`
//! (export/import files), `driver` (one sync round, push then pull, behind a transport and a
//! device trait: the browser, the soak test and the push benchmark all run it).

mod clock;
mod driver;
mod local;
mod log;
mod note;
mod outbox;
mod register;
mod tally;
mod transfer;
mod wire;

use serde::{Deserialize, Serialize};

pub use clock::{Clock, DeviceId, Stamp};
pub use driver::{pull_changes, push_all, sync_once, Device, SyncFailure, SyncOutcome, Transport};
pub use local::LocalProgress;
pub use log::{Kind, ProgressLog};
pub use note::{validate_note_text, NoteEntry, NoteText, MAX_NOTE_CHARS};
pub use outbox::{Mutation, Outbox};
pub use register::{Edit, Entry, Register, RegisterValue};
pub use tally::{
    count, entry_for, next_topic, note_for, reconcile, status_of, Counts, Reconciliation,
    RoadmapProgress,
};
pub use transfer::{
    export_json, import_json, EXPORT_FORMAT, EXPORT_VERSION, MAX_IMPORT_BYTES, MAX_IMPORT_ENTRIES,
};
pub use wire::{PullResponse, Pulled, PulledEntry, PulledNote, PushRequest, PushResponse};

/// Where a learner is with one topic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Status {
    #[default]
    Pending,
    InProgress,
    Done,
    Skipped,
}

impl Status {
    pub const ALL: [Self; 4] = [Self::Pending, Self::InProgress, Self::Done, Self::Skipped];

    /// Reads the wire name (`pending`, `in_progress`, `done`, `skipped`).
    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == raw.trim())
            .ok_or_else(|| {
                format!(
                    "unknown status `{}`: use pending, in_progress, done or skipped",
                    shorten(raw.trim())
                )
            })
    }

    /// The wire name, as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::InProgress => "in_progress",
            Self::Done => "done",
            Self::Skipped => "skipped",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::InProgress => "In progress",
            Self::Done => "Done",
            Self::Skipped => "Skipped",
        }
    }

    /// Done or skipped: nothing left to do for the topic.
    pub fn is_settled(self) -> bool {
        matches!(self, Self::Done | Self::Skipped)
    }

    /// A fixed rank, used only to break a tie between two entries with the very same stamp
    /// (which honest devices never produce) so that merging stays commutative anyway.
    pub(crate) fn rank(self) -> u8 {
        match self {
            Self::Pending => 0,
            Self::InProgress => 1,
            Self::Done => 2,
            Self::Skipped => 3,
        }
    }
}

/// At most 40 characters of a value echoed in an error message, so a hostile file cannot make
/// the message huge.
pub(crate) fn shorten(raw: &str) -> String {
    const MAX: usize = 40;
    if raw.chars().count() <= MAX {
        raw.to_owned()
    } else {
        let mut short: String = raw.chars().take(MAX).collect();
        short.push('…');
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_parses_wire_names_and_rejects_the_rest() {
        assert_eq!(Status::parse("pending"), Ok(Status::Pending));
        assert_eq!(Status::parse("in_progress"), Ok(Status::InProgress));
        assert_eq!(Status::parse(" done "), Ok(Status::Done));
        assert_eq!(Status::parse("skipped"), Ok(Status::Skipped));
        assert_eq!(
            Status::parse("finished"),
            Err("unknown status `finished`: use pending, in_progress, done or skipped".into())
        );
        for bad in ["", "Done", "in-progress", "inprogress"] {
            assert!(Status::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn status_serde_names_match_parse_and_labels() {
        for status in Status::ALL {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
            assert_eq!(serde_json::from_str::<Status>(&json).unwrap(), status);
            assert_eq!(Status::parse(status.as_str()), Ok(status));
        }
        assert_eq!(Status::InProgress.label(), "In progress");
        assert_eq!(Status::default(), Status::Pending);
    }

    #[test]
    fn settled_means_done_or_skipped() {
        assert!(Status::Done.is_settled());
        assert!(Status::Skipped.is_settled());
        assert!(!Status::Pending.is_settled());
        assert!(!Status::InProgress.is_settled());
    }

    #[test]
    fn shorten_cuts_long_values_on_char_boundaries() {
        assert_eq!(shorten("abc"), "abc");
        let long = "é".repeat(50);
        assert_eq!(shorten(&long), format!("{}…", "é".repeat(40)));
    }
}

//! Personal notes: a learner's own short text on a topic, a second last-writer-wins register
//! per topic beside the status.
//!
//! Why it is shaped so:
//! - A note syncs exactly like a status (same stamps, outbox and server rules), but in its own
//!   register, so setting a status never overwrites a note and the other way round.
//! - Deleting a note writes an empty text with a fresh stamp (a tombstone) instead of removing
//!   the register: the deletion then syncs and wins over older texts like any other edit.
//! - The limit counts characters (Unicode scalar values, what a textarea's counter shows),
//!   not bytes; a note of [`MAX_NOTE_CHARS`] characters stays far below a push body's size
//!   limit even in the worst case (4 bytes per character).
//! - Control characters other than tab and line breaks are refused: they have no place in a
//!   note and PostgreSQL cannot store a NUL in a `TEXT` column.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::register::{Edit, Register, RegisterValue};

/// The longest note, in characters (not bytes).
pub const MAX_NOTE_CHARS: usize = 2_000;

/// A note's text; empty is a tombstone (the note was deleted).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NoteText(pub String);

impl NoteText {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for NoteText {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

/// One topic's note register.
pub type NoteEntry = Register<NoteText>;

impl RegisterValue for NoteText {
    const FIELD: &'static str = "text";
    const NOUN: &'static str = "note";

    /// The greater text, for equal stamps.
    fn tie_break(&self, other: &Self) -> Ordering {
        self.cmp(other)
    }

    fn validate(&self) -> Result<(), String> {
        validate_note_text(&self.0)
    }

    fn edit(&self) -> Edit {
        Edit::Note(self.0.clone())
    }

    fn of_edit(edit: &Edit) -> Option<Self> {
        match edit {
            Edit::Note(text) => Some(Self(text.clone())),
            Edit::Status(_) => None,
        }
    }
}

impl NoteEntry {
    /// A deleted note.
    pub fn is_tombstone(&self) -> bool {
        self.value.0.is_empty()
    }
}

/// Checks a note's text: at most [`MAX_NOTE_CHARS`] characters, no control characters but
/// tab and line breaks. The message says what is wrong, in the learner's words.
pub fn validate_note_text(text: &str) -> Result<(), String> {
    let chars = text.chars().count();
    if chars > MAX_NOTE_CHARS {
        return Err(format!(
            "the note is {} characters long; at most {} are allowed",
            thousands(chars),
            thousands(MAX_NOTE_CHARS)
        ));
    }
    if let Some(bad) = text
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(format!(
            "the note holds a control character (U+{:04X})",
            u32::from(bad)
        ));
    }
    Ok(())
}

/// `2000` → `2,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    use crate::progress::Stamp;

    pub(crate) fn note(text: &str, millis: u64, counter: u32, device: &str) -> NoteEntry {
        NoteEntry::new(
            text.into(),
            Stamp {
                millis,
                counter,
                device: device.into(),
            },
        )
    }

    #[test]
    fn the_greater_stamp_wins_and_equal_stamps_still_order() {
        let old = note("old", 1, 0, "device-a");
        let new = note("new", 2, 0, "device-a");
        assert!(new.supersedes(&old));
        assert!(!old.supersedes(&new));
        let tombstone = note("", 3, 0, "device-b");
        assert!(tombstone.supersedes(&new), "a later deletion wins");
        assert!(tombstone.is_tombstone());
        let a = note("a", 5, 0, "device-a");
        let b = note("b", 5, 0, "device-a");
        assert!(b.supersedes(&a) && !a.supersedes(&b) && !a.supersedes(&a));
    }

    #[test]
    fn the_limit_counts_characters_not_bytes() {
        assert_eq!(validate_note_text(&"é".repeat(MAX_NOTE_CHARS)), Ok(()));
        assert_eq!(validate_note_text(""), Ok(()));
        assert_eq!(
            validate_note_text(&"a".repeat(MAX_NOTE_CHARS + 1)),
            Err("the note is 2,001 characters long; at most 2,000 are allowed".into())
        );
        assert_eq!(validate_note_text("line\r\nnext\tcell"), Ok(()));
        assert_eq!(
            validate_note_text("nul\0"),
            Err("the note holds a control character (U+0000)".into())
        );
    }

    #[test]
    fn validate_note_names_the_topic() {
        let good = note("**ok**", 1, 0, "device-a");
        assert_eq!(good.validate("http"), Ok(()));
        assert!(good.validate("Bad Topic").is_err());
        assert_eq!(
            note(&"x".repeat(2_500), 1, 0, "device-a").validate("http"),
            Err(
                "topic `http`: the note is 2,500 characters long; at most 2,000 are allowed".into()
            )
        );
        assert!(note("x", 1, 0, "dev").validate("http").is_err());
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(2_000), "2,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}

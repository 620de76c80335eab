//! Export and import files: a learner's progress on one roadmap as a small JSON document they
//! can keep or move to another browser without an account.
//!
//! The file carries full entries (status and stamp), not just statuses, so importing is a
//! merge like any other sync: the newer edit wins and nothing newer is ever overwritten by an
//! old backup. Imports come from anywhere, so every field is checked, sizes are capped and
//! each problem is reported in plain words naming the entry at fault.
//!
//! Notes travel in an optional `notes` object (topic → `{text, stamp}`, deletions as empty
//! texts so they win over older copies), left out when there are none: files written before
//! notes existed import as before, and still have version 1.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{shorten, Entry, Kind, NoteEntry, NoteText, ProgressLog, Register, Stamp, Status};

/// The `format` field of an export file.
pub const EXPORT_FORMAT: &str = "trailmap-progress";
/// The `version` field this app writes and reads.
pub const EXPORT_VERSION: u32 = 1;
/// Files larger than this are refused before parsing.
pub const MAX_IMPORT_BYTES: usize = 4 * 1024 * 1024;
/// Files with more entries than this are refused.
pub const MAX_IMPORT_ENTRIES: usize = 10_000;
/// How many problems an import error lists before summarising the rest.
const MAX_LISTED_PROBLEMS: usize = 3;

#[derive(Serialize)]
struct ExportFile<'a> {
    format: &'a str,
    version: u32,
    roadmap: &'a str,
    entries: &'a BTreeMap<String, Entry>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    notes: &'a BTreeMap<String, NoteEntry>,
}

/// One status entry as read from a file, before its status is checked (so that a bad one
/// gets `Status::parse`'s message).
#[derive(Deserialize)]
struct RawEntry {
    status: String,
    stamp: Stamp,
}

/// Export/import file:
/// `{"format":"trailmap-progress","version":1,"roadmap":slug,"entries":{topic:{status,stamp}},
/// "notes":{topic:{text,stamp}}}` (pretty-printed, topics in id order, `notes` only when the
/// log has any).
pub fn export_json(roadmap: &str, log: &ProgressLog) -> String {
    let file = ExportFile {
        format: EXPORT_FORMAT,
        version: EXPORT_VERSION,
        roadmap,
        entries: &log.entries,
        notes: &log.notes,
    };
    // Cannot fail: every map key is a string and every value plain data.
    serde_json::to_string_pretty(&file).unwrap_or_default()
}

/// Validates an export file (format, version, roadmap, statuses, device ids, topic ids, size)
/// with plain error messages; the caller MERGES the result, never overwrites.
pub fn import_json(raw: &str, roadmap: &str) -> Result<ProgressLog, String> {
    if raw.len() > MAX_IMPORT_BYTES {
        return Err(format!(
            "the file is too large ({} bytes; at most {} MiB)",
            raw.len(),
            MAX_IMPORT_BYTES / (1024 * 1024)
        ));
    }
    let value: Value = serde_json::from_str(raw)
        .map_err(|error| format!("the file is not valid JSON ({error})"))?;
    let not_export = "the file is not a Trailmap progress export";
    let Some(object) = value.as_object() else {
        return Err(not_export.into());
    };
    match object.get("format").and_then(Value::as_str) {
        Some(EXPORT_FORMAT) => {}
        Some(other) => return Err(format!("{not_export} (its format is `{}`)", shorten(other))),
        None => return Err(not_export.into()),
    }
    match object.get("version").and_then(Value::as_u64) {
        Some(version) if version == u64::from(EXPORT_VERSION) => {}
        Some(version) => {
            return Err(format!(
                "the file is export version {version}; this app reads version {EXPORT_VERSION}"
            ))
        }
        None => return Err("the file has no version number".into()),
    }
    match object.get("roadmap").and_then(Value::as_str) {
        Some(slug) if slug == roadmap => {}
        Some(slug) => {
            return Err(format!(
                "the file holds progress for roadmap `{}`, not `{}`",
                shorten(slug),
                shorten(roadmap)
            ))
        }
        None => return Err("the file names no roadmap".into()),
    }
    let Some(entries) = object.get("entries").and_then(Value::as_object) else {
        return Err("the file has no `entries` object".into());
    };
    let empty = Map::new();
    let notes = match object.get("notes") {
        None => &empty,
        Some(Value::Object(notes)) => notes,
        Some(_) => return Err("the file's `notes` is not an object".into()),
    };
    if entries.len() + notes.len() > MAX_IMPORT_ENTRIES {
        return Err(format!(
            "the file holds {} entries; at most {MAX_IMPORT_ENTRIES} are accepted",
            entries.len() + notes.len()
        ));
    }
    read_entries(entries, notes)
}

/// Reads every entry, collecting every problem.
fn read_entries(
    entries: &Map<String, Value>,
    notes: &Map<String, Value>,
) -> Result<ProgressLog, String> {
    let mut log = ProgressLog::default();
    let mut problems = Vec::new();
    read_kind(&mut log, &mut problems, entries, read_entry);
    read_kind(&mut log, &mut problems, notes, read_note);
    if problems.is_empty() {
        return Ok(log);
    }
    let count = problems.len();
    let mut message = problems
        .into_iter()
        .take(MAX_LISTED_PROBLEMS)
        .collect::<Vec<_>>()
        .join("; ");
    if count > MAX_LISTED_PROBLEMS {
        message.push_str(&format!(
            "; and {} more problems",
            count - MAX_LISTED_PROBLEMS
        ));
    }
    Err(message)
}

/// Reads each register of one kind into `log`, collecting the problems.
fn read_kind<V: Kind>(
    log: &mut ProgressLog,
    problems: &mut Vec<String>,
    registers: &Map<String, Value>,
    read: fn(&Value) -> Result<Register<V>, String>,
) {
    for (topic, value) in registers {
        let checked = read(value).and_then(|register| {
            register.validate(topic)?;
            Ok(register)
        });
        match checked {
            Ok(register) => {
                log.apply(topic, register);
            }
            // The register's validation names the topic in some messages; name it in the
            // others.
            Err(error) if error.starts_with("topic `") => problems.push(error),
            Err(error) => problems.push(format!("{} `{}`: {error}", V::NOUN, shorten(topic))),
        }
    }
}

fn read_entry(value: &Value) -> Result<Entry, String> {
    let raw: RawEntry = serde_json::from_value(value.clone()).map_err(|error| error.to_string())?;
    Ok(Register::new(Status::parse(&raw.status)?, raw.stamp))
}

fn read_note(value: &Value) -> Result<NoteEntry, String> {
    serde_json::from_value::<Register<NoteText>>(value.clone()).map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::progress::log::tests::{arb_status, entry};

    fn sample() -> ProgressLog {
        let mut log = ProgressLog::default();
        log.apply(
            "http",
            entry(Status::Done, 1_700_000_000_000, 0, "device-a1"),
        );
        log.apply(
            "dns",
            entry(Status::InProgress, 1_700_000_000_001, 2, "device-b2"),
        );
        log
    }

    #[test]
    fn export_has_the_documented_shape() {
        let json = export_json("backend", &sample());
        let value: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            value,
            serde_json::json!({
                "format": "trailmap-progress",
                "version": 1,
                "roadmap": "backend",
                "entries": {
                    "dns": {
                        "status": "in_progress",
                        "stamp": {"millis": 1_700_000_000_001u64, "counter": 2, "device": "device-b2"}
                    },
                    "http": {
                        "status": "done",
                        "stamp": {"millis": 1_700_000_000_000u64, "counter": 0, "device": "device-a1"}
                    }
                }
            })
        );
        assert!(
            json.find("\"dns\"") < json.find("\"http\""),
            "topics in id order"
        );
    }

    #[test]
    fn export_then_import_round_trips() {
        let log = sample();
        assert_eq!(
            import_json(&export_json("backend", &log), "backend"),
            Ok(log)
        );
        let empty = ProgressLog::default();
        assert_eq!(
            import_json(&export_json("backend", &empty), "backend"),
            Ok(empty)
        );
    }

    fn with(field: &str, value: Value) -> String {
        let mut file: Value = serde_json::from_str(&export_json("backend", &sample())).unwrap();
        file[field] = value;
        file.to_string()
    }

    fn with_entry(topic: &str, value: Value) -> String {
        let mut file: Value = serde_json::from_str(&export_json("backend", &sample())).unwrap();
        file["entries"][topic] = value;
        file.to_string()
    }

    fn stamp_json(device: &str) -> Value {
        serde_json::json!({"millis": 5, "counter": 0, "device": device})
    }

    #[test]
    fn import_rejects_the_wrong_format_version_or_roadmap() {
        let err = |raw: &str| import_json(raw, "backend").unwrap_err();
        assert!(err("not json").starts_with("the file is not valid JSON"));
        assert_eq!(err("[]"), "the file is not a Trailmap progress export");
        assert_eq!(err("{}"), "the file is not a Trailmap progress export");
        assert_eq!(
            err(&with("format", "other-app".into())),
            "the file is not a Trailmap progress export (its format is `other-app`)"
        );
        assert_eq!(
            err(&with("version", 2.into())),
            "the file is export version 2; this app reads version 1"
        );
        assert_eq!(
            err(&with("version", "1".into())),
            "the file has no version number"
        );
        assert_eq!(
            err(&with("roadmap", "frontend".into())),
            "the file holds progress for roadmap `frontend`, not `backend`"
        );
        assert_eq!(
            err(&with("roadmap", Value::Null)),
            "the file names no roadmap"
        );
        assert_eq!(
            err(&with("entries", Value::Array(vec![]))),
            "the file has no `entries` object"
        );
    }

    #[test]
    fn import_rejects_bad_entries_naming_them() {
        let err = |raw: &str| import_json(raw, "backend").unwrap_err();
        assert_eq!(
            err(&with_entry(
                "tcp",
                serde_json::json!({"status": "finished", "stamp": stamp_json("device-a1")})
            )),
            "entry `tcp`: unknown status `finished`: use pending, in_progress, done or skipped"
        );
        assert_eq!(
            err(&with_entry(
                "tcp",
                serde_json::json!({"status": "done", "stamp": stamp_json("no")})
            )),
            "topic `tcp`: device id `no` must be 8 to 64 characters long"
        );
        assert_eq!(
            err(&with_entry(
                "Not A Slug",
                serde_json::json!({"status": "done", "stamp": stamp_json("device-a1")})
            )),
            "entry `Not A Slug`: id `Not A Slug` is not a slug: use lowercase letters, digits and single hyphens"
        );
        assert_eq!(
            err(&with_entry("tcp", serde_json::json!({"status": "done"}))),
            "entry `tcp`: missing field `stamp`"
        );
        assert_eq!(
            err(&with_entry(
                "tcp",
                serde_json::json!({"status": "done", "stamp": {"millis": -1, "counter": 0, "device": "device-a1"}})
            )),
            "entry `tcp`: invalid value: integer `-1`, expected u64"
        );
        assert_eq!(
            err(&with_entry(
                "tcp",
                serde_json::json!({"status": "done", "stamp": {"millis": Stamp::MAX_MILLIS + 1, "counter": 0, "device": "device-a1"}})
            )),
            "topic `tcp`: stamp time 253402300800000 is beyond the year 9999"
        );
    }

    #[test]
    fn import_lists_a_few_problems_and_counts_the_rest() {
        let mut file: Value = serde_json::from_str(&export_json("backend", &sample())).unwrap();
        for topic in ["t1", "t2", "t3", "t4", "t5"] {
            file["entries"][topic] =
                serde_json::json!({"status": "nope", "stamp": stamp_json("device-a1")});
        }
        let message = import_json(&file.to_string(), "backend").unwrap_err();
        assert!(
            message.starts_with("entry `t1`: unknown status `nope`"),
            "{message}"
        );
        assert!(message.ends_with("; and 2 more problems"), "{message}");
    }

    #[test]
    fn import_enforces_size_limits() {
        let mut log = ProgressLog::default();
        for n in 0..=MAX_IMPORT_ENTRIES {
            log.apply(&format!("t{n}"), entry(Status::Done, 1, 0, "device-a1"));
        }
        let compact = serde_json::json!({
            "format": EXPORT_FORMAT, "version": 1, "roadmap": "backend", "entries": log.entries
        })
        .to_string();
        assert!(compact.len() <= MAX_IMPORT_BYTES);
        assert_eq!(
            import_json(&compact, "backend").unwrap_err(),
            "the file holds 10001 entries; at most 10000 are accepted"
        );
        let huge = " ".repeat(MAX_IMPORT_BYTES + 1);
        assert_eq!(
            import_json(&huge, "backend").unwrap_err(),
            "the file is too large (4194305 bytes; at most 4 MiB)"
        );
    }

    #[test]
    fn import_ignores_unknown_extra_fields() {
        let raw = with_entry(
            "tcp",
            serde_json::json!({"status": "skipped", "stamp": stamp_json("device-a1"), "note": "x"}),
        );
        let log = import_json(&raw, "backend").unwrap();
        assert_eq!(log.status("tcp"), Status::Skipped);
        assert_eq!(log.len(), 3);
    }

    fn arb_log() -> impl Strategy<Value = ProgressLog> {
        prop::collection::btree_map(
            "[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,2}",
            (
                arb_status(),
                0..=Stamp::MAX_MILLIS,
                any::<u32>(),
                "[A-Za-z0-9_-]{8,64}",
            )
                .prop_map(|(status, millis, counter, device)| Entry {
                    value: status,
                    stamp: Stamp {
                        millis,
                        counter,
                        device,
                    },
                }),
            0..20,
        )
        .prop_map(|entries| ProgressLog {
            entries,
            notes: BTreeMap::new(),
        })
    }

    #[test]
    fn notes_export_and_import_round_trip_with_tombstones() {
        use crate::progress::note::tests::note;
        let mut log = sample();
        log.apply(
            "http",
            note("See <script>alert(1)</script>", 7, 0, "device-a1"),
        );
        log.apply("dns", note("", 8, 0, "device-a1"));
        let json = export_json("backend", &log);
        let value: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            value["notes"]["http"],
            serde_json::json!({"text": "See <script>alert(1)</script>",
                "stamp": {"millis": 7, "counter": 0, "device": "device-a1"}})
        );
        assert_eq!(value["notes"]["dns"]["text"], "");
        assert_eq!(import_json(&json, "backend"), Ok(log));
        assert!(
            !export_json("backend", &sample()).contains("notes"),
            "no notes, no field: the file reads as before"
        );
    }

    #[test]
    fn import_rejects_bad_notes_and_changes_nothing() {
        let err = |raw: &str| import_json(raw, "backend").unwrap_err();
        let with_note = |value: Value| {
            let mut file: Value = serde_json::from_str(&export_json("backend", &sample())).unwrap();
            file["notes"] = serde_json::json!({ "tcp": value });
            file.to_string()
        };
        assert_eq!(
            err(&with_note(
                serde_json::json!({"text": "x".repeat(2_001), "stamp": stamp_json("device-a1")})
            )),
            "topic `tcp`: the note is 2,001 characters long; at most 2,000 are allowed"
        );
        assert_eq!(
            err(&with_note(
                serde_json::json!({"text": 5, "stamp": stamp_json("device-a1")})
            )),
            "note `tcp`: invalid type: integer `5`, expected a string"
        );
        assert_eq!(
            err(&with("notes", Value::Array(vec![]))),
            "the file's `notes` is not an object"
        );
    }

    fn arb_noise() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[{}\\[\\]\":,0-9a-z_ -]{0,80}",
            (any::<usize>(), any::<char>()).prop_map(|(at, ch)| {
                let mut chars: Vec<char> = export_json("backend", &sample()).chars().collect();
                let at = at % chars.len();
                chars[at] = ch;
                chars.into_iter().collect()
            }),
        ]
    }

    proptest! {
        #[test]
        fn export_import_round_trips(log in arb_log()) {
            prop_assert_eq!(import_json(&export_json("backend", &log), "backend"), Ok(log));
        }

        #[test]
        fn import_never_panics(raw in arb_noise()) {
            if let Ok(log) = import_json(&raw, "backend") {
                prop_assert!(log.len() <= MAX_IMPORT_ENTRIES);
                for (topic, entry) in &log.entries {
                    prop_assert_eq!(entry.validate(topic), Ok(()));
                }
            }
        }
    }
}

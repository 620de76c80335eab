//! The client never dies on a browser's refusal: storage that throws, a missing clipboard, a
//! refused service worker or a failed fetch are handled states with a message, not panics.
//! This check reads the client's sources and fails when a panicking call appears outside
//! test code (a `#[cfg(test)]` module ends the part of a file that is read). gloo-storage's
//! `LocalStorage` panics when the browser blocks storage, so it may only be reached through
//! `app/src/browser_storage.rs`, which probes `window.localStorage` first.

use std::{fs, path::Path};

/// Calls that turn a browser's refusal into a panic.
const FORBIDDEN: &[&str] = &[
    ".unwrap()",
    ".expect(",
    "expect_throw",
    "unwrap_throw",
    "panic!(",
];

/// gloo-storage's accessors, allowed only in this file (after its probe).
const STORAGE_GATE: &str = "app/src/browser_storage.rs";
const GLOO_STORAGE: &[&str] = &["gloo_storage", "LocalStorage::"];

fn rust_files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

/// `file:line: text` for each forbidden call outside test code.
fn offences(source: &str, forbidden: &[&str]) -> Vec<(usize, String)> {
    source
        .lines()
        .enumerate()
        .take_while(|(_, line)| line.trim() != "#[cfg(test)]")
        .filter(|(_, line)| !line.trim_start().starts_with("//"))
        .filter(|(_, line)| forbidden.iter().any(|call| line.contains(call)))
        .map(|(number, line)| (number + 1, line.trim().to_owned()))
        .collect()
}

#[test]
fn client_code_has_no_panicking_calls_on_browser_apis() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["app/src", "frontend/src"] {
        rust_files(&workspace.join(dir), &mut files);
    }
    assert!(
        files.len() > 10,
        "the client's sources were not found: {files:?}"
    );
    let mut report = Vec::new();
    for file in &files {
        let source = fs::read_to_string(file).expect("readable source");
        for (line, text) in offences(&source, FORBIDDEN) {
            report.push(format!("{}:{line}: {text}", file.display()));
        }
        if !file.ends_with(STORAGE_GATE) {
            for (line, text) in offences(&source, GLOO_STORAGE) {
                report.push(format!(
                    "{}:{line}: {text} (use browser_storage, which checks the browser allows it)",
                    file.display()
                ));
            }
        }
    }
    assert!(
        report.is_empty(),
        "panicking calls in client code; make each a handled state with a message:\n{}",
        report.join("\n")
    );
}

#[test]
fn the_check_sees_each_forbidden_call_and_skips_tests() {
    let source = "let a = storage.unwrap();\n// x.unwrap() in a comment\nlet b = c.expect(\"x\");\nlet d = LocalStorage::raw();\n#[cfg(test)]\nmod tests { fn f() { x.unwrap(); } }\n";
    let lines: Vec<usize> = offences(source, FORBIDDEN)
        .into_iter()
        .map(|(line, _)| line)
        .collect();
    assert_eq!(lines, vec![1, 3]);
    let storage: Vec<usize> = offences(source, GLOO_STORAGE)
        .into_iter()
        .map(|(line, _)| line)
        .collect();
    assert_eq!(storage, vec![4]);
}

//! The roadmap content parser and validator (`trailmap_core::content::parse_roadmap`) on arbitrary
//! UTF-8, cut at NUL characters into `roadmap.md` and up to four node files. It must never
//! panic; every error names one of the files and a line inside it (0: the whole file), errors
//! come sorted by file then line; an accepted roadmap keeps the model's invariants (unique ids,
//! parents that exist and list their children) and only safe HTML.
#![no_main]

use trailmap_core::content::{check_safe_html, parse_roadmap, SourceFile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let mut parts = input.split('\0');
    let meta = SourceFile {
        name: "roadmap.md".into(),
        text: parts.next().unwrap_or_default().to_owned(),
    };
    let nodes: Vec<SourceFile> = parts
        .take(4)
        .enumerate()
        .map(|(index, text)| SourceFile {
            name: format!("{index:02}-part.md"),
            text: text.to_owned(),
        })
        .collect();
    let files: Vec<&SourceFile> = std::iter::once(&meta).chain(&nodes).collect();

    match parse_roadmap("fuzzed", &meta, &nodes) {
        Err(errors) => {
            assert!(!errors.is_empty(), "a refusal carries at least one error");
            let mut previous = (0, 0);
            for error in &errors {
                let index = files
                    .iter()
                    .position(|file| file.name == error.file)
                    .unwrap_or_else(|| panic!("an error names an unknown file: {error}"));
                let lines = files[index].text.split('\n').count();
                assert!(
                    error.line <= lines,
                    "{error}: line {} of a {lines}-line file",
                    error.line
                );
                assert!(!error.message.trim().is_empty(), "{error}: an empty message");
                assert!((index, error.line) >= previous, "errors out of order at {error}");
                previous = (index, error.line);
            }
        }
        Ok(roadmap) => {
            assert_eq!(roadmap.slug, "fuzzed");
            check_safe_html(&roadmap.intro_html).expect("the introduction's HTML is safe");
            let mut seen = std::collections::BTreeSet::new();
            for (position, node) in roadmap.nodes.iter().enumerate() {
                assert!(seen.insert(node.id.as_str()), "duplicate id {}", node.id.as_str());
                check_safe_html(&node.html).expect("a node's HTML is safe");
                // Nodes may come before their parent (any order is allowed); the parent must
                // exist and list the node among its children.
                if let Some(parent) = &node.parent {
                    let parent = roadmap.node(parent.as_str()).expect("the parent exists");
                    assert!(
                        parent.children.contains(&node.id),
                        "{} (at {position}) is among its parent's children",
                        node.id.as_str()
                    );
                }
            }
            for stage in &roadmap.stages {
                assert!(roadmap.node(stage.as_str()).is_some_and(|node| node.is_stage()));
            }
        }
    }
});

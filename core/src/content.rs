//! Roadmap content: reads the plain-text roadmap folders (`roadmaps/<slug>/*.md`, format in the
//! README) into the model of `crate::roadmap`, and renders their Markdown to safe HTML.
//!
//! Why it is shaped so:
//! - Content is written by hand and reviewed in diffs, so the validator's job is to tell an
//!   author *everything* that is wrong in one run, each problem as `file:line: message`. Every
//!   check collects errors and carries on; nothing stops at the first one.
//! - It is pure (std, serde, url, pulldown-cmark; no web imports) so the server, the `check`
//!   command and the tests share it, and it never panics, whatever the input.
//! - Layers: `parse` reads one file at a time (shape of a file, values that stand alone),
//!   `validate` checks what needs the whole roadmap (unique ids, parents, links, cycles) and
//!   builds the model, `markdown` renders text to HTML, `load` reads folders from disk.

mod load;
mod markdown;
mod parse;
mod summary;
mod validate;

use std::fmt;

use crate::roadmap::Roadmap;

pub use load::{load_catalog, load_catalog_checked, load_roadmap_dir, CheckedCatalog};
pub use markdown::{check_safe_html, render_markdown, render_note};
pub use summary::{summarize, RoadmapSummary, MIN_RESOURCES};

/// One problem in the content, at a 1-based line of a file (line 0: the whole file or folder).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContentError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for ContentError {}

/// One source file: `name` is what error messages show (e.g. "roadmaps/backend/03-databases.md").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
}

/// Parse and validate one roadmap from its metadata file and its node files (in order). Returns
/// every error found, sorted by (file order, line), never just the first.
pub fn parse_roadmap(
    slug: &str,
    meta: &SourceFile,
    node_files: &[SourceFile],
) -> Result<Roadmap, Vec<ContentError>> {
    parse_roadmap_located(slug, meta, node_files).map(|built| built.roadmap)
}

/// A roadmap that passed every check, with where each `see:` link was written (for
/// `link_roadmaps`) and the warnings: problems worth fixing that do not reject the content.
#[derive(Debug)]
struct Built {
    roadmap: Roadmap,
    see_refs: Vec<SeeRef>,
    warnings: Vec<ContentError>,
}

/// `parse_roadmap`, plus where each `see:` link was written and the warnings.
fn parse_roadmap_located(
    slug: &str,
    meta: &SourceFile,
    node_files: &[SourceFile],
) -> Result<Built, Vec<ContentError>> {
    let mut errors = Errors::default();
    let names: Vec<&str> = std::iter::once(meta.name.as_str())
        .chain(node_files.iter().map(|file| file.name.as_str()))
        .collect();

    let meta_file = FileRef {
        index: 0,
        name: &meta.name,
    };
    let meta_draft = parse::parse_meta(meta_file, &meta.text, &mut errors);
    let mut drafts = Vec::new();
    for (index, file) in node_files.iter().enumerate() {
        let file_ref = FileRef {
            index: index + 1,
            name: &file.name,
        };
        drafts.extend(parse::parse_node_file(file_ref, &file.text, &mut errors));
    }

    match validate::build(slug, meta_draft, drafts, &names, &mut errors) {
        Some((roadmap, see_refs)) if errors.is_empty() => Ok(Built {
            roadmap,
            see_refs,
            warnings: errors.into_sorted_warnings(),
        }),
        _ if errors.is_empty() => Err(vec![ContentError {
            file: meta.name.clone(),
            line: 0,
            message: "the roadmap could not be built".to_owned(),
        }]),
        _ => Err(errors.into_sorted()),
    }
}

/// Where a `see:` link was written: link `link` of node `node` (indexes into the roadmap).
#[derive(Clone, Debug)]
struct SeeRef {
    file: String,
    line: usize,
    node: usize,
    link: usize,
}

/// Checks every `see:` link of every roadmap against the others and fills in the target's
/// titles. Links into a roadmap in `broken` (one that failed to load, already reported) are not
/// checked. Returns one error per link whose roadmap or node does not exist.
fn link_roadmaps(loaded: &mut [Built], broken: &[String]) -> Vec<ContentError> {
    let mut errors = Vec::new();
    let mut resolved = Vec::new();
    for (
        index,
        Built {
            roadmap,
            see_refs: refs,
            ..
        },
    ) in loaded.iter().enumerate()
    {
        for at in refs {
            let Some(link) = roadmap.nodes.get(at.node).and_then(|n| n.see.get(at.link)) else {
                continue;
            };
            let error = |message: String| ContentError {
                file: at.file.clone(),
                line: at.line,
                message: format!("`see`: {message}"),
            };
            let target = loaded
                .iter()
                .map(|built| &built.roadmap)
                .find(|target| target.slug == link.roadmap);
            let Some(target) = target else {
                if !broken.contains(&link.roadmap) {
                    errors.push(error(format!(
                        "no roadmap has the slug `{}` (a folder roadmaps/{}/ with a roadmap.md)",
                        link.roadmap, link.roadmap
                    )));
                }
                continue;
            };
            match target.node(link.node.as_str()) {
                Some(node) => resolved.push((
                    index,
                    at.node,
                    at.link,
                    node.title.clone(),
                    target.title.clone(),
                )),
                None => {
                    let hint = target
                        .resolve(link.node.as_str())
                        .map(|main| format!("; it is an alias of `{}`, link to that", main.id))
                        .unwrap_or_default();
                    errors.push(error(format!(
                        "the roadmap `{}` has no node with the id `{}`{hint}",
                        link.roadmap, link.node
                    )));
                }
            }
        }
    }
    for (roadmap, node, link, title, roadmap_title) in resolved {
        if let Some(see) = loaded[roadmap].roadmap.nodes[node].see.get_mut(link) {
            see.title = title;
            see.roadmap_title = roadmap_title;
        }
    }
    errors
}

/// A file being read: its position in the roadmap (0 is roadmap.md) and its name.
#[derive(Clone, Copy, Debug)]
struct FileRef<'a> {
    index: usize,
    name: &'a str,
}

/// Errors collected across all layers, with the file position they sort by, and warnings
/// (reported, but they do not reject the content).
#[derive(Debug, Default)]
struct Errors {
    errors: Vec<(usize, ContentError)>,
    warnings: Vec<(usize, ContentError)>,
}

impl Errors {
    fn push(&mut self, file: FileRef<'_>, line: usize, message: impl Into<String>) {
        Self::add(&mut self.errors, file, line, message);
    }

    fn warn(&mut self, file: FileRef<'_>, line: usize, message: impl Into<String>) {
        Self::add(&mut self.warnings, file, line, message);
    }

    fn add(
        list: &mut Vec<(usize, ContentError)>,
        file: FileRef<'_>,
        line: usize,
        message: impl Into<String>,
    ) {
        list.push((
            file.index,
            ContentError {
                file: file.name.to_owned(),
                line,
                message: message.into(),
            },
        ));
    }

    fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Sorted by file order, then line; errors on the same line keep the order they were found.
    fn into_sorted(self) -> Vec<ContentError> {
        Self::sorted(self.errors)
    }

    /// The warnings, sorted like the errors.
    fn into_sorted_warnings(self) -> Vec<ContentError> {
        Self::sorted(self.warnings)
    }

    fn sorted(mut list: Vec<(usize, ContentError)>) -> Vec<ContentError> {
        list.sort_by_key(|(index, error)| (*index, error.line));
        list.into_iter().map(|(_, error)| error).collect()
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use proptest::prelude::*;

    use super::*;
    use crate::roadmap::{Estimate, Level, LevelRange, NodeId, ResourceKind, TimeUnit};

    const META: &str =
        "title: Backend\nsummary: Servers.\nlevel: beginner -> advanced\nestimate: 6 months\n";

    fn source(name: &str, text: &str) -> SourceFile {
        SourceFile {
            name: name.to_owned(),
            text: text.to_owned(),
        }
    }

    /// Parses `META` plus one node file named `nodes.md`.
    fn parse_nodes(text: &str) -> Result<Roadmap, Vec<ContentError>> {
        parse_roadmap(
            "backend",
            &source("roadmap.md", META),
            &[source("nodes.md", text)],
        )
    }

    fn errors_of(result: Result<Roadmap, Vec<ContentError>>) -> Vec<ContentError> {
        match result {
            Ok(roadmap) => panic!(
                "expected errors, got a roadmap with {} nodes",
                roadmap.nodes.len()
            ),
            Err(errors) => errors,
        }
    }

    /// Asserts that the errors are exactly one, at `file:line`, containing every fragment.
    fn assert_single_error(errors: &[ContentError], file: &str, line: usize, fragments: &[&str]) {
        assert_eq!(errors.len(), 1, "expected one error, got {errors:#?}");
        assert_error(errors, file, line, fragments);
    }

    /// Asserts that some error is at `file:line` and contains every fragment.
    fn assert_error(errors: &[ContentError], file: &str, line: usize, fragments: &[&str]) {
        let found = errors.iter().any(|error| {
            error.file == file
                && error.line == line
                && fragments.iter().all(|part| error.message.contains(part))
        });
        assert!(
            found,
            "no error at {file}:{line} containing {fragments:?} in {errors:#?}"
        );
    }

    fn ids(list: &[NodeId]) -> Vec<&str> {
        list.iter().map(NodeId::as_str).collect()
    }

    const HAPPY_META: &str = "\
title: Backend Developer
summary: APIs, databases and more.
level: beginner -> advanced
estimate: 1 -> 2 months

Welcome to **the** roadmap.
";

    const HAPPY_WEB: &str = "\
## Web fundamentals
id: web
level: beginner
estimate: 2 weeks

How the web works.

## HTTP
id: http
parent: web
// former id kept for stored progress
aliases: http-basics, hypertext
related: dns
resource: official | MDN: An overview of HTTP | https://developer.mozilla.org/en-US/docs/Web/HTTP/Overview
resource: article | RFC 9110 | https://www.rfc-editor.org/rfc/rfc9110
tip: Pro insight | Read raw requests with `curl -v`.
tip: Boss fight | Write a tiny HTTP server.

HTTP is *the* protocol.

```text
## not a node: inside a code fence
```

### Methods

- GET
- POST

## Methods in depth
id: http-methods
parent: http
estimate: 3 days

## DNS
id: dns
parent: web
level: beginner -> intermediate
";

    const HAPPY_DATA: &str = "\
## Databases
id: databases
estimate: 1 -> 5 weeks

## PostgreSQL
id: postgresql
parent: databases
alternatives: mysql
related: http

## MySQL
id: mysql
parent: databases
alternatives: postgresql
optional: yes
";

    #[test]
    fn parses_a_well_formed_roadmap_into_the_model() {
        let roadmap = parse_roadmap(
            "backend",
            &source("roadmap.md", HAPPY_META),
            &[
                source("01-web.md", HAPPY_WEB),
                source("02-data.md", HAPPY_DATA),
            ],
        )
        .unwrap_or_else(|errors| panic!("unexpected errors: {errors:#?}"));

        assert_eq!(roadmap.slug, "backend");
        assert_eq!(roadmap.title, "Backend Developer");
        assert_eq!(roadmap.summary, "APIs, databases and more.");
        assert_eq!(
            roadmap.level,
            LevelRange {
                from: Level::Beginner,
                to: Level::Advanced
            }
        );
        assert_eq!(
            roadmap.estimate,
            Estimate {
                amount: 1,
                up_to: Some(2),
                unit: TimeUnit::Months
            }
        );
        assert_eq!(
            roadmap.intro_html,
            "<p>Welcome to <strong>the</strong> roadmap.</p>\n"
        );

        let node_ids: Vec<&str> = roadmap.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(
            node_ids,
            [
                "web",
                "http",
                "http-methods",
                "dns",
                "databases",
                "postgresql",
                "mysql"
            ]
        );
        assert_eq!(ids(&roadmap.stages), ["web", "databases"]);

        let node = |id: &str| roadmap.node(id).unwrap_or_else(|| panic!("node {id}"));
        assert_eq!(ids(&node("web").children), ["http", "dns"]);
        assert_eq!(ids(&node("http").children), ["http-methods"]);
        assert_eq!(ids(&node("databases").children), ["postgresql", "mysql"]);
        assert!(node("dns").children.is_empty());

        let web = node("web");
        assert_eq!(web.title, "Web fundamentals");
        assert_eq!(web.parent, None);
        assert_eq!(
            web.level.map(|l| l.to_string()),
            Some("Beginner".to_owned())
        );
        assert_eq!(
            web.estimate.map(|e| e.to_string()),
            Some("2 weeks".to_owned())
        );
        assert_eq!(web.markdown, "How the web works.");
        assert_eq!(web.html, "<p>How the web works.</p>\n");

        let http = node("http");
        assert_eq!(http.parent.as_ref().map(NodeId::as_str), Some("web"));
        assert_eq!(ids(&http.aliases), ["http-basics", "hypertext"]);
        assert_eq!(ids(&http.related), ["dns"]);
        assert_eq!(http.resources.len(), 2);
        assert_eq!(http.resources[0].kind, ResourceKind::Official);
        assert_eq!(http.resources[0].title, "MDN: An overview of HTTP");
        assert_eq!(
            http.resources[0].url,
            "https://developer.mozilla.org/en-US/docs/Web/HTTP/Overview"
        );
        assert_eq!(http.resources[1].kind, ResourceKind::Article);
        assert_eq!(http.tips.len(), 2);
        assert_eq!(http.tips[0].label, "Pro insight");
        assert_eq!(http.tips[0].text, "Read raw requests with `curl -v`.");
        assert_eq!(http.tips[1].label, "Boss fight");
        assert!(http.markdown.starts_with("HTTP is *the* protocol."));
        assert!(http.markdown.ends_with("- POST"));
        assert!(http.html.contains("<p>HTTP is <em>the</em> protocol.</p>"));
        assert!(http.html.contains("## not a node: inside a code fence"));
        assert!(http.html.contains("<h3>Methods</h3>"));
        assert!(http.html.contains("<li>GET</li>"));

        let methods = node("http-methods");
        assert_eq!(methods.markdown, "");
        assert_eq!(methods.html, "");
        assert_eq!(ids(&node("postgresql").alternatives), ["mysql"]);
        assert!(node("mysql").optional);
        assert!(!node("postgresql").optional);
        assert_eq!(ids(&node("postgresql").related), ["http"]);
        assert_eq!(
            roadmap.resolve("http-basics").map(|n| n.id.as_str()),
            Some("http")
        );
        assert_eq!(roadmap.topic_count(), 5);
    }

    #[test]
    fn formats_errors_as_file_line_message() {
        let error = ContentError {
            file: "roadmaps/backend/01-web.md".to_owned(),
            line: 7,
            message: "boom".to_owned(),
        };
        assert_eq!(error.to_string(), "roadmaps/backend/01-web.md:7: boom");
    }

    #[test]
    fn rejects_unknown_field_with_its_line() {
        let errors = errors_of(parse_nodes("## A\nid: a\ncolour: red\n"));
        assert_single_error(
            &errors,
            "nodes.md",
            3,
            &[
                "unknown field `colour`",
                "id, parent, aliases, related, alternatives, level, estimate, optional, resource, tip",
            ],
        );
    }

    #[test]
    fn rejects_unknown_metadata_field_with_its_line() {
        let meta = format!("{META}author: me\n");
        let errors = errors_of(parse_roadmap(
            "backend",
            &source("roadmap.md", &meta),
            &[source("nodes.md", "## A\nid: a\n")],
        ));
        assert_single_error(
            &errors,
            "roadmap.md",
            5,
            &["unknown field `author`", "title, summary, level, estimate"],
        );
    }

    #[test]
    fn rejects_node_without_id_at_its_heading_line() {
        let errors = errors_of(parse_nodes("## A\nid: a\n\n## B\nlevel: beginner\n"));
        assert_single_error(&errors, "nodes.md", 4, &["\"B\" has no `id` field"]);
    }

    #[test]
    fn rejects_node_whose_fields_are_separated_from_its_heading_by_a_blank_line() {
        let errors = errors_of(parse_nodes("## A\n\nid: a\n"));
        assert_single_error(
            &errors,
            "nodes.md",
            1,
            &["no `id` field", "right under the `## ` line"],
        );
    }

    #[test]
    fn rejects_metadata_without_required_fields() {
        let errors = errors_of(parse_roadmap(
            "backend",
            &source(
                "roadmap.md",
                "title: T\nlevel: beginner\n\nestimate: 1 week\n",
            ),
            &[source("nodes.md", "## A\nid: a\n")],
        ));
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert_error(
            &errors,
            "roadmap.md",
            1,
            &["missing required field `summary`"],
        );
        assert_error(
            &errors,
            "roadmap.md",
            1,
            &["missing required field `estimate`"],
        );
    }

    /// Found by the `content_parser` fuzz target: a roadmap.md of blank lines only had its
    /// "missing field" errors on the line after its last one.
    #[test]
    fn a_blank_roadmap_md_is_refused_at_line_0_not_past_its_end() {
        let crash = "\t\0tle: T\nsummartitle:y: s\nldv";
        let (meta, nodes) = crash.split_once('\0').unwrap();
        for meta in [meta, "", "\n\n", " \t \n"] {
            let errors = errors_of(parse_roadmap(
                "backend",
                &source("roadmap.md", meta),
                &[source("nodes.md", nodes)],
            ));
            for field in ["title", "summary", "level", "estimate"] {
                assert_error(
                    &errors,
                    "roadmap.md",
                    0,
                    &[&format!("missing required field `{field}`")],
                );
            }
            let meta_lines = meta.split('\n').count();
            let node_lines = nodes.split('\n').count();
            for error in &errors {
                let lines = if error.file == "roadmap.md" {
                    meta_lines
                } else {
                    node_lines
                };
                assert!(error.line <= lines, "{meta:?}: {error}");
            }
        }
    }

    #[test]
    fn rejects_duplicate_field_that_is_not_repeatable() {
        let errors = errors_of(parse_nodes(
            "## A\nid: a\nlevel: beginner\nlevel: advanced\n",
        ));
        assert_single_error(
            &errors,
            "nodes.md",
            4,
            &["duplicate field `level`", "already given at line 3"],
        );
    }

    #[test]
    fn accepts_repeated_resource_and_tip_fields() {
        let roadmap = parse_nodes(
            "## A\nid: a\ntip: One | x\ntip: Two | y\nresource: book | B | https://b.example\nresource: video | V | https://v.example\n",
        )
        .unwrap_or_else(|errors| panic!("{errors:#?}"));
        assert_eq!(roadmap.nodes[0].tips.len(), 2);
        assert_eq!(roadmap.nodes[0].resources.len(), 2);
    }

    #[test]
    fn rejects_field_line_without_key_value_shape() {
        let errors = errors_of(parse_nodes("## A\nid: a\nThis node is about things\n"));
        assert_single_error(
            &errors,
            "nodes.md",
            3,
            &[
                "expected a `key: value` field line",
                "This node is about things",
            ],
        );
    }

    #[test]
    fn rejects_empty_title() {
        let errors = errors_of(parse_nodes("## A\nid: a\n\n##   \nid: b\n"));
        assert_single_error(&errors, "nodes.md", 4, &["empty title"]);
    }

    #[test]
    fn rejects_empty_metadata_title() {
        let meta = META.replace("title: Backend", "title:");
        let errors = errors_of(parse_roadmap(
            "backend",
            &source("roadmap.md", &meta),
            &[source("nodes.md", "## A\nid: a\n")],
        ));
        assert_single_error(&errors, "roadmap.md", 1, &["`title` is empty"]);
    }

    #[test]
    fn rejects_malformed_ids_in_every_id_field() {
        let errors = errors_of(parse_nodes(
            "## A\nid: Not-A-Slug\n\n## B\nid: b\nparent: bad id\naliases: ok-alias, a--b\nrelated: -x\nalternatives: y_z\n",
        ));
        assert_eq!(errors.len(), 5, "{errors:#?}");
        assert_error(
            &errors,
            "nodes.md",
            2,
            &["`id`", "`Not-A-Slug` is not a slug"],
        );
        assert_error(
            &errors,
            "nodes.md",
            6,
            &["`parent`", "`bad id` is not a slug"],
        );
        assert_error(
            &errors,
            "nodes.md",
            7,
            &["`aliases`", "`a--b` is not a slug"],
        );
        assert_error(&errors, "nodes.md", 8, &["`related`", "`-x` is not a slug"]);
        assert_error(
            &errors,
            "nodes.md",
            9,
            &["`alternatives`", "`y_z` is not a slug"],
        );
    }

    #[test]
    fn rejects_duplicate_id_naming_the_first_place() {
        let errors = errors_of(parse_roadmap(
            "backend",
            &source("roadmap.md", META),
            &[
                source("01.md", "## A\nid: a\n\n## B\nid: b\n"),
                source("02.md", "## Another A\nid: a\n"),
            ],
        ));
        assert_single_error(
            &errors,
            "02.md",
            2,
            &[
                "duplicate id `a`",
                "already used as the id of \"A\" at 01.md:2",
            ],
        );
    }

    #[test]
    fn rejects_alias_that_repeats_an_id_or_another_alias() {
        let errors = errors_of(parse_nodes(
            "## A\nid: a\naliases: old-a\n\n## B\nid: b\naliases: a\n\n## C\nid: c\naliases: old-a\n",
        ));
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert_error(
            &errors,
            "nodes.md",
            7,
            &["duplicate id `a`", "the id of \"A\" at nodes.md:2"],
        );
        assert_error(
            &errors,
            "nodes.md",
            11,
            &["duplicate id `old-a`", "as an alias of `a` at nodes.md:3"],
        );
    }

    #[test]
    fn rejects_parent_that_names_no_node() {
        let errors = errors_of(parse_nodes("## A\nid: a\n\n## B\nid: b\nparent: nowhere\n"));
        assert_single_error(
            &errors,
            "nodes.md",
            6,
            &["missing parent", "no node has the id `nowhere`"],
        );
    }

    #[test]
    fn rejects_parent_that_names_an_alias() {
        let errors = errors_of(parse_nodes(
            "## A\nid: a\naliases: old-a\n\n## B\nid: b\nparent: old-a\n",
        ));
        assert_single_error(
            &errors,
            "nodes.md",
            7,
            &["`old-a` is an alias of `a`; link to `a`"],
        );
    }

    #[test]
    fn rejects_parent_cycle_once() {
        let errors = errors_of(parse_nodes(
            "## Root\nid: root\n\n## A\nid: a\nparent: c\n\n## B\nid: b\nparent: a\n\n## C\nid: c\nparent: b\n\n## Hanging off the loop\nid: d\nparent: b\n",
        ));
        assert_single_error(
            &errors,
            "nodes.md",
            6,
            &["the parent chain loops: a -> c -> b -> a"],
        );
    }

    #[test]
    fn rejects_node_that_is_its_own_parent() {
        let errors = errors_of(parse_nodes("## A\nid: a\n\n## B\nid: b\nparent: b\n"));
        assert_single_error(&errors, "nodes.md", 6, &["`b` is its own parent"]);
    }

    #[test]
    fn rejects_link_to_unknown_id() {
        let errors = errors_of(parse_nodes(
            "## A\nid: a\nrelated: b, ghost\n\n## B\nid: b\nalternatives: phantom\n",
        ));
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert_error(
            &errors,
            "nodes.md",
            3,
            &["`related`", "no node has the id `ghost`"],
        );
        assert_error(
            &errors,
            "nodes.md",
            7,
            &["`alternatives`", "no node has the id `phantom`"],
        );
    }

    #[test]
    fn rejects_link_to_an_alias_naming_the_main_id() {
        let errors = errors_of(parse_nodes(
            "## A\nid: a\naliases: old-a\n\n## B\nid: b\nrelated: old-a\n",
        ));
        assert_single_error(
            &errors,
            "nodes.md",
            7,
            &["`related`", "`old-a` is an alias of `a`; link to `a`"],
        );
    }

    #[test]
    fn rejects_node_linking_to_itself() {
        let errors = errors_of(parse_nodes(
            "## A\nid: a\naliases: old-a\nrelated: a\nalternatives: old-a\n",
        ));
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert_error(
            &errors,
            "nodes.md",
            4,
            &["`related`", "cannot link to itself"],
        );
        assert_error(
            &errors,
            "nodes.md",
            5,
            &["`alternatives`", "cannot link to itself"],
        );
    }

    #[test]
    fn rejects_the_same_link_listed_twice() {
        let errors = errors_of(parse_nodes("## A\nid: a\nrelated: b, b\n\n## B\nid: b\n"));
        assert_single_error(&errors, "nodes.md", 3, &["`b` is listed twice"]);
    }

    #[test]
    fn rejects_malformed_resource_url() {
        let errors = errors_of(parse_nodes(
            "## A\nid: a\nresource: article | Relative | /docs/http\nresource: article | FTP | ftp://example.com/file\nresource: article | Broken | https://exa mple.com\n",
        ));
        assert_eq!(errors.len(), 3, "{errors:#?}");
        assert_error(&errors, "nodes.md", 3, &["`/docs/http` is not a valid URL"]);
        assert_error(
            &errors,
            "nodes.md",
            4,
            &["must start with http:// or https://"],
        );
        assert_error(&errors, "nodes.md", 5, &["contains a space"]);
    }

    #[test]
    fn rejects_resource_not_shaped_type_title_url() {
        let errors = errors_of(parse_nodes(
            "## A\nid: a\nresource: article https://example.com\nresource: article | https://example.com\n",
        ));
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert_error(
            &errors,
            "nodes.md",
            3,
            &["a resource is `type | title | url`"],
        );
        assert_error(
            &errors,
            "nodes.md",
            4,
            &["a resource is `type | title | url`"],
        );
    }

    #[test]
    fn rejects_resource_with_empty_title() {
        let errors = errors_of(parse_nodes(
            "## A\nid: a\nresource: video |  | https://v.example\n",
        ));
        assert_single_error(&errors, "nodes.md", 3, &["resource title is empty"]);
    }

    #[test]
    fn rejects_unknown_resource_type() {
        let errors = errors_of(parse_nodes(
            "## A\nid: a\nresource: podcast | Show | https://p.example\n",
        ));
        assert_single_error(
            &errors,
            "nodes.md",
            3,
            &[
                "unknown resource type `podcast`",
                "official, article, video",
            ],
        );
    }

    #[test]
    fn rejects_tip_not_shaped_label_text() {
        let errors = errors_of(parse_nodes(
            "## A\nid: a\ntip: just some advice\ntip: | no label\ntip: No text |\n",
        ));
        assert_eq!(errors.len(), 3, "{errors:#?}");
        assert_error(&errors, "nodes.md", 3, &["a tip is `label | text`"]);
        assert_error(
            &errors,
            "nodes.md",
            4,
            &["a tip is `label | text`", "neither empty"],
        );
        assert_error(
            &errors,
            "nodes.md",
            5,
            &["a tip is `label | text`", "neither empty"],
        );
    }

    #[test]
    fn rejects_bad_level() {
        let errors = errors_of(parse_nodes(
            "## A\nid: a\nlevel: expert\n\n## B\nid: b\nlevel: advanced -> beginner\n",
        ));
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert_error(&errors, "nodes.md", 3, &["unknown level `expert`"]);
        assert_error(&errors, "nodes.md", 7, &["goes backwards"]);
    }

    #[test]
    fn rejects_bad_estimate() {
        let errors = errors_of(parse_nodes(
            "## A\nid: a\nestimate: a while\n\n## B\nid: b\nestimate: 0 days\n",
        ));
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert_error(
            &errors,
            "nodes.md",
            3,
            &["estimate `a while` is not a number and a unit"],
        );
        assert_error(&errors, "nodes.md", 7, &["must be more than zero"]);
    }

    #[test]
    fn rejects_bad_metadata_level_and_estimate() {
        let meta = "title: T\nsummary: S\nlevel: guru\nestimate: forever\n";
        let errors = errors_of(parse_roadmap(
            "backend",
            &source("roadmap.md", meta),
            &[source("nodes.md", "## A\nid: a\n")],
        ));
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert_error(&errors, "roadmap.md", 3, &["unknown level `guru`"]);
        assert_error(&errors, "roadmap.md", 4, &["estimate `forever`"]);
    }

    /// Parses `meta` (a roadmap.md text) and one node file named `nodes.md`.
    fn parse_with_meta(meta: &str, nodes: &str) -> Result<Built, Vec<ContentError>> {
        parse_roadmap_located(
            "backend",
            &source("roadmap.md", meta),
            &[source("nodes.md", nodes)],
        )
    }

    fn meta_with_estimate(estimate: &str) -> String {
        format!("title: T\nsummary: S\nlevel: beginner\nestimate: {estimate}\n")
    }

    /// Three resources, so that node blocks in estimate tests carry no resource warning.
    const RES: &str = "resource: official | A | https://a.example/\nresource: book | B | https://b.example/\nresource: video | C | https://c.example/\n";

    #[test]
    fn rejects_a_child_estimate_longer_than_its_parent_at_the_child_line() {
        let nodes = "## Language\nid: language\nestimate: 6 weeks\n\n## Rust\nid: rust\nparent: language\nestimate: 8 weeks\n";
        let errors =
            errors_of(parse_with_meta(&meta_with_estimate("6 weeks"), nodes).map(|b| b.roadmap));
        assert_single_error(
            &errors,
            "nodes.md",
            8,
            &[
                "8 weeks is longer than 6 weeks",
                "its parent `language` (nodes.md:3)",
            ],
        );
    }

    #[test]
    fn compares_with_the_nearest_ancestor_that_has_an_estimate() {
        let nodes = "## Data\nid: data\nestimate: 3 days\n\n## SQL\nid: sql\nparent: data\n\n## Joins\nid: joins\nparent: sql\nestimate: 1 week\n";
        let errors =
            errors_of(parse_with_meta(&meta_with_estimate("3 days"), nodes).map(|b| b.roadmap));
        assert_single_error(
            &errors,
            "nodes.md",
            12,
            &["1 week is longer than 3 days", "its ancestor `data`"],
        );
    }

    #[test]
    fn compares_estimates_in_different_units_as_study_time() {
        // A week at the pace is seven days and ten hours: equal is allowed, more is not.
        let nodes = "## S\nid: s\nestimate: 1 week\n\n## A\nid: a\nparent: s\nestimate: 7 days\n\n## B\nid: b\nparent: s\nestimate: 10 hours\n\n## C\nid: c\nparent: s\nestimate: 8 days\n\n## D\nid: d\nparent: s\nestimate: 11 hours\n";
        let errors =
            errors_of(parse_with_meta(&meta_with_estimate("1 week"), nodes).map(|b| b.roadmap));
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert_error(&errors, "nodes.md", 18, &["8 days is longer than 1 week"]);
        assert_error(&errors, "nodes.md", 23, &["11 hours is longer than 1 week"]);
    }

    #[test]
    fn compares_each_end_of_a_range_with_the_same_end_of_the_parent() {
        let nodes = "## S\nid: s\nestimate: 2 -> 3 weeks\n\n## Fits\nid: fits\nparent: s\nestimate: 1 -> 3 weeks\n\n## Low end too long\nid: low\nparent: s\nestimate: 3 weeks\n\n## High end too long\nid: high\nparent: s\nestimate: 1 -> 4 weeks\n";
        let errors = errors_of(
            parse_with_meta(&meta_with_estimate("2 -> 3 weeks"), nodes).map(|b| b.roadmap),
        );
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert_error(
            &errors,
            "nodes.md",
            13,
            &["3 weeks is longer than 2–3 weeks"],
        );
        assert_error(
            &errors,
            "nodes.md",
            18,
            &["1–4 weeks is longer than 2–3 weeks"],
        );
    }

    #[test]
    fn rejects_a_roadmap_estimate_the_stages_do_not_add_up_to_at_its_line() {
        let nodes = "## A\nid: a\nestimate: 20 weeks\n\n## B\nid: b\nestimate: 25 weeks\n";
        let errors =
            errors_of(parse_with_meta(&meta_with_estimate("6 months"), nodes).map(|b| b.roadmap));
        assert_single_error(
            &errors,
            "roadmap.md",
            4,
            &[
                "`estimate` says 6 months",
                "the 2 stages add up to 10.4 months (45.0 weeks)",
                "half a month",
            ],
        );
    }

    #[test]
    fn accepts_a_stage_total_that_rounds_to_the_roadmap_figure() {
        let stages = |weeks: u32| format!("## A\nid: a\nestimate: {weeks} weeks\n{RES}\n");
        let meta = meta_with_estimate("6 months");
        // 6 months are 26 weeks; half a month either side is 2.17 weeks.
        for weeks in [24, 26, 28] {
            parse_with_meta(&meta, &stages(weeks))
                .unwrap_or_else(|errors| panic!("{weeks} weeks: {errors:#?}"));
        }
        for weeks in [23, 29] {
            let errors = errors_of(parse_with_meta(&meta, &stages(weeks)).map(|b| b.roadmap));
            assert_single_error(&errors, "roadmap.md", 4, &["says 6 months"]);
        }
    }

    #[test]
    fn checks_both_ends_of_a_range_roadmap_against_the_stage_ranges() {
        let nodes = format!("## A\nid: a\nestimate: 10 -> 15 weeks\n{RES}\n## B\nid: b\nestimate: 16 -> 24 weeks\n{RES}");
        parse_with_meta(&meta_with_estimate("6 -> 9 months"), &nodes)
            .unwrap_or_else(|errors| panic!("{errors:#?}"));
        let errors =
            errors_of(parse_with_meta(&meta_with_estimate("6 months"), &nodes).map(|b| b.roadmap));
        assert_single_error(
            &errors,
            "roadmap.md",
            4,
            &[
                "says 6 months",
                "add up to 6.0 -> 9.0 months (26.0 -> 39.0 weeks)",
            ],
        );
    }

    #[test]
    fn rejects_a_stage_without_estimate_once_another_stage_has_one() {
        let nodes = "## A\nid: a\nestimate: 6 months\n\n## B\nid: b\n";
        let errors =
            errors_of(parse_with_meta(&meta_with_estimate("6 months"), nodes).map(|b| b.roadmap));
        assert_single_error(&errors, "nodes.md", 5, &["stage `b` has no `estimate`"]);
    }

    #[test]
    fn warns_but_accepts_topics_with_fewer_than_three_resources() {
        let nodes = format!("## A\nid: a\nestimate: 1 week\n{RES}\n## B\nid: b\nparent: a\nresource: official | X | https://x.example/\n\n## C\nid: c\nparent: a\n");
        let built = parse_with_meta(&meta_with_estimate("1 week"), &nodes)
            .unwrap_or_else(|errors| panic!("{errors:#?}"));
        assert_eq!(built.roadmap.nodes.len(), 3);
        assert_eq!(built.warnings.len(), 2, "{:#?}", built.warnings);
        assert_error(
            &built.warnings,
            "nodes.md",
            8,
            &["`b` has 1 resource;", "at least 3"],
        );
        assert_error(&built.warnings, "nodes.md", 13, &["`c` has 0 resources;"]);
    }

    #[test]
    fn warns_when_no_stage_backs_the_roadmap_estimate() {
        let nodes = format!("## A\nid: a\n{RES}");
        let built = parse_with_meta(&meta_with_estimate("6 months"), &nodes)
            .unwrap_or_else(|errors| panic!("{errors:#?}"));
        assert_single_error(
            &built.warnings,
            "roadmap.md",
            4,
            &["no stage has an `estimate`"],
        );
    }

    #[test]
    fn reads_optional_as_yes_or_no() {
        let roadmap = parse_nodes("## A\nid: a\n\n## B\nid: b\nparent: a\noptional: yes\n\n## C\nid: c\nparent: a\noptional: no\n")
            .unwrap_or_else(|errors| panic!("{errors:#?}"));
        let optional: Vec<bool> = roadmap.nodes.iter().map(|node| node.optional).collect();
        assert_eq!(optional, [false, true, false]);
        let errors = errors_of(parse_nodes("## A\nid: a\noptional: maybe\n"));
        assert_single_error(
            &errors,
            "nodes.md",
            3,
            &["`optional` is `yes` or `no`, not `maybe`"],
        );
    }

    #[test]
    fn summary_counts_nodes_resources_by_type_and_adds_up_the_stages() {
        let nodes = format!("## A\nid: a\nestimate: 10 -> 15 weeks\n{RES}\n## B\nid: b\nestimate: 16 -> 24 weeks\nresource: video | V | https://v.example/\n\n## C\nid: c\nparent: b\noptional: yes\n");
        let built = parse_with_meta(&meta_with_estimate("6 -> 9 months"), &nodes)
            .unwrap_or_else(|errors| panic!("{errors:#?}"));
        let summary = summarize(&built.roadmap);
        assert_eq!((summary.nodes, summary.stages, summary.optional), (3, 2, 1));
        assert_eq!(summary.resource_total(), 4);
        let count = |kind: ResourceKind| {
            summary
                .resources
                .iter()
                .find(|(k, _)| *k == kind)
                .map(|(_, n)| *n)
        };
        assert_eq!(count(ResourceKind::Video), Some(2));
        assert_eq!(count(ResourceKind::Official), Some(1));
        assert_eq!(count(ResourceKind::Course), Some(0));
        assert_eq!(summary.under_min_resources, 2);
        let printed = summary.to_string();
        assert!(
            printed.starts_with("ok: backend: 2 stages, 3 nodes (1 optional)\n"),
            "{printed}"
        );
        assert!(
            printed.contains(
                "estimate: 6–9 months; the stages add up to 6.0 -> 9.0 months (26.0 -> 39.0 weeks)"
            ),
            "{printed}"
        );
        assert!(
            printed.contains(
                "resources: 4 (official 1, article 0, video 2, course 0, book 1, opensource 0)"
            ),
            "{printed}"
        );
        assert!(
            printed.ends_with("topics with fewer than 3 resources: 2"),
            "{printed}"
        );
    }

    #[test]
    fn rejects_single_hash_heading_in_a_node_text() {
        let errors = errors_of(parse_nodes(
            "## A\nid: a\n\nIntro.\n\n```sh\n# a shell comment is fine\n```\n\n# Big heading\n\n### Fine heading\n",
        ));
        assert_single_error(&errors, "nodes.md", 10, &["`#` heading", "`###` or deeper"]);
    }

    #[test]
    fn rejects_underlined_heading_in_a_node_text() {
        let errors = errors_of(parse_nodes("## A\nid: a\n\nSome text\n---\n\nMore.\n"));
        assert_single_error(&errors, "nodes.md", 4, &["`===` or `---` under text"]);
    }

    #[test]
    fn rejects_text_before_the_first_node() {
        let errors = errors_of(parse_nodes(
            "\nIntro that belongs nowhere\nmore of it\n\n## A\nid: a\n",
        ));
        assert_single_error(&errors, "nodes.md", 2, &["text before the first node"]);
    }

    #[test]
    fn rejects_roadmap_without_nodes() {
        let errors = errors_of(parse_roadmap(
            "backend",
            &source("roadmap.md", META),
            &[source("empty.md", "\n\n")],
        ));
        assert_single_error(&errors, "roadmap.md", 0, &["the roadmap has no nodes"]);
    }

    #[test]
    fn rejects_unclosed_code_fence_that_would_swallow_nodes() {
        let errors = errors_of(parse_nodes(
            "## A\nid: a\n\n```rust\nfn main() {}\n\n## B\nid: b\n",
        ));
        assert_single_error(&errors, "nodes.md", 4, &["code fence is never closed"]);
    }

    #[test]
    fn reports_every_error_at_once_sorted_by_file_and_line() {
        let meta = "title: T\nsummary: S\nlevel: beginner\nestimate: soon\nauthor: me\n";
        let errors = errors_of(parse_roadmap(
            "backend",
            &source("roadmap.md", meta),
            &[
                source(
                    "01.md",
                    "stray text\n\n## A\nid: a\nparent: ghost\ncolour: red\n\n# Big\n\n## B\nid: a\nrelated: nope\n",
                ),
                source("02.md", "##\nid: c\nresource: article | T | not a url\ntip: nope\n"),
            ],
        ));
        let got: Vec<(&str, usize)> = errors.iter().map(|e| (e.file.as_str(), e.line)).collect();
        assert_eq!(
            got,
            [
                ("roadmap.md", 4),
                ("roadmap.md", 5),
                ("01.md", 1),
                ("01.md", 5),
                ("01.md", 6),
                ("01.md", 8),
                ("01.md", 11),
                ("01.md", 12),
                ("02.md", 1),
                ("02.md", 3),
                ("02.md", 4),
            ],
            "{errors:#?}"
        );
    }

    #[test]
    fn backend_roadmap_loads_without_errors() {
        let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../roadmaps"));
        let catalog = load_catalog(root).unwrap_or_else(|errors| {
            let listing: Vec<String> = errors.iter().map(ToString::to_string).collect();
            panic!("{} content errors:\n{}", errors.len(), listing.join("\n"))
        });
        let backend = catalog
            .iter()
            .find(|roadmap| roadmap.slug == "backend")
            .unwrap_or_else(|| panic!("no `backend` roadmap in {}", root.display()));
        assert_eq!(
            backend.stages.len(),
            13,
            "stages: {:?}",
            ids(&backend.stages)
        );
        assert!(
            (150..=260).contains(&backend.nodes.len()),
            "backend has {} nodes, expected 150 to 260",
            backend.nodes.len()
        );
    }

    #[test]
    fn bundled_content_has_no_warnings_and_the_topics_issue_17_asked_for() {
        let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../roadmaps"));
        let checked = load_catalog_checked(root).unwrap_or_else(|errors| {
            let listing: Vec<String> = errors.iter().map(ToString::to_string).collect();
            panic!("{} content errors:\n{}", errors.len(), listing.join("\n"))
        });
        let listing: Vec<String> = checked.warnings.iter().map(ToString::to_string).collect();
        assert!(listing.is_empty(), "warnings:\n{}", listing.join("\n"));
        let backend = checked
            .roadmaps
            .iter()
            .find(|roadmap| roadmap.slug == "backend")
            .expect("backend roadmap");
        for name in [
            "read-replicas",
            "sharding",
            "partitioning",
            "n-plus-one-queries",
            "sse",
            "long-polling",
            "graph-databases",
            "time-series-databases",
            "saml",
            "enterprise-sso",
            "security-headers",
            "content-security-policy",
            "hateoas",
            "containers-vs-vms",
            "twelve-factor",
            "llm-apis",
            "structured-output",
            "tool-calling",
            "mcp",
            "rag",
            "ai-assisted-coding",
            "webassembly",
        ] {
            let node = backend
                .resolve(name)
                .unwrap_or_else(|| panic!("no node or alias `{name}`"));
            assert!(node.resources.len() >= MIN_RESOURCES, "{name}");
            assert!(node.level.is_some() && node.estimate.is_some(), "{name}");
            assert!(node.markdown.len() > 600, "{name}: text too short");
        }
        // Every stage offers at least one video or course among its topics.
        for roadmap in &checked.roadmaps {
            for stage in &roadmap.stages {
                let mut pending = vec![stage.clone()];
                let mut found = false;
                while let Some(id) = pending.pop() {
                    let node = roadmap.node(id.as_str()).expect("node");
                    found |= node
                        .resources
                        .iter()
                        .any(|r| matches!(r.kind, ResourceKind::Video | ResourceKind::Course));
                    pending.extend(node.children.iter().cloned());
                }
                assert!(found, "{}/{} has no video or course", roadmap.slug, stage);
            }
        }
    }

    // ---- properties ----

    /// Lines that look like content, plus garbage, for the line-structured fuzz input.
    fn plausible_line() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            Just("## ".to_owned()),
            "## [A-Za-z é]{0,12}",
            "# [a-z]{0,8}",
            "### [a-z]{0,8}",
            "id: [a-z0-9-]{0,10}",
            "parent: [a-z0-9-]{0,6}",
            "(aliases|related|alternatives): [a-z0-9, -]{0,20}",
            "level: (beginner|intermediate|advanced|expert)( -> (beginner|advanced))?",
            "estimate: [0-9]{0,3} (days|weeks|years)",
            "resource: [a-z]{0,8} ?\\|? ?[A-Za-z ]{0,8} ?\\|? ?(https?://[a-z.]{0,10}|[a-z:/]{0,10})",
            "tip: [A-Za-z |]{0,20}",
            "// [a-z ]{0,10}",
            "(```|~~~)[a-z]{0,4}",
            "[-=]{1,4}",
            "<script>[a-z]{0,5}</script>",
            "\\[[a-z]{0,4}\\]\\((javascript:|https://)[a-z]{0,5}\\)",
            ".{0,30}",
        ]
    }

    fn as_file(lines: &[String]) -> String {
        lines.join("\n")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_text_never_panics(meta in any::<String>(), nodes in any::<String>(), more in ".{0,200}") {
            let _ = parse_roadmap("x", &source("roadmap.md", &meta), &[source("a.md", &nodes), source("b.md", &more)]);
            let _ = render_markdown(&nodes);
            let _ = render_markdown(&more);
        }

        #[test]
        fn line_structured_garbage_never_panics(
            meta in prop::collection::vec(plausible_line(), 0..12),
            first in prop::collection::vec(plausible_line(), 0..40),
            second in prop::collection::vec(plausible_line(), 0..40),
        ) {
            let (meta, first, second) = (as_file(&meta), as_file(&first), as_file(&second));
            let result = parse_roadmap(
                "x",
                &source("roadmap.md", &meta),
                &[source("a.md", &first), source("b.md", &second)],
            );
            if let Err(errors) = result {
                prop_assert!(!errors.is_empty());
                // Sorted by file order, then line.
                let order = |e: &ContentError| (["roadmap.md", "a.md", "b.md"].iter().position(|n| *n == e.file), e.line);
                prop_assert!(errors.windows(2).all(|w| order(&w[0]) <= order(&w[1])));
            }
            let _ = render_markdown(&first);
        }

        #[test]
        fn generated_roadmap_round_trips(
            plan in prop::collection::vec((any::<prop::sample::Index>(), "[A-Z][a-z]{0,10}( [a-z]{1,8}){0,3}", "[A-Za-z][A-Za-z ,.]{0,40}", any::<bool>()), 1..40),
            split in 1usize..4,
        ) {
            // Node i gets id `n<i>`; its parent is an earlier node or none (then it is a stage).
            let mut files = vec![String::new(); split];
            let mut expected_stages = Vec::new();
            for (i, (parent, title, text, is_stage)) in plan.iter().enumerate() {
                let mut block = format!("## {title}\nid: n{i}\n");
                if i > 0 && !is_stage {
                    block.push_str(&format!("parent: n{}\n", parent.index(i)));
                } else {
                    expected_stages.push(format!("n{i}"));
                }
                if i > 0 {
                    block.push_str(&format!("related: n{}\n", i - 1));
                }
                block.push_str("resource: article | Read | https://example.com/a\ntip: Hint | ok\n\n");
                block.push_str(text);
                block.push_str("\n\n");
                let file = (i * split) / plan.len();
                files[file].push_str(&block);
            }
            let sources: Vec<SourceFile> = files
                .iter()
                .enumerate()
                .map(|(i, text)| source(&format!("{i}.md"), text))
                .collect();
            let roadmap = parse_roadmap("generated", &source("roadmap.md", META), &sources);
            let roadmap = match roadmap {
                Ok(roadmap) => roadmap,
                Err(errors) => return Err(TestCaseError::fail(format!("{errors:#?}"))),
            };
            let got: Vec<&str> = roadmap.nodes.iter().map(|n| n.id.as_str()).collect();
            let want: Vec<String> = (0..plan.len()).map(|i| format!("n{i}")).collect();
            prop_assert_eq!(got, want.iter().map(String::as_str).collect::<Vec<_>>());
            prop_assert_eq!(ids(&roadmap.stages), expected_stages.iter().map(String::as_str).collect::<Vec<_>>());
            let child_count: usize = roadmap.nodes.iter().map(|n| n.children.len()).sum();
            prop_assert_eq!(child_count, plan.len() - expected_stages.len());
        }
    }
}

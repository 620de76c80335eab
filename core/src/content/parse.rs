//! Reading one file at a time: the metadata file and node files, line by line.
//!
//! This layer knows the shape of a file (field blocks, `## ` node lines, text, code fences) and
//! checks every value that can be checked on its own (ids, levels, estimates, resources, tips).
//! It knows nothing about the other nodes: ids that must exist, duplicates and cycles are
//! `validate`'s job. Errors are collected, never returned early, so one run reports them all.

use url::Url;

use super::markdown::top_level_headings;
use super::{Errors, FileRef};
use crate::roadmap::{Estimate, LevelRange, NodeId, Resource, ResourceKind, Tip};

/// A value with the 1-based line it was written on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Located<T> {
    pub value: T,
    pub line: usize,
}

/// `roadmap.md` as read: each field is `None` when missing or malformed (already reported).
#[derive(Clone, Debug, Default)]
pub(super) struct MetaDraft {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub level: Option<LevelRange>,
    pub estimate: Option<Located<Estimate>>,
    pub intro: String,
}

/// One node block as read; malformed values are left out (and already reported).
#[derive(Clone, Debug, Default)]
pub(super) struct NodeDraft {
    /// Index of the file in the roadmap's file list (0 is `roadmap.md`).
    pub file: usize,
    /// Line of the `## ` line.
    pub line: usize,
    pub title: String,
    pub id: Option<Located<NodeId>>,
    pub parent: Option<Located<NodeId>>,
    pub aliases: Vec<Located<NodeId>>,
    pub related: Vec<Located<NodeId>>,
    pub alternatives: Vec<Located<NodeId>>,
    pub level: Option<LevelRange>,
    pub estimate: Option<Located<Estimate>>,
    /// `optional: yes`: beyond the core path, not counted in its stage's estimate.
    pub optional: bool,
    pub resources: Vec<Resource>,
    pub tips: Vec<Tip>,
    /// `see:` links to other roadmaps as (roadmap slug, node id); checked when the catalog loads.
    pub see: Vec<Located<(String, NodeId)>>,
    pub markdown: String,
}

/// Field names of `roadmap.md`, with whether each may be repeated.
const META_FIELDS: &[(&str, bool)] = &[
    ("title", false),
    ("summary", false),
    ("level", false),
    ("estimate", false),
];

/// Field names of a node block, with whether each may be repeated.
const NODE_FIELDS: &[(&str, bool)] = &[
    ("id", false),
    ("parent", false),
    ("aliases", false),
    ("related", false),
    ("alternatives", false),
    ("level", false),
    ("estimate", false),
    ("optional", false),
    ("resource", true),
    ("tip", true),
    ("see", true),
];

/// One `key: value` line of a field block.
struct Field<'a> {
    key: &'a str,
    value: &'a str,
    line: usize,
}

/// The lines of a file, without a leading byte-order mark; `\r\n` endings are accepted.
fn lines_of(text: &str) -> Vec<&str> {
    text.strip_prefix('\u{feff}')
        .unwrap_or(text)
        .lines()
        .collect()
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// `## Title` (or a bare `##`) at the start of a line opens a node; `###` does not.
fn node_title(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("##")?;
    if rest.is_empty() || rest.starts_with([' ', '\t']) {
        Some(rest.trim())
    } else {
        None
    }
}

/// At most `max` characters of `text`, for quoting it in a message.
fn excerpt(text: &str, max: usize) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// `key: value`, with a key made of letters, digits, `-` or `_`.
fn split_field(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once(':')?;
    let key = key.trim();
    let plausible = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    plausible.then(|| (key, value.trim()))
}

/// Reads a field block: skips `//` comments and reports malformed lines, unknown fields and
/// repeated fields that may be given once. Returns the usable fields in order.
fn read_fields<'a>(
    block: &[(usize, &'a str)],
    allowed: &[(&str, bool)],
    file: FileRef<'_>,
    errors: &mut Errors,
) -> Vec<Field<'a>> {
    let mut first_seen: Vec<(&str, usize)> = Vec::new();
    let mut fields = Vec::new();
    for &(line, text) in block {
        if text.trim_start().starts_with("//") {
            continue;
        }
        let Some((key, value)) = split_field(text) else {
            errors.push(
                file,
                line,
                format!(
                    "expected a `key: value` field line, found `{}` (a blank line must separate the fields from the text below them)",
                    excerpt(text.trim(), 60)
                ),
            );
            continue;
        };
        let Some(&(_, repeatable)) = allowed.iter().find(|(name, _)| *name == key) else {
            let names: Vec<&str> = allowed.iter().map(|(name, _)| *name).collect();
            errors.push(
                file,
                line,
                format!(
                    "unknown field `{key}`: the allowed fields are {}",
                    names.join(", ")
                ),
            );
            continue;
        };
        if !repeatable {
            if let Some(&(_, first)) = first_seen.iter().find(|(name, _)| *name == key) {
                errors.push(
                    file,
                    line,
                    format!("duplicate field `{key}`: it was already given at line {first} and may appear only once"),
                );
                continue;
            }
            first_seen.push((key, line));
        }
        fields.push(Field { key, value, line });
    }
    fields
}

/// Reads `roadmap.md`: the field block at the top, then the introduction.
pub(super) fn parse_meta(file: FileRef<'_>, text: &str, errors: &mut Errors) -> MetaDraft {
    let lines = lines_of(text);
    let start = lines
        .iter()
        .position(|line| !is_blank(line))
        .unwrap_or(lines.len());
    let end = lines[start..]
        .iter()
        .position(|line| is_blank(line))
        .map_or(lines.len(), |offset| start + offset);
    let block: Vec<(usize, &str)> = (start..end).map(|i| (i + 1, lines[i])).collect();
    let fields = read_fields(&block, META_FIELDS, file, errors);

    let mut meta = MetaDraft {
        intro: trimmed_text(&lines[end..]).0,
        ..MetaDraft::default()
    };
    for field in &fields {
        match field.key {
            "title" | "summary" if field.value.is_empty() => {
                errors.push(file, field.line, format!("`{}` is empty", field.key));
            }
            "title" => meta.title = Some(field.value.to_owned()),
            "summary" => meta.summary = Some(field.value.to_owned()),
            "level" => match LevelRange::parse(field.value) {
                Ok(level) => meta.level = Some(level),
                Err(message) => errors.push(file, field.line, message),
            },
            "estimate" => match Estimate::parse(field.value) {
                Ok(estimate) => {
                    meta.estimate = Some(Located {
                        value: estimate,
                        line: field.line,
                    })
                }
                Err(message) => errors.push(file, field.line, message),
            },
            _ => {}
        }
    }
    // Where the field block starts; a file of blank lines has none: the whole file (line 0).
    let block_line = if start < lines.len() { start + 1 } else { 0 };
    for (name, _) in META_FIELDS {
        if !fields.iter().any(|field| field.key == *name) {
            errors.push(
                file,
                block_line,
                format!(
                    "missing required field `{name}`: roadmap.md starts with `title`, `summary`, `level` and `estimate` lines, before the first blank line"
                ),
            );
        }
    }
    meta
}

/// The text of `lines` without leading blank lines and trailing whitespace, and the index of
/// its first line within `lines`. Indentation of the first line is kept (it may be code).
fn trimmed_text(lines: &[&str]) -> (String, usize) {
    let Some(first) = lines.iter().position(|line| !is_blank(line)) else {
        return (String::new(), 0);
    };
    let text = lines[first..].join("\n");
    (text.trim_end().to_owned(), first)
}

/// An open code fence: its character (`` ` `` or `~`) and length.
#[derive(Clone, Copy)]
struct Fence {
    ch: char,
    len: usize,
    line: usize,
}

/// A line that opens a fenced code block (`` ``` `` or `~~~`, three or more).
fn fence_opening(line: &str, line_no: usize) -> Option<Fence> {
    let text = line.trim_start();
    let ch = text.chars().next().filter(|c| matches!(c, '`' | '~'))?;
    let len = text.chars().take_while(|c| *c == ch).count();
    // `ch` is ASCII, so `len` characters are `len` bytes.
    let info = text.get(len..).unwrap_or("");
    (len >= 3 && !(ch == '`' && info.contains('`'))).then_some(Fence {
        ch,
        len,
        line: line_no,
    })
}

/// Whether `line` closes `fence`: the same character, at least as many, nothing after.
fn closes(fence: Fence, line: &str) -> bool {
    let text = line.trim_start();
    let len = text.chars().take_while(|c| *c == fence.ch).count();
    len >= fence.len && text.get(len..).is_some_and(|rest| rest.trim().is_empty())
}

/// Reads a node file: node blocks, each a `## Title` line, a field block and text.
pub(super) fn parse_node_file(
    file: FileRef<'_>,
    text: &str,
    errors: &mut Errors,
) -> Vec<NodeDraft> {
    let lines = lines_of(text);
    let mut i = 0;

    // Anything but blank lines before the first node is a mistake (text that belongs nowhere).
    let mut reported_preamble = false;
    while i < lines.len() && node_title(lines[i]).is_none() {
        if !is_blank(lines[i]) && !reported_preamble {
            errors.push(
                file,
                i + 1,
                format!(
                    "text before the first node: a node file must start with a `## Title` line, found `{}`",
                    excerpt(lines[i].trim(), 60)
                ),
            );
            reported_preamble = true;
        }
        i += 1;
    }

    let mut nodes = Vec::new();
    while i < lines.len() {
        let heading = i + 1;
        let title = node_title(lines[i]).unwrap_or("").to_owned();
        i += 1;

        let mut block = Vec::new();
        while i < lines.len() && !is_blank(lines[i]) && node_title(lines[i]).is_none() {
            block.push((i + 1, lines[i]));
            i += 1;
        }

        let body_start = i;
        let mut fence: Option<Fence> = None;
        while i < lines.len() {
            let line = lines[i];
            match fence {
                Some(open) if closes(open, line) => fence = None,
                Some(_) => {}
                None if node_title(line).is_some() => break,
                None => fence = fence_opening(line, i + 1),
            }
            i += 1;
        }
        if let Some(open) = fence {
            errors.push(
                file,
                open.line,
                "this code fence is never closed, so every line after it (including any `## ` node) would be part of this node's text",
            );
        }

        let fields = read_fields(&block, NODE_FIELDS, file, errors);
        let mut node = node_from_fields(file, heading, title, &fields, errors);
        let (markdown, first) = trimmed_text(&lines[body_start..i]);
        check_headings(file, body_start + first + 1, &markdown, errors);
        node.markdown = markdown;
        nodes.push(node);
    }
    nodes
}

/// Reports `#` and `##` headings in a node's text, which starts at line `first_line`.
fn check_headings(file: FileRef<'_>, first_line: usize, markdown: &str, errors: &mut Errors) {
    for heading in top_level_headings(markdown) {
        let before = markdown.as_bytes().get(..heading.offset).unwrap_or(&[]);
        let line = first_line + before.iter().filter(|b| **b == b'\n').count();
        let message = if heading.underlined {
            "a line of `===` or `---` under text makes a top-level heading: headings inside a node's text must be `###` or deeper (put a blank line before `---` for a rule)"
        } else {
            "`#` heading in a node's text: headings inside the text must be `###` or deeper (`## ` starts a new node)"
        };
        errors.push(file, line, message);
    }
}

/// Builds a node from its fields, checking every value that stands on its own.
fn node_from_fields(
    file: FileRef<'_>,
    heading: usize,
    title: String,
    fields: &[Field<'_>],
    errors: &mut Errors,
) -> NodeDraft {
    if title.is_empty() {
        errors.push(
            file,
            heading,
            "empty title: write the node's title after `## `",
        );
    }
    let mut node = NodeDraft {
        file: file.index,
        line: heading,
        ..NodeDraft::default()
    };
    for field in fields {
        let (value, line) = (field.value, field.line);
        match field.key {
            "id" => node.id = parse_id(field, file, errors),
            "parent" => node.parent = parse_id(field, file, errors),
            "aliases" => node.aliases = parse_id_list(field, file, errors),
            "related" => node.related = parse_id_list(field, file, errors),
            "alternatives" => node.alternatives = parse_id_list(field, file, errors),
            "level" => match LevelRange::parse(value) {
                Ok(level) => node.level = Some(level),
                Err(message) => errors.push(file, line, message),
            },
            "estimate" => match Estimate::parse(value) {
                Ok(estimate) => {
                    node.estimate = Some(Located {
                        value: estimate,
                        line,
                    })
                }
                Err(message) => errors.push(file, line, message),
            },
            "optional" => match value {
                "yes" => node.optional = true,
                "no" => node.optional = false,
                _ => errors.push(
                    file,
                    line,
                    format!("`optional` is `yes` or `no`, not `{}`", excerpt(value, 40)),
                ),
            },
            "resource" => match parse_resource(value) {
                Ok(resource) => node.resources.push(resource),
                Err(messages) => {
                    for message in messages {
                        errors.push(file, line, message);
                    }
                }
            },
            "tip" => match parse_tip(value) {
                Ok(tip) => node.tips.push(tip),
                Err(message) => errors.push(file, line, message),
            },
            "see" => match parse_see(value) {
                Ok(target) => node.see.push(Located {
                    value: target,
                    line,
                }),
                Err(message) => errors.push(file, line, message),
            },
            _ => {}
        }
    }
    if !fields.iter().any(|field| field.key == "id") {
        errors.push(
            file,
            heading,
            format!(
                "node \"{}\" has no `id` field (fields go on the lines right under the `## ` line, before the first blank line)",
                excerpt(&title, 60)
            ),
        );
    }
    node.title = title;
    node
}

fn parse_id(field: &Field<'_>, file: FileRef<'_>, errors: &mut Errors) -> Option<Located<NodeId>> {
    match NodeId::parse(field.value) {
        Ok(id) => Some(Located {
            value: id,
            line: field.line,
        }),
        Err(message) => {
            errors.push(file, field.line, format!("`{}`: {message}", field.key));
            None
        }
    }
}

/// A comma-separated list of ids; each malformed entry is reported and left out.
fn parse_id_list(
    field: &Field<'_>,
    file: FileRef<'_>,
    errors: &mut Errors,
) -> Vec<Located<NodeId>> {
    if field.value.is_empty() {
        errors.push(
            file,
            field.line,
            format!(
                "`{}` is empty: list ids separated by commas, or remove the line",
                field.key
            ),
        );
        return Vec::new();
    }
    field
        .value
        .split(',')
        .filter_map(|raw| match NodeId::parse(raw.trim()) {
            Ok(id) => Some(Located {
                value: id,
                line: field.line,
            }),
            Err(message) => {
                errors.push(file, field.line, format!("`{}`: {message}", field.key));
                None
            }
        })
        .collect()
}

/// `type | title | url`. The title is everything between the first and the last `|`, so it
/// may itself contain `|`.
fn parse_resource(value: &str) -> Result<Resource, Vec<String>> {
    let (Some(first), Some(last)) = (value.find('|'), value.rfind('|')) else {
        return Err(vec![resource_shape(value)]);
    };
    if first == last {
        return Err(vec![resource_shape(value)]);
    }
    let (kind, title, url) = (
        value[..first].trim(),
        value[first + 1..last].trim(),
        value[last + 1..].trim(),
    );
    let mut problems = Vec::new();
    let kind = ResourceKind::parse(kind).map_err(|message| problems.push(message));
    if title.is_empty() {
        problems.push("resource title is empty: write `type | title | url`".to_owned());
    }
    let url = check_url(url).map_err(|message| problems.push(message));
    match (kind, url) {
        (Ok(kind), Ok(url)) if problems.is_empty() => Ok(Resource {
            kind,
            title: title.to_owned(),
            url,
        }),
        _ => Err(problems),
    }
}

fn resource_shape(value: &str) -> String {
    format!(
        "a resource is `type | title | url`, found `{}`",
        excerpt(value, 60)
    )
}

/// An absolute http(s) URL with a host, returned as written.
fn check_url(raw: &str) -> Result<String, String> {
    if raw.is_empty() {
        return Err("the resource URL is missing: write `type | title | url`".to_owned());
    }
    if raw.chars().any(char::is_whitespace) {
        return Err(format!("URL `{}` contains a space", excerpt(raw, 80)));
    }
    let url = Url::parse(raw)
        .map_err(|error| format!("`{}` is not a valid URL: {error}", excerpt(raw, 80)))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "URL `{}` must start with http:// or https://",
            excerpt(raw, 80)
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("URL `{}` has no host", excerpt(raw, 80)));
    }
    Ok(raw.to_owned())
}

/// `<roadmap-slug>/<node-id>`: a node of another roadmap. Both parts follow the id rules; whether
/// they exist is checked when the whole catalog is loaded.
fn parse_see(value: &str) -> Result<(String, NodeId), String> {
    let Some((slug, id)) = value.split_once('/') else {
        return Err(format!(
            "`see` is `<roadmap-slug>/<node-id>`, found `{}`",
            excerpt(value, 60)
        ));
    };
    let slug = NodeId::parse(slug.trim()).map_err(|message| format!("`see` roadmap: {message}"))?;
    let id = NodeId::parse(id.trim()).map_err(|message| format!("`see` node: {message}"))?;
    Ok((slug.as_str().to_owned(), id))
}

/// `label | text`; the text may contain `|`.
fn parse_tip(value: &str) -> Result<Tip, String> {
    let Some((label, text)) = value.split_once('|') else {
        return Err(format!(
            "a tip is `label | text`, found `{}`",
            excerpt(value, 60)
        ));
    };
    let (label, text) = (label.trim(), text.trim());
    if label.is_empty() || text.is_empty() {
        return Err(format!(
            "a tip is `label | text` with neither empty, found `{}`",
            excerpt(value, 60)
        ));
    }
    Ok(Tip {
        label: label.to_owned(),
        text: text.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> FileRef<'static> {
        FileRef {
            index: 1,
            name: "nodes.md",
        }
    }

    fn read(text: &str) -> (Vec<NodeDraft>, Vec<(usize, String)>) {
        let mut errors = Errors::default();
        let nodes = parse_node_file(file(), text, &mut errors);
        let errors = errors
            .into_sorted()
            .into_iter()
            .map(|error| (error.line, error.message))
            .collect();
        (nodes, errors)
    }

    #[test]
    fn splits_nodes_at_hash_hash_lines_outside_code_fences() {
        let (nodes, errors) = read(
            "## One\nid: one\n\nText.\n\n```md\n## not a node\n```\n\n~~~~\n## still code\n```\n~~~~\n## Two\nid: two\n",
        );
        assert_eq!(errors, vec![]);
        assert_eq!(nodes.len(), 2);
        assert!(nodes[0].markdown.contains("## not a node"));
        assert!(nodes[0].markdown.contains("## still code"));
        assert_eq!(nodes[1].title, "Two");
        assert_eq!(nodes[1].line, 14);
    }

    #[test]
    fn field_block_ends_at_the_first_blank_line_and_skips_comments() {
        let (nodes, errors) = read(
            "## One\n// a comment\nid: one\n  // indented comment\nlevel: beginner\n\nid: text\n",
        );
        assert_eq!(errors, vec![]);
        assert_eq!(nodes[0].id.as_ref().map(|id| id.line), Some(3));
        assert_eq!(nodes[0].markdown, "id: text");
    }

    #[test]
    fn accepts_crlf_line_endings_and_a_byte_order_mark() {
        let (nodes, errors) = read("\u{feff}## One\r\nid: one\r\n\r\nText\r\n");
        assert_eq!(errors, vec![]);
        assert_eq!(nodes[0].markdown, "Text");
    }

    #[test]
    fn keeps_resource_titles_containing_bars_and_tip_texts_containing_bars() {
        let resource = parse_resource("book | A | B | https://example.com/x");
        assert_eq!(
            resource.map(|r| r.title),
            Ok("A | B".to_owned()),
            "title between first and last bar"
        );
        let tip = parse_tip("Pro insight | use `a | b`");
        assert_eq!(tip.map(|t| t.text), Ok("use `a | b`".to_owned()));
    }

    #[test]
    fn url_check_accepts_only_absolute_http_urls_with_a_host() {
        assert!(check_url("https://example.com/a?b=c#d").is_ok());
        assert!(check_url("http://localhost:8080").is_ok());
        for bad in [
            "",
            "example.com",
            "/relative",
            "ftp://example.com",
            "javascript:alert(1)",
            "https://exa mple.com",
            "http://",
            "mailto:me@example.com",
        ] {
            assert!(check_url(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn see_is_a_roadmap_slug_and_a_node_id() {
        let (slug, id) = parse_see(" devops / docker ").expect("valid");
        assert_eq!((slug.as_str(), id.as_str()), ("devops", "docker"));
        for bad in [
            "docker",
            "devops/",
            "/docker",
            "Dev Ops/docker",
            "devops/a/b",
        ] {
            assert!(parse_see(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn excerpt_cuts_on_characters_not_bytes() {
        assert_eq!(excerpt("ééé", 2), "éé…");
        assert_eq!(excerpt("ab", 2), "ab");
    }
}

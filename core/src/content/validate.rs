//! The checks that need the whole roadmap, and the assembly of the model.
//!
//! Ids and aliases must be unique across every file; `parent`, `related` and `alternatives`
//! must name a node's main id; the parent chains must end at a stage. Each check reports and
//! moves on, and the walk over parent chains visits every node once, so any input ends.

use std::collections::{HashMap, HashSet};

use super::parse::{Located, MetaDraft, NodeDraft};
use super::{render_markdown, Errors, FileRef, SeeRef};
use crate::roadmap::{Node, NodeId, Roadmap, SeeAlso};

/// Where a name (id or alias) was first claimed.
struct Claim {
    node: usize,
    line: usize,
    is_alias: bool,
}

/// Why a name does not resolve to a node, as a message.
enum Unresolved {
    Alias(String),
    Unknown(String),
}

/// Checks the roadmap as a whole and, when no error at all was found (in any layer), builds it,
/// with where each `see:` link was written (those are checked later, against the catalog).
pub(super) fn build(
    slug: &str,
    meta: MetaDraft,
    drafts: Vec<NodeDraft>,
    names: &[&str],
    errors: &mut Errors,
) -> Option<(Roadmap, Vec<SeeRef>)> {
    let file = |index: usize| FileRef {
        index,
        name: names.get(index).copied().unwrap_or(""),
    };

    if drafts.is_empty() {
        errors.push(
            file(0),
            0,
            "the roadmap has no nodes: add `## Title` blocks in other .md files next to roadmap.md",
        );
    }

    // Every id and alias, first come first served.
    let mut claims: HashMap<&str, Claim> = HashMap::new();
    for (index, draft) in drafts.iter().enumerate() {
        let names = draft
            .id
            .iter()
            .map(|id| (id, false))
            .chain(draft.aliases.iter().map(|alias| (alias, true)));
        for (name, is_alias) in names {
            match claims.get(name.value.as_str()) {
                Some(first) => {
                    let owner = &drafts[first.node];
                    let what = if first.is_alias {
                        format!(
                            "as an alias of `{}`",
                            owner.id.as_ref().map_or("?", |id| id.value.as_str())
                        )
                    } else {
                        format!("as the id of \"{}\"", owner.title)
                    };
                    errors.push(
                        file(draft.file),
                        name.line,
                        format!(
                            "duplicate id `{}`: already used {what} at {}:{}",
                            name.value,
                            file(owner.file).name,
                            first.line
                        ),
                    );
                }
                None => {
                    claims.insert(
                        name.value.as_str(),
                        Claim {
                            node: index,
                            line: name.line,
                            is_alias,
                        },
                    );
                }
            }
        }
    }

    // Names are resolved only to main ids; an alias gets a hint naming its node.
    let resolve = |name: &NodeId| -> Result<usize, Unresolved> {
        match claims.get(name.as_str()) {
            Some(claim) if !claim.is_alias => Ok(claim.node),
            Some(claim) => Err(Unresolved::Alias(format!(
                "`{name}` is an alias of `{main}`; link to `{main}`",
                main = drafts[claim.node]
                    .id
                    .as_ref()
                    .map_or("?", |id| id.value.as_str()),
            ))),
            None => Err(Unresolved::Unknown(format!("no node has the id `{name}`"))),
        }
    };

    let mut parents: Vec<Option<usize>> = vec![None; drafts.len()];
    for (index, draft) in drafts.iter().enumerate() {
        if let Some(parent) = &draft.parent {
            match resolve(&parent.value) {
                Ok(target) => parents[index] = Some(target),
                Err(Unresolved::Unknown(message)) => errors.push(
                    file(draft.file),
                    parent.line,
                    format!("missing parent: {message}"),
                ),
                Err(Unresolved::Alias(message)) => errors.push(
                    file(draft.file),
                    parent.line,
                    format!("`parent`: {message}"),
                ),
            }
        }
    }
    report_cycles(&drafts, &parents, &file, errors);

    for draft in &drafts {
        for (key, links) in [
            ("related", &draft.related),
            ("alternatives", &draft.alternatives),
        ] {
            check_links(draft, key, links, &resolve, &file, errors);
        }
    }

    if !errors.is_empty() {
        return None;
    }
    let see_refs = drafts
        .iter()
        .enumerate()
        .flat_map(|(node, draft)| {
            draft.see.iter().enumerate().map(move |(link, see)| SeeRef {
                file: file(draft.file).name.to_owned(),
                line: see.line,
                node,
                link,
            })
        })
        .collect();
    Some((assemble(slug, meta, drafts, &parents)?, see_refs))
}

/// Reports every loop in the parent chains once, at the `parent` line of the loop's node that
/// comes first in the files. Each node is walked at most once overall.
fn report_cycles<'a>(
    drafts: &[NodeDraft],
    parents: &[Option<usize>],
    file: &dyn Fn(usize) -> FileRef<'a>,
    errors: &mut Errors,
) {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        OnPath,
        Done,
    }
    let mut state = vec![State::New; drafts.len()];
    for start in 0..drafts.len() {
        let mut path = Vec::new();
        let mut current = Some(start);
        while let Some(node) = current {
            match state[node] {
                State::Done => break,
                State::OnPath => {
                    let from = path.iter().position(|n| *n == node).unwrap_or(0);
                    report_cycle(drafts, &path[from..], file, errors);
                    break;
                }
                State::New => {
                    state[node] = State::OnPath;
                    path.push(node);
                    current = parents[node];
                }
            }
        }
        for node in path {
            state[node] = State::Done;
        }
    }
}

/// `cycle` lists nodes each followed by its parent, the last one's parent being the first.
fn report_cycle<'a>(
    drafts: &[NodeDraft],
    cycle: &[usize],
    file: &dyn Fn(usize) -> FileRef<'a>,
    errors: &mut Errors,
) {
    let Some(start) = (0..cycle.len()).min_by_key(|&i| cycle[i]) else {
        return;
    };
    let id_of = |node: usize| drafts[node].id.as_ref().map_or("?", |id| id.value.as_str());
    let first = &drafts[cycle[start]];
    let line = first
        .parent
        .as_ref()
        .map_or(first.line, |parent| parent.line);
    let message = if cycle.len() == 1 {
        format!("`{}` is its own parent", id_of(cycle[start]))
    } else {
        let chain: Vec<&str> = cycle[start..]
            .iter()
            .chain(&cycle[..start])
            .chain(std::iter::once(&cycle[start]))
            .map(|&node| id_of(node))
            .collect();
        format!(
            "the parent chain loops: {} (a node cannot be its own ancestor)",
            chain.join(" -> ")
        )
    };
    errors.push(file(first.file), line, message);
}

fn check_links<'a>(
    draft: &NodeDraft,
    key: &str,
    links: &[Located<NodeId>],
    resolve: &dyn Fn(&NodeId) -> Result<usize, Unresolved>,
    file: &dyn Fn(usize) -> FileRef<'a>,
    errors: &mut Errors,
) {
    let own_names: Vec<&NodeId> = draft
        .id
        .iter()
        .chain(&draft.aliases)
        .map(|name| &name.value)
        .collect();
    let mut seen = HashSet::new();
    for link in links {
        let at = file(draft.file);
        if own_names.contains(&&link.value) {
            errors.push(
                at,
                link.line,
                format!(
                    "`{key}`: `{}` is this node itself; a node cannot link to itself",
                    link.value
                ),
            );
        } else if !seen.insert(link.value.as_str()) {
            errors.push(
                at,
                link.line,
                format!("`{key}`: `{}` is listed twice", link.value),
            );
        } else if let Err(Unresolved::Alias(message) | Unresolved::Unknown(message)) =
            resolve(&link.value)
        {
            errors.push(at, link.line, format!("`{key}`: {message}"));
        }
    }
}

fn assemble(
    slug: &str,
    meta: MetaDraft,
    drafts: Vec<NodeDraft>,
    parents: &[Option<usize>],
) -> Option<Roadmap> {
    let mut nodes = drafts
        .into_iter()
        .map(|draft| {
            let html = render_markdown(&draft.markdown);
            Some(Node {
                id: draft.id?.value,
                title: draft.title,
                parent: draft.parent.map(|parent| parent.value),
                children: Vec::new(),
                aliases: values(draft.aliases),
                related: values(draft.related),
                alternatives: values(draft.alternatives),
                level: draft.level,
                estimate: draft.estimate,
                resources: draft.resources,
                tips: draft.tips,
                see: draft
                    .see
                    .into_iter()
                    .map(|see| SeeAlso {
                        roadmap: see.value.0,
                        node: see.value.1,
                        title: String::new(),
                        roadmap_title: String::new(),
                    })
                    .collect(),
                markdown: draft.markdown,
                html,
            })
        })
        .collect::<Option<Vec<Node>>>()?;
    for (child, parent) in parents.iter().enumerate() {
        if let Some(parent) = *parent {
            let id = nodes.get(child)?.id.clone();
            nodes.get_mut(parent)?.children.push(id);
        }
    }
    let stages = nodes
        .iter()
        .filter(|node| node.parent.is_none())
        .map(|node| node.id.clone())
        .collect();
    Some(Roadmap {
        slug: slug.to_owned(),
        title: meta.title?,
        summary: meta.summary?,
        level: meta.level?,
        estimate: meta.estimate?,
        intro_html: render_markdown(&meta.intro),
        stages,
        nodes,
    })
}

fn values(located: Vec<Located<NodeId>>) -> Vec<NodeId> {
    located.into_iter().map(|item| item.value).collect()
}

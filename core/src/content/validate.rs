//! The checks that need the whole roadmap, and the assembly of the model.
//!
//! Ids and aliases must be unique across every file; `parent`, `related` and `alternatives`
//! must name a node's main id; the parent chains must end at a stage. Each check reports and
//! moves on, and the walk over parent chains visits every node once, so any input ends.
//!
//! Estimates have one meaning (the time for the node's core path at the roadmap's pace, see the
//! README), so two rules follow: no node may be estimated longer than the nearest ancestor that
//! has an estimate, and the stages' estimates must add up to the roadmap's. Topics with fewer
//! than `MIN_RESOURCES` resources are warned about, not rejected.

use std::collections::{HashMap, HashSet};

use super::parse::{Located, MetaDraft, NodeDraft};
use super::{render_markdown, Errors, FileRef, SeeRef, MIN_RESOURCES};
use crate::roadmap::{Estimate, Node, NodeId, Roadmap, SeeAlso, StudyTime, TimeUnit};

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

    check_nested_estimates(&drafts, &parents, &file, errors);
    check_stage_total(&meta, &drafts, &file, errors);
    warn_thin_resources(&drafts, &file, errors);

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

/// A node's estimate may not be longer than that of its nearest ancestor with one (both ends of
/// a range are compared: the child's low end with the parent's, the high end with the high
/// end). Reported at the child's `estimate` line. The walk up is bounded, so loops (reported
/// elsewhere) cannot hang it.
fn check_nested_estimates<'a>(
    drafts: &[NodeDraft],
    parents: &[Option<usize>],
    file: &dyn Fn(usize) -> FileRef<'a>,
    errors: &mut Errors,
) {
    for draft_index in 0..drafts.len() {
        let draft = &drafts[draft_index];
        let Some(estimate) = &draft.estimate else {
            continue;
        };
        let mut current = parents[draft_index];
        let mut steps = 0;
        let mut direct = true;
        while let Some(ancestor) = current {
            steps += 1;
            if steps > drafts.len() || ancestor == draft_index {
                break;
            }
            let above = &drafts[ancestor];
            if let Some(limit) = &above.estimate {
                let (low, high) = estimate.value.study_time();
                let (limit_low, limit_high) = limit.value.study_time();
                if low > limit_low || high > limit_high {
                    let id = above.id.as_ref().map_or("?", |id| id.value.as_str());
                    errors.push(
                        file(draft.file),
                        estimate.line,
                        format!(
                            "`estimate`: {} is longer than {}, the estimate of its {} `{id}` ({}:{}); a topic must fit in the stage or topic it belongs to (each end of a range within the same end of the parent's): shorten this estimate or lengthen `{id}`'s",
                            estimate.value,
                            limit.value,
                            if direct { "parent" } else { "ancestor" },
                            file(above.file).name,
                            limit.line,
                        ),
                    );
                }
                break;
            }
            direct = false;
            current = parents[ancestor];
        }
    }
}

/// The stages' estimates, added up, must agree with the roadmap's: their total expressed in the
/// roadmap's unit and rounded to a whole number must be the roadmap's figure (each end of a
/// range separately), so the figure in the header is the figure the stages add up to. Once any
/// stage has an estimate every stage needs one; when none has, the roadmap's figure is backed
/// by nothing and a warning says so.
fn check_stage_total<'a>(
    meta: &MetaDraft,
    drafts: &[NodeDraft],
    file: &dyn Fn(usize) -> FileRef<'a>,
    errors: &mut Errors,
) {
    let Some(stated) = &meta.estimate else {
        return;
    };
    let stages: Vec<&NodeDraft> = drafts.iter().filter(|d| d.parent.is_none()).collect();
    if stages.is_empty() {
        return;
    }
    if stages.iter().all(|stage| stage.estimate.is_none()) {
        errors.warn(
            file(0),
            stated.line,
            "no stage has an `estimate`, so nothing backs the roadmap's `estimate`: give every stage one (they must add up to it)",
        );
        return;
    }
    let mut total = (StudyTime::default(), StudyTime::default());
    let mut complete = true;
    for stage in &stages {
        match &stage.estimate {
            Some(estimate) => {
                let (low, high) = estimate.value.study_time();
                total = (total.0 + low, total.1 + high);
            }
            None => {
                complete = false;
                errors.push(
                    file(stage.file),
                    stage.line,
                    format!(
                        "stage `{}` has no `estimate`: every stage needs one once any has, because the roadmap's `estimate` is checked against their sum",
                        stage.id.as_ref().map_or("?", |id| id.value.as_str())
                    ),
                );
            }
        }
    }
    if complete && !agrees(&stated.value, total) {
        let unit = stated.value.unit;
        let in_unit = |time: StudyTime| format!("{:.1}", time.in_unit(unit));
        let in_weeks = |time: StudyTime| format!("{:.1}", time.in_unit(TimeUnit::Weeks));
        let span = |convert: &dyn Fn(StudyTime) -> String| {
            if total.0 == total.1 {
                convert(total.0)
            } else {
                format!("{} -> {}", convert(total.0), convert(total.1))
            }
        };
        let weeks = if unit == TimeUnit::Weeks {
            String::new()
        } else {
            format!(" ({} weeks)", span(&in_weeks))
        };
        let stages = match stages.len() {
            1 => "the one stage adds".to_owned(),
            count => format!("the {count} stages add"),
        };
        errors.push(
            file(0),
            stated.line,
            format!(
                "`estimate` says {}, but {stages} up to {} {}s{weeks}; rounded to whole {}s they must give the same figure (a tolerance of half a {} at each end): change this estimate or the stages'",
                stated.value,
                span(&in_unit),
                unit.name(),
                unit.name(),
                unit.name(),
            ),
        );
    }
}

/// Whether a total of study time, rounded to whole units of `stated`, gives `stated`'s figure
/// at both ends.
fn agrees(stated: &Estimate, total: (StudyTime, StudyTime)) -> bool {
    let per_unit = stated.unit.study_time().0;
    let matches = |time: StudyTime, amount: u32| {
        let target = u64::from(amount) * per_unit;
        // |time - target| <= per_unit / 2, in integers.
        time.0.abs_diff(target) * 2 <= per_unit
    };
    matches(total.0, stated.amount) && matches(total.1, stated.high())
}

/// A warning for every node with fewer than `MIN_RESOURCES` resources, at its `## ` line.
fn warn_thin_resources<'a>(
    drafts: &[NodeDraft],
    file: &dyn Fn(usize) -> FileRef<'a>,
    errors: &mut Errors,
) {
    for draft in drafts {
        let count = draft.resources.len();
        if count < MIN_RESOURCES {
            errors.warn(
                file(draft.file),
                draft.line,
                format!(
                    "`{}` has {count} resource{}; give every topic at least {MIN_RESOURCES} (its documentation, plus a course, video, book or article)",
                    draft.id.as_ref().map_or("?", |id| id.value.as_str()),
                    if count == 1 { "" } else { "s" },
                ),
            );
        }
    }
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
                estimate: draft.estimate.map(|estimate| estimate.value),
                optional: draft.optional,
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
        estimate: meta.estimate?.value,
        intro_html: render_markdown(&meta.intro),
        stages,
        nodes,
    })
}

fn values(located: Vec<Located<NodeId>>) -> Vec<NodeId> {
    located.into_iter().map(|item| item.value).collect()
}

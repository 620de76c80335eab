//! The map layout: where every visible card of a roadmap goes and how the edges between them
//! are drawn. Pure logic (std and serde, no web imports), used by the server to render the map
//! and by the browser to re-lay it out when a node is expanded or collapsed.
//!
//! Why it is shaped so:
//! - The whole roadmap should suit a screen, so the stages form a trail that winds through the
//!   plane: down one column, up the next (`layout/trail.rs`). Each stage's visible subtree
//!   branches on both sides of the trail, the first half of its children to the left, the rest
//!   to the right, each side a tidy tree (depth along x, siblings along y). Cards have different
//!   sizes, so each side is laid out with the *non-layered* tidy-tree algorithm of A. van der
//!   Ploeg, "Drawing non-layered tidy trees in linear time" (Software: Practice and Experience,
//!   2014): a child starts beside its own parent (no fixed columns), siblings keep apart by
//!   their subtrees' contours, and parents are centred on their children, in O(n). The core
//!   (`tidy_forest`, in `layout/tidy.rs`) is written iteratively so that 10,000-deep chains are
//!   as safe as 10,000-wide stars. Each stage's cluster is laid out on its own and the clusters
//!   are stacked in columns, so one stage never reaches into another.
//! - Server and browser must agree to the pixel, or hydration shows a jump. So nothing here
//!   measures text (card sizes are estimated from the title, `layout/card.rs`), nothing depends
//!   on hash order, time, randomness or the screen, edge paths are printed with at most one
//!   decimal, and the same input always gives the same output.
//! - It never panics: unknown ids, cycles and empty roadmaps are skipped over, not reported;
//!   the content validator is where errors are reported.

mod card;
mod tidy;
mod trail;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::progress::Status;
use crate::roadmap::{NodeId, Roadmap};

pub use card::{
    card_size, card_style, text_width, wrap_title, CardStyle, STAGE_CARD, STAGE_FONT_SIZE,
    STAGE_LINE_HEIGHT, STAGE_MAX_WIDTH, STAGE_MIN_WIDTH, STAGE_PADDING_LEFT, STAGE_PADDING_RIGHT,
    STAGE_PADDING_Y, TOPIC_CARD, TOPIC_FONT_SIZE, TOPIC_LINE_HEIGHT, TOPIC_MAX_WIDTH,
    TOPIC_MIN_WIDTH, TOPIC_PADDING_LEFT, TOPIC_PADDING_RIGHT, TOPIC_PADDING_Y,
};
pub use tidy::tidy_forest;

/// A card's size in px.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Size {
    pub width: f64,
    pub height: f64,
}

/// An axis-aligned rectangle in px; y grows downwards.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl Rect {
    pub fn right(&self) -> f64 {
        self.x + self.width
    }

    pub fn bottom(&self) -> f64 {
        self.y + self.height
    }

    /// The centre point (x, y).
    pub fn center(&self) -> (f64, f64) {
        (self.x + self.width / 2.0, self.y + self.height / 2.0)
    }

    /// Whether the two rectangles share some area; touching edges do not count.
    pub fn intersects(&self, other: &Rect) -> bool {
        self.x < other.right()
            && other.x < self.right()
            && self.y < other.bottom()
            && other.y < self.bottom()
    }

    /// The smallest rectangle containing both.
    pub fn union(&self, other: &Rect) -> Rect {
        let x = self.x.min(other.x);
        let y = self.y.min(other.y);
        Rect {
            x,
            y,
            width: self.right().max(other.right()) - x,
            height: self.bottom().max(other.bottom()) - y,
        }
    }
}

/// Spacing and shape of the map, px.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayoutOptions {
    /// Between a parent's edge and its children's facing edge.
    pub gap_x: f64,
    /// Between sibling subtrees (vertically).
    pub gap_y: f64,
    /// Between the bottom of one stage's cluster and the top of the next one's in a column.
    pub stage_gap: f64,
    /// Between two columns of the trail.
    pub column_gap: f64,
    /// The screen shape (width / height) the default view is folded to suit.
    pub aspect: f64,
    /// Smallest height of a stage's cluster: room for its landmark label when zoomed out.
    pub min_cluster_height: f64,
    /// Whether a stage's children branch on both sides of the trail (the first half left);
    /// if not, all of them grow to the right.
    pub both_sides: bool,
    /// Most columns the trail is folded into (1: one vertical strip).
    pub max_columns: usize,
}

impl Default for LayoutOptions {
    fn default() -> Self {
        Self {
            gap_x: 32.0,
            gap_y: 8.0,
            stage_gap: 48.0,
            column_gap: 56.0,
            aspect: 1.8,
            min_cluster_height: 72.0,
            both_sides: true,
            max_columns: 12,
        }
    }
}

impl LayoutOptions {
    /// One strip: the stages down a single spine, every child to the right of its parent —
    /// for narrow frames (the embed), where a two-sided cluster would not fit at 100 %.
    pub fn strip() -> Self {
        Self {
            both_sides: false,
            max_columns: 1,
            ..Self::default()
        }
    }
}

/// A visible card and where it goes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlacedNode {
    pub id: NodeId,
    pub rect: Rect,
    /// 0 for stages.
    pub depth: usize,
    /// Whether the node has children (shown or not): it can be expanded.
    pub has_children: bool,
    /// Whether its children are shown.
    pub expanded: bool,
    /// The visible parent; `None` for stages.
    pub parent: Option<NodeId>,
    /// On the left of its stage: its children grow leftwards.
    pub mirrored: bool,
}

/// A stage's share of the plane (see `layout/trail.rs`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageArea {
    pub id: NodeId,
    /// Column of the trail, 0 at the left.
    pub column: usize,
    /// The stage's area: its column's width by its cluster's height plus half the gaps around
    /// it. Areas of different stages never intersect.
    pub region: Rect,
    /// Where the zoomed-out landmark label goes, always inside the region, so labels never
    /// overlap: the largest rectangle centred on the stage card, or, when the region has room
    /// to spare above its cluster (an upright screen, see `label_above`), the whole region
    /// widened by half the gap to each neighbouring column (labels of neighbouring columns
    /// share the gap, so they never meet either).
    pub label: Rect,
    /// The label sits at the top of its box, in the band the region keeps free above its
    /// cluster, rather than centred on the stage card: a phone's overview then shows the
    /// topics' marks below the label instead of under it.
    pub label_above: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EdgeKind {
    /// From one stage to the next.
    Spine,
    /// From a parent to a child.
    Tree,
    /// Between two visible related nodes.
    Related,
    /// Between two visible alternatives.
    Alternative,
}

/// A line to draw; `path` is an SVG path `d` in the map's coordinates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    pub from: NodeId,
    pub to: NodeId,
    pub kind: EdgeKind,
    pub path: String,
}

/// The laid-out visible map.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MapLayout {
    /// Visible nodes in depth-first authored order (a stage, then its subtree, then the next).
    pub nodes: Vec<PlacedNode>,
    /// Spine edges, then tree edges, then related and alternative edges.
    pub edges: Vec<Edge>,
    /// One per stage, in trail order.
    pub stages: Vec<StageArea>,
    /// The map's extent: every card and stage area (all zero for an empty map); starts at
    /// (0, 0).
    pub bounds: Rect,
}

impl MapLayout {
    pub fn find(&self, id: &str) -> Option<&PlacedNode> {
        self.nodes.iter().find(|node| node.id.as_str() == id)
    }

    /// The box around stage `id`'s card and every visible node under it (what a tap on its
    /// landmark frames); `None` for an id that is not a visible stage.
    pub fn stage_extent(&self, id: &str) -> Option<Rect> {
        // Depth-first order: the stage, then its subtree until the next stage.
        let start = self
            .nodes
            .iter()
            .position(|node| node.depth == 0 && node.id.as_str() == id)?;
        let cluster = self.nodes[start..]
            .iter()
            .enumerate()
            .take_while(|(i, node)| *i == 0 || node.depth > 0)
            .map(|(_, node)| node.rect);
        cluster.reduce(|a, b| a.union(&b))
    }

    /// Every edge of one kind as a single SVG path `d` (the subpaths one after the other): the
    /// map draws the spine and the tree as one element each instead of one per edge.
    pub fn joined_path(&self, kind: EdgeKind) -> String {
        let mut out = String::new();
        for edge in self.edges.iter().filter(|edge| edge.kind == kind) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&edge.path);
        }
        out
    }

    /// The tree edges as one SVG path `d` per stage, in the order of the stages' cards: each
    /// stage's branches joined (empty for a stage with none shown). Why not one path for the
    /// whole tree: a browser paints the map in tiles, and a tile replays every path whose
    /// bounds reach it — with one path spanning the map, each tile a pan uncovers traced every
    /// edge of it (on a 2,000-node map, most of a slow pan frame's raster).
    pub fn tree_paths_by_stage(&self) -> Vec<String> {
        let mut stage_of = BTreeMap::new();
        let mut stages = 0_usize;
        for node in &self.nodes {
            if node.depth == 0 {
                stages += 1;
            }
            stage_of.insert(&node.id, stages.saturating_sub(1));
        }
        let mut paths = vec![String::new(); stages];
        for edge in self.edges.iter().filter(|edge| edge.kind == EdgeKind::Tree) {
            let Some(path) = stage_of.get(&edge.from).and_then(|&i| paths.get_mut(i)) else {
                continue;
            };
            if !path.is_empty() {
                path.push(' ');
            }
            path.push_str(&edge.path);
        }
        paths
    }
}

/// Rectangles as one SVG path `d` (`M x y h w v h h -w z` each, in tenths): a minimap draws a
/// whole roadmap with one element per kind of mark.
pub fn rects_path(rects: impl IntoIterator<Item = Rect>) -> String {
    let mut out = String::new();
    for r in rects {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push('M');
        push_num(&mut out, r.x);
        out.push(' ');
        push_num(&mut out, r.y);
        out.push('h');
        push_num(&mut out, r.width);
        out.push('v');
        push_num(&mut out, r.height);
        out.push('h');
        push_num(&mut out, -r.width);
        out.push('z');
    }
    out
}

/// The topics of `layout` (not its stages) as one path per status, in [`STATUS_ORDER`]: the
/// overview of a large map draws its marks as four elements instead of a card each.
pub fn status_paths(layout: &MapLayout, status_of: impl Fn(&NodeId) -> Status) -> [String; 4] {
    let mut groups: [Vec<Rect>; 4] = Default::default();
    for node in layout.nodes.iter().filter(|node| node.depth > 0) {
        let status = status_of(&node.id);
        let index = STATUS_ORDER.iter().position(|s| *s == status).unwrap_or(0);
        groups[index].push(node.rect);
    }
    groups.map(rects_path)
}

/// The order of [`status_paths`]' paths.
pub const STATUS_ORDER: [Status; 4] = [
    Status::Pending,
    Status::InProgress,
    Status::Done,
    Status::Skipped,
];

/// Index of every node by id (first one wins if an id repeats).
fn index_by_id(roadmap: &Roadmap) -> BTreeMap<&str, usize> {
    let mut index = BTreeMap::new();
    for (i, node) in roadmap.nodes.iter().enumerate() {
        index.entry(node.id.as_str()).or_insert(i);
    }
    index
}

/// A visible node during layout.
struct Visible {
    node: usize,
    depth: usize,
    parent: Option<usize>,
}

/// Lays out the visible part of the roadmap: stages always visible; a node's children are
/// visible iff the node is in `expanded` (and the node itself is visible). Related/Alternative
/// edges only between two visible nodes, each pair once (an alternative wins over related).
pub fn layout_roadmap(
    roadmap: &Roadmap,
    expanded: &BTreeSet<NodeId>,
    options: &LayoutOptions,
) -> MapLayout {
    let index = index_by_id(roadmap);
    let lookup = |id: &NodeId| index.get(id.as_str()).copied();

    // Visible nodes, depth first in authored order, each once.
    let mut seen = vec![false; roadmap.nodes.len()];
    let mut visible: Vec<Visible> = Vec::new();
    let mut children: Vec<Vec<usize>> = Vec::new();
    let mut roots = Vec::new();
    let mut stack: Vec<Visible> = Vec::new();
    for stage in roadmap.stages.iter().filter_map(lookup) {
        stack.push(Visible {
            node: stage,
            depth: 0,
            parent: None,
        });
        while let Some(item) = stack.pop() {
            if std::mem::replace(&mut seen[item.node], true) {
                continue;
            }
            let v = visible.len();
            match item.parent {
                Some(parent) => children[parent].push(v),
                None => roots.push(v),
            }
            children.push(Vec::new());
            let node = &roadmap.nodes[item.node];
            if expanded.contains(&node.id) {
                for child in node.children.iter().rev().filter_map(lookup) {
                    if !seen[child] {
                        stack.push(Visible {
                            node: child,
                            depth: item.depth + 1,
                            parent: Some(v),
                        });
                    }
                }
            }
            visible.push(item);
        }
    }

    let sizes: Vec<Size> = visible
        .iter()
        .map(|v| card_size(&roadmap.nodes[v.node].title, v.depth))
        .collect();
    let estimates: Vec<trail::ClusterEstimate> = roots
        .iter()
        .map(|&r| default_cluster(roadmap, &index, visible[r].node, &sizes[r], options))
        .collect();
    let arranged = trail::arrange(&roots, &children, &sizes, &estimates, options);

    let nodes: Vec<PlacedNode> = visible
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let node = &roadmap.nodes[v.node];
            let has_children = node.children.iter().any(|id| lookup(id).is_some());
            let (x, y) = arranged.positions[i];
            PlacedNode {
                id: node.id.clone(),
                rect: Rect {
                    x,
                    y,
                    width: sizes[i].width,
                    height: sizes[i].height,
                },
                depth: v.depth,
                has_children,
                expanded: has_children && expanded.contains(&node.id),
                parent: v.parent.map(|p| roadmap.nodes[visible[p].node].id.clone()),
                mirrored: arranged.mirrored[i],
            }
        })
        .collect();

    let mut edges = Vec::new();
    for (pair, path) in roots.windows(2).zip(arranged.trail) {
        let (a, b) = (&nodes[pair[0]], &nodes[pair[1]]);
        edges.push(edge(a, b, EdgeKind::Spine, path));
    }
    for (v, item) in visible.iter().enumerate() {
        if let Some(p) = item.parent {
            let (a, b) = (&nodes[p], &nodes[v]);
            edges.push(edge(a, b, EdgeKind::Tree, tree_path(&a.rect, &b.rect)));
        }
    }
    edges.extend(cross_edges(roadmap, &index, &visible, &nodes));

    let stages = roots
        .iter()
        .zip(&arranged.stages)
        .map(|(&r, place)| StageArea {
            id: nodes[r].id.clone(),
            column: place.column,
            region: place.region,
            label: place.label,
            label_above: place.label_above,
        })
        .collect();
    MapLayout {
        nodes,
        edges,
        stages,
        bounds: arranged.bounds,
    }
}

/// The cluster a stage has in the roadmap's default view (the stage and its children), which
/// is what the columns are planned on: expanding nodes later never moves stages between
/// columns.
fn default_cluster(
    roadmap: &Roadmap,
    index: &BTreeMap<&str, usize>,
    stage: usize,
    size: &Size,
    options: &LayoutOptions,
) -> trail::ClusterEstimate {
    let kids: Vec<Size> = roadmap.nodes[stage]
        .children
        .iter()
        .filter_map(|id| index.get(id.as_str()))
        .map(|&c| card_size(&roadmap.nodes[c].title, 1))
        .collect();
    let (left, right) = kids.split_at(trail::left_count(kids.len(), options));
    let side = |cards: &[Size]| {
        let width = cards.iter().map(|s| s.width).fold(0.0, f64::max);
        let height = cards.iter().map(|s| s.height).sum::<f64>()
            + options.gap_y * cards.len().saturating_sub(1) as f64;
        let reach = if cards.is_empty() {
            0.0
        } else {
            options.gap_x + width
        };
        (reach, height)
    };
    let ((left_reach, left_height), (right_reach, right_height)) = (side(left), side(right));
    trail::ClusterEstimate {
        half_left: size.width / 2.0 + left_reach,
        half_right: size.width / 2.0 + right_reach,
        height: size.height.max(left_height).max(right_height),
    }
}

fn edge(from: &PlacedNode, to: &PlacedNode, kind: EdgeKind, path: String) -> Edge {
    Edge {
        from: from.id.clone(),
        to: to.id.clone(),
        kind,
        path,
    }
}

/// Related and alternative edges between visible nodes, each unordered pair once, in the order
/// of the node that lists them; a pair that is both is drawn as an alternative.
fn cross_edges(
    roadmap: &Roadmap,
    index: &BTreeMap<&str, usize>,
    visible: &[Visible],
    nodes: &[PlacedNode],
) -> Vec<Edge> {
    let mut slot = vec![None; roadmap.nodes.len()];
    for (v, item) in visible.iter().enumerate() {
        slot[item.node] = Some(v);
    }
    let target = |id: &NodeId| index.get(id.as_str()).and_then(|&i| slot[i]);
    let pair = |a: usize, b: usize| (a.min(b), a.max(b));
    let alternatives: BTreeSet<(usize, usize)> = visible
        .iter()
        .enumerate()
        .flat_map(|(v, item)| {
            roadmap.nodes[item.node]
                .alternatives
                .iter()
                .filter_map(target)
                .map(move |w| pair(v, w))
        })
        .collect();
    let mut drawn = BTreeSet::new();
    let mut edges = Vec::new();
    for (v, item) in visible.iter().enumerate() {
        let node = &roadmap.nodes[item.node];
        let listed = node
            .alternatives
            .iter()
            .map(|id| (id, EdgeKind::Alternative))
            .chain(node.related.iter().map(|id| (id, EdgeKind::Related)));
        for (id, kind) in listed {
            let Some(w) = target(id) else { continue };
            let key = pair(v, w);
            if v == w
                || (kind == EdgeKind::Related && alternatives.contains(&key))
                || !drawn.insert(key)
            {
                continue;
            }
            let (a, b) = (&nodes[v], &nodes[w]);
            edges.push(edge(a, b, kind, cross_path(&a.rect, &b.rect)));
        }
    }
    edges
}

/// Writes a coordinate with at most one decimal ("12", "12.5", "-3.2"); non-finite as "0".
/// Integer formatting of the rounded tenths: exact, the same on every target, and cheap (a map
/// has hundreds of edges).
pub(crate) fn push_num(out: &mut String, value: f64) {
    let tenths = (value * 10.0).round();
    if !tenths.is_finite() || tenths == 0.0 {
        out.push('0');
    } else if tenths.abs() >= 1e15 {
        // Beyond exact tenths in an i64-safe range: whole numbers anyway.
        let _ = write!(out, "{}", (tenths / 10.0).round());
    } else {
        let tenths = tenths as i64;
        if tenths < 0 {
            out.push('-');
        }
        let magnitude = tenths.unsigned_abs();
        let _ = write!(out, "{}", magnitude / 10);
        if !magnitude.is_multiple_of(10) {
            out.push('.');
            out.push(char::from(b'0' + (magnitude % 10) as u8));
        }
    }
}

/// An SVG path from commands and their coordinates: `M12 3C40 3 40 20 68 20`.
fn svg_path(commands: &[(char, &[f64])]) -> String {
    let mut path = String::with_capacity(48);
    for &(command, coordinates) in commands {
        path.push(command);
        for (i, &value) in coordinates.iter().enumerate() {
            if i > 0 {
                path.push(' ');
            }
            push_num(&mut path, value);
        }
    }
    path
}

/// A horizontal S-curve from the parent's facing side (middle) to the child's facing side:
/// rightwards for a child right of its parent, leftwards for a mirrored one.
fn tree_path(parent: &Rect, child: &Rect) -> String {
    let (x1, x2) = if child.center().0 >= parent.center().0 {
        (parent.right(), child.x)
    } else {
        (parent.x, child.right())
    };
    let (y1, y2) = (parent.center().1, child.center().1);
    let mid = (x1 + x2) / 2.0;
    svg_path(&[('M', &[x1, y1]), ('C', &[mid, y1, mid, y2, x2, y2])])
}

/// A gentle arc between two card centres, bowing to the left of the direction of travel.
fn cross_path(from: &Rect, to: &Rect) -> String {
    let (x1, y1) = from.center();
    let (x2, y2) = to.center();
    let (dx, dy) = (x2 - x1, y2 - y1);
    let (cx, cy) = ((x1 + x2) / 2.0 + dy * 0.2, (y1 + y2) / 2.0 - dx * 0.2);
    svg_path(&[('M', &[x1, y1]), ('Q', &[cx, cy, x2, y2])])
}

/// Depth of every node reachable from the stages (stages 0), each counted where first reached.
fn depths(roadmap: &Roadmap, index: &BTreeMap<&str, usize>) -> Vec<Option<usize>> {
    let mut depth = vec![None; roadmap.nodes.len()];
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for stage in &roadmap.stages {
        if let Some(&s) = index.get(stage.as_str()) {
            stack.push((s, 0));
        }
        while let Some((i, d)) = stack.pop() {
            if depth[i].is_some() {
                continue;
            }
            depth[i] = Some(d);
            for child in &roadmap.nodes[i].children {
                if let Some(&c) = index.get(child.as_str()) {
                    if depth[c].is_none() {
                        stack.push((c, d + 1));
                    }
                }
            }
        }
    }
    depth
}

fn has_known_children(roadmap: &Roadmap, index: &BTreeMap<&str, usize>, node: usize) -> bool {
    roadmap.nodes[node]
        .children
        .iter()
        .any(|id| index.contains_key(id.as_str()))
}

/// What a fresh map shows: stages expanded, so stages and their first level are visible.
pub fn initially_expanded(roadmap: &Roadmap) -> BTreeSet<NodeId> {
    expanded_to_level(roadmap, 1)
}

/// The nodes with depth < `level` that have children: expanding them shows every node down to
/// depth `level` (0: stages only; 1: stages and their children; ...).
pub fn expanded_to_level(roadmap: &Roadmap, level: usize) -> BTreeSet<NodeId> {
    let index = index_by_id(roadmap);
    depths(roadmap, &index)
        .into_iter()
        .enumerate()
        .filter(|&(i, depth)| {
            depth.is_some_and(|d| d < level) && has_known_children(roadmap, &index, i)
        })
        .map(|(i, _)| roadmap.nodes[i].id.clone())
        .collect()
}

/// How far a map starts expanded, as a URL says it (`expand=2`, `expand=all`): the snapshot
/// and the embed take the same values, so a snapshot shows what the embed starts with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Expand {
    /// Every node down to this depth is visible (0: stages only).
    Level(usize),
    /// Every node is visible.
    All,
}

impl Expand {
    /// Deepest level a URL may name; deeper roadmaps use `all`.
    pub const MAX_LEVEL: usize = 16;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw == "all" {
            return Ok(Self::All);
        }
        match raw.parse::<usize>() {
            Ok(level) if level <= Self::MAX_LEVEL && !raw.starts_with('+') => {
                Ok(Self::Level(level))
            }
            _ => Err(format!(
                "expand must be a level from 0 to {} or `all`, not `{raw}`",
                Self::MAX_LEVEL
            )),
        }
    }

    /// The expanded set this stands for.
    pub fn expanded(self, roadmap: &Roadmap) -> BTreeSet<NodeId> {
        match self {
            Self::Level(level) => expanded_to_level(roadmap, level),
            Self::All => all_expandable(roadmap),
        }
    }
}

impl Default for Expand {
    /// What a fresh map shows (`initially_expanded`).
    fn default() -> Self {
        Self::Level(1)
    }
}

impl std::fmt::Display for Expand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Level(level) => write!(f, "{level}"),
            Self::All => f.write_str("all"),
        }
    }
}

/// Every node that has children: expanding them all shows the whole roadmap.
pub fn all_expandable(roadmap: &Roadmap) -> BTreeSet<NodeId> {
    let index = index_by_id(roadmap);
    (0..roadmap.nodes.len())
        .filter(|&i| has_known_children(roadmap, &index, i))
        .map(|i| roadmap.nodes[i].id.clone())
        .collect()
}

/// The ancestors of a node (or of the node an alias names), stage first, without the node
/// itself: expanding them reveals it. Empty for stages and unknown ids.
pub fn ancestors(roadmap: &Roadmap, id: &str) -> Vec<NodeId> {
    let index = index_by_id(roadmap);
    let Some(node) = roadmap.resolve(id) else {
        return Vec::new();
    };
    let mut seen = BTreeSet::from([node.id.as_str()]);
    let mut chain = Vec::new();
    let mut parent = node.parent.as_ref();
    while let Some(id) = parent {
        let Some(&i) = index.get(id.as_str()) else {
            break;
        };
        if !seen.insert(id.as_str()) {
            break;
        }
        chain.push(id.clone());
        parent = roadmap.nodes[i].parent.as_ref();
    }
    chain.reverse();
    chain
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roadmap::{Estimate, LevelRange, Node};
    use proptest::prelude::*;
    use std::path::Path;

    fn backend() -> Roadmap {
        let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../roadmaps/backend"));
        crate::content::load_roadmap_dir(dir).unwrap_or_else(|errors| {
            panic!("backend roadmap does not load: {errors:#?}");
        })
    }

    #[test]
    fn joined_path_holds_every_edge_of_its_kind_and_no_other() {
        let map = backend();
        let layout = layout_roadmap(&map, &initially_expanded(&map), &LayoutOptions::default());
        for kind in [EdgeKind::Spine, EdgeKind::Tree] {
            let edges: Vec<&Edge> = layout.edges.iter().filter(|e| e.kind == kind).collect();
            assert!(!edges.is_empty(), "{kind:?}");
            let joined = layout.joined_path(kind);
            // Each edge's path starts with one move: the joined path has one per edge.
            assert_eq!(joined.matches('M').count(), edges.len(), "{kind:?}");
            for edge in edges {
                assert!(joined.contains(&edge.path), "{kind:?} {}", edge.path);
            }
        }
        assert!(MapLayout::default().joined_path(EdgeKind::Tree).is_empty());
    }

    #[test]
    fn tree_paths_by_stage_hold_each_tree_edge_once_under_its_stage() {
        let map = backend();
        let layout = layout_roadmap(&map, &all_expandable(&map), &LayoutOptions::default());
        let paths = layout.tree_paths_by_stage();
        assert_eq!(paths.len(), map.stages.len());
        let tree: Vec<&Edge> = layout
            .edges
            .iter()
            .filter(|e| e.kind == EdgeKind::Tree)
            .collect();
        let moves: usize = paths.iter().map(|p| p.matches('M').count()).sum();
        assert_eq!(moves, tree.len());
        for edge in tree {
            let stage = map
                .stages
                .iter()
                .position(|s| *s == edge.from || ancestors(&map, edge.from.as_str()).contains(s))
                .unwrap_or_else(|| panic!("{} has no stage", edge.from));
            assert!(
                paths[stage].contains(&edge.path),
                "{} -> {}",
                edge.from,
                edge.to
            );
        }
        assert!(MapLayout::default().tree_paths_by_stage().is_empty());
    }

    #[test]
    fn roadmap_depth_is_the_depth_the_layout_places_at() {
        let map = backend();
        let layout = layout_roadmap(&map, &all_expandable(&map), &LayoutOptions::default());
        assert_eq!(layout.nodes.len(), map.nodes.len());
        assert!(layout.nodes.iter().any(|n| n.depth >= 2));
        for placed in &layout.nodes {
            assert_eq!(map.depth(placed.id.as_str()), placed.depth, "{}", placed.id);
        }
        assert_eq!(map.depth("no-such-node"), 0);
    }

    #[test]
    fn rects_path_draws_each_rectangle_closed() {
        let path = rects_path([
            Rect {
                x: 1.0,
                y: 2.0,
                width: 30.5,
                height: 4.0,
            },
            Rect {
                x: 0.0,
                y: 0.0,
                width: 0.25,
                height: 10.0,
            },
        ]);
        assert_eq!(path, "M1 2h30.5v4h-30.5z M0 0h0.3v10h-0.3z");
        assert_eq!(rects_path([]), "");
    }

    fn id(raw: &str) -> NodeId {
        NodeId::parse(raw).unwrap()
    }

    fn node(raw: &str, title: &str, parent: Option<&str>) -> Node {
        Node {
            id: id(raw),
            title: title.to_owned(),
            parent: parent.map(id),
            children: Vec::new(),
            aliases: Vec::new(),
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

    /// A roadmap from nodes with parents set; children and stages are derived from them.
    fn roadmap(mut nodes: Vec<Node>) -> Roadmap {
        let links: Vec<(usize, NodeId)> = nodes
            .iter()
            .filter_map(|n| {
                let parent = n.parent.as_ref()?;
                let p = nodes.iter().position(|m| &m.id == parent)?;
                Some((p, n.id.clone()))
            })
            .collect();
        for (p, child) in links {
            nodes[p].children.push(child);
        }
        Roadmap {
            slug: "test".to_owned(),
            title: "Test".to_owned(),
            summary: String::new(),
            level: LevelRange::parse("beginner").unwrap(),
            estimate: Estimate::parse("1 week").unwrap(),
            intro_html: String::new(),
            stages: nodes
                .iter()
                .filter(|n| n.parent.is_none())
                .map(|n| n.id.clone())
                .collect(),
            nodes,
        }
    }

    fn small() -> Roadmap {
        let mut nodes = vec![
            node("basics", "Basics", None),
            node("http", "HTTP", Some("basics")),
            node("methods", "HTTP methods", Some("http")),
            node("dns", "DNS", Some("basics")),
            node("data", "Databases", None),
            node("sql", "SQL", Some("data")),
            node("nosql", "NoSQL", Some("data")),
        ];
        nodes[5].alternatives.push(id("nosql"));
        nodes[6].alternatives.push(id("sql"));
        nodes[6].related.push(id("sql"));
        nodes[1].related.push(id("sql"));
        nodes[2].related.push(id("dns"));
        nodes[3].aliases.push(id("domain-names"));
        roadmap(nodes)
    }

    fn assert_no_overlap(layout: &MapLayout) {
        for (i, a) in layout.nodes.iter().enumerate() {
            for b in &layout.nodes[i + 1..] {
                assert!(!a.rect.intersects(&b.rect), "{} overlaps {}", a.id, b.id);
            }
        }
    }

    fn assert_edges_join_visible_nodes(layout: &MapLayout) {
        for edge in &layout.edges {
            assert!(layout.find(edge.from.as_str()).is_some(), "{edge:?}");
            assert!(layout.find(edge.to.as_str()).is_some(), "{edge:?}");
            assert!(edge.path.starts_with('M'), "{edge:?}");
        }
    }

    fn ids(layout: &MapLayout) -> Vec<&str> {
        layout.nodes.iter().map(|n| n.id.as_str()).collect()
    }

    #[test]
    fn rect_helpers_treat_touching_edges_as_apart() {
        let a = Rect {
            x: 0.0,
            y: 0.0,
            width: 10.0,
            height: 10.0,
        };
        let touching = Rect { x: 10.0, ..a };
        let overlapping = Rect {
            x: 9.5,
            y: 9.5,
            ..a
        };
        assert!(!a.intersects(&touching));
        assert!(a.intersects(&overlapping) && overlapping.intersects(&a));
        assert_eq!(
            (a.right(), a.bottom(), a.center()),
            (10.0, 10.0, (5.0, 5.0))
        );
        let both = a.union(&overlapping);
        assert_eq!(
            (both.x, both.y, both.right(), both.bottom()),
            (0.0, 0.0, 19.5, 19.5)
        );
    }

    #[test]
    fn collapsed_map_shows_only_the_stages_joined_by_the_trail() {
        let map = small();
        let layout = layout_roadmap(&map, &BTreeSet::new(), &LayoutOptions::default());
        assert_eq!(ids(&layout), ["basics", "data"]);
        assert_eq!(layout.edges.len(), 1);
        let spine = &layout.edges[0];
        assert_eq!(spine.kind, EdgeKind::Spine);
        assert_eq!((spine.from.as_str(), spine.to.as_str()), ("basics", "data"));
        // The first column runs downwards: the trail leaves the first stage at its bottom.
        let (a, b) = (layout.nodes[0].rect, layout.nodes[1].rect);
        assert!(spine
            .path
            .starts_with(&format!("M{} {}", num(a.center().0), num(a.bottom()))));
        let ends_at_b = [b.y, b.bottom()].iter().any(|y| {
            spine
                .path
                .ends_with(&format!("L{} {}", num(b.center().0), num(*y)))
        });
        assert!(ends_at_b, "{}", spine.path);
        assert!(layout.nodes.iter().all(|n| n.has_children && !n.expanded));
        assert_trail_invariants(&layout);
    }

    #[test]
    fn expanding_a_node_shows_its_children_in_depth_first_order() {
        let map = small();
        let expanded = BTreeSet::from([id("basics"), id("http"), id("sql")]);
        let layout = layout_roadmap(&map, &expanded, &LayoutOptions::default());
        // `data` is not expanded, so `sql` stays hidden even though it is in the set.
        assert_eq!(ids(&layout), ["basics", "http", "methods", "dns", "data"]);
        let methods = layout.find("methods").unwrap();
        assert_eq!(methods.depth, 2);
        assert_eq!(methods.parent, Some(id("http")));
        assert!(!methods.has_children && !methods.expanded);
        let http = layout.find("http").unwrap();
        assert!(http.has_children && http.expanded);
        // `basics` has two children: the first goes left (mirrored), the second right.
        let basics = layout.find("basics").unwrap();
        let dns = layout.find("dns").unwrap();
        let gap = LayoutOptions::default().gap_x;
        assert!(http.mirrored && methods.mirrored && !dns.mirrored && !basics.mirrored);
        assert_eq!(http.rect.right() + gap, basics.rect.x);
        assert_eq!(methods.rect.right() + gap, http.rect.x);
        assert_eq!(dns.rect.x, basics.rect.right() + gap);
        assert_no_overlap(&layout);
        assert_trail_invariants(&layout);
        assert_edges_join_visible_nodes(&layout);
        // The related edge methods–dns is drawn; http–sql is not (sql is hidden).
        let cross: Vec<(&str, &str, EdgeKind)> = layout
            .edges
            .iter()
            .filter(|e| matches!(e.kind, EdgeKind::Related | EdgeKind::Alternative))
            .map(|e| (e.from.as_str(), e.to.as_str(), e.kind))
            .collect();
        assert_eq!(cross, [("methods", "dns", EdgeKind::Related)]);
    }

    #[test]
    fn each_cross_pair_is_drawn_once_and_alternatives_win() {
        let map = small();
        let layout = layout_roadmap(&map, &all_expandable(&map), &LayoutOptions::default());
        let cross: Vec<(&str, &str, EdgeKind)> = layout
            .edges
            .iter()
            .filter(|e| matches!(e.kind, EdgeKind::Related | EdgeKind::Alternative))
            .map(|e| (e.from.as_str(), e.to.as_str(), e.kind))
            .collect();
        assert_eq!(
            cross,
            [
                ("http", "sql", EdgeKind::Related),
                ("methods", "dns", EdgeKind::Related),
                ("sql", "nosql", EdgeKind::Alternative),
            ]
        );
    }

    #[test]
    fn tree_edges_run_between_the_facing_sides_of_parent_and_child() {
        let map = small();
        let layout = layout_roadmap(
            &map,
            &BTreeSet::from([id("basics"), id("http")]),
            &LayoutOptions::default(),
        );
        let path_to = |to: &str| {
            layout
                .edges
                .iter()
                .find(|e| e.kind == EdgeKind::Tree && e.to.as_str() == to)
                .unwrap()
                .path
                .clone()
        };
        let curve = |x1: f64, y1: f64, x2: f64, y2: f64| {
            let mid = (x1 + x2) / 2.0;
            format!(
                "M{} {}C{} {} {} {} {} {}",
                num(x1),
                num(y1),
                num(mid),
                num(y1),
                num(mid),
                num(y2),
                num(x2),
                num(y2)
            )
        };
        let rect = |id: &str| layout.find(id).unwrap().rect;
        // Right side: from the parent's right middle to the child's left middle.
        let (p, c) = (rect("basics"), rect("dns"));
        assert_eq!(
            path_to("dns"),
            curve(p.right(), p.center().1, c.x, c.center().1)
        );
        // Left side (mirrored), at any depth: from the parent's left to the child's right.
        for (parent, child) in [("basics", "http"), ("http", "methods")] {
            let (p, c) = (rect(parent), rect(child));
            assert_eq!(
                path_to(child),
                curve(p.x, p.center().1, c.right(), c.center().1)
            );
        }
    }

    /// Every stage has an area; areas never intersect; every card lies inside its stage's area;
    /// stage cards sit on their column's axis; labels lie inside their areas, centred on the
    /// stage card; every shown child has a tree edge from its parent; bounds hold every area
    /// and start at (0, 0).
    fn assert_trail_invariants(layout: &MapLayout) {
        let stage_count = layout.nodes.iter().filter(|n| n.depth == 0).count();
        assert_eq!(layout.stages.len(), stage_count);
        assert_eq!((layout.bounds.x, layout.bounds.y), (0.0, 0.0));
        let eps = 1e-6;
        let inside = |inner: &Rect, outer: &Rect| {
            inner.x >= outer.x - eps
                && inner.y >= outer.y - eps
                && inner.right() <= outer.right() + eps
                && inner.bottom() <= outer.bottom() + eps
        };
        for (i, area) in layout.stages.iter().enumerate() {
            assert!(inside(&area.region, &layout.bounds), "{area:?}");
            if !area.label_above {
                assert!(inside(&area.label, &area.region), "{area:?}");
            }
            let stage = layout.find(area.id.as_str()).unwrap();
            assert!(inside(&stage.rect, &area.label), "{area:?}");
            let (cx, cy) = stage.rect.center();
            if area.label_above {
                // The whole region and half the column gaps beside it; the label goes at its
                // top, in the band above the cluster.
                assert_eq!(
                    (area.label.y, area.label.height),
                    (area.region.y, area.region.height)
                );
                let half_gap = (
                    area.region.x - area.label.x,
                    area.label.right() - area.region.right(),
                );
                assert!(
                    half_gap.0 >= 0.0 && (half_gap.0 - half_gap.1).abs() < eps,
                    "{area:?}"
                );
            } else {
                assert!((area.label.center().0 - cx).abs() < eps, "{area:?}");
                assert!((area.label.center().1 - cy).abs() < eps, "{area:?}");
            }
            for other in &layout.stages[i + 1..] {
                assert!(!area.region.intersects(&other.region), "{area:?} {other:?}");
                assert!(!area.label.intersects(&other.label), "{area:?} {other:?}");
                if other.column == area.column {
                    let axis = |a: &StageArea| layout.find(a.id.as_str()).unwrap().rect.center().0;
                    assert!((axis(area) - axis(other)).abs() < eps);
                }
            }
        }
        let stage_of = |node: &PlacedNode| {
            let mut current = node;
            while let Some(parent) = &current.parent {
                current = layout.find(parent.as_str()).unwrap();
            }
            current.id.clone()
        };
        for node in &layout.nodes {
            let stage = stage_of(node);
            let area = layout.stages.iter().find(|a| a.id == stage).unwrap();
            assert!(
                inside(&node.rect, &area.region),
                "{} outside {}",
                node.id,
                stage
            );
            if let Some(parent) = &node.parent {
                assert!(layout
                    .edges
                    .iter()
                    .any(|e| e.kind == EdgeKind::Tree && &e.from == parent && e.to == node.id));
            }
        }
    }

    fn num(value: f64) -> String {
        let mut out = String::new();
        push_num(&mut out, value);
        out
    }

    #[test]
    fn numbers_in_paths_have_at_most_one_decimal() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.04), "12");
        assert_eq!(num(12.25), "12.3");
        assert_eq!(num(-3.21), "-3.2");
        assert_eq!(num(-0.01), "0");
        assert_eq!(num(f64::NAN), "0");
        assert_eq!(num(1e7 + 0.5), "10000000.5");
        assert_eq!(num(-0.5), "-0.5");
        assert_eq!(num(0.05), "0.1");
        assert_eq!(num(-1e300), format!("{}", -1e300));
        assert_eq!(
            svg_path(&[('M', &[1.0, 2.55]), ('L', &[-3.0, 4.0])]),
            "M1 2.6L-3 4"
        );
    }

    #[test]
    fn empty_roadmap_and_unknown_ids_lay_out_without_panicking() {
        let empty = roadmap(Vec::new());
        let layout = layout_roadmap(&empty, &BTreeSet::new(), &LayoutOptions::default());
        assert_eq!(layout, MapLayout::default());
        assert!(initially_expanded(&empty).is_empty());
        assert!(ancestors(&empty, "nothing").is_empty());

        let mut map = small();
        map.stages.insert(0, id("ghost"));
        map.stages.push(id("basics"));
        map.nodes[0].children.push(id("missing"));
        map.nodes[0].children.push(id("data"));
        map.nodes[1].related.push(id("nowhere"));
        map.nodes[1].alternatives.push(id("http"));
        map.nodes[2].parent = Some(id("methods"));
        map.nodes[2].children.push(id("basics"));
        let expanded: BTreeSet<NodeId> = all_expandable(&map)
            .into_iter()
            .chain([id("ghost"), id("missing")])
            .collect();
        let layout = layout_roadmap(&map, &expanded, &LayoutOptions::default());
        let mut shown = ids(&layout);
        shown.sort_unstable();
        let before = shown.len();
        shown.dedup();
        assert_eq!(shown.len(), before, "a node is placed twice");
        assert_eq!(shown.len(), map.nodes.len());
        assert_no_overlap(&layout);
        assert_edges_join_visible_nodes(&layout);
        assert!(ancestors(&map, "methods").len() <= map.nodes.len());
    }

    #[test]
    fn expansion_helpers_follow_depth() {
        let map = small();
        assert!(expanded_to_level(&map, 0).is_empty());
        assert_eq!(
            initially_expanded(&map),
            BTreeSet::from([id("basics"), id("data")])
        );
        assert_eq!(expanded_to_level(&map, 1), initially_expanded(&map));
        assert_eq!(
            expanded_to_level(&map, 2),
            BTreeSet::from([id("basics"), id("data"), id("http")])
        );
        assert_eq!(expanded_to_level(&map, 99), all_expandable(&map));
    }

    #[test]
    fn ancestors_list_the_path_from_the_stage_and_resolve_aliases() {
        let map = small();
        assert_eq!(ancestors(&map, "methods"), [id("basics"), id("http")]);
        assert_eq!(ancestors(&map, "domain-names"), [id("basics")]);
        assert!(ancestors(&map, "basics").is_empty());
        assert!(ancestors(&map, "unknown").is_empty());
        // Revealing a node: expanding its ancestors makes it visible.
        let expanded: BTreeSet<NodeId> = ancestors(&map, "methods").into_iter().collect();
        let layout = layout_roadmap(&map, &expanded, &LayoutOptions::default());
        assert!(layout.find("methods").is_some());
    }

    #[test]
    fn backend_roadmap_initial_map_shows_stages_and_their_children_without_overlap() {
        let map = backend();
        assert_eq!(map.stages.len(), 13);
        let layout = layout_roadmap(&map, &initially_expanded(&map), &LayoutOptions::default());
        let expected: usize = map.stages().map(|s| 1 + s.children.len()).sum();
        assert_eq!(layout.nodes.len(), expected);
        for stage in map.stages() {
            assert_eq!(layout.find(stage.id.as_str()).map(|n| n.depth), Some(0));
            for child in &stage.children {
                assert_eq!(layout.find(child.as_str()).map(|n| n.depth), Some(1));
            }
        }
        assert_no_overlap(&layout);
        assert_edges_join_visible_nodes(&layout);
        assert_eq!(
            layout
                .edges
                .iter()
                .filter(|e| e.kind == EdgeKind::Spine)
                .count(),
            12
        );
        assert_eq!((layout.bounds.x, layout.bounds.y), (0.0, 0.0));
        assert_trail_invariants(&layout);
    }

    #[test]
    fn backend_default_view_suits_a_laptop_screen() {
        let map = backend();
        let layout = layout_roadmap(&map, &initially_expanded(&map), &LayoutOptions::default());
        let b = layout.bounds;
        let columns = layout.stages.iter().map(|a| a.column).max().unwrap() + 1;
        assert!(columns >= 3, "{columns} columns");
        let aspect = b.width / b.height;
        assert!((1.2..=2.4).contains(&aspect), "{} x {}", b.width, b.height);
        // Fitted into a 1280 x 800 window's visible map (less the app bar, the toolbars and
        // 16 px of padding), every card is drawn at 35 % or more; the old one-strip layout
        // stopped at the 20 % limit with most cards outside.
        let fit = (1248.0 / b.width).min(584.0 / b.height);
        assert!(fit >= 0.35, "fit {fit}");
        // The trail winds: down the first column, up the second.
        let stage = |i: usize| layout.find(map.stages[i].as_str()).unwrap().rect;
        let column = |i: usize| layout.stages[i].column;
        let (mut saw_down, mut saw_up) = (false, false);
        for i in 1..map.stages.len() {
            if column(i) == column(i - 1) {
                if column(i) % 2 == 0 {
                    assert!(stage(i).y > stage(i - 1).y);
                    saw_down = true;
                } else {
                    assert!(stage(i).y < stage(i - 1).y);
                    saw_up = true;
                }
            } else {
                assert_eq!(column(i), column(i - 1) + 1);
                assert!(stage(i).x > stage(i - 1).x);
            }
        }
        assert!(saw_down && saw_up);
    }

    #[test]
    fn an_upright_screen_gets_the_room_a_width_limited_fit_would_leave_empty() {
        let map = backend();
        let laptop = layout_roadmap(&map, &initially_expanded(&map), &LayoutOptions::default());
        // A 390 x 844 phone's visible map (less the toolbars) is about 0.6 wide per 1 high.
        let phone_options = LayoutOptions {
            aspect: 0.6,
            ..LayoutOptions::default()
        };
        let phone = layout_roadmap(&map, &initially_expanded(&map), &phone_options);
        assert_no_overlap(&phone);
        assert_edges_join_visible_nodes(&phone);
        assert_trail_invariants(&phone);
        // Fewer columns than on a laptop, and the map takes the screen's shape: Fit is limited
        // by both sides at once rather than leaving bands above and below.
        let columns = |l: &MapLayout| l.stages.iter().map(|a| a.column).max().unwrap() + 1;
        assert!(columns(&phone) < columns(&laptop));
        let shape = phone.bounds.width / phone.bounds.height;
        assert!((0.5..=0.66).contains(&shape), "{shape}");
        // The room goes to the stages: on a 374 x 640 visible area each stage's label box is
        // at least 64 px high on screen after Fit, room for a two-line landmark.
        let fit = (374.0 / phone.bounds.width).min(640.0 / phone.bounds.height);
        for area in &phone.stages {
            assert!(area.label.height * fit >= 64.0, "{area:?} at {fit}");
        }
        // Expanding keeps the columns and the room.
        let full = layout_roadmap(&map, &all_expandable(&map), &phone_options);
        assert_trail_invariants(&full);
        let column_of = |l: &MapLayout| l.stages.iter().map(|a| a.column).collect::<Vec<_>>();
        assert_eq!(column_of(&full), column_of(&phone));
    }

    #[test]
    fn a_phone_keeps_a_band_above_each_cluster_and_each_stage_fits_its_width() {
        let map = backend();
        // The map page on a 390 x 844 phone: one-sided clusters, folded to the screen's shape.
        let phone_options = LayoutOptions {
            aspect: 0.6,
            both_sides: false,
            ..LayoutOptions::default()
        };
        let phone = layout_roadmap(&map, &initially_expanded(&map), &phone_options);
        assert_no_overlap(&phone);
        assert_trail_invariants(&phone);
        for area in &phone.stages {
            let cluster = phone.stage_extent(area.id.as_str()).unwrap();
            // The label goes in a band above the cluster that no topic of it reaches.
            assert!(area.label_above, "{area:?}");
            assert!(cluster.y - area.region.y >= 64.0, "{area:?} {cluster:?}");
            // Framed on a tap, each stage with its topics fits a 366 px wide area at 60 %
            // (the app's readable zoom): 390 px less 12 px padding each side.
            assert!(cluster.width * 0.6 <= 366.0, "{area:?} {cluster:?}");
        }
        // A laptop's map is limited by its height: no band, labels centred on the stages.
        let laptop = layout_roadmap(&map, &initially_expanded(&map), &LayoutOptions::default());
        assert!(laptop.stages.iter().all(|a| !a.label_above));
    }

    #[test]
    fn a_stage_extent_is_the_box_of_the_stage_and_its_visible_subtree() {
        let map = backend();
        let layout = layout_roadmap(&map, &initially_expanded(&map), &LayoutOptions::default());
        let first = &layout.stages[0].id;
        let extent = layout.stage_extent(first.as_str()).unwrap();
        let mut members = 0;
        for node in &layout.nodes {
            let mut top = node;
            while let Some(parent) = &top.parent {
                top = layout.find(parent.as_str()).unwrap();
            }
            let r = node.rect;
            let inside = r.x >= extent.x
                && r.y >= extent.y
                && r.right() <= extent.right()
                && r.bottom() <= extent.bottom();
            if &top.id == first {
                members += 1;
                assert!(inside, "{} outside {extent:?}", node.id);
            }
        }
        assert_eq!(members, 1 + map.stages().next().unwrap().children.len());
        // Tight: members touch its sides.
        let touches = |f: &dyn Fn(&Rect) -> bool| {
            layout
                .nodes
                .iter()
                .filter(|n| n.depth > 0 || &n.id == first)
                .any(|n| f(&n.rect))
        };
        assert!(touches(&|r| r.x == extent.x));
        assert!(touches(&|r| r.bottom() == extent.bottom()));
        assert!(layout.stage_extent("no-such-stage").is_none());
        let topic = layout.nodes.iter().find(|n| n.depth > 0).unwrap();
        assert!(layout.stage_extent(topic.id.as_str()).is_none());
    }

    #[test]
    fn a_strip_is_one_column_with_every_child_right_of_its_parent() {
        let map = backend();
        let options = LayoutOptions::strip();
        let layout = layout_roadmap(&map, &all_expandable(&map), &options);
        assert!(layout.stages.iter().all(|a| a.column == 0));
        assert!(layout.nodes.iter().all(|n| !n.mirrored));
        for node in &layout.nodes {
            if let Some(parent) = &node.parent {
                let parent = layout.find(parent.as_str()).unwrap();
                assert!(node.rect.x >= parent.rect.right() + options.gap_x - 1e-9);
            }
        }
        assert_no_overlap(&layout);
        assert_trail_invariants(&layout);
    }

    #[test]
    fn backend_roadmap_fully_expanded_shows_every_node_once_without_overlap() {
        let map = backend();
        let options = LayoutOptions::default();
        let layout = layout_roadmap(&map, &all_expandable(&map), &options);
        assert_eq!(layout.nodes.len(), map.nodes.len());
        let mut shown = ids(&layout);
        shown.sort_unstable();
        shown.dedup();
        assert_eq!(shown.len(), map.nodes.len());
        assert_no_overlap(&layout);
        assert_edges_join_visible_nodes(&layout);
        for node in &layout.nodes {
            assert!(layout.bounds.union(&node.rect) == layout.bounds);
            if let Some(parent) = &node.parent {
                let parent = layout.find(parent.as_str()).unwrap();
                if node.mirrored {
                    assert!(node.rect.right() + options.gap_x <= parent.rect.x + 1e-9);
                } else {
                    assert!(node.rect.x >= parent.rect.right() + options.gap_x - 1e-9);
                }
            }
        }
        assert!(layout.edges.iter().any(|e| e.kind == EdgeKind::Related));
        assert!(layout.edges.iter().any(|e| e.kind == EdgeKind::Alternative));
        assert_trail_invariants(&layout);
        // Expanding never moves a stage to another column.
        let default = layout_roadmap(&map, &initially_expanded(&map), &options);
        let columns = |l: &MapLayout| l.stages.iter().map(|a| a.column).collect::<Vec<_>>();
        assert_eq!(columns(&default), columns(&layout));
        let again = layout_roadmap(&map, &all_expandable(&map), &options);
        assert_eq!(again, layout);
    }

    #[test]
    fn layout_survives_a_serde_round_trip() {
        let map = small();
        let layout = layout_roadmap(&map, &all_expandable(&map), &LayoutOptions::default());
        let json = serde_json::to_string(&layout).unwrap();
        let back: MapLayout = serde_json::from_str(&json).unwrap();
        assert_eq!(back, layout);
    }

    /// Random roadmaps: node i is `n<i>`, its parent an earlier node or none (a stage).
    fn arb_roadmap() -> impl Strategy<Value = (Roadmap, BTreeSet<NodeId>)> {
        let plan = (
            0u8..6,
            any::<prop::sample::Index>(),
            "[A-Za-z]{1,12}( [A-Za-z&]{1,10}){0,6}",
            any::<bool>(),
            prop::option::of(any::<prop::sample::Index>()),
            prop::option::of(any::<prop::sample::Index>()),
        );
        prop::collection::vec(plan, 1..120).prop_map(|plan| {
            let count = plan.len();
            let nodes = plan
                .iter()
                .enumerate()
                .map(|(i, (shape, pick, title, _, related, alternative))| {
                    let parent = match (i, shape) {
                        (0, _) | (_, 0) => None,
                        (_, 1 | 2) => Some(i - 1),
                        _ => Some(pick.index(i)),
                    };
                    let mut n = node(&format!("n{i}"), title, None);
                    n.parent = parent.map(|p| id(&format!("n{p}")));
                    n.related
                        .extend(related.map(|r| id(&format!("n{}", r.index(count)))));
                    n.alternatives
                        .extend(alternative.map(|r| id(&format!("n{}", r.index(count)))));
                    n
                })
                .collect();
            let expanded = plan
                .iter()
                .enumerate()
                .filter(|(_, p)| p.3)
                .map(|(i, _)| id(&format!("n{i}")))
                .collect();
            (roadmap(nodes), expanded)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn random_roadmaps_show_exactly_the_expanded_parts_without_overlap((map, expanded) in arb_roadmap(), strip in any::<bool>()) {
            let options = if strip { LayoutOptions::strip() } else { LayoutOptions::default() };
            let layout = layout_roadmap(&map, &expanded, &options);
            // Expected visibility: stages, and children of visible expanded nodes.
            let mut visible = vec![false; map.nodes.len()];
            for (i, n) in map.nodes.iter().enumerate() {
                visible[i] = match &n.parent {
                    None => true,
                    Some(p) => {
                        let p: usize = p.as_str()[1..].parse().unwrap();
                        visible[p] && expanded.contains(&map.nodes[p].id)
                    }
                };
            }
            let want: BTreeSet<&str> = map.nodes.iter().zip(&visible).filter(|(_, v)| **v).map(|(n, _)| n.id.as_str()).collect();
            let got: BTreeSet<&str> = ids(&layout).into_iter().collect();
            prop_assert_eq!(got.len(), layout.nodes.len());
            prop_assert_eq!(got, want);
            for (i, a) in layout.nodes.iter().enumerate() {
                for b in &layout.nodes[i + 1..] {
                    prop_assert!(!a.rect.intersects(&b.rect), "{} overlaps {}", a.id, b.id);
                }
            }
            let mut pairs = BTreeSet::new();
            for edge in &layout.edges {
                prop_assert!(layout.find(edge.from.as_str()).is_some());
                prop_assert!(layout.find(edge.to.as_str()).is_some());
                if matches!(edge.kind, EdgeKind::Related | EdgeKind::Alternative) {
                    let key = if edge.from < edge.to { (&edge.from, &edge.to) } else { (&edge.to, &edge.from) };
                    prop_assert!(pairs.insert(key), "pair drawn twice: {:?}", edge);
                }
            }
            assert_trail_invariants(&layout);
            let collapsed = layout_roadmap(&map, &BTreeSet::new(), &options);
            let columns = |l: &MapLayout| l.stages.iter().map(|a| a.column).collect::<Vec<_>>();
            prop_assert_eq!(columns(&collapsed), columns(&layout));
            prop_assert_eq!(layout_roadmap(&map, &expanded, &options), layout);
        }
    }
    #[test]
    fn status_paths_hold_each_topic_once_under_its_status_and_no_stage() {
        let roadmap = backend();
        let expanded = initially_expanded(&roadmap);
        let layout = layout_roadmap(&roadmap, &expanded, &LayoutOptions::default());
        let topics: Vec<&PlacedNode> = layout.nodes.iter().filter(|n| n.depth > 0).collect();
        assert!(topics.len() >= 4, "the sample needs topics");
        let status_of = |id: &NodeId| {
            let index = topics.iter().position(|n| &n.id == id).unwrap_or(0);
            STATUS_ORDER[index % 4]
        };

        let paths = status_paths(&layout, status_of);

        for (index, path) in paths.iter().enumerate() {
            let expected = (0..topics.len()).filter(|i| i % 4 == index).count();
            assert_eq!(
                path.matches('M').count(),
                expected,
                "{:?}",
                STATUS_ORDER[index]
            );
        }
        for stage in layout.nodes.iter().filter(|n| n.depth == 0) {
            let mut one = String::new();
            push_num(&mut one, stage.rect.x);
            one.push(' ');
            push_num(&mut one, stage.rect.y);
            assert!(
                !paths.iter().any(|p| p.contains(&format!("M{one}h"))),
                "{}",
                stage.id
            );
        }
    }
}

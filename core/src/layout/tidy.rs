//! The tidy-tree core: A. van der Ploeg, "Drawing non-layered tidy trees in linear time",
//! Software: Practice and Experience 44(12), 2014 — turned on its side and made iterative.
//!
//! The paper's trees grow downwards; ours grow to the right. In the code below the paper's
//! names are kept, read with the axes swapped:
//! - the paper's x (the sibling axis, "left"/"right") is our y ("left" = towards the first
//!   sibling, i.e. up); a node's extent along it, `breadth`, is its height plus `gap_y`, which is
//!   how siblings get their vertical gap (the paper leaves spacing to the node sizes);
//! - the paper's y (the depth axis, "bottom") is our x: a child starts at its parent's right edge
//!   plus `gap_x`, so depth columns are not fixed (non-layered).
//!
//! Both walks are loops over a breadth-first arena (each node's children are contiguous and come
//! after it), so the first walk is the arena in reverse and the second walk the arena in order:
//! no recursion, so 10,000-deep chains are fine. Each tree of the forest is laid out on its own;
//! the trees are then stacked top to bottom with `stage_gap` between their bounding boxes, their
//! roots centred on one vertical axis (the spine).

use super::{LayoutOptions, Size};

const NIL: usize = usize::MAX;

/// One node of the arena, with the paper's fields.
#[derive(Clone, Debug)]
struct Node {
    /// Index in the caller's arrays.
    source: usize,
    /// The card's height (sibling axis) and width (depth axis).
    height: f64,
    width: f64,
    /// The paper's `w`: extent along the sibling axis, including the gap below the card.
    breadth: f64,
    /// The paper's `y` and `y + h`: where the card starts and ends along the depth axis.
    depth_start: f64,
    depth_end: f64,
    /// Preliminary position along the sibling axis, relative to the parent's frame.
    prelim: f64,
    /// Modifier applied to the whole subtree (the paper's `mod`).
    modifier: f64,
    /// Spacing of intermediate siblings, applied lazily in the second walk.
    shift: f64,
    change: f64,
    /// Threads: the next node on the left/right contour when this node is a leaf.
    thread_l: usize,
    thread_r: usize,
    /// Extreme (deepest) nodes of the subtree on the left and right, with their modifier sums.
    extreme_l: usize,
    extreme_r: usize,
    modsum_el: f64,
    modsum_er: f64,
    first_child: usize,
    child_count: usize,
}

impl Node {
    fn new(source: usize, size: Size, gap_y: f64) -> Self {
        let width = non_negative(size.width);
        let height = non_negative(size.height);
        Self {
            source,
            height,
            width,
            breadth: height + gap_y,
            depth_start: 0.0,
            depth_end: width,
            prelim: 0.0,
            modifier: 0.0,
            shift: 0.0,
            change: 0.0,
            thread_l: NIL,
            thread_r: NIL,
            extreme_l: NIL,
            extreme_r: NIL,
            modsum_el: 0.0,
            modsum_er: 0.0,
            first_child: 0,
            child_count: 0,
        }
    }
}

/// Finite and not negative, else 0: sizes and gaps from anywhere cannot break the layout.
pub(super) fn non_negative(value: f64) -> f64 {
    if value.is_finite() && value > 0.0 {
        value
    } else {
        0.0
    }
}

/// Lays out a forest. `roots` in order form the spine (top to bottom); `children[i]` are node
/// `i`'s children in order (top to bottom); `sizes[i]` is node `i`'s card. Returns the top-left
/// corner of every node, indexed like `sizes`.
///
/// Never panics: indices out of range are ignored, a node reached twice (listed twice, under two
/// parents, or in a cycle) is laid out only where it is first reached (breadth-first, tree by
/// tree), and nodes not reachable from `roots` are left at (0, 0) — callers should not draw them.
/// Non-finite or negative sizes and gaps count as 0. O(n) time and memory.
pub fn tidy_forest(
    roots: &[usize],
    children: &[Vec<usize>],
    sizes: &[Size],
    options: &LayoutOptions,
) -> Vec<(f64, f64)> {
    let gap_x = non_negative(options.gap_x);
    let gap_y = non_negative(options.gap_y);
    let stage_gap = non_negative(options.stage_gap);
    let (mut arena, trees) = build_arena(roots, children, sizes, gap_y);

    // Depth positions: roots centred on the spine, children right of their parent.
    let spine = trees
        .iter()
        .map(|&(start, _)| arena[start].width)
        .fold(0.0, f64::max);
    for &(start, _) in &trees {
        let root = &mut arena[start];
        root.depth_start = (spine - root.width) / 2.0;
        root.depth_end = root.depth_start + root.width;
    }
    for parent in 0..arena.len() {
        let start = arena[parent].depth_end + gap_x;
        let (first, count) = (arena[parent].first_child, arena[parent].child_count);
        for child in &mut arena[first..first + count] {
            child.depth_start = start;
            child.depth_end = start + child.width;
        }
    }

    // First walk: children before parents, i.e. the arena backwards.
    let mut siblings = Vec::new();
    for t in (0..arena.len()).rev() {
        first_walk(&mut arena, t, &mut siblings);
    }

    // Second walk: parents before children, i.e. the arena forwards.
    let mut modsum = vec![0.0; arena.len()];
    let mut along = vec![0.0; arena.len()];
    for &(start, end) in &trees {
        modsum[start] = arena[start].modifier;
        for t in start..end {
            along[t] = arena[t].prelim + modsum[t];
            add_child_spacing(&mut arena, t);
            let (first, count) = (arena[t].first_child, arena[t].child_count);
            for c in first..first + count {
                modsum[c] = modsum[t] + arena[c].modifier;
            }
        }
    }

    // Stack the trees: each one's bounding box starts `stage_gap` below the previous one's.
    let mut positions = vec![(0.0, 0.0); sizes.len()];
    let mut cursor = 0.0;
    for &(start, end) in &trees {
        let top = (start..end).map(|t| along[t]).fold(f64::INFINITY, f64::min);
        let bottom = (start..end)
            .map(|t| along[t] + arena[t].height)
            .fold(f64::NEG_INFINITY, f64::max);
        let offset = cursor - top;
        for t in start..end {
            positions[arena[t].source] = (arena[t].depth_start, along[t] + offset);
        }
        cursor = bottom + offset + stage_gap;
    }
    positions
}

/// Breadth-first arena, tree by tree: returns the nodes and each tree's range in the arena.
fn build_arena(
    roots: &[usize],
    children: &[Vec<usize>],
    sizes: &[Size],
    gap_y: f64,
) -> (Vec<Node>, Vec<(usize, usize)>) {
    let n = sizes.len();
    let mut seen = vec![false; n];
    let mut arena: Vec<Node> = Vec::with_capacity(n);
    let mut trees = Vec::new();
    for &root in roots {
        if root >= n || seen[root] {
            continue;
        }
        seen[root] = true;
        let start = arena.len();
        arena.push(Node::new(root, sizes[root], gap_y));
        let mut head = start;
        while head < arena.len() {
            let first = arena.len();
            let listed = children
                .get(arena[head].source)
                .map_or(&[][..], Vec::as_slice);
            for &child in listed {
                if child < n && !seen[child] {
                    seen[child] = true;
                    arena.push(Node::new(child, sizes[child], gap_y));
                }
            }
            arena[head].first_child = first;
            arena[head].child_count = arena.len() - first;
            head += 1;
        }
        trees.push((start, arena.len()));
    }
    (arena, trees)
}

/// The paper's `firstWalk` for one node whose children are all done. `siblings` is the paper's
/// `IYL` list as a stack (top = head of the list): left siblings still visible on the right
/// contour, each with the depth where it ends.
fn first_walk(arena: &mut [Node], t: usize, siblings: &mut Vec<(f64, usize)>) {
    let (first, count) = (arena[t].first_child, arena[t].child_count);
    if count == 0 {
        set_extremes(arena, t);
        return;
    }
    siblings.clear();
    let low = arena[arena[first].extreme_l].depth_end;
    update_siblings(siblings, low, 0);
    for i in 1..count {
        // The lowest point of the new subtree, read while its extremes are still its own.
        let low = arena[arena[first + i].extreme_r].depth_end;
        separate(arena, t, i, siblings);
        update_siblings(siblings, low, i);
    }
    position_root(arena, t);
    set_extremes(arena, t);
}

fn set_extremes(arena: &mut [Node], t: usize) {
    let (first, count) = (arena[t].first_child, arena[t].child_count);
    if count == 0 {
        arena[t].extreme_l = t;
        arena[t].extreme_r = t;
        arena[t].modsum_el = 0.0;
        arena[t].modsum_er = 0.0;
    } else {
        let last = first + count - 1;
        arena[t].extreme_l = arena[first].extreme_l;
        arena[t].modsum_el = arena[first].modsum_el;
        arena[t].extreme_r = arena[last].extreme_r;
        arena[t].modsum_er = arena[last].modsum_er;
    }
}

/// Pushes child `i` (from the left siblings' right contour) until it no longer overlaps them,
/// following the right contour of children `0..i` and the left contour of child `i`.
///
/// One addition to the paper: a subtree starts at its own frame's origin and the paper only ever
/// pushes it away from its left siblings, so a subtree whose deep part reaches further left than
/// its root (next to shallow siblings) stays further away than its contour requires. A first,
/// read-only pass over the same contours finds the smallest shift that keeps it clear; if that
/// is negative the subtree is pulled in by it first, then the paper's pass runs as written (and
/// finds nothing left to push). Same traversal twice: still linear.
fn separate(arena: &mut [Node], t: usize, i: usize, siblings: &[(f64, usize)]) {
    let first = arena[t].first_child;
    let pull = required_shift(arena, first + i - 1, first + i);
    if pull < 0.0 {
        let c = first + i;
        arena[c].modifier += pull;
        arena[c].modsum_el += pull;
        arena[c].modsum_er += pull;
    }
    let mut sr = first + i - 1;
    let mut mssr = arena[sr].modifier;
    let mut cl = first + i;
    let mut mscl = arena[cl].modifier;
    let mut ih = siblings.len().saturating_sub(1);
    while sr != NIL && cl != NIL {
        // Which left sibling does `sr` belong to? (`while`, not the paper's `if`: a deep `sr` can
        // pass several siblings at once; this only affects how spacing is spread, never overlap.)
        while ih > 0 && arena[sr].depth_end > siblings[ih].0 {
            ih -= 1;
        }
        let dist = (mssr + arena[sr].prelim + arena[sr].breadth) - (mscl + arena[cl].prelim);
        if dist > 0.0 {
            mscl += dist;
            let si = siblings.get(ih).map_or(i - 1, |&(_, index)| index);
            move_subtree(arena, t, i, si, dist);
        }
        let sy = arena[sr].depth_end;
        let cy = arena[cl].depth_end;
        if sy <= cy {
            sr = next_right_contour(arena, sr);
            if sr != NIL {
                mssr += arena[sr].modifier;
            }
        }
        if sy >= cy {
            cl = next_left_contour(arena, cl);
            if cl != NIL {
                mscl += arena[cl].modifier;
            }
        }
    }
    if sr == NIL && cl != NIL {
        // The new subtree is deeper than its left siblings.
        set_left_thread(arena, t, i, cl, mscl);
    } else if sr != NIL && cl == NIL {
        // The left siblings are deeper than the new subtree.
        set_right_thread(arena, t, i, sr, mssr);
    }
}

/// How far subtree `cl` must move (negative: may move) along the sibling axis so that its left
/// contour clears the right contour that starts at its left sibling `sr`.
fn required_shift(arena: &[Node], mut sr: usize, mut cl: usize) -> f64 {
    let mut mssr = arena[sr].modifier;
    let mut mscl = arena[cl].modifier;
    let mut need = f64::NEG_INFINITY;
    while sr != NIL && cl != NIL {
        need = need.max((mssr + arena[sr].prelim + arena[sr].breadth) - (mscl + arena[cl].prelim));
        let sy = arena[sr].depth_end;
        let cy = arena[cl].depth_end;
        if sy <= cy {
            sr = next_right_contour(arena, sr);
            if sr != NIL {
                mssr += arena[sr].modifier;
            }
        }
        if sy >= cy {
            cl = next_left_contour(arena, cl);
            if cl != NIL {
                mscl += arena[cl].modifier;
            }
        }
    }
    need
}

fn move_subtree(arena: &mut [Node], t: usize, i: usize, si: usize, dist: f64) {
    let c = arena[t].first_child + i;
    arena[c].modifier += dist;
    arena[c].modsum_el += dist;
    arena[c].modsum_er += dist;
    distribute_extra(arena, t, i, si, dist);
}

/// Spreads a push over the siblings between `si` and `i` (applied in `add_child_spacing`).
fn distribute_extra(arena: &mut [Node], t: usize, i: usize, si: usize, dist: f64) {
    if si + 1 < i {
        let first = arena[t].first_child;
        let share = dist / (i - si) as f64;
        arena[first + si + 1].shift += share;
        arena[first + i].shift -= share;
        arena[first + i].change -= dist - share;
    }
}

fn next_left_contour(arena: &[Node], t: usize) -> usize {
    if arena[t].child_count == 0 {
        arena[t].thread_l
    } else {
        arena[t].first_child
    }
}

fn next_right_contour(arena: &[Node], t: usize) -> usize {
    if arena[t].child_count == 0 {
        arena[t].thread_r
    } else {
        arena[t].first_child + arena[t].child_count - 1
    }
}

fn set_left_thread(arena: &mut [Node], t: usize, i: usize, cl: usize, modsum_cl: f64) {
    let first = arena[t].first_child;
    let li = arena[first].extreme_l;
    arena[li].thread_l = cl;
    // Adjust the modifier so the modifier sum along the thread is right, and the preliminary
    // position so the node itself does not move.
    let diff = (modsum_cl - arena[cl].modifier) - arena[first].modsum_el;
    arena[li].modifier += diff;
    arena[li].prelim -= diff;
    arena[first].extreme_l = arena[first + i].extreme_l;
    arena[first].modsum_el = arena[first + i].modsum_el;
}

fn set_right_thread(arena: &mut [Node], t: usize, i: usize, sr: usize, modsum_sr: f64) {
    let first = arena[t].first_child;
    let ri = arena[first + i].extreme_r;
    arena[ri].thread_r = sr;
    let diff = (modsum_sr - arena[sr].modifier) - arena[first + i].modsum_er;
    arena[ri].modifier += diff;
    arena[ri].prelim -= diff;
    arena[first + i].extreme_r = arena[first + i - 1].extreme_r;
    arena[first + i].modsum_er = arena[first + i - 1].modsum_er;
}

/// Centres the parent on the span of its first and last child.
fn position_root(arena: &mut [Node], t: usize) {
    let first = arena[t].first_child;
    let last = first + arena[t].child_count - 1;
    let span_start = arena[first].prelim + arena[first].modifier;
    let span_end = arena[last].prelim + arena[last].modifier + arena[last].breadth;
    arena[t].prelim = (span_start + span_end) / 2.0 - arena[t].breadth / 2.0;
}

/// Turns the lazily stored `shift`/`change` of `t`'s children into modifiers.
fn add_child_spacing(arena: &mut [Node], t: usize) {
    let (first, count) = (arena[t].first_child, arena[t].child_count);
    let mut d = 0.0;
    let mut modsum_delta = 0.0;
    for child in &mut arena[first..first + count] {
        d += child.shift;
        modsum_delta += d + child.change;
        child.modifier += modsum_delta;
    }
}

/// The paper's `updateIYL`: drops the siblings the new subtree hides, then adds it.
fn update_siblings(siblings: &mut Vec<(f64, usize)>, low: f64, index: usize) {
    while siblings
        .last()
        .is_some_and(|&(sibling_low, _)| low >= sibling_low)
    {
        siblings.pop();
    }
    siblings.push((low, index));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Rect;
    use proptest::prelude::*;
    use std::collections::BTreeMap;
    use std::time::{Duration, Instant};

    const EPS: f64 = 1e-6;

    fn options() -> LayoutOptions {
        LayoutOptions {
            gap_x: 48.0,
            gap_y: 12.0,
            stage_gap: 40.0,
            ..LayoutOptions::default()
        }
    }

    fn size(width: f64, height: f64) -> Size {
        Size { width, height }
    }

    fn rects(positions: &[(f64, f64)], sizes: &[Size]) -> Vec<Rect> {
        positions
            .iter()
            .zip(sizes)
            .map(|(&(x, y), s)| Rect {
                x,
                y,
                width: s.width,
                height: s.height,
            })
            .collect()
    }

    /// Children lists from a parent per node (None: a root), roots in index order.
    fn forest(parents: &[Option<usize>]) -> (Vec<usize>, Vec<Vec<usize>>) {
        let mut roots = Vec::new();
        let mut children = vec![Vec::new(); parents.len()];
        for (i, parent) in parents.iter().enumerate() {
            match parent {
                Some(p) => children[*p].push(i),
                None => roots.push(i),
            }
        }
        (roots, children)
    }

    fn overlapping_pair_quadratic(rects: &[Rect]) -> Option<(usize, usize)> {
        for i in 0..rects.len() {
            for j in i + 1..rects.len() {
                if rects[i].intersects(&rects[j]) {
                    return Some((i, j));
                }
            }
        }
        None
    }

    /// O(n log n) overlap check: sweep along x keeping the rects the sweep line crosses, ordered
    /// by y. Those are pairwise disjoint in y as long as no overlap was found, so a new rect only
    /// needs checking against its neighbours in y. Rects must have positive sizes.
    fn overlapping_pair_sweep(rects: &[Rect]) -> Option<(usize, usize)> {
        // `f64::total_cmp`'s key: integers that sort like the floats.
        let ordered = |v: f64| {
            let bits = v.to_bits() as i64;
            bits ^ ((((bits >> 63) as u64) >> 1) as i64)
        };
        let mut order: Vec<usize> = (0..rects.len()).collect();
        order.sort_by(|&a, &b| rects[a].x.total_cmp(&rects[b].x).then(a.cmp(&b)));
        let mut active: BTreeMap<(i64, usize), usize> = BTreeMap::new();
        let mut ends: std::collections::BinaryHeap<std::cmp::Reverse<(i64, usize)>> =
            Default::default();
        for &i in &order {
            let r = rects[i];
            while let Some(std::cmp::Reverse((end, j))) = ends.peek().copied() {
                if end <= ordered(r.x) {
                    ends.pop();
                    active.remove(&(ordered(rects[j].y), j));
                } else {
                    break;
                }
            }
            let k = (ordered(r.y), i);
            if let Some((_, &j)) = active.range(..k).next_back() {
                if rects[j].intersects(&r) {
                    return Some((j, i));
                }
            }
            if let Some((_, &j)) = active.range(k..).next() {
                if rects[j].intersects(&r) {
                    return Some((j, i));
                }
            }
            active.insert(k, i);
            ends.push(std::cmp::Reverse((ordered(r.right()), i)));
        }
        None
    }

    #[test]
    fn three_node_tree_has_exact_positions() {
        let sizes = [size(100.0, 40.0), size(80.0, 20.0), size(80.0, 20.0)];
        let positions = tidy_forest(&[0], &[vec![1, 2], vec![], vec![]], &sizes, &options());
        // Children: one column at 100 + 48; 20 high with a 12 gap. Root centred on [0, 52].
        assert_eq!(positions, vec![(0.0, 6.0), (148.0, 0.0), (148.0, 32.0)]);
    }

    #[test]
    fn parent_is_centred_on_its_children_of_different_sizes() {
        let sizes = [
            size(120.0, 30.0),
            size(90.0, 60.0),
            size(200.0, 20.0),
            size(60.0, 44.0),
        ];
        let positions = tidy_forest(
            &[0],
            &[vec![1, 2, 3], vec![], vec![], vec![]],
            &sizes,
            &options(),
        );
        let r = rects(&positions, &sizes);
        let span = (r[1].y + r[3].bottom()) / 2.0;
        assert!((r[0].center().1 - span).abs() < EPS, "{r:?}");
        // Siblings stacked with exactly the gap between them, in order.
        assert!((r[2].y - (r[1].bottom() + 12.0)).abs() < EPS);
        assert!((r[3].y - (r[2].bottom() + 12.0)).abs() < EPS);
        // Children start right of the parent, in one column.
        for child in &r[1..] {
            assert_eq!(child.x, r[0].right() + 48.0);
        }
    }

    #[test]
    fn a_subtree_tucks_under_a_shallow_sibling_when_contours_allow() {
        // 0 has children 1 (a leaf) and 2; 2 has one tall child 3. 3 lies further right than 1,
        // so it may reach up beside 1: only 1 and 2 must keep apart.
        let sizes = [
            size(100.0, 20.0),
            size(100.0, 20.0),
            size(100.0, 20.0),
            size(100.0, 100.0),
        ];
        let positions = tidy_forest(
            &[0],
            &[vec![1, 2], vec![], vec![3], vec![]],
            &sizes,
            &options(),
        );
        let r = rects(&positions, &sizes);
        assert!((r[2].y - (r[1].bottom() + 12.0)).abs() < EPS, "{r:?}");
        assert!(r[3].y < r[1].bottom(), "not compact: {r:?}");
        assert!((r[2].center().1 - r[3].center().1).abs() < EPS);
        assert!(overlapping_pair_quadratic(&r).is_none());
    }

    #[test]
    fn deep_subtrees_are_separated_by_their_contours() {
        // Two chains side by side whose deep ends are tall: the deep ends decide the distance.
        let sizes = [
            size(50.0, 20.0),
            size(50.0, 20.0),
            size(50.0, 200.0),
            size(50.0, 20.0),
            size(50.0, 200.0),
        ];
        let children = [vec![1, 3], vec![2], vec![], vec![4], vec![]];
        let positions = tidy_forest(&[0], &children, &sizes, &options());
        let r = rects(&positions, &sizes);
        assert!((r[4].y - (r[2].bottom() + 12.0)).abs() < EPS, "{r:?}");
        assert!(overlapping_pair_quadratic(&r).is_none());
    }

    #[test]
    fn intermediate_siblings_are_spread_evenly() {
        // 0's children: a deep one, three small leaves, and a deep one pushed by the first.
        let mut sizes = vec![size(40.0, 20.0); 8];
        sizes[2] = size(40.0, 300.0);
        sizes[7] = size(40.0, 300.0);
        let children = vec![
            vec![1, 3, 4, 5, 6],
            vec![2],
            vec![],
            vec![],
            vec![],
            vec![],
            vec![7],
            vec![],
        ];
        let positions = tidy_forest(&[0], &children, &sizes, &options());
        let r = rects(&positions, &sizes);
        assert!(overlapping_pair_quadratic(&r).is_none(), "{r:?}");
        let gaps: Vec<f64> = [1, 3, 4, 5, 6]
            .windows(2)
            .map(|w| r[w[1]].y - r[w[0]].y)
            .collect();
        for gap in &gaps {
            assert!((gap - gaps[0]).abs() < EPS, "uneven: {gaps:?}");
        }
    }

    #[test]
    fn trees_of_a_forest_stack_below_each_other_on_a_centred_spine() {
        let sizes = [
            size(200.0, 40.0),
            size(80.0, 20.0),
            size(80.0, 200.0),
            size(100.0, 40.0),
        ];
        let children = [vec![1, 2], vec![], vec![], vec![]];
        let positions = tidy_forest(&[0, 3], &children, &sizes, &options());
        let r = rects(&positions, &sizes);
        assert_eq!(r[1].y, 0.0);
        assert_eq!(r[3].y, r[2].bottom() + 40.0);
        assert_eq!(r[0].center().0, r[3].center().0);
        assert_eq!(r[0].x, 0.0);
    }

    #[test]
    fn malformed_input_never_panics_and_lays_out_each_node_once() {
        let sizes = vec![
            size(10.0, 10.0),
            size(f64::NAN, -3.0),
            size(f64::INFINITY, 10.0),
            size(10.0, 10.0),
        ];
        // Out-of-range ids, cycles, a node under two parents, duplicate roots, missing lists.
        let children = vec![vec![1, 9, 1, 0], vec![2, 0], vec![1, 3]];
        let positions = tidy_forest(&[0, 0, 7, 2], &children, &sizes, &options());
        assert_eq!(positions.len(), 4);
        assert!(positions
            .iter()
            .all(|(x, y)| x.is_finite() && y.is_finite()));
        let weird = LayoutOptions {
            gap_x: f64::NAN,
            gap_y: -5.0,
            stage_gap: f64::INFINITY,
            ..LayoutOptions::default()
        };
        let positions = tidy_forest(&[3, 0], &children, &sizes, &weird);
        assert!(positions
            .iter()
            .all(|(x, y)| x.is_finite() && y.is_finite()));
        assert!(tidy_forest(&[], &[], &[], &options()).is_empty());
        assert_eq!(
            tidy_forest(&[0], &[], &sizes[..1], &options()),
            vec![(0.0, 0.0)]
        );
    }

    #[test]
    fn overlap_sweep_finds_what_the_quadratic_check_finds() {
        let r = |x, y, width, height| Rect {
            x,
            y,
            width,
            height,
        };
        let apart = vec![
            r(0.0, 0.0, 10.0, 10.0),
            r(10.0, 0.0, 10.0, 10.0),
            r(0.0, 10.0, 5.0, 5.0),
        ];
        assert!(overlapping_pair_sweep(&apart).is_none());
        let mut clash = apart.clone();
        clash.push(r(-5.0, -50.0, 8.0, 55.5));
        assert!(overlapping_pair_quadratic(&clash).is_some());
        assert!(overlapping_pair_sweep(&clash).is_some());
    }

    fn assert_fast(elapsed: Duration) {
        // Linear: a few ms even unoptimised. Quadratic would take tens of seconds here.
        assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
    }

    #[test]
    fn ten_thousand_deep_chain_terminates_fast_without_overlap() {
        let n: usize = 10_000;
        let parents: Vec<Option<usize>> = (0..n).map(|i| i.checked_sub(1)).collect();
        let (roots, children) = forest(&parents);
        let sizes: Vec<Size> = (0..n)
            .map(|i| size(40.0 + (i % 7) as f64, 20.0 + (i % 5) as f64))
            .collect();
        let start = Instant::now();
        let positions = tidy_forest(&roots, &children, &sizes, &options());
        assert_fast(start.elapsed());
        let r = rects(&positions, &sizes);
        for i in 1..n {
            assert_eq!(r[i].x, r[i - 1].right() + 48.0);
            assert!((r[i].center().1 - r[i - 1].center().1).abs() < EPS);
        }
        assert!(overlapping_pair_sweep(&r).is_none());
    }

    #[test]
    fn ten_thousand_wide_star_terminates_fast_without_overlap() {
        let n = 10_000;
        let parents: Vec<Option<usize>> = (0..n).map(|i| (i > 0).then_some(0)).collect();
        let (roots, children) = forest(&parents);
        let sizes: Vec<Size> = (0..n)
            .map(|i| size(40.0 + (i % 13) as f64, 20.0 + (i % 3) as f64 * 20.0))
            .collect();
        let start = Instant::now();
        let positions = tidy_forest(&roots, &children, &sizes, &options());
        assert_fast(start.elapsed());
        let r = rects(&positions, &sizes);
        for i in 2..n {
            assert!((r[i].y - (r[i - 1].bottom() + 12.0)).abs() < 1e-6 * r[i].y.abs().max(1.0));
        }
        let span = (r[1].y + r[n - 1].bottom()) / 2.0;
        assert!((r[0].center().1 - span).abs() < 1e-6 * span.abs().max(1.0));
        assert!(overlapping_pair_sweep(&r).is_none());
    }

    #[test]
    fn ten_thousand_node_mixed_forests_terminate_fast_without_overlap() {
        // Combs (a chain with a leaf on every link), and a pseudo-random bushy forest.
        let n = 10_000;
        let comb: Vec<Option<usize>> = (0..n)
            .map(|i| match i {
                0 => None,
                _ if i % 2 == 1 => Some(i - 1 - (i % 4 == 3) as usize),
                _ => Some(i - 2),
            })
            .collect();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let bushy: Vec<Option<usize>> = (0..n)
            .map(|i| (i >= 13).then(|| (next() as usize % i).max(i.saturating_sub(600))))
            .collect();
        for parents in [comb, bushy] {
            let (roots, children) = forest(&parents);
            let sizes: Vec<Size> = (0..n)
                .map(|i| {
                    size(
                        60.0 + (i * 37 % 160) as f64,
                        36.0 + (i * 11 % 3) as f64 * 20.0,
                    )
                })
                .collect();
            let start = Instant::now();
            let positions = tidy_forest(&roots, &children, &sizes, &options());
            assert_fast(start.elapsed());
            let r = rects(&positions, &sizes);
            assert!(overlapping_pair_sweep(&r).is_none());
            for (p, list) in children.iter().enumerate() {
                for &c in list {
                    assert_eq!(r[c].x, r[p].right() + 48.0);
                }
            }
        }
    }

    /// A random forest: per node a shape choice, a parent pick and a size.
    fn arb_forest() -> impl Strategy<Value = (Vec<Option<usize>>, Vec<Size>, LayoutOptions)> {
        let node = (
            0u8..10,
            any::<prop::sample::Index>(),
            1.0f64..300.0,
            1.0f64..120.0,
        );
        (
            prop::collection::vec(node, 1..300),
            1.0f64..80.0,
            1.0f64..40.0,
            1.0f64..100.0,
        )
            .prop_map(|(nodes, gap_x, gap_y, stage_gap)| {
                let parents = nodes
                    .iter()
                    .enumerate()
                    .map(|(i, (shape, pick, _, _))| match (i, shape) {
                        (0, _) | (_, 0) => None,
                        // Chains, stars around a few hubs, and anything earlier.
                        (_, 1..=3) => Some(i - 1),
                        (_, 4..=6) => Some(pick.index(i.min(4))),
                        _ => Some(pick.index(i)),
                    })
                    .collect();
                let sizes = nodes.iter().map(|&(_, _, w, h)| size(w, h)).collect();
                (
                    parents,
                    sizes,
                    LayoutOptions {
                        gap_x,
                        gap_y,
                        stage_gap,
                        ..LayoutOptions::default()
                    },
                )
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn random_forests_have_no_overlapping_cards((parents, sizes, options) in arb_forest()) {
            let (roots, children) = forest(&parents);
            let r = rects(&tidy_forest(&roots, &children, &sizes, &options), &sizes);
            prop_assert_eq!(overlapping_pair_quadratic(&r), None);
            prop_assert_eq!(overlapping_pair_sweep(&r), None);
        }

        #[test]
        fn random_forests_put_children_right_of_their_parent((parents, sizes, options) in arb_forest()) {
            let (roots, children) = forest(&parents);
            let r = rects(&tidy_forest(&roots, &children, &sizes, &options), &sizes);
            for (child, parent) in parents.iter().enumerate() {
                if let Some(parent) = *parent {
                    prop_assert!(r[child].x >= r[parent].right() + options.gap_x - EPS);
                }
            }
        }

        #[test]
        fn random_forests_lay_out_identically_twice((parents, sizes, options) in arb_forest()) {
            let (roots, children) = forest(&parents);
            let first = tidy_forest(&roots, &children, &sizes, &options);
            let second = tidy_forest(&roots, &children, &sizes, &options);
            prop_assert_eq!(first, second);
        }

        #[test]
        fn random_forests_stack_each_tree_below_the_previous((parents, sizes, options) in arb_forest()) {
            let (roots, children) = forest(&parents);
            let r = rects(&tidy_forest(&roots, &children, &sizes, &options), &sizes);
            // Tree of each node: its root's index (parents come before children).
            let mut tree = vec![0; parents.len()];
            for (i, parent) in parents.iter().enumerate() {
                tree[i] = parent.map_or(i, |p| tree[p]);
            }
            let mut boxes: BTreeMap<usize, Rect> = BTreeMap::new();
            for (i, rect) in r.iter().enumerate() {
                boxes.entry(tree[i]).and_modify(|b| *b = b.union(rect)).or_insert(*rect);
            }
            let boxes: Vec<Rect> = roots.iter().map(|root| boxes[root]).collect();
            for pair in boxes.windows(2) {
                prop_assert!(pair[1].y >= pair[0].bottom() + options.stage_gap - EPS, "{:?}", pair);
            }
        }

        #[test]
        fn random_parents_are_centred_on_their_children((parents, sizes, options) in arb_forest()) {
            let (roots, children) = forest(&parents);
            let r = rects(&tidy_forest(&roots, &children, &sizes, &options), &sizes);
            for (p, list) in children.iter().enumerate() {
                if let (Some(&first), Some(&last)) = (list.first(), list.last()) {
                    let span = (r[first].y + r[last].bottom()) / 2.0;
                    prop_assert!((r[p].center().1 - span).abs() < 1e-6 * span.abs().max(1.0));
                }
            }
        }
    }
}

//! The overview arrangement: the stages as a trail that winds through the plane, each stage's
//! topics branching on both sides of it.
//!
//! Why it is shaped so:
//! - A roadmap is read as a whole first. One long strip (a spine with every topic on one side)
//!   is thousands of pixels tall and never fits a screen, so the trail is folded into columns:
//!   down the first, up the second, down the third (a serpentine), the way a path winds across
//!   a trail map. Each stage is a *cluster*: the stage card on the column's axis, the first half
//!   of its children as a tidy tree growing to the left (mirrored), the second half to the
//!   right, so the axis itself stays free for the trail.
//! - The number of columns and which stages go in each are chosen from the roadmap's default
//!   view (stages and their children), never from what is expanded now: expanding a node
//!   pushes its neighbours aside but never reshuffles the columns under the reader.
//! - Every stage owns a *region*: its column's width by its cluster's height plus half the gap
//!   to the next cluster on each side. Regions never intersect, so a label drawn inside its
//!   region (the zoomed-out landmark labels) can never overlap another stage's label.
//! - Linear: one tidy-forest pass for every side of every cluster (each stage is laid out twice
//!   by giving its left side a stand-in root), then O(stages) to stack, plus a binary search
//!   per column count to balance the columns.

use super::{svg_path, tidy_forest, LayoutOptions, Rect, Size};

/// What the trail needs to know of a stage to plan columns: its default view's cluster
/// extents (px) left and right of its axis, and its height.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct ClusterEstimate {
    pub half_left: f64,
    pub half_right: f64,
    pub height: f64,
}

/// Where one stage ended up.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct StagePlace {
    /// Index of the column (0 = leftmost).
    pub column: usize,
    /// The stage's area: column width × cluster height plus half the gaps around it.
    pub region: Rect,
    /// Where a landmark label may go, inside the region: the largest rectangle centred on the
    /// stage card, or (`label_above`) the whole region widened by half the gap to each
    /// neighbouring column, the label at its top.
    pub label: Rect,
    /// The region keeps a band free above its cluster and the label goes there.
    pub label_above: bool,
}

/// The arranged forest.
pub(super) struct Arrangement {
    /// Top-left corner of every node, indexed like the sizes; unreachable nodes at (0, 0).
    pub positions: Vec<(f64, f64)>,
    /// Whether a node is on the left of its stage (its subtree grows leftwards).
    pub mirrored: Vec<bool>,
    /// One per root, in trail order.
    pub stages: Vec<StagePlace>,
    /// The trail from each root to the next (one fewer than the roots).
    pub trail: Vec<String>,
    /// Every region together; starts at (0, 0).
    pub bounds: Rect,
}

/// The children split of a cluster: the first half (rounded up) goes left, the rest right
/// (all right when `options.both_sides` is off).
pub(super) fn left_count(children: usize, options: &LayoutOptions) -> usize {
    if options.both_sides {
        children.div_ceil(2)
    } else {
        0
    }
}

/// Lays out `roots` (stages in trail order) with their visible subtrees. `estimates` (one per
/// root) only choose the columns.
pub(super) fn arrange(
    roots: &[usize],
    children: &[Vec<usize>],
    sizes: &[Size],
    estimates: &[ClusterEstimate],
    options: &LayoutOptions,
) -> Arrangement {
    let n = sizes.len();
    let gap_y = super::tidy::non_negative(options.stage_gap);
    let column_gap = super::tidy::non_negative(options.column_gap);
    let min_height = super::tidy::non_negative(options.min_cluster_height);

    // Each root twice: itself for its right side, a stand-in (index n + i) for its left side.
    let mut ext_children: Vec<Vec<usize>> = children.to_vec();
    ext_children.resize(n, Vec::new());
    let mut ext_sizes = sizes.to_vec();
    let mut ext_roots = Vec::with_capacity(2 * roots.len());
    let roots: Vec<usize> = {
        let mut seen = vec![false; n];
        roots
            .iter()
            .copied()
            .filter(|&r| r < n && !std::mem::replace(&mut seen[r], true))
            .collect()
    };
    for &root in &roots {
        let kids = std::mem::take(&mut ext_children[root]);
        let split = left_count(kids.len(), options);
        let stand_in = ext_sizes.len();
        ext_sizes.push(sizes[root]);
        ext_children.push(kids[..split].to_vec());
        ext_children[root] = kids[split..].to_vec();
        ext_roots.push(root);
        ext_roots.push(stand_in);
    }
    let tidy = tidy_forest(&ext_roots, &ext_children, &ext_sizes, options);

    // Positions relative to the own stage's top-left corner; left sides mirrored.
    let mut local = vec![(0.0, 0.0); n];
    let mut mirrored = vec![false; n];
    let mut owner = vec![usize::MAX; n];
    let mut queue = Vec::new();
    for (s, pair) in ext_roots.chunks(2).enumerate() {
        let (root, stand_in) = (pair[0], pair[1]);
        let width = sizes[root].width;
        owner[root] = s;
        for (tree_root, left) in [(root, false), (stand_in, true)] {
            let origin = tidy[tree_root];
            queue.clear();
            queue.extend(ext_children[tree_root].iter().copied());
            let mut head = 0;
            while head < queue.len() {
                let node = queue[head];
                head += 1;
                if node >= n || owner[node] != usize::MAX {
                    continue;
                }
                owner[node] = s;
                let (x, y) = (tidy[node].0 - origin.0, tidy[node].1 - origin.1);
                local[node] = if left {
                    mirrored[node] = true;
                    (width - x - sizes[node].width, y)
                } else {
                    (x, y)
                };
                queue.extend(ext_children[node].iter().copied());
            }
        }
    }

    // Each cluster's extent around its stage's axis (x) and top-left (y).
    #[derive(Clone, Copy)]
    struct Extent {
        half_left: f64,
        half_right: f64,
        top: f64,
        bottom: f64,
    }
    let mut extents: Vec<Extent> = roots
        .iter()
        .map(|&r| {
            let half = sizes[r].width / 2.0;
            Extent {
                half_left: half,
                half_right: half,
                top: 0.0,
                bottom: sizes[r].height,
            }
        })
        .collect();
    for node in 0..n {
        let s = owner[node];
        if s == usize::MAX {
            continue;
        }
        let axis = sizes[roots[s]].width / 2.0;
        let (x, y) = local[node];
        let e = &mut extents[s];
        e.half_left = e.half_left.max(axis - x);
        e.half_right = e.half_right.max(x + sizes[node].width - axis);
        e.top = e.top.min(y);
        e.bottom = e.bottom.max(y + sizes[node].height);
    }
    for (e, &r) in extents.iter_mut().zip(&roots) {
        let short = min_height - (e.bottom - e.top);
        if short > 0.0 {
            // Centre the extra room on the stage card.
            let centre = sizes[r].height / 2.0;
            let half = (e.bottom - e.top + short) / 2.0;
            e.top = e.top.min(centre - half);
            e.bottom = e.bottom.max(centre + half);
        }
    }

    let estimates = &estimates[..estimates.len().min(roots.len())];
    let columns = plan_columns(estimates, roots.len(), options);
    // Room left by a screen taller than the map: a band above each cluster, where its
    // landmark label goes in the overview instead of over the cluster's topics.
    let spare = spare_height(estimates, roots.len(), &columns, options);
    for (e, extra) in extents.iter_mut().zip(&spare) {
        e.top -= extra;
    }

    // Columns left to right; within a column, clusters stacked in visual order.
    let mut positions = vec![(0.0, 0.0); n];
    let mut stages = vec![
        StagePlace {
            column: 0,
            region: Rect::default(),
            label: Rect::default(),
            label_above: false,
        };
        roots.len()
    ];
    let mut axes = Vec::with_capacity(columns.len());
    let mut column_bottoms = Vec::with_capacity(columns.len());
    let mut x_cursor = 0.0;
    for (c, range) in columns.iter().enumerate() {
        let members = range.clone();
        let half_left = members
            .clone()
            .map(|s| extents[s].half_left)
            .fold(0.0, f64::max);
        let half_right = members
            .clone()
            .map(|s| extents[s].half_right)
            .fold(0.0, f64::max);
        let axis = x_cursor + half_left;
        x_cursor = axis + half_right + column_gap;
        axes.push(axis);
        let order: Vec<usize> = if c % 2 == 0 {
            members.collect()
        } else {
            members.rev().collect()
        };
        let mut y_cursor = 0.0;
        for s in order {
            let e = extents[s];
            let root = roots[s];
            let stage_x = axis - sizes[root].width / 2.0;
            let stage_y = y_cursor + gap_y / 2.0 - e.top;
            positions[root] = (stage_x, stage_y);
            let region = Rect {
                x: axis - half_left,
                y: y_cursor,
                width: half_left + half_right,
                height: e.bottom - e.top + gap_y,
            };
            let centre_y = stage_y + sizes[root].height / 2.0;
            let reach_x = half_left.min(half_right);
            let reach_y = (centre_y - region.y).min(region.bottom() - centre_y);
            let label_above = spare.get(s).is_some_and(|&extra| extra > 0.0);
            let label = if label_above {
                // The region and half the gap to each neighbouring column (whose labels take
                // the other half): a phone's narrow columns need every pixel for a title.
                Rect {
                    x: region.x - column_gap / 2.0,
                    width: region.width + column_gap,
                    ..region
                }
            } else {
                Rect {
                    x: axis - reach_x,
                    y: centre_y - reach_y,
                    width: 2.0 * reach_x,
                    height: 2.0 * reach_y,
                }
            };
            stages[s] = StagePlace {
                column: c,
                region,
                label,
                label_above,
            };
            y_cursor = region.bottom();
        }
        column_bottoms.push(y_cursor);
    }
    for node in 0..n {
        let s = owner[node];
        if s == usize::MAX || roots[s] == node {
            continue;
        }
        let stage = positions[roots[s]];
        positions[node] = (stage.0 + local[node].0, stage.1 + local[node].1);
    }

    // The trail: straight along a column, a U-turn between columns (at the bottom after a
    // column going down, at the top after one going up).
    let mut trail = Vec::with_capacity(roots.len().saturating_sub(1));
    for s in 1..roots.len() {
        let (a, b) = (&stages[s - 1], &stages[s]);
        let rect = |s: usize| Rect {
            x: positions[roots[s]].0,
            y: positions[roots[s]].1,
            width: sizes[roots[s]].width,
            height: sizes[roots[s]].height,
        };
        let (ra, rb) = (rect(s - 1), rect(s));
        let down = a.column % 2 == 0;
        let path = if a.column == b.column {
            if down {
                svg_path(&[
                    ('M', &[ra.center().0, ra.bottom()]),
                    ('L', &[rb.center().0, rb.y]),
                ])
            } else {
                svg_path(&[
                    ('M', &[ra.center().0, ra.y]),
                    ('L', &[rb.center().0, rb.bottom()]),
                ])
            }
        } else {
            let (ax, bx) = (axes[a.column], axes[b.column]);
            if down {
                let turn = column_bottoms[a.column].max(column_bottoms[b.column]);
                u_turn((ax, ra.bottom()), (bx, rb.bottom()), turn)
            } else {
                u_turn((ax, ra.y), (bx, rb.y), 0.0)
            }
        };
        trail.push(path);
    }

    let bounds = Rect {
        x: 0.0,
        y: 0.0,
        width: (x_cursor - column_gap).max(0.0),
        height: column_bottoms.iter().copied().fold(0.0, f64::max),
    };
    Arrangement {
        positions,
        mirrored,
        stages,
        trail,
        bounds,
    }
}

/// From `from` straight to the turning line `turn` (a y), along it, and back to `to`, with
/// rounded corners.
fn u_turn(from: (f64, f64), to: (f64, f64), turn: f64) -> String {
    let dir_a = (turn - from.1).signum();
    let dir_b = (to.1 - turn).signum();
    let across = (to.0 - from.0).signum();
    let radius = 24.0_f64
        .min((to.0 - from.0).abs() / 2.0)
        .min((turn - from.1).abs())
        .min((turn - to.1).abs());
    svg_path(&[
        ('M', &[from.0, from.1]),
        ('L', &[from.0, turn - dir_a * radius]),
        ('Q', &[from.0, turn, from.0 + across * radius, turn]),
        ('L', &[to.0 - across * radius, turn]),
        ('Q', &[to.0, turn, to.0, turn + dir_b * radius]),
        ('L', &[to.0, to.1]),
    ])
}

/// Splits `count` stages (in trail order) into contiguous columns. The estimates (one per
/// stage, missing ones count as empty) give each column count a width and a height; the
/// count whose whole map best fits a screen of `options.aspect` wins (ties: fewer columns),
/// and within it the stages are balanced so the tallest column is as short as it can be.
pub(super) fn plan_columns(
    estimates: &[ClusterEstimate],
    count: usize,
    options: &LayoutOptions,
) -> Vec<std::ops::Range<usize>> {
    if count == 0 {
        return Vec::new();
    }
    let aspect = screen_aspect(options);
    let heights = stacked_heights(estimates, count, options);
    let max_columns = count.min(options.max_columns.max(1));
    let mut best: Option<(f64, Vec<std::ops::Range<usize>>)> = None;
    for wanted in 1..=max_columns {
        let columns = balance(&heights, wanted);
        let (width, height) = planned_extent(estimates, &heights, &columns, options);
        let score = (aspect / width.max(1.0)).min(1.0 / height.max(1.0));
        if best
            .as_ref()
            .is_none_or(|(best_score, _)| score > *best_score * (1.0 + 1e-9))
        {
            best = Some((score, columns));
        }
    }
    best.map(|(_, columns)| columns).unwrap_or_default()
}

/// Extra height (px) each stage's region gets so that the default view fills a screen of
/// `options.aspect` that it would otherwise only fill across: when the planned map is wider
/// than the screen's shape (a phone held upright), Fit is limited by the width and leaves
/// empty bands above and below; that room is shared out evenly among the stages of each
/// column instead, so every stage (and its landmark label) gets more height on screen. Zero
/// for a map limited by its height (a laptop). Like the columns, planned on the default view
/// only, so expanding a node never changes it.
pub(super) fn spare_height(
    estimates: &[ClusterEstimate],
    count: usize,
    columns: &[std::ops::Range<usize>],
    options: &LayoutOptions,
) -> Vec<f64> {
    let mut extra = vec![0.0; count];
    if columns.is_empty() {
        return extra;
    }
    let heights = stacked_heights(estimates, count, options);
    let (width, height) = planned_extent(estimates, &heights, columns, options);
    let target = width / screen_aspect(options);
    if target.is_nan() || target <= height {
        return extra;
    }
    for range in columns {
        let column: f64 = heights[range.clone()].iter().sum();
        let share = (target - column) / range.len().max(1) as f64;
        for s in range.clone() {
            extra[s] = share;
        }
    }
    extra
}

fn screen_aspect(options: &LayoutOptions) -> f64 {
    if options.aspect.is_finite() && options.aspect > 0.0 {
        options.aspect
    } else {
        1.0
    }
}

/// Each stage's planned height in its column, the gap below it included.
fn stacked_heights(
    estimates: &[ClusterEstimate],
    count: usize,
    options: &LayoutOptions,
) -> Vec<f64> {
    let gap = super::tidy::non_negative(options.stage_gap);
    let min_height = super::tidy::non_negative(options.min_cluster_height);
    (0..count)
        .map(|s| {
            let estimate = estimates.get(s).copied().unwrap_or_default();
            super::tidy::non_negative(estimate.height).max(min_height) + gap
        })
        .collect()
}

/// The planned map's width and height (its tallest column) for a split into `columns`.
fn planned_extent(
    estimates: &[ClusterEstimate],
    heights: &[f64],
    columns: &[std::ops::Range<usize>],
    options: &LayoutOptions,
) -> (f64, f64) {
    let column_gap = super::tidy::non_negative(options.column_gap);
    let estimate = |s: usize| estimates.get(s).copied().unwrap_or_default();
    let reach = |range: &std::ops::Range<usize>, side: fn(&ClusterEstimate) -> f64| {
        range
            .clone()
            .map(|s| super::tidy::non_negative(side(&estimate(s))))
            .fold(0.0, f64::max)
    };
    let width = columns
        .iter()
        .map(|range| reach(range, |e| e.half_left) + reach(range, |e| e.half_right))
        .sum::<f64>()
        + column_gap * columns.len().saturating_sub(1) as f64;
    let height = columns
        .iter()
        .map(|range| heights[range.clone()].iter().sum::<f64>())
        .fold(0.0, f64::max);
    (width, height)
}

/// Contiguous ranges of `heights`, at most `wanted` of them, with the tallest as short as a
/// binary search on the limit finds (greedy fill for each limit). Deterministic: a fixed
/// number of halvings.
fn balance(heights: &[f64], wanted: usize) -> Vec<std::ops::Range<usize>> {
    let fill = |limit: f64| {
        let mut columns = Vec::new();
        let (mut start, mut sum) = (0, 0.0);
        for (i, &h) in heights.iter().enumerate() {
            if i > start && sum + h > limit {
                columns.push(start..i);
                start = i;
                sum = 0.0;
            }
            sum += h;
        }
        columns.push(start..heights.len());
        columns
    };
    let mut low = heights.iter().copied().fold(0.0, f64::max);
    let mut high = heights.iter().sum::<f64>();
    if fill(low).len() <= wanted {
        return fill(low);
    }
    for _ in 0..48 {
        let mid = (low + high) / 2.0;
        if fill(mid).len() <= wanted {
            high = mid;
        } else {
            low = mid;
        }
    }
    fill(high)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn estimate(height: f64) -> ClusterEstimate {
        ClusterEstimate {
            half_left: 300.0,
            half_right: 300.0,
            height,
        }
    }

    #[test]
    fn balance_keeps_order_and_covers_every_stage() {
        let heights = [100.0, 300.0, 200.0, 100.0, 400.0, 100.0];
        for wanted in 1..=6 {
            let columns = balance(&heights, wanted);
            assert!(columns.len() <= wanted);
            assert_eq!(columns.first().unwrap().start, 0);
            assert_eq!(columns.last().unwrap().end, heights.len());
            for pair in columns.windows(2) {
                assert_eq!(pair[0].end, pair[1].start);
                assert!(!pair[0].is_empty());
            }
        }
        // Two columns: the best split of 1,200 px is 600 / 600.
        let two = balance(&heights, 2);
        assert_eq!(two, vec![0..3, 3..6]);
    }

    #[test]
    fn a_wide_screen_gets_several_columns_and_a_narrow_one_fewer() {
        let estimates = vec![estimate(400.0); 12];
        let wide = LayoutOptions {
            aspect: 2.0,
            ..LayoutOptions::default()
        };
        let tall = LayoutOptions {
            aspect: 0.1,
            ..LayoutOptions::default()
        };
        let w = plan_columns(&estimates, 12, &wide);
        let t = plan_columns(&estimates, 12, &tall);
        assert!(w.len() > t.len(), "{w:?} vs {t:?}");
        assert!(w.len() >= 3);
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn spare_height_fills_an_upright_screen_and_leaves_a_wide_one_alone() {
        let estimates = vec![estimate(400.0); 6];
        let wide = LayoutOptions {
            aspect: 2.0,
            ..LayoutOptions::default()
        };
        // One column 600 px wide and 2,688 px high: limited by its height.
        assert!(spare_height(&estimates, 6, &[0..6], &wide)
            .iter()
            .all(|&e| e == 0.0));
        // Two columns of 3 x 448 px, 1,256 px wide, on a 0.5 screen: 2,512 px high, so each
        // column gets 1,168 px more, 389.3 per stage.
        let tall = LayoutOptions {
            aspect: 0.5,
            ..LayoutOptions::default()
        };
        let two = vec![0..3, 3..6];
        let extra = spare_height(&estimates, 6, &two, &tall);
        assert_eq!(extra.len(), 6);
        for e in extra {
            assert!((e - 1168.0 / 3.0).abs() < 1e-9, "{e}");
        }
        assert!(spare_height(&estimates, 0, &[], &tall).is_empty());
    }

    #[test]
    fn no_stages_no_columns_and_broken_options_do_not_panic() {
        assert!(plan_columns(&[], 0, &LayoutOptions::default()).is_empty());
        let broken = LayoutOptions {
            aspect: f64::NAN,
            stage_gap: f64::INFINITY,
            column_gap: -1.0,
            ..LayoutOptions::default()
        };
        let columns = plan_columns(&[estimate(f64::NAN)], 3, &broken);
        assert_eq!(columns.first().map(|c| c.start), Some(0));
        assert_eq!(columns.last().map(|c| c.end), Some(3));
    }

    #[test]
    fn max_columns_caps_the_fold() {
        let estimates = vec![estimate(400.0); 12];
        let strip = LayoutOptions::strip();
        assert_eq!(plan_columns(&estimates, 12, &strip), vec![0..12]);
        assert_eq!(left_count(7, &strip), 0);
        assert_eq!(left_count(7, &LayoutOptions::default()), 4);
    }

    #[test]
    fn u_turn_starts_and_ends_at_the_stages() {
        let path = u_turn((100.0, 500.0), (400.0, 300.0), 560.0);
        assert!(
            path.starts_with("M100 500L100 536Q100 560 124 560L376 560Q400 560 400 536L400 300"),
            "{path}"
        );
    }
}

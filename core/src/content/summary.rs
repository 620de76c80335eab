//! The figures `server check` prints for each roadmap: how many nodes and stages, how many
//! resources of each type, how many topics fall short of the resource minimum, and what the
//! stages' estimates add up to next to the roadmap's own figure. Computed from the model, so the
//! check, the tests and anything else report the same numbers.

use std::fmt;

use crate::roadmap::{Estimate, ResourceKind, Roadmap, StudyTime, TimeUnit};

/// Topics with fewer resources than this get a warning (not an error).
pub const MIN_RESOURCES: usize = 3;

/// The totals of one roadmap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoadmapSummary {
    pub slug: String,
    pub nodes: usize,
    pub stages: usize,
    /// Nodes marked `optional: yes`.
    pub optional: usize,
    /// Resources of each type, in `ResourceKind::ALL` order.
    pub resources: Vec<(ResourceKind, usize)>,
    /// Nodes with fewer than `MIN_RESOURCES` resources.
    pub under_min_resources: usize,
    /// The roadmap's own estimate.
    pub estimate: Estimate,
    /// The stages' estimates added up (low and high end); stages without one count as zero.
    pub stage_total: (StudyTime, StudyTime),
}

impl RoadmapSummary {
    pub fn resource_total(&self) -> usize {
        self.resources.iter().map(|(_, count)| count).sum()
    }
}

/// The totals of `roadmap`.
pub fn summarize(roadmap: &Roadmap) -> RoadmapSummary {
    let resources = ResourceKind::ALL
        .into_iter()
        .map(|kind| {
            let count = roadmap
                .nodes
                .iter()
                .flat_map(|node| &node.resources)
                .filter(|resource| resource.kind == kind)
                .count();
            (kind, count)
        })
        .collect();
    let stage_total = roadmap
        .nodes
        .iter()
        .filter(|node| node.is_stage())
        .filter_map(|node| node.estimate)
        .map(|estimate| estimate.study_time())
        .fold((StudyTime(0), StudyTime(0)), |sum, (low, high)| {
            (sum.0 + low, sum.1 + high)
        });
    RoadmapSummary {
        slug: roadmap.slug.clone(),
        nodes: roadmap.nodes.len(),
        stages: roadmap.stages.len(),
        optional: roadmap.nodes.iter().filter(|node| node.optional).count(),
        resources,
        under_min_resources: roadmap
            .nodes
            .iter()
            .filter(|node| node.resources.len() < MIN_RESOURCES)
            .count(),
        estimate: roadmap.estimate,
        stage_total,
    }
}

/// The report lines of `server check`, e.g.
/// `ok: backend: 13 stages, 251 nodes (5 optional)` and the lines under it.
impl fmt::Display for RoadmapSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "ok: {}: {} stages, {} nodes ({} optional)",
            self.slug, self.stages, self.nodes, self.optional
        )?;
        let unit = self.estimate.unit;
        let span = |time: (StudyTime, StudyTime), unit: TimeUnit| {
            if time.0 == time.1 {
                format!("{:.1}", time.0.in_unit(unit))
            } else {
                format!("{:.1} -> {:.1}", time.0.in_unit(unit), time.1.in_unit(unit))
            }
        };
        writeln!(
            f,
            "  estimate: {}; the stages add up to {} {}s ({} weeks)",
            self.estimate,
            span(self.stage_total, unit),
            unit.name(),
            span(self.stage_total, TimeUnit::Weeks),
        )?;
        let by_kind: Vec<String> = self
            .resources
            .iter()
            .map(|(kind, count)| format!("{} {count}", kind.as_str()))
            .collect();
        writeln!(
            f,
            "  resources: {} ({})",
            self.resource_total(),
            by_kind.join(", ")
        )?;
        write!(
            f,
            "  topics with fewer than {MIN_RESOURCES} resources: {}",
            self.under_min_resources
        )
    }
}

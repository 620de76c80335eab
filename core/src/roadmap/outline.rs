//! A roadmap split in two for the browser: the outline it needs to draw the map (ids, titles,
//! the tree and its order, levels, estimates, links between topics), sent inside the page, and
//! each topic's details (its text, resources, tips, links to other roadmaps), fetched when the
//! topic opens.
//!
//! Why: a map page used to carry every topic's Markdown and HTML in its hydration payload (over
//! half a megabyte for Backend) although the reader sees one topic's text at a time. The outline
//! is a few kilobytes compressed; the details are small, immutable per content version and
//! cached for good by the browser and the service worker.
//!
//! The outline's wire form is compact: a node's children are not sent (they are the nodes that
//! name it as parent, in authored order), nor the stages (the nodes without a parent), nor
//! empty lists. [`RoadmapOutline::into_roadmap`] rebuilds the tree the map and the layout work
//! on, with every topic's text left empty.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{Estimate, LevelRange, Node, NodeId, Resource, Roadmap, SeeAlso, Tip};

/// What the page carries to draw a roadmap: everything but the topics' details.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoadmapOutline {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub level: LevelRange,
    pub estimate: Estimate,
    /// The introduction rendered to HTML (may be empty).
    pub intro_html: String,
    /// A hash of the whole roadmap's content: topic details and the search index are fetched
    /// under it, so a browser may keep them as long as the content does not change.
    pub version: String,
    /// Every node in authored (depth-first file) order.
    pub nodes: Vec<OutlineNode>,
}

/// One node of the outline: a [`Node`] without its details and without derived fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutlineNode {
    pub id: NodeId,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<NodeId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<NodeId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<NodeId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<NodeId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<LevelRange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<Estimate>,
    /// Beyond the core path (its time is not in its stage's estimate).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
}

/// What a topic shows once opened, beyond its outline: `GET
/// /api/roadmaps/{slug}/topics/{id}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TopicDetails {
    pub id: NodeId,
    /// The text rendered to HTML, with any raw HTML escaped (safe to insert).
    pub html: String,
    pub resources: Vec<Resource>,
    pub tips: Vec<Tip>,
    /// Links to nodes of other roadmaps, with their titles.
    pub see: Vec<SeeAlso>,
}

/// Every topic's details of a roadmap at once, under its content version: what the service
/// worker stores so an opened roadmap opens any topic offline (`GET
/// /api/roadmaps/{slug}/topics`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoadmapTopics {
    /// The content version these details belong to (see [`content_version`]).
    pub version: String,
    /// In authored order.
    pub topics: Vec<TopicDetails>,
}

impl RoadmapOutline {
    /// The outline of `roadmap`; `version` names its content (see [`content_version`]).
    pub fn new(roadmap: &Roadmap, version: String) -> Self {
        Self {
            slug: roadmap.slug.clone(),
            title: roadmap.title.clone(),
            summary: roadmap.summary.clone(),
            level: roadmap.level,
            estimate: roadmap.estimate,
            intro_html: roadmap.intro_html.clone(),
            version,
            nodes: roadmap
                .nodes
                .iter()
                .map(|node| OutlineNode {
                    id: node.id.clone(),
                    title: node.title.clone(),
                    parent: node.parent.clone(),
                    aliases: node.aliases.clone(),
                    related: node.related.clone(),
                    alternatives: node.alternatives.clone(),
                    level: node.level,
                    estimate: node.estimate,
                    optional: node.optional,
                })
                .collect(),
        }
    }

    /// The roadmap the map draws: the tree rebuilt (children in authored order, the stages),
    /// every node's details empty until fetched as [`TopicDetails`].
    pub fn into_roadmap(self) -> Roadmap {
        let stages = self
            .nodes
            .iter()
            .filter(|node| node.parent.is_none())
            .map(|node| node.id.clone())
            .collect();
        let mut children: HashMap<NodeId, Vec<NodeId>> = HashMap::new();
        for node in &self.nodes {
            if let Some(parent) = &node.parent {
                children
                    .entry(parent.clone())
                    .or_default()
                    .push(node.id.clone());
            }
        }
        let nodes = self
            .nodes
            .into_iter()
            .map(|node| Node {
                children: children.remove(&node.id).unwrap_or_default(),
                id: node.id,
                title: node.title,
                parent: node.parent,
                aliases: node.aliases,
                related: node.related,
                alternatives: node.alternatives,
                level: node.level,
                estimate: node.estimate,
                optional: node.optional,
                resources: Vec::new(),
                tips: Vec::new(),
                see: Vec::new(),
                markdown: String::new(),
                html: String::new(),
            })
            .collect();
        Roadmap {
            slug: self.slug,
            title: self.title,
            summary: self.summary,
            level: self.level,
            estimate: self.estimate,
            intro_html: self.intro_html,
            stages,
            nodes,
        }
    }
}

impl Roadmap {
    /// The details of node `id` (not an alias: details are fetched by the resolved id).
    pub fn topic_details(&self, id: &str) -> Option<TopicDetails> {
        self.node(id).map(|node| TopicDetails {
            id: node.id.clone(),
            html: node.html.clone(),
            resources: node.resources.clone(),
            tips: node.tips.clone(),
            see: node.see.clone(),
        })
    }

    /// This roadmap without its details, as the browser's map holds it.
    pub fn without_details(&self) -> Roadmap {
        RoadmapOutline::new(self, String::new()).into_roadmap()
    }
}

/// A stable hash of a roadmap's whole content (16 hex digits): equal content, equal version,
/// in every build and on every platform.
pub fn content_version(roadmap: &Roadmap) -> String {
    // Serialising a value of plain data types to a Vec cannot fail.
    let bytes = serde_json::to_vec(roadmap).unwrap_or_default();
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::content::load_catalog;

    fn bundled() -> Vec<Roadmap> {
        load_catalog(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../roadmaps"))
            .expect("the bundled roadmaps load")
    }

    #[test]
    fn the_outline_rebuilds_the_tree_without_the_details() {
        for roadmap in bundled() {
            let rebuilt = RoadmapOutline::new(&roadmap, content_version(&roadmap)).into_roadmap();
            assert_eq!(rebuilt.stages, roadmap.stages, "{}", roadmap.slug);
            assert_eq!(rebuilt.nodes.len(), roadmap.nodes.len());
            for (got, want) in rebuilt.nodes.iter().zip(&roadmap.nodes) {
                let details_cleared = Node {
                    resources: Vec::new(),
                    tips: Vec::new(),
                    see: Vec::new(),
                    markdown: String::new(),
                    html: String::new(),
                    ..want.clone()
                };
                assert_eq!(got, &details_cleared);
            }
            assert_eq!(rebuilt.intro_html, roadmap.intro_html);
            assert_eq!(roadmap.without_details(), rebuilt);
        }
    }

    #[test]
    fn the_outline_and_the_details_together_hold_the_whole_roadmap() {
        for roadmap in bundled() {
            for node in &roadmap.nodes {
                let details = roadmap.topic_details(node.id.as_str()).unwrap();
                assert_eq!(details.id, node.id);
                assert_eq!(details.html, node.html);
                assert_eq!(details.resources, node.resources);
                assert_eq!(details.tips, node.tips);
                assert_eq!(details.see, node.see);
            }
            assert!(roadmap.topic_details("no-such-topic").is_none());
        }
    }

    #[test]
    fn the_outline_is_a_small_part_of_the_roadmap_and_round_trips_through_json() {
        for roadmap in bundled() {
            let outline = RoadmapOutline::new(&roadmap, content_version(&roadmap));
            let json = serde_json::to_string(&outline).unwrap();
            let full = serde_json::to_string(&roadmap).unwrap();
            assert!(
                json.len() * 5 < full.len(),
                "{}: outline {} B, roadmap {} B",
                roadmap.slug,
                json.len(),
                full.len()
            );
            assert!(!json.contains("\"children\"") && !json.contains("\"markdown\""));
            let back: RoadmapOutline = serde_json::from_str(&json).unwrap();
            assert_eq!(back, outline);
        }
    }

    #[test]
    fn the_version_follows_the_content() {
        let roadmaps = bundled();
        let roadmap = &roadmaps[0];
        assert_eq!(content_version(roadmap), content_version(&roadmap.clone()));
        assert_eq!(content_version(roadmap).len(), 16);
        let mut edited = roadmap.clone();
        edited.nodes[1].html.push_str("<p>more</p>");
        assert_ne!(content_version(roadmap), content_version(&edited));
    }
}

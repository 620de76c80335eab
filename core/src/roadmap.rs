//! The roadmap model: what a roadmap is, independent of how it is stored or drawn.
//!
//! Pure data with serde, shared by the content parser (which builds it), the server (which
//! serves it) and the components (which draw it). No web imports, so it builds and tests
//! natively.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A stable, human-readable node id: lowercase ASCII letters and digits in groups joined by
/// single hyphens, at most 64 characters (`http-methods`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NodeId(String);

impl NodeId {
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let valid_chars = raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if raw.is_empty() {
            Err("an id cannot be empty".into())
        } else if raw.len() > Self::MAX_LEN {
            Err(format!(
                "id `{raw}` is longer than {} characters",
                Self::MAX_LEN
            ))
        } else if !valid_chars || raw.starts_with('-') || raw.ends_with('-') || raw.contains("--") {
            Err(format!(
                "id `{raw}` is not a slug: use lowercase letters, digits and single hyphens"
            ))
        } else {
            Ok(Self(raw.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for NodeId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<NodeId> for String {
    fn from(id: NodeId) -> Self {
        id.0
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Level {
    Beginner,
    Intermediate,
    Advanced,
}

impl Level {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim() {
            "beginner" => Ok(Self::Beginner),
            "intermediate" => Ok(Self::Intermediate),
            "advanced" => Ok(Self::Advanced),
            other => Err(format!(
                "unknown level `{other}`: use beginner, intermediate or advanced"
            )),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Beginner => "Beginner",
            Self::Intermediate => "Intermediate",
            Self::Advanced => "Advanced",
        }
    }
}

/// A level or a span of levels (`beginner -> advanced`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LevelRange {
    pub from: Level,
    pub to: Level,
}

impl LevelRange {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.split_once("->") {
            None => {
                let level = Level::parse(raw)?;
                Ok(Self {
                    from: level,
                    to: level,
                })
            }
            Some((from, to)) => {
                let (from, to) = (Level::parse(from)?, Level::parse(to)?);
                if from > to {
                    Err(format!("level range `{}` goes backwards", raw.trim()))
                } else {
                    Ok(Self { from, to })
                }
            }
        }
    }
}

impl fmt::Display for LevelRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.from == self.to {
            f.write_str(self.from.label())
        } else {
            write!(f, "{} → {}", self.from.label(), self.to.label())
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TimeUnit {
    Hours,
    Days,
    Weeks,
    Months,
}

/// A time estimate: a whole number of hours, days, weeks or months.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Estimate {
    pub amount: u32,
    pub unit: TimeUnit,
}

impl Estimate {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "estimate `{}` is not a number and a unit such as `2 weeks` (units: hours, days, weeks, months)",
                raw.trim()
            )
        };
        let mut words = raw.split_whitespace();
        let (Some(amount), Some(unit), None) = (words.next(), words.next(), words.next()) else {
            return Err(bad());
        };
        let amount: u32 = amount.parse().map_err(|_| bad())?;
        if amount == 0 {
            return Err(format!("estimate `{}` must be more than zero", raw.trim()));
        }
        let unit = match unit {
            "hour" | "hours" => TimeUnit::Hours,
            "day" | "days" => TimeUnit::Days,
            "week" | "weeks" => TimeUnit::Weeks,
            "month" | "months" => TimeUnit::Months,
            _ => return Err(bad()),
        };
        Ok(Self { amount, unit })
    }
}

impl fmt::Display for Estimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            TimeUnit::Hours => "hour",
            TimeUnit::Days => "day",
            TimeUnit::Weeks => "week",
            TimeUnit::Months => "month",
        };
        let plural = if self.amount == 1 { "" } else { "s" };
        write!(f, "{} {unit}{plural}", self.amount)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ResourceKind {
    Official,
    Article,
    Video,
    Course,
    Book,
    Opensource,
}

impl ResourceKind {
    pub const ALL: [Self; 6] = [
        Self::Official,
        Self::Article,
        Self::Video,
        Self::Course,
        Self::Book,
        Self::Opensource,
    ];

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == raw.trim())
            .ok_or_else(|| {
                format!(
                    "unknown resource type `{}`: use official, article, video, course, book or opensource",
                    raw.trim()
                )
            })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Official => "official",
            Self::Article => "article",
            Self::Video => "video",
            Self::Course => "course",
            Self::Book => "book",
            Self::Opensource => "opensource",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Official => "Official",
            Self::Article => "Article",
            Self::Video => "Video",
            Self::Course => "Course",
            Self::Book => "Book",
            Self::Opensource => "Open source",
        }
    }
}

/// A typed link to learn more about a node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Resource {
    pub kind: ResourceKind,
    pub title: String,
    pub url: String,
}

/// A short labelled hint ("Pro insight", "Boss fight").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tip {
    pub label: String,
    pub text: String,
}

/// A link to a node of another roadmap (`see: <roadmap-slug>/<node-id>`). The titles are filled
/// in when the whole catalog is loaded and the target is known to exist (empty before that).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeeAlso {
    pub roadmap: String,
    pub node: NodeId,
    /// The target node's title.
    pub title: String,
    /// The target roadmap's title.
    pub roadmap_title: String,
}

/// One stage or topic. Stages are the nodes without a parent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Node {
    pub id: NodeId,
    pub title: String,
    // The `Option`s are always sent (`null` when absent): required, nullable in OpenAPI.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub parent: Option<NodeId>,
    /// Children in authored order (derived from the other nodes' `parent`).
    pub children: Vec<NodeId>,
    pub aliases: Vec<NodeId>,
    pub related: Vec<NodeId>,
    pub alternatives: Vec<NodeId>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub level: Option<LevelRange>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub estimate: Option<Estimate>,
    pub resources: Vec<Resource>,
    pub tips: Vec<Tip>,
    /// Links to nodes of other roadmaps.
    #[serde(default)]
    pub see: Vec<SeeAlso>,
    /// The text as authored (Markdown).
    pub markdown: String,
    /// The text rendered to HTML, with any raw HTML escaped (safe to insert).
    pub html: String,
}

impl Node {
    pub fn is_stage(&self) -> bool {
        self.parent.is_none()
    }
}

/// A whole roadmap: metadata plus every node in authored (depth-first file) order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Roadmap {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub level: LevelRange,
    pub estimate: Estimate,
    /// The introduction rendered to HTML (may be empty).
    pub intro_html: String,
    /// Stage ids in order: the roadmap's spine.
    pub stages: Vec<NodeId>,
    pub nodes: Vec<Node>,
}

impl Roadmap {
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|node| node.id.as_str() == id)
    }

    /// The node with this id, or the node that lists it as an alias.
    pub fn resolve(&self, id: &str) -> Option<&Node> {
        self.node(id).or_else(|| {
            self.nodes
                .iter()
                .find(|node| node.aliases.iter().any(|alias| alias.as_str() == id))
        })
    }

    pub fn stages(&self) -> impl Iterator<Item = &Node> {
        self.stages.iter().filter_map(|id| self.node(id.as_str()))
    }

    pub fn children<'a>(&'a self, node: &'a Node) -> impl Iterator<Item = &'a Node> {
        node.children.iter().filter_map(|id| self.node(id.as_str()))
    }

    /// Number of topics (every node that is not a stage).
    pub fn topic_count(&self) -> usize {
        self.nodes.iter().filter(|node| !node.is_stage()).count()
    }

    /// A short listing for the catalog, without the nodes.
    pub fn summary(&self) -> RoadmapSummary {
        RoadmapSummary {
            slug: self.slug.clone(),
            title: self.title.clone(),
            summary: self.summary.clone(),
            level: self.level,
            estimate: self.estimate,
            stage_count: self.stages.len(),
            topic_count: self.topic_count(),
        }
    }
}

/// What the catalog shows of a roadmap.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoadmapSummary {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub level: LevelRange,
    pub estimate: Estimate,
    pub stage_count: usize,
    pub topic_count: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_id_accepts_slugs_and_rejects_the_rest() {
        assert!(NodeId::parse("http-methods").is_ok());
        assert!(NodeId::parse("web2").is_ok());
        for bad in ["", "Http", "a--b", "-a", "a-", "a b", "é", &"a".repeat(65)] {
            assert!(NodeId::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn level_range_parses_single_levels_and_spans() {
        let single = LevelRange::parse("beginner").unwrap();
        assert_eq!(single.from, Level::Beginner);
        assert_eq!(single.to, Level::Beginner);
        let span = LevelRange::parse("beginner -> advanced").unwrap();
        assert_eq!(span.to_string(), "Beginner → Advanced");
        assert!(LevelRange::parse("advanced -> beginner").is_err());
        assert!(LevelRange::parse("expert").is_err());
    }

    #[test]
    fn estimate_parses_amount_and_unit() {
        assert_eq!(Estimate::parse("6 months").unwrap().to_string(), "6 months");
        assert_eq!(Estimate::parse("1 week").unwrap().to_string(), "1 week");
        for bad in [
            "",
            "six months",
            "0 days",
            "3 fortnights",
            "3",
            "3 days extra",
        ] {
            assert!(Estimate::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}

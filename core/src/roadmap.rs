//! The roadmap model: what a roadmap is, independent of how it is stored or drawn.
//!
//! Pure data with serde, shared by the content parser (which builds it), the server (which
//! serves it) and the components (which draw it). No web imports, so it builds and tests
//! natively.

mod outline;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use outline::{content_version, OutlineNode, RoadmapOutline, RoadmapTopics, TopicDetails};

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

impl TimeUnit {
    /// The unit's name, singular.
    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Hours => "hour",
            TimeUnit::Days => "day",
            TimeUnit::Weeks => "week",
            TimeUnit::Months => "month",
        }
    }

    /// One unit as study time at the pace estimates assume (about ten focused hours a week):
    /// a week is 10 hours, a day a seventh of a week, a month 52/12 weeks.
    pub fn study_time(self) -> StudyTime {
        StudyTime(match self {
            TimeUnit::Hours => StudyTime::PER_HOUR,
            TimeUnit::Days => 30,
            TimeUnit::Weeks => 210,
            TimeUnit::Months => 910,
        })
    }
}

/// An amount of study at the pace estimates assume, in 1/21 hours, so that hours, days
/// (10/7 hours), weeks (10 hours) and months (130/3 hours) are all whole numbers and sums are
/// exact. Only for comparing and adding estimates written in different units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StudyTime(pub u64);

impl StudyTime {
    const PER_HOUR: u64 = 21;

    /// This time expressed in `unit` (e.g. 39 weeks in months is 9.0).
    pub fn in_unit(self, unit: TimeUnit) -> f64 {
        self.0 as f64 / unit.study_time().0 as f64
    }
}

impl std::ops::Add for StudyTime {
    type Output = StudyTime;
    fn add(self, other: StudyTime) -> StudyTime {
        StudyTime(self.0.saturating_add(other.0))
    }
}

/// A time estimate: a whole number of hours, days, weeks or months (`6 months`), or a range of
/// them (`6 -> 9 months`, shown as "6–9 months").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Estimate {
    /// The amount, or the low end of a range.
    pub amount: u32,
    /// The high end of a range; absent for a single amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up_to: Option<u32>,
    pub unit: TimeUnit,
}

impl Estimate {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let bad = || {
            format!(
                "estimate `{raw}` is not a number and a unit such as `2 weeks`, or a range such as `6 -> 9 months` (units: hours, days, weeks, months)"
            )
        };
        let (low, rest) = match raw.split_once("->") {
            Some((low, rest)) => (low.trim(), rest),
            None => ("", raw),
        };
        let mut words = rest.split_whitespace();
        let (Some(amount), Some(unit), None) = (words.next(), words.next(), words.next()) else {
            return Err(bad());
        };
        let number = |text: &str| -> Result<u32, String> {
            let value: u32 = text.parse().map_err(|_| bad())?;
            if value == 0 {
                return Err(format!("estimate `{raw}` must be more than zero"));
            }
            Ok(value)
        };
        let high = number(amount)?;
        let (amount, up_to) = if low.is_empty() {
            if raw.contains("->") {
                return Err(bad());
            }
            (high, None)
        } else {
            let low = number(low)?;
            if low >= high {
                return Err(format!(
                    "estimate `{raw}`: a range goes from the smaller to the larger amount (`{} -> {} {unit}`); for one amount write `{low} {unit}`",
                    low.min(high),
                    low.max(high)
                ));
            }
            (low, Some(high))
        };
        let unit = match unit {
            "hour" | "hours" => TimeUnit::Hours,
            "day" | "days" => TimeUnit::Days,
            "week" | "weeks" => TimeUnit::Weeks,
            "month" | "months" => TimeUnit::Months,
            _ => return Err(bad()),
        };
        Ok(Self {
            amount,
            up_to,
            unit,
        })
    }

    /// The low and high end as study time (equal for a single amount).
    pub fn study_time(&self) -> (StudyTime, StudyTime) {
        let per_unit = self.unit.study_time().0;
        let at = |amount: u32| StudyTime(u64::from(amount) * per_unit);
        (at(self.amount), at(self.up_to.unwrap_or(self.amount)))
    }

    /// The high end (the amount itself for a single amount).
    pub fn high(&self) -> u32 {
        self.up_to.unwrap_or(self.amount)
    }
}

impl fmt::Display for Estimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = self.unit.name();
        let plural = if self.high() == 1 { "" } else { "s" };
        match self.up_to {
            Some(high) => write!(f, "{}–{high} {unit}{plural}", self.amount),
            None => write!(f, "{} {unit}{plural}", self.amount),
        }
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
    /// Beyond the core path: not counted in the estimate of the stage it belongs to.
    #[serde(default)]
    pub optional: bool,
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

    /// How deep the node sits in the tree: 0 for a stage (and for an unknown id), 1 for its
    /// topics, and so on. A parent chain that loops stops after every node was visited once.
    pub fn depth(&self, id: &str) -> usize {
        let mut depth = 0;
        let mut node = self.node(id);
        while let Some(parent) = node.and_then(|n| n.parent.as_ref()) {
            if depth >= self.nodes.len() {
                break;
            }
            depth += 1;
            node = self.node(parent.as_str());
        }
        depth
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
            "-> 9 months",
            "6 -> months",
            "6 -> 9",
            "6 -> 0 months",
            "0 -> 2 weeks",
            "6 -> 9 -> 12 months",
        ] {
            assert!(Estimate::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn estimate_ranges_parse_and_show_with_a_dash() {
        let range = Estimate::parse("6 -> 9 months").unwrap();
        assert_eq!((range.amount, range.up_to), (6, Some(9)));
        assert_eq!(range.to_string(), "6–9 months");
        assert_eq!(
            Estimate::parse("1->2 weeks").unwrap().to_string(),
            "1–2 weeks"
        );
        let backwards = Estimate::parse("9 -> 6 months").unwrap_err();
        assert!(backwards.contains("`6 -> 9 months`"), "{backwards}");
        assert!(Estimate::parse("3 -> 3 days")
            .unwrap_err()
            .contains("`3 days`"));
    }

    #[test]
    fn study_time_makes_units_comparable() {
        let of = |raw: &str| Estimate::parse(raw).unwrap().study_time();
        assert_eq!(of("7 days").0, of("1 week").0);
        assert_eq!(of("10 hours").0, of("1 week").0);
        assert_eq!(of("12 months").0, of("52 weeks").0);
        assert_eq!(of("6 -> 9 months"), (of("26 weeks").0, of("39 weeks").0));
        assert!(
            of("3 hours").0 > of("2 days").0,
            "a day is an evening at the pace, under 1.5 hours"
        );
        assert!((of("39 weeks").0.in_unit(TimeUnit::Months) - 9.0).abs() < 1e-9);
    }

    #[test]
    fn a_single_estimate_serializes_as_before_and_a_range_adds_up_to() {
        let single = serde_json::to_value(Estimate::parse("2 weeks").unwrap()).unwrap();
        assert_eq!(single, serde_json::json!({"amount": 2, "unit": "weeks"}));
        let range = serde_json::to_value(Estimate::parse("2 -> 3 weeks").unwrap()).unwrap();
        assert_eq!(
            range,
            serde_json::json!({"amount": 2, "up_to": 3, "unit": "weeks"})
        );
    }
}

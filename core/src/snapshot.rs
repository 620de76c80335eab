//! A roadmap as one standalone SVG picture (`/roadmaps/{slug}.svg`): for READMEs, slides and
//! link previews, where an iframe cannot go. The same drawing, with one learner's statuses and
//! optionally only the part of the map on screen, is the browser's *Download image* (SVG, and
//! PNG rasterised from it), so the learner's data never leaves the browser. Pure logic, no web
//! imports.
//!
//! It draws the very layout the interactive map starts with (`layout::layout_roadmap` on the
//! same card-size estimates), so a snapshot and the map agree card for card. Colours are the
//! stylesheet's (`style/main.css`), written as presentation attributes rather than CSS: the
//! picture looks the same in an `<img>`, opened directly, or under a CSP that forbids styles.
//! Titles are XML-escaped, and characters XML 1.0 cannot carry are dropped, so any content
//! gives a well-formed document; nothing here can inject markup or script.

use std::fmt::Write as _;

use crate::{
    layout::{self, card_style, wrap_title, EdgeKind, Expand, LayoutOptions, MapLayout, Rect},
    progress::Status,
    roadmap::Roadmap,
};

/// Space around the cards, px (the map's home view has the same margin).
pub const MARGIN: f64 = 24.0;

/// The font stack of `style/main.css`.
const FONT_FAMILY: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

/// Light or dark, as `?theme=` says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SnapshotTheme {
    #[default]
    Light,
    Dark,
}

impl SnapshotTheme {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim() {
            "light" => Ok(Self::Light),
            "dark" => Ok(Self::Dark),
            other => Err(format!("theme must be `light` or `dark`, not `{other}`")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }

    fn palette(self) -> Palette {
        match self {
            Self::Light => LIGHT,
            Self::Dark => DARK,
        }
    }
}

/// The stylesheet's custom properties for one theme.
#[derive(Clone, Copy, Debug)]
struct Palette {
    bg: &'static str,
    surface: &'static str,
    text: &'static str,
    muted: &'static str,
    line: &'static str,
    accent: &'static str,
    accent_soft: &'static str,
    /// A done card: 12 % of the done green over `surface` (the stylesheet's `color-mix`).
    done_fill: &'static str,
}

/// `:root` in `style/main.css`.
const LIGHT: Palette = Palette {
    bg: "#f7f8fa",
    surface: "#ffffff",
    text: "#1c2430",
    muted: "#5b6675",
    line: "#d9dee5",
    accent: "#137a7f",
    accent_soft: "#e3f3f3",
    done_fill: "#e6f0e8",
};

/// `:root[data-theme="dark"]` in `style/main.css`.
const DARK: Palette = Palette {
    bg: "#12161c",
    surface: "#1b2129",
    text: "#e6eaf0",
    muted: "#9aa6b5",
    line: "#2e3743",
    accent: "#4cc2c7",
    accent_soft: "#1d3336",
    done_fill: "#1d2d2c",
};

/// What to draw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SnapshotOptions {
    pub expand: Expand,
    pub theme: SnapshotTheme,
}

/// The roadmap as a standalone SVG document (UTF-8, no XML declaration needed).
pub fn render_svg(roadmap: &Roadmap, options: &SnapshotOptions) -> String {
    let expanded = options.expand.expanded(roadmap);
    let map = layout::layout_roadmap(roadmap, &expanded, &LayoutOptions::default());
    render_picture(
        roadmap,
        &map,
        &Picture {
            theme: options.theme,
            status: &|_| Status::Pending,
            area: None,
        },
    )
}

/// A learner's picture of a laid-out map: what the browser's *Download image* draws.
pub struct Picture<'a> {
    pub theme: SnapshotTheme,
    /// Each topic's status, by node id (pending draws as the plain snapshot does).
    pub status: &'a dyn Fn(&str) -> Status,
    /// The part of the map to draw, in map coordinates (the current view); `None` for every
    /// card of the layout with a margin around them.
    pub area: Option<Rect>,
}

/// Status colours of `style/main.css` (`.node-card.status-*`); the same in both themes.
const DONE: &str = "#2e8540";
const IN_PROGRESS: &str = "#b7791f";
const SKIPPED: &str = "#6b7280";

/// `map` as a standalone SVG document with `picture`'s statuses, of the whole layout or of the
/// area on screen (cards outside it are left out).
pub fn render_picture(roadmap: &Roadmap, map: &MapLayout, picture: &Picture) -> String {
    let colours = picture.theme.palette();
    let (left, top, width, height) = match picture.area {
        Some(area) => (area.x, area.y, area.width.max(1.0), area.height.max(1.0)),
        None => {
            let bounds = map.bounds;
            (
                bounds.x - MARGIN,
                bounds.y - MARGIN,
                (bounds.width + 2.0 * MARGIN).ceil(),
                (bounds.height + 2.0 * MARGIN).ceil(),
            )
        }
    };

    let mut svg = String::with_capacity(256 + map.nodes.len() * 320);
    svg.push_str(r#"<svg xmlns="http://www.w3.org/2000/svg" width=""#);
    num(&mut svg, width);
    svg.push_str(r#"" height=""#);
    num(&mut svg, height);
    svg.push_str(r#"" viewBox=""#);
    for (i, value) in [left, top, width, height].into_iter().enumerate() {
        if i > 0 {
            svg.push(' ');
        }
        num(&mut svg, value);
    }
    svg.push_str(r#"" role="img" aria-labelledby="title">"#);
    let _ = write!(
        svg,
        r#"<title id="title">{} roadmap — Trailmap</title>"#,
        escape_xml(&roadmap.title)
    );

    // Background, like the map's viewport.
    svg.push_str(r#"<rect x=""#);
    num(&mut svg, left);
    svg.push_str(r#"" y=""#);
    num(&mut svg, top);
    let _ = write!(
        svg,
        r#"" width="100%" height="100%" fill="{}"/>"#,
        colours.bg
    );

    // Edges under the cards. Cross-links are only drawn for a selected topic on the map, and
    // a snapshot selects none.
    let _ = write!(
        svg,
        r#"<g fill="none" stroke-width="2" stroke="{}">"#,
        colours.line
    );
    for edge in &map.edges {
        let (stroke, width) = match edge.kind {
            EdgeKind::Spine => (colours.accent, "4"),
            EdgeKind::Tree => (colours.line, "2"),
            EdgeKind::Related | EdgeKind::Alternative => continue,
        };
        let _ = write!(
            svg,
            r#"<path d="{}" stroke="{stroke}" stroke-width="{width}"/>"#,
            escape_xml(&edge.path)
        );
    }
    svg.push_str("</g>");

    let _ = write!(
        svg,
        r#"<g font-family="{}" fill="{}">"#,
        escape_xml(FONT_FAMILY),
        colours.text
    );
    for placed in &map.nodes {
        let Some(node) = roadmap.node(placed.id.as_str()) else {
            continue;
        };
        if picture
            .area
            .is_some_and(|area| !area.intersects(&placed.rect))
        {
            continue;
        }
        let style = card_style(placed.depth);
        let stage = placed.depth == 0;
        let rect = placed.rect;
        let status = if stage {
            Status::Pending
        } else {
            (picture.status)(placed.id.as_str())
        };
        let (fill, stroke) = match status {
            _ if stage => (colours.accent_soft, colours.accent),
            Status::Done => (colours.done_fill, DONE),
            Status::InProgress => (colours.surface, IN_PROGRESS),
            Status::Pending | Status::Skipped => (colours.surface, colours.line),
        };
        match status {
            Status::Pending => svg.push_str("<g>"),
            // The map's skipped cards are faded and struck through.
            Status::Skipped => {
                let _ = write!(
                    svg,
                    r#"<g data-status="{}" opacity="0.7">"#,
                    status.as_str()
                );
            }
            _ => {
                let _ = write!(svg, r#"<g data-status="{}">"#, status.as_str());
            }
        }
        svg.push_str(r#"<rect x=""#);
        num(&mut svg, rect.x);
        svg.push_str(r#"" y=""#);
        num(&mut svg, rect.y);
        svg.push_str(r#"" width=""#);
        num(&mut svg, rect.width);
        svg.push_str(r#"" height=""#);
        num(&mut svg, rect.height);
        let dashes = if status == Status::InProgress {
            r#" stroke-dasharray="5 3""#
        } else {
            ""
        };
        let _ = write!(
            svg,
            r#"" rx="8" fill="{fill}" stroke="{stroke}" stroke-width="1.5"{dashes}/>"#
        );
        let strike = if status == Status::Skipped {
            r#" text-decoration="line-through""#
        } else {
            ""
        };
        let _ = write!(
            svg,
            r#"<text font-size="{}" font-weight="{}"{strike}>"#,
            style.font_size, style.font_weight
        );
        for (i, line) in wrap_title(&node.title, placed.depth).iter().enumerate() {
            // Baseline of each line box: centred like the card's CSS line height.
            let baseline = rect.y
                + style.padding_y
                + i as f64 * style.line_height
                + (style.line_height + style.font_size * 0.7) / 2.0;
            svg.push_str(r#"<tspan x=""#);
            num(&mut svg, rect.x + style.padding_left);
            svg.push_str(r#"" y=""#);
            num(&mut svg, baseline);
            let _ = write!(svg, r#"">{}</tspan>"#, escape_xml(line));
        }
        svg.push_str("</text>");
        if placed.has_children && !placed.expanded {
            collapsed_badge(&mut svg, placed.rect, node.children.len(), &colours);
        }
        status_badge(&mut svg, placed.rect, status);
        svg.push_str("</g>");
    }
    svg.push_str("</g></svg>");
    svg
}

/// The map's status icon on a card's top edge (the colour is never the only sign).
fn status_badge(svg: &mut String, rect: Rect, status: Status) {
    let (colour, glyph) = match status {
        Status::Pending => return,
        Status::InProgress => (IN_PROGRESS, "◐"),
        Status::Done => (DONE, "✓"),
        Status::Skipped => (SKIPPED, "⤼"),
    };
    let (cx, cy) = (rect.right() - 13.0, rect.y);
    svg.push_str(r#"<circle cx=""#);
    num(svg, cx);
    svg.push_str(r#"" cy=""#);
    num(svg, cy);
    let _ = write!(svg, r#"" r="9" fill="{colour}"/><text x=""#);
    num(svg, cx);
    svg.push_str(r#"" y=""#);
    num(svg, cy + 4.0);
    let _ = write!(
        svg,
        r##"" font-size="11" text-anchor="middle" fill="#ffffff"><title>{}</title>{glyph}</text>"##,
        status.label()
    );
}

/// The map's `+ n` badge on the right edge of a collapsed card.
fn collapsed_badge(svg: &mut String, rect: layout::Rect, children: usize, colours: &Palette) {
    let (cx, cy) = (rect.right(), rect.center().1);
    svg.push_str(r#"<rect x=""#);
    num(svg, cx - 14.0);
    svg.push_str(r#"" y=""#);
    num(svg, cy - 10.0);
    let _ = write!(
        svg,
        r#"" width="28" height="20" rx="10" fill="{}" stroke="{}" stroke-width="1.5"/>"#,
        colours.surface, colours.accent
    );
    svg.push_str(r#"<text x=""#);
    num(svg, cx);
    svg.push_str(r#"" y=""#);
    num(svg, cy + 4.0);
    let _ = write!(
        svg,
        r#"" font-size="11" text-anchor="middle" fill="{}">+{children}</text>"#,
        colours.muted
    );
}

fn num(out: &mut String, value: f64) {
    layout::push_num(out, value);
}

/// Text made safe for XML content and attribute values: `& < > " '` become entities and the
/// control characters XML 1.0 forbids are dropped.
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roadmap::{Estimate, LevelRange, Node, NodeId, TimeUnit};
    use std::path::Path;

    fn backend() -> Roadmap {
        let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../roadmaps/backend"));
        crate::content::load_roadmap_dir(dir).expect("the backend roadmap loads")
    }

    fn node(id: &str, title: &str, parent: Option<&str>, children: &[&str]) -> Node {
        Node {
            id: NodeId::parse(id).unwrap(),
            title: title.into(),
            parent: parent.map(|p| NodeId::parse(p).unwrap()),
            children: children.iter().map(|c| NodeId::parse(c).unwrap()).collect(),
            aliases: vec![],
            related: vec![],
            alternatives: vec![],
            see: Vec::new(),
            optional: false,
            level: None,
            estimate: None,
            resources: vec![],
            tips: vec![],
            markdown: String::new(),
            html: String::new(),
        }
    }

    fn tiny(stage_title: &str, topic_title: &str) -> Roadmap {
        Roadmap {
            slug: "tiny".into(),
            title: "Tiny <roadmap>".into(),
            summary: String::new(),
            level: LevelRange::parse("beginner").unwrap(),
            estimate: Estimate {
                amount: 1,
                up_to: None,
                unit: TimeUnit::Weeks,
            },
            intro_html: String::new(),
            stages: vec![NodeId::parse("stage").unwrap()],
            nodes: vec![
                node("stage", stage_title, None, &["topic"]),
                node("topic", topic_title, Some("stage"), &[]),
            ],
        }
    }

    /// Each card's title as the picture shows it: its lines joined with spaces.
    fn titles(svg: &str) -> Vec<String> {
        let document = roxmltree::Document::parse(svg).expect("well-formed XML");
        document
            .descendants()
            .filter(|n| n.has_tag_name("text") && n.children().any(|c| c.has_tag_name("tspan")))
            .map(|text| {
                text.children()
                    .filter(|c| c.has_tag_name("tspan"))
                    .filter_map(|c| c.text())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn snapshot_is_well_formed_svg_with_size_viewbox_and_title() {
        let roadmap = backend();

        let svg = render_svg(&roadmap, &SnapshotOptions::default());

        let document = roxmltree::Document::parse(&svg).expect("well-formed XML");
        let root = document.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://www.w3.org/2000/svg")
        );
        let width: f64 = root.attribute("width").unwrap().parse().unwrap();
        let height: f64 = root.attribute("height").unwrap().parse().unwrap();
        assert!(width > 200.0 && height > 200.0);
        let view_box: Vec<f64> = root
            .attribute("viewBox")
            .unwrap()
            .split(' ')
            .map(|v| v.parse().unwrap())
            .collect();
        assert_eq!(view_box[2..], [width, height]);
        let title = root
            .children()
            .find(|n| n.has_tag_name("title"))
            .and_then(|n| n.text());
        assert_eq!(title, Some("Backend Developer roadmap — Trailmap"));
    }

    #[test]
    fn snapshot_shows_every_visible_title_and_no_hidden_one() {
        let roadmap = backend();
        let expanded = Expand::Level(1).expanded(&roadmap);
        let map = layout::layout_roadmap(&roadmap, &expanded, &LayoutOptions::default());

        let shown = titles(&render_svg(&roadmap, &SnapshotOptions::default()));

        let visible: Vec<String> = map
            .nodes
            .iter()
            .map(|placed| roadmap.node(placed.id.as_str()).unwrap().title.clone())
            .collect();
        assert_eq!(shown, visible);
        assert!(shown.iter().any(|t| t == "Web fundamentals & HTTP"));
        assert!(
            !shown.iter().any(|t| t == "PostgreSQL"),
            "level 2 is hidden"
        );
    }

    /// `(title, data-status)` of each card that has a status.
    fn marked(svg: &str) -> Vec<(String, String)> {
        let document = roxmltree::Document::parse(svg).expect("well-formed XML");
        document
            .descendants()
            .filter_map(|group| {
                let status = group.attribute("data-status")?;
                let title = titles(&roxmltree_subtree(svg, group.range()));
                Some((title.join(" "), status.to_owned()))
            })
            .collect()
    }

    fn roxmltree_subtree(svg: &str, range: std::ops::Range<usize>) -> String {
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg">{}</svg>"#,
            &svg[range]
        )
    }

    fn picture_of(roadmap: &Roadmap, map: &MapLayout, area: Option<Rect>) -> String {
        let status = |id: &str| match id {
            "dns" => Status::Done,
            "http" => Status::InProgress,
            "hosting" => Status::Skipped,
            _ => Status::Pending,
        };
        render_picture(
            roadmap,
            map,
            &Picture {
                theme: SnapshotTheme::Dark,
                status: &status,
                area,
            },
        )
    }

    #[test]
    fn a_picture_shows_the_learners_statuses_with_an_icon_each() {
        let roadmap = backend();
        let expanded = Expand::Level(1).expanded(&roadmap);
        let map = layout::layout_roadmap(&roadmap, &expanded, &LayoutOptions::default());

        let svg = picture_of(&roadmap, &map, None);

        assert_eq!(
            marked(&svg),
            vec![
                ("DNS".to_owned(), "done".to_owned()),
                ("Domains & hosting".to_owned(), "skipped".to_owned()),
                ("HTTP".to_owned(), "in_progress".to_owned()),
            ]
        );
        assert_eq!(
            svg.matches("<circle ").count(),
            3,
            "one status icon per marked card"
        );
        assert!(svg.contains(&format!(r#"stroke="{DONE}""#)));
        assert!(svg.contains(r#"stroke-dasharray="5 3""#));
        assert!(svg.contains(r#"text-decoration="line-through""#));
        // Every visible title is there, marked or not, as in the plain snapshot.
        let plain = render_svg(
            &roadmap,
            &SnapshotOptions {
                expand: Expand::Level(1),
                theme: SnapshotTheme::Dark,
            },
        );
        assert_eq!(titles(&svg), titles(&plain));
    }

    #[test]
    fn with_no_marks_a_picture_is_the_snapshot() {
        let roadmap = backend();
        let expanded = Expand::Level(1).expanded(&roadmap);
        let map = layout::layout_roadmap(&roadmap, &expanded, &LayoutOptions::default());
        let picture = render_picture(
            &roadmap,
            &map,
            &Picture {
                theme: SnapshotTheme::Light,
                status: &|_| Status::Pending,
                area: None,
            },
        );
        assert_eq!(picture, render_svg(&roadmap, &SnapshotOptions::default()));
    }

    #[test]
    fn a_picture_of_the_view_draws_only_the_cards_in_it() {
        let roadmap = backend();
        let expanded = Expand::Level(1).expanded(&roadmap);
        let map = layout::layout_roadmap(&roadmap, &expanded, &LayoutOptions::default());
        let dns = map.find("dns").unwrap().rect;
        let area = Rect {
            x: dns.x - 10.0,
            y: dns.y - 10.0,
            width: 400.0,
            height: 300.0,
        };

        let svg = picture_of(&roadmap, &map, Some(area));

        let document = roxmltree::Document::parse(&svg).unwrap();
        let root = document.root_element();
        assert_eq!(
            root.attribute("viewBox"),
            Some(&*format!("{} {} 400 300", area.x, area.y))
        );
        assert_eq!(root.attribute("width"), Some("400"));
        let inside: Vec<String> = map
            .nodes
            .iter()
            .filter(|placed| placed.rect.intersects(&area))
            .map(|placed| roadmap.node(placed.id.as_str()).unwrap().title.clone())
            .collect();
        assert!(inside.len() >= 3 && inside.len() < map.nodes.len());
        assert_eq!(titles(&svg), inside);
    }

    #[test]
    fn expand_all_shows_every_node() {
        let roadmap = backend();

        let shown = titles(&render_svg(
            &roadmap,
            &SnapshotOptions {
                expand: Expand::All,
                theme: SnapshotTheme::Dark,
            },
        ));

        assert_eq!(shown.len(), roadmap.nodes.len());
        assert!(shown.iter().any(|t| t == "PostgreSQL"));
    }

    #[test]
    fn expand_zero_shows_stages_only() {
        let roadmap = backend();

        let shown = titles(&render_svg(
            &roadmap,
            &SnapshotOptions {
                expand: Expand::Level(0),
                ..Default::default()
            },
        ));

        assert_eq!(shown.len(), roadmap.stages.len());
    }

    #[test]
    fn cards_are_where_the_map_puts_them() {
        let roadmap = backend();
        let expanded = Expand::Level(2).expanded(&roadmap);
        let map = layout::layout_roadmap(&roadmap, &expanded, &LayoutOptions::default());
        let svg = render_svg(
            &roadmap,
            &SnapshotOptions {
                expand: Expand::Level(2),
                ..Default::default()
            },
        );
        let document = roxmltree::Document::parse(&svg).unwrap();

        let cards: Vec<(f64, f64, f64, f64)> = document
            .descendants()
            .filter(|n| n.has_tag_name("rect") && n.attribute("rx") == Some("8"))
            .map(|n| {
                let get = |name| n.attribute(name).unwrap().parse::<f64>().unwrap();
                (get("x"), get("y"), get("width"), get("height"))
            })
            .collect();

        assert_eq!(cards.len(), map.nodes.len());
        for (card, placed) in cards.iter().zip(&map.nodes) {
            let r = placed.rect;
            assert!((card.0 - r.x).abs() < 0.06 && (card.1 - r.y).abs() < 0.06);
            assert_eq!((card.2, card.3), (r.width, r.height));
        }
    }

    #[test]
    fn hostile_titles_are_escaped() {
        let roadmap = tiny(
            r#"Stage <script>alert("x")</script> & 'co'"#,
            "a<b>&\"c'\u{1}",
        );

        let svg = render_svg(&roadmap, &SnapshotOptions::default());

        assert!(!svg.contains("<script"));
        for entity in ["&lt;script&gt;", "&quot;", "&amp;", "&apos;co&apos;"] {
            assert!(svg.contains(entity), "{entity}");
        }
        assert!(svg.contains("Tiny &lt;roadmap&gt; roadmap"));
        // The long "word" may be broken across two lines (joined with a space by `titles`):
        // compare the characters, which must come back exactly.
        let squeeze = |t: &str| t.replace(' ', "");
        let shown: Vec<String> = titles(&svg).iter().map(|t| squeeze(t)).collect();
        assert_eq!(
            shown,
            [
                squeeze(r#"Stage <script>alert("x")</script> & 'co'"#),
                squeeze("a<b>&\"c'")
            ]
        );
    }

    #[test]
    fn snapshot_is_deterministic_and_themes_differ() {
        let roadmap = backend();
        let dark = SnapshotOptions {
            theme: SnapshotTheme::Dark,
            ..Default::default()
        };

        let first = render_svg(&roadmap, &dark);
        let second = render_svg(&roadmap, &dark);
        let light = render_svg(&roadmap, &SnapshotOptions::default());

        assert_eq!(first, second);
        assert_ne!(first, light);
        assert!(first.contains(DARK.bg) && light.contains(LIGHT.bg));
    }

    #[test]
    fn options_parse_strictly() {
        assert_eq!(Expand::parse("all"), Ok(Expand::All));
        assert_eq!(Expand::parse("0"), Ok(Expand::Level(0)));
        assert_eq!(Expand::parse("16"), Ok(Expand::Level(16)));
        for bad in ["17", "-1", "+1", "two", "", "1.5"] {
            assert!(Expand::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(SnapshotTheme::parse("dark"), Ok(SnapshotTheme::Dark));
        assert!(SnapshotTheme::parse("blue").is_err());
        assert!(SnapshotTheme::parse("auto").is_err());
    }
}

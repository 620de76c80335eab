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

/// Every themed part of a picture, by the class it carries: its fill and stroke in `palette`.
/// The drawing writes these as presentation attributes (so a picture looks right anywhere,
/// even where styles are forbidden) and tags the element with the class, so that a page
/// showing a light picture inline can repaint it for a dark scheme ([`dark_scheme_css`]).
const PAINTED: [&str; 10] = [
    "bg",
    "edges",
    "spine",
    "ink",
    "card-stage",
    "card-done",
    "card-in_progress",
    "card-pending",
    "badge",
    "badge-count",
];

fn paint(class: &str, colours: &Palette) -> (Option<&'static str>, Option<&'static str>) {
    match class {
        "bg" => (Some(colours.bg), None),
        "edges" => (None, Some(colours.line)),
        "spine" => (None, Some(colours.accent)),
        "ink" => (Some(colours.text), None),
        "card-stage" => (Some(colours.accent_soft), Some(colours.accent)),
        "card-done" => (Some(colours.done_fill), Some(DONE)),
        "card-in_progress" => (Some(colours.surface), Some(IN_PROGRESS)),
        "card-pending" => (Some(colours.surface), Some(colours.line)),
        "badge" => (Some(colours.surface), Some(colours.accent)),
        "badge-count" => (Some(colours.muted), None),
        _ => (None, None),
    }
}

/// ` class="…" fill="…" stroke="…"` for a painted part.
fn paint_attributes(svg: &mut String, class: &str, colours: &Palette) {
    let (fill, stroke) = paint(class, colours);
    let _ = write!(svg, r#" class="{class}""#);
    if let Some(fill) = fill {
        let _ = write!(svg, r#" fill="{fill}""#);
    }
    if let Some(stroke) = stroke {
        let _ = write!(svg, r#" stroke="{stroke}""#);
    }
}

/// CSS that repaints a light picture shown inline under `scope` (a selector) in the dark
/// theme's colours when the reader's system prefers a dark scheme: the server-made shared
/// progress page shows one picture that follows the reader's scheme.
pub fn dark_scheme_css(scope: &str) -> String {
    let mut css = String::from("@media (prefers-color-scheme:dark){");
    for class in PAINTED {
        let (fill, stroke) = paint(class, &DARK);
        let _ = write!(css, "{scope} .{class}{{");
        if let Some(fill) = fill {
            let _ = write!(css, "fill:{fill};");
        }
        if let Some(stroke) = stroke {
            let _ = write!(css, "stroke:{stroke};");
        }
        css.push('}');
    }
    css.push('}');
    css
}

/// Space between a card's border and what is drawn inside it, px.
const INSET: f64 = 12.0;
/// The badges' column at a card's right edge (status icon over the `+ n` badge), px wide, and
/// its distance from the border.
const SLOT_WIDTH: f64 = 28.0;
const SLOT_INSET: f64 = 6.0;

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
    svg.push_str(r#"" width="100%" height="100%""#);
    paint_attributes(&mut svg, "bg", &colours);
    svg.push_str("/>");

    // Edges under the cards. Cross-links are only drawn for a selected topic on the map, and
    // a snapshot selects none.
    svg.push_str(r#"<g fill="none" stroke-width="2""#);
    paint_attributes(&mut svg, "edges", &colours);
    svg.push('>');
    for edge in &map.edges {
        match edge.kind {
            EdgeKind::Spine => {
                let _ = write!(svg, r#"<path d="{}""#, escape_xml(&edge.path));
                paint_attributes(&mut svg, "spine", &colours);
                svg.push_str(r#" stroke-width="4"/>"#);
            }
            // Tree edges take the group's stroke.
            EdgeKind::Tree => {
                let _ = write!(svg, r#"<path d="{}"/>"#, escape_xml(&edge.path));
            }
            EdgeKind::Related | EdgeKind::Alternative => continue,
        }
    }
    svg.push_str("</g>");

    let _ = write!(svg, r#"<g font-family="{}""#, escape_xml(FONT_FAMILY));
    paint_attributes(&mut svg, "ink", &colours);
    svg.push('>');
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
        let paint = match status {
            _ if stage => "card-stage",
            Status::Done => "card-done",
            Status::InProgress => "card-in_progress",
            Status::Pending | Status::Skipped => "card-pending",
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
        svg.push_str(r#"" rx="8""#);
        paint_attributes(&mut svg, paint, &colours);
        let _ = write!(svg, r#" stroke-width="1.5"{dashes}/>"#);
        let strike = if status == Status::Skipped {
            r#" text-decoration="line-through""#
        } else {
            ""
        };
        // The picture has no checkbox: the title is centred in the card, clear of its border
        // by `INSET` and of the badge column when there are badges (the layout sized the card
        // for the title plus the map's checkbox and icon slots, so there is room on both
        // sides). Centred by the renderer, not by an estimate: a wider or narrower font keeps
        // equal room on both sides.
        let collapsed = placed.has_children && !placed.expanded;
        let status_icon = status != Status::Pending;
        let text_right = if collapsed || status_icon {
            rect.right() - SLOT_INSET - SLOT_WIDTH - 4.0
        } else {
            rect.right() - INSET
        };
        let _ = write!(
            svg,
            r#"<text font-size="{}" font-weight="{}" text-anchor="middle"{strike}>"#,
            style.font_size, style.font_weight
        );
        for (i, line) in wrap_title(&node.title, placed.depth).iter().enumerate() {
            // Baseline of each line box: centred like the card's CSS line height.
            let baseline = rect.y
                + style.padding_y
                + i as f64 * style.line_height
                + (style.line_height + style.font_size * 0.7) / 2.0;
            svg.push_str(r#"<tspan x=""#);
            num(&mut svg, (rect.x + INSET + text_right) / 2.0);
            svg.push_str(r#"" y=""#);
            num(&mut svg, baseline);
            let _ = write!(svg, r#"">{}</tspan>"#, escape_xml(line));
        }
        svg.push_str("</text>");
        // The badge column: the status icon over the `+ n` badge, or either one centred.
        let slot_x = rect.right() - SLOT_INSET - SLOT_WIDTH / 2.0;
        let middle = rect.center().1;
        let (icon_y, badge_y) = if collapsed && status_icon {
            (middle - 9.0, middle + 8.5)
        } else {
            (middle, middle)
        };
        if collapsed {
            collapsed_badge(&mut svg, (slot_x, badge_y), node.children.len(), &colours);
        }
        status_badge(&mut svg, (slot_x, icon_y), status);
        svg.push_str("</g>");
    }
    svg.push_str("</g></svg>");
    svg
}

/// The map's status icon, centred on `centre` (the colour is never the only sign).
fn status_badge(svg: &mut String, centre: (f64, f64), status: Status) {
    let (colour, glyph) = match status {
        Status::Pending => return,
        Status::InProgress => (IN_PROGRESS, "◐"),
        Status::Done => (DONE, "✓"),
        Status::Skipped => (SKIPPED, "⤼"),
    };
    let (cx, cy) = centre;
    svg.push_str(r#"<circle cx=""#);
    num(svg, cx);
    svg.push_str(r#"" cy=""#);
    num(svg, cy);
    let _ = write!(svg, r#"" r="{BADGE_RADIUS}" fill="{colour}"/><text x=""#);
    num(svg, cx);
    svg.push_str(r#"" y=""#);
    num(svg, cy + 3.5);
    let _ = write!(
        svg,
        r##"" font-size="10" text-anchor="middle" fill="#ffffff"><title>{}</title>{glyph}</text>"##,
        status.label()
    );
}

/// Radius of the status icon, px.
const BADGE_RADIUS: f64 = 7.5;
/// The `+ n` badge, px.
const COUNT_BADGE: (f64, f64) = (SLOT_WIDTH, 15.0);

/// The map's `+ n` badge of a collapsed card, centred on `centre`.
fn collapsed_badge(svg: &mut String, centre: (f64, f64), children: usize, colours: &Palette) {
    let (cx, cy) = centre;
    let (width, height) = COUNT_BADGE;
    svg.push_str(r#"<rect x=""#);
    num(svg, cx - width / 2.0);
    svg.push_str(r#"" y=""#);
    num(svg, cy - height / 2.0);
    let _ = write!(
        svg,
        r#"" width="{width}" height="{height}" rx="{}""#,
        height / 2.0
    );
    paint_attributes(svg, "badge", colours);
    svg.push_str(r#" stroke-width="1.5"/><text x=""#);
    num(svg, cx);
    svg.push_str(r#"" y=""#);
    num(svg, cy + 3.5);
    svg.push_str(r#"" font-size="10" text-anchor="middle""#);
    paint_attributes(svg, "badge-count", colours);
    let _ = write!(svg, ">+{children}</text>");
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
    fn titles_and_badges_keep_clear_of_the_card_edges() {
        let roadmap = backend();
        let expanded = Expand::Level(1).expanded(&roadmap);
        let map = layout::layout_roadmap(&roadmap, &expanded, &LayoutOptions::default());
        let svg = picture_of(&roadmap, &map, None);
        let document = roxmltree::Document::parse(&svg).unwrap();
        let number =
            |n: roxmltree::Node, name: &str| -> f64 { n.attribute(name).unwrap().parse().unwrap() };

        let mut cards = 0;
        for group in document.descendants().filter(|n| n.has_tag_name("g")) {
            let Some(card) = group
                .children()
                .find(|n| n.has_tag_name("rect") && n.attribute("rx") == Some("8"))
            else {
                continue;
            };
            cards += 1;
            let (x, y) = (number(card, "x"), number(card, "y"));
            let (right, bottom) = (x + number(card, "width"), y + number(card, "height"));
            let text = group
                .children()
                .find(|n| n.has_tag_name("text") && n.children().any(|c| c.has_tag_name("tspan")))
                .unwrap();
            let stage = text.attribute("font-weight") == Some("600");
            let style = card_style(if stage { 0 } else { 1 });
            assert_eq!(text.attribute("text-anchor"), Some("middle"));
            // The badges: each inside the card, 2 px or more from its border.
            let mut badge_left = right;
            for badge in group.children().filter(|n| n.has_tag_name("circle")) {
                let (cx, cy, r) = (number(badge, "cx"), number(badge, "cy"), number(badge, "r"));
                assert!(
                    cx - r >= x + 2.0 && cx + r <= right - 2.0,
                    "{cx} in {x}..{right}"
                );
                assert!(
                    cy - r >= y + 1.0 && cy + r <= bottom - 1.0,
                    "{cy} in {y}..{bottom}"
                );
                badge_left = badge_left.min(cx - r);
            }
            for badge in group
                .children()
                .filter(|n| n.has_tag_name("rect") && n.attribute("rx") != Some("8"))
            {
                let (bx, by) = (number(badge, "x"), number(badge, "y"));
                let (bw, bh) = (number(badge, "width"), number(badge, "height"));
                assert!(
                    bx >= x + 2.0 && bx + bw <= right - 2.0,
                    "badge {bx} in {x}..{right}"
                );
                assert!(
                    by >= y + 1.0 && by + bh <= bottom - 1.0,
                    "badge {by} in {y}..{bottom}"
                );
                badge_left = badge_left.min(bx);
            }
            // Each line, at its estimated (generous) width, centred: 8 px or more from the
            // card's border and 4 px or more from the badges; baselines inside the card.
            for line in text.children().filter(|c| c.has_tag_name("tspan")) {
                let half = layout::text_width(line.text().unwrap(), &style) / 2.0;
                let centre = number(line, "x");
                let title = line.text().unwrap();
                assert!(
                    centre - half >= x + 8.0,
                    "{title}: starts at {} in {x}..{right}",
                    centre - half
                );
                let limit = if badge_left < right {
                    badge_left - 4.0
                } else {
                    right - 8.0
                };
                assert!(
                    centre + half <= limit,
                    "{title}: ends at {} in {x}..{right}, badges from {badge_left}",
                    centre + half
                );
                let baseline = number(line, "y");
                assert!(
                    baseline - style.font_size * 0.8 >= y + 4.0 && baseline + 4.0 <= bottom,
                    "{title}"
                );
            }
        }
        assert_eq!(cards, map.nodes.len());
    }

    #[test]
    fn dark_scheme_css_repaints_every_painted_part_in_the_dark_colours() {
        let roadmap = backend();
        let expanded = Expand::Level(1).expanded(&roadmap);
        let map = layout::layout_roadmap(&roadmap, &expanded, &LayoutOptions::default());
        let light = render_picture(
            &roadmap,
            &map,
            &Picture {
                theme: SnapshotTheme::Light,
                status: &|id| {
                    if id == "dns" {
                        Status::Done
                    } else {
                        Status::Pending
                    }
                },
                area: None,
            },
        );
        let css = dark_scheme_css(".map svg");
        assert!(css.starts_with("@media (prefers-color-scheme:dark){"));
        for class in PAINTED {
            let used = light.contains(&format!(r#"class="{class}""#));
            // Everything but the in-progress card is in this picture.
            assert!(used || class == "card-in_progress", "{class} unused");
            let (fill, stroke) = paint(class, &DARK);
            if let Some(fill) = fill {
                assert!(
                    css.contains(&format!(".map svg .{class}{{fill:{fill};")),
                    "{class}"
                );
            }
            if let Some(stroke) = stroke {
                assert!(css.contains(&format!("stroke:{stroke};")), "{class}");
            }
        }
        // The light picture itself still carries its colours as attributes.
        assert!(light.contains(&format!(r#"class="bg" fill="{}""#, LIGHT.bg)));
        assert!(!light.contains(DARK.bg));
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

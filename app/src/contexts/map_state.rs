//! The state of one open map: which nodes are expanded, the laid-out map, the viewport, the
//! measured screen, what covers it, and the node holding the keyboard focus. Components read
//! it with `expect_context::<MapState>()`; the geometry itself lives in the pure `layout` and
//! `viewport` modules.
//!
//! The map element fills the page and floating parts lie over it (the toolbars, the topic
//! panel or bottom sheet). What they leave uncovered is the map's *visible area*
//! ([`MapState::visible_area`]): fitting, centring (deep links, search, next topic) and
//! revealing a focused or selected card all aim at it, so a card is never put under the panel.

use std::{
    collections::{BTreeSet, HashMap},
    sync::Arc,
};

use leptos::prelude::*;

use crate::{
    layout::{self, LayoutOptions, MapLayout, PlacedNode},
    roadmap::{NodeId, Roadmap},
    viewport::{Extent, Point, Viewport},
};

/// Margin (px) around the start of the trail at 100 % (*Reset*).
const HOME_MARGIN: f64 = 24.0;
/// Padding (px) around the whole map when it is fitted, and around a revealed card.
const FIT_PADDING: f64 = 16.0;
const REVEAL_PADDING: f64 = 24.0;
/// The visible area the server assumes before the browser measures one: a 1280 × 800 window
/// less the app bar (48 px) and the floating toolbars' bands (52 px on top, 84 px below). The map page starts
/// at its home view for this area; the browser moves to the real screen's at once (which is
/// the same view on any screen wide enough for the first column).
pub const REFERENCE_AREA: Extent = Extent {
    x: 0.0,
    y: 52.0,
    width: 1280.0,
    height: 616.0,
};
/// The same for a phone (a request that says it comes from one, see `FormFactor`): a
/// 390 × 844 screen less the app bar and the phone's toolbar bands (58 px on top, 64 px
/// below). Most phones' visible areas have the same shape to a tenth (0.6), so the server's
/// column plan is the one the phone keeps, and its overview is within a few pixels of the
/// phone's own.
pub const PHONE_REFERENCE_AREA: Extent = Extent {
    x: 0.0,
    y: 58.0,
    width: 390.0,
    height: 674.0,
};
/// Below this zoom the map is an overview: topics turn into marks coloured by status and
/// stages into large labelled landmarks (semantic zoom). At it a topic's 14 px title is 8.4 px
/// on screen, the smallest that still reads (a stage's 16 px title 9.6 px): cards show
/// wherever their titles can be read.
pub const OVERVIEW_ZOOM: f64 = 0.6;
/// Padding (px) around a stage framed by a tap on its landmark.
const FRAME_PADDING: f64 = 12.0;
/// Content pixels of the map that always stay on screen when panning.
pub const PAN_MARGIN: f64 = 80.0;
/// Zoom step of the buttons and keys.
pub const ZOOM_STEP: f64 = 1.5;

#[derive(Clone, Copy)]
pub struct MapState {
    pub roadmap: StoredValue<Arc<Roadmap>>,
    pub expanded: RwSignal<BTreeSet<NodeId>>,
    /// The layout's shape: the winding two-sided trail (the map page) or one strip (the
    /// embed); set by the page before it renders, so server and browser agree.
    pub layout_options: RwSignal<LayoutOptions>,
    pub layout: Memo<MapLayout>,
    /// Each visible node's placement by id (the cards look themselves up here).
    pub placements: Memo<HashMap<NodeId, PlacedNode>>,
    pub viewport: RwSignal<Viewport>,
    /// The map element's size; `None` during server rendering and before the first measure.
    pub screen: RwSignal<Option<Extent>>,
    /// The node with the roving tab stop.
    pub focused: RwSignal<Option<NodeId>>,
    /// The node a search result pointed at, shown highlighted.
    pub highlighted: RwSignal<Option<NodeId>>,
    /// The node open in the panel (`?node=`, aliases resolved).
    pub selected: Memo<Option<NodeId>>,
    /// How far the floating toolbars reach into the map element (top and bottom bands),
    /// measured by the page.
    pub bands: RwSignal<Insets>,
    /// Whether the topic panel floats over this map (the map page: a side panel, a bottom
    /// sheet on narrow screens); the embed lays its panel out itself.
    pub panel_floats: RwSignal<bool>,
    /// The bottom sheet's state on narrow screens.
    pub sheet: RwSignal<Sheet>,
    /// A topic to centre in the visible area once it is known (deep link, search, next
    /// topic); a plain selection is only revealed.
    pub centre_request: RwSignal<Option<NodeId>>,
    /// True while the viewport glides to a target set by a button, a key or a selection; a
    /// gesture stops it (the canvas follows the pointer without delay).
    pub gliding: RwSignal<bool>,
    /// The topic whose status menu is open (right-click or long press on its card).
    pub status_menu: RwSignal<Option<NodeId>>,
    /// The view the page moved to by itself on load, which the URL does not record.
    pub auto_view: StoredValue<Option<Viewport>>,
    /// Set once the map has hydrated (its first measure). Cards an expand adds from then on,
    /// and the links a selection draws, fade in (`fresh`); those of the first paint do not
    /// (141 fading cards doubled the first render's style and paint work), nor do the cards a
    /// move brings in on a culled map (see `NodeCard`).
    pub live: StoredValue<bool>,
}

/// Widest map (px) that shows the topic panel as a bottom sheet rather than a side panel; the
/// stylesheet's media queries use the same width.
pub const NARROW: f64 = 640.0;
/// Room (px) the full-height sheet leaves above it for the selected card.
pub const SHEET_CARD_ROOM: f64 = 96.0;
/// Gap (px) between the side panel and the map element's right edge.
pub const PANEL_MARGIN: f64 = 12.0;

/// The side panel's width on a map `width` px wide: 40 % within 300…420 px (the stylesheet's
/// `clamp(300px, 40vw, 420px)`).
pub fn panel_width(width: f64) -> f64 {
    (width * 0.4).clamp(300.0, 420.0)
}

/// The bottom sheet: peeking (the lower part of the map), full (all but a band at the top
/// for the card), or following a drag (its height in px).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Sheet {
    Peek,
    Full,
    Dragging(f64),
}

impl Sheet {
    /// The sheet's height on a map `screen` tall whose top band is `top` px.
    pub fn height(self, screen_height: f64, top: f64) -> f64 {
        let full = (screen_height - top - SHEET_CARD_ROOM).max(0.0);
        match self {
            Self::Peek => (screen_height * 0.45).min(full),
            Self::Full => full,
            Self::Dragging(height) => height.clamp(0.0, full),
        }
    }
}

/// How far (px) floating parts reach into the map element from each side.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Insets {
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
    pub left: f64,
}

/// `screen` less `insets` (never narrower or shorter than 1 px).
pub fn visible_area(screen: Extent, insets: Insets) -> Extent {
    let width = (screen.width - insets.left - insets.right).max(1.0);
    let height = (screen.height - insets.top - insets.bottom).max(1.0);
    Extent::new(insets.left, insets.top, width, height)
}

/// The home view (*Reset*, and where a map page starts): 100 %, the start of the trail at the
/// top of `area`, its first column against the left edge — or, when `area` is narrower than
/// that column (a phone), the first stage card centred. From the layout alone, so server and
/// browser agree for the same area.
pub fn home_view(layout: &MapLayout, area: Extent) -> Viewport {
    let Some(first) = layout.stages.first() else {
        return Viewport::new(area.x + HOME_MARGIN, area.y + HOME_MARGIN, 1.0);
    };
    let column = first.region;
    let x = if column.width + 2.0 * HOME_MARGIN <= area.width {
        area.x + HOME_MARGIN - column.x
    } else {
        let stage_centre = layout
            .find(first.id.as_str())
            .map_or(column.center().0, |stage| stage.rect.center().0);
        area.x + area.width / 2.0 - stage_centre
    };
    Viewport::new(x, area.y + HOME_MARGIN / 2.0 - column.y, 1.0)
}

/// Where a map page starts in `area` (see [`MapState::start`]): at home (100 %) when the
/// area is wide enough for the trail's first column, else (a phone) the whole roadmap fitted.
/// From the layout alone, so server and browser agree for the same area.
pub fn start_view(layout: &MapLayout, area: Extent) -> Viewport {
    let column = layout
        .stages
        .first()
        .map_or(0.0, |first| first.region.width);
    if column + 2.0 * HOME_MARGIN <= area.width {
        home_view(layout, area)
    } else {
        Viewport::fit(layout_extent(layout), area, FIT_PADDING)
    }
}

/// The layout's shape for a visible `area` on a map element `screen_width` px wide: the
/// trail is folded to the area's aspect (in tenths, so small resizes do not re-plan the
/// columns), and a phone's stages branch to one side only — a two-sided stage with its
/// topics is about 820 px wide, too wide to read on a 390 px screen; a one-sided one (about
/// 560 px) fits it at a readable zoom.
pub fn shape_layout(options: &mut LayoutOptions, area: Extent, screen_width: f64) {
    options.aspect = (area.width / area.height * 10.0).round() / 10.0;
    options.both_sides = screen_width > NARROW;
}

fn layout_extent(layout: &MapLayout) -> Extent {
    let bounds = layout.bounds;
    Extent::new(bounds.x, bounds.y, bounds.width, bounds.height)
}

/// The view that shows `cluster` (a stage and its topics) whole in `area` with a small
/// padding, at most 100 % and at least [`OVERVIEW_ZOOM`] (where titles still read and cards
/// replace the overview's marks), centred. A cluster too big for `area` at that zoom is
/// centred and cut at its edges; the phone's one-sided clusters fit a 390 px screen.
pub fn frame_view(cluster: Extent, area: Extent) -> Viewport {
    let fit = Viewport::fit(cluster, area, FRAME_PADDING);
    if fit.k >= OVERVIEW_ZOOM {
        fit
    } else {
        Viewport::new(0.0, 0.0, OVERVIEW_ZOOM).center_on(cluster.center(), area)
    }
}

pub fn provide_map_state(
    roadmap: Arc<Roadmap>,
    view: Option<Viewport>,
    selected: Signal<Option<String>>,
) -> MapState {
    let first = roadmap.stages.first().cloned();
    let roadmap = StoredValue::new(roadmap);
    let selected = Memo::new(move |_| {
        let raw = selected.get()?;
        roadmap.with_value(|r| r.resolve(&raw).map(|node| node.id.clone()))
    });
    let initially_selected = selected.get_untracked();
    let mut expanded = roadmap.with_value(|r| layout::initially_expanded(r));
    if let Some(id) = &initially_selected {
        expanded.extend(roadmap.with_value(|r| layout::ancestors(r, id.as_str())));
    }
    let expanded = RwSignal::new(expanded);
    let layout_options = RwSignal::new(LayoutOptions::default());
    let layout = Memo::new(move |_| {
        let options = layout_options.get();
        roadmap.with_value(|roadmap| {
            expanded.with(|expanded| layout::layout_roadmap(roadmap, expanded, &options))
        })
    });
    let placements = Memo::new(move |_| {
        layout.with(|layout| {
            layout
                .nodes
                .iter()
                .map(|node| (node.id.clone(), node.clone()))
                .collect()
        })
    });
    let state = MapState {
        roadmap,
        expanded,
        layout_options,
        layout,
        placements,
        viewport: RwSignal::new(view.unwrap_or(Viewport::new(HOME_MARGIN, HOME_MARGIN, 1.0))),
        screen: RwSignal::new(None),
        focused: RwSignal::new(initially_selected.clone().or(first)),
        highlighted: RwSignal::new(None),
        selected,
        bands: RwSignal::new(Insets::default()),
        panel_floats: RwSignal::new(false),
        sheet: RwSignal::new(Sheet::Peek),
        status_menu: RwSignal::new(None),
        auto_view: StoredValue::new(None),
        live: StoredValue::new(false),
        centre_request: RwSignal::new(if view.is_none() {
            initially_selected.clone()
        } else {
            None
        }),
        gliding: RwSignal::new(false),
    };
    provide_context(state);
    state
}

impl MapState {
    pub fn content_extent(&self) -> Extent {
        self.layout.with(layout_extent)
    }

    fn node_extent(&self, id: &NodeId) -> Option<Extent> {
        self.placements.with_untracked(|placements| {
            placements.get(id).map(|node| {
                Extent::new(node.rect.x, node.rect.y, node.rect.width, node.rect.height)
            })
        })
    }

    /// What covers the map element now (tracked): the toolbar bands, and the panel when a
    /// topic is open — on the right, or the sheet at the bottom of a narrow map.
    pub fn insets(&self) -> Insets {
        let mut insets = self.bands.get();
        let Some(screen) = self.screen.get() else {
            return insets;
        };
        if self.panel_floats.get() && self.selected.with(Option::is_some) {
            if screen.width <= NARROW {
                let sheet = self.sheet.get().height(screen.height, insets.top);
                insets.bottom = insets.bottom.max(sheet);
            } else {
                insets.right = insets.right.max(panel_width(screen.width) + PANEL_MARGIN);
            }
        }
        insets
    }

    /// The part of the map element nothing covers, in the element's own pixels; `None` until
    /// the element has been measured.
    pub fn visible_area(&self) -> Option<Extent> {
        let screen = self.screen.get_untracked()?;
        Some(visible_area(screen, untrack(|| self.insets())))
    }

    /// Sets the viewport, clamped so the map cannot be lost off screen. A gesture: any glide
    /// in progress stops.
    pub fn set_viewport(&self, next: Viewport) {
        if self.gliding.get_untracked() {
            self.gliding.set(false);
        }
        self.apply(next);
    }

    /// Moves to `next` smoothly (buttons, keys, selections); `prefers-reduced-motion` turns
    /// the glide into a jump in the stylesheet.
    pub fn glide_to(&self, next: Viewport) {
        if !self.gliding.get_untracked() {
            self.gliding.set(true);
        }
        self.apply(next);
    }

    fn apply(&self, next: Viewport) {
        let next = match self.screen.get_untracked() {
            Some(screen) => next.clamp(self.content_extent(), screen, PAN_MARGIN),
            None => next,
        };
        self.viewport.set(next);
    }

    /// Zooms by `factor` around the centre of the visible area.
    pub fn zoom_by(&self, factor: f64) {
        let Some(area) = self.visible_area() else {
            return;
        };
        let centre = Point::new(area.x + area.width / 2.0, area.y + area.height / 2.0);
        let (next, _) = self.viewport.get_untracked().zoom_at(centre, factor);
        self.glide_to(next);
    }

    /// One zoom step in (the `+` button and key).
    pub fn zoom_in(&self) {
        self.zoom_by(ZOOM_STEP);
    }

    /// One zoom step out (the `−` button and key).
    pub fn zoom_out(&self) {
        self.zoom_by(1.0 / ZOOM_STEP);
    }

    /// The whole map inside the visible area.
    pub fn fit(&self) {
        if let Some(area) = self.visible_area() {
            self.glide_to(Viewport::fit(self.content_extent(), area, FIT_PADDING));
        }
    }

    /// Where a map page starts on this screen: at home (100 %) when the visible area is wide
    /// enough for the trail's first column, else (a phone) the whole roadmap fitted — at 100 %
    /// a phone would show a cut-off part of one stage; the overview shows every stage, and a
    /// tap on one zooms in.
    pub fn start(&self) {
        let Some(area) = self.visible_area() else {
            return;
        };
        self.glide_to(
            self.layout
                .with_untracked(|layout| start_view(layout, area)),
        );
    }

    /// The home view ([`home_view`]) for the visible area.
    pub fn reset(&self) {
        let area = self.visible_area().unwrap_or(REFERENCE_AREA);
        self.glide_to(self.layout.with_untracked(|layout| home_view(layout, area)));
    }

    /// Whether the card of `id` lies wholly inside the visible area.
    pub fn is_card_visible(&self, id: &NodeId) -> bool {
        let (Some(area), Some(node)) = (self.visible_area(), self.node_extent(id)) else {
            return false;
        };
        let view = self.viewport.get_untracked();
        let top_left = view.to_screen(Point::new(node.x, node.y));
        let (right, bottom) = (
            top_left.x + node.width * view.k,
            top_left.y + node.height * view.k,
        );
        top_left.x >= area.x - 0.5
            && top_left.y >= area.y - 0.5
            && right <= area.x + area.width + 0.5
            && bottom <= area.y + area.height + 0.5
    }

    /// The card a keyboard user should land on when tabbing into the map: the focused one if
    /// it is in view, else the visible card nearest the centre of the visible area (or the
    /// nearest card at all when none is wholly visible).
    pub fn card_to_focus(&self) -> Option<NodeId> {
        if let Some(id) = self.focused.get_untracked() {
            if self.is_card_visible(&id) {
                return Some(id);
            }
        }
        let area = self.visible_area()?;
        let view = self.viewport.get_untracked();
        let centre = view.to_content(Point::new(
            area.x + area.width / 2.0,
            area.y + area.height / 2.0,
        ));
        self.layout.with_untracked(|layout| {
            let distance = |node: &PlacedNode| {
                let (x, y) = node.rect.center();
                (x - centre.x).hypot(y - centre.y)
            };
            let nearest = |visible_only: bool| {
                layout
                    .nodes
                    .iter()
                    .filter(|node| !visible_only || self.is_card_visible(&node.id))
                    .min_by(|a, b| distance(a).total_cmp(&distance(b)))
                    .map(|node| node.id.clone())
            };
            nearest(true).or_else(|| nearest(false))
        })
    }

    /// Expands or collapses a node, keeping it at the same place on screen.
    pub fn toggle(&self, id: &NodeId) {
        let before = self.node_extent(id);
        self.expanded.update(|expanded| {
            if !expanded.remove(id) {
                expanded.insert(id.clone());
            }
        });
        self.keep_in_place(id, before);
    }

    pub fn set_expanded(&self, id: &NodeId, open: bool) {
        let is_open = self
            .expanded
            .with_untracked(|expanded| expanded.contains(id));
        if is_open != open {
            self.toggle(id);
        }
    }

    /// Replaces the whole expanded set (expand all, collapse all, to level N), keeping the
    /// focused node in place when it stays visible.
    pub fn replace_expanded(&self, next: BTreeSet<NodeId>) {
        let anchor = self.focused.get_untracked();
        let before = anchor.as_ref().and_then(|id| self.node_extent(id));
        self.expanded.set(next);
        if let Some(id) = anchor {
            self.keep_in_place(&id, before);
        }
    }

    /// Pans by how far the node moved in the new layout, gliding in step with the cards (the
    /// same duration and easing), so the node stays put on screen throughout.
    fn keep_in_place(&self, id: &NodeId, before: Option<Extent>) {
        if let (Some(before), Some(after)) = (before, self.node_extent(id)) {
            let view = self.viewport.get_untracked();
            if before.x != after.x || before.y != after.y {
                self.gliding.set(true);
                self.viewport
                    .set(view.pan_by((before.x - after.x) * view.k, (before.y - after.y) * view.k));
            }
        }
    }

    /// Expands everything above `id` so it is on the map.
    pub fn expand_to(&self, id: &NodeId) {
        let ancestors = self
            .roadmap
            .with_value(|roadmap| layout::ancestors(roadmap, id.as_str()));
        if ancestors
            .iter()
            .any(|a| !self.expanded.with_untracked(|e| e.contains(a)))
        {
            self.expanded.update(|expanded| expanded.extend(ancestors));
        }
    }

    /// The smallest pan that shows the card of `id` wholly inside the visible area.
    pub fn pan_into_view(&self, id: &NodeId) {
        if let (Some(area), Some(node)) = (self.visible_area(), self.node_extent(id)) {
            let view = self.viewport.get_untracked();
            let next = view.reveal(node, area, REVEAL_PADDING);
            if next != view {
                self.glide_to(next);
            }
        }
    }

    /// Frames stage `id` with its visible topics (a stage landmark tapped in the overview):
    /// see [`frame_view`].
    pub fn frame_stage(&self, id: &NodeId) {
        let Some(area) = self.visible_area() else {
            return;
        };
        let extent = self
            .layout
            .with_untracked(|layout| layout.stage_extent(id.as_str()));
        if let Some(r) = extent {
            let cluster = Extent::new(r.x, r.y, r.width, r.height);
            self.glide_to(frame_view(cluster, area));
        }
    }

    /// Centres the card of `id` in the visible area, at a zoom where its title reads.
    pub fn center_on(&self, id: &NodeId) {
        if let (Some(area), Some(node)) = (self.visible_area(), self.node_extent(id)) {
            let mut view = self.viewport.get_untracked();
            if view.k < OVERVIEW_ZOOM {
                view.k = 1.0;
            }
            let centre = Point::new(node.x + node.width / 2.0, node.y + node.height / 2.0);
            self.glide_to(view.center_on(centre, area));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inside(view: Viewport, r: Extent, area: Extent) -> bool {
        let a = view.to_screen(Point::new(r.x, r.y));
        let b = view.to_screen(Point::new(r.x + r.width, r.y + r.height));
        a.x >= area.x && a.y >= area.y && b.x <= area.x + area.width && b.y <= area.y + area.height
    }

    #[test]
    fn a_framed_stage_fits_the_area_between_the_readable_zoom_and_100_percent() {
        let phone = Extent::new(0.0, 52.0, 390.0, 700.0);
        // Fits at 64 %: shown whole, centred.
        let cluster = Extent::new(1000.0, 2000.0, 548.0, 556.0);
        let view = frame_view(cluster, phone);
        assert!((OVERVIEW_ZOOM..1.0).contains(&view.k), "{view:?}");
        assert!(inside(view, cluster, phone));
        // Small: never above 100 %.
        let small = Extent::new(0.0, 0.0, 200.0, 100.0);
        let view = frame_view(small, phone);
        assert_eq!(view.k, 1.0);
        assert!(inside(view, small, phone));
        // Too wide even at the readable zoom: that zoom, centred on the cluster.
        let wide = Extent::new(0.0, 0.0, 2000.0, 300.0);
        let view = frame_view(wide, phone);
        assert_eq!(view.k, OVERVIEW_ZOOM);
        let centre = view.to_screen(Point::new(1000.0, 150.0));
        assert!((centre.x - 195.0).abs() < 1e-9 && (centre.y - 402.0).abs() < 1e-9);
    }
}

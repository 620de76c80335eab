//! The state of one open map: which nodes are expanded, the laid-out map, the viewport, the
//! measured screen, and the node holding the keyboard focus. Components read it with
//! `expect_context::<MapState>()`; the geometry itself lives in the pure `layout` and
//! `viewport` modules.

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

/// Where the map starts when the URL names no viewport: unzoomed, with a small margin.
pub const HOME_VIEW: Viewport = Viewport {
    x: 24.0,
    y: 24.0,
    k: 1.0,
};
/// Content pixels of the map that always stay on screen when panning.
pub const PAN_MARGIN: f64 = 80.0;
/// Zoom step of the buttons and keys.
pub const ZOOM_STEP: f64 = 1.5;

#[derive(Clone, Copy)]
pub struct MapState {
    pub roadmap: StoredValue<Arc<Roadmap>>,
    pub expanded: RwSignal<BTreeSet<NodeId>>,
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
    let layout = Memo::new(move |_| {
        roadmap.with_value(|roadmap| {
            expanded.with(|expanded| {
                layout::layout_roadmap(roadmap, expanded, &LayoutOptions::default())
            })
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
        layout,
        placements,
        viewport: RwSignal::new(view.unwrap_or(HOME_VIEW)),
        screen: RwSignal::new(None),
        focused: RwSignal::new(initially_selected.or(first)),
        highlighted: RwSignal::new(None),
        selected,
    };
    provide_context(state);
    state
}

impl MapState {
    pub fn content_extent(&self) -> Extent {
        let bounds = self.layout.with(|layout| layout.bounds);
        Extent::new(bounds.x, bounds.y, bounds.width, bounds.height)
    }

    fn node_extent(&self, id: &NodeId) -> Option<Extent> {
        self.placements.with_untracked(|placements| {
            placements.get(id).map(|node| {
                Extent::new(node.rect.x, node.rect.y, node.rect.width, node.rect.height)
            })
        })
    }

    /// Sets the viewport, clamped so the map cannot be lost off screen.
    pub fn set_viewport(&self, next: Viewport) {
        let next = match self.screen.get_untracked() {
            Some(screen) => next.clamp(self.content_extent(), screen, PAN_MARGIN),
            None => next,
        };
        self.viewport.set(next);
    }

    pub fn zoom_by(&self, factor: f64) {
        let Some(screen) = self.screen.get_untracked() else {
            return;
        };
        let centre = Point::new(screen.width / 2.0, screen.height / 2.0);
        let (next, _) = self.viewport.get_untracked().zoom_at(centre, factor);
        self.set_viewport(next);
    }

    /// One zoom step in (the `+` button and key).
    pub fn zoom_in(&self) {
        self.zoom_by(ZOOM_STEP);
    }

    /// One zoom step out (the `−` button and key).
    pub fn zoom_out(&self) {
        self.zoom_by(1.0 / ZOOM_STEP);
    }

    pub fn fit(&self) {
        if let Some(screen) = self.screen.get_untracked() {
            let local = Extent::new(0.0, 0.0, screen.width, screen.height);
            self.viewport
                .set(Viewport::fit(self.content_extent(), local, 24.0));
        }
    }

    pub fn reset(&self) {
        self.set_viewport(HOME_VIEW);
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

    fn keep_in_place(&self, id: &NodeId, before: Option<Extent>) {
        if let (Some(before), Some(after)) = (before, self.node_extent(id)) {
            let view = self.viewport.get_untracked();
            self.viewport
                .set(view.pan_by((before.x - after.x) * view.k, (before.y - after.y) * view.k));
        }
    }

    /// Expands everything above `id` so it is on the map, then pans it into view.
    pub fn reveal(&self, id: &NodeId) {
        let ancestors = self
            .roadmap
            .with_value(|roadmap| layout::ancestors(roadmap, id.as_str()));
        if ancestors
            .iter()
            .any(|a| !self.expanded.with_untracked(|e| e.contains(a)))
        {
            self.expanded.update(|expanded| expanded.extend(ancestors));
        }
        self.pan_into_view(id);
    }

    pub fn pan_into_view(&self, id: &NodeId) {
        if let (Some(screen), Some(node)) = (self.screen.get_untracked(), self.node_extent(id)) {
            let local = Extent::new(0.0, 0.0, screen.width, screen.height);
            let next = self.viewport.get_untracked().reveal(node, local, 32.0);
            self.viewport.set(next);
        }
    }

    pub fn center_on(&self, id: &NodeId) {
        if let (Some(screen), Some(node)) = (self.screen.get_untracked(), self.node_extent(id)) {
            let local = Extent::new(0.0, 0.0, screen.width, screen.height);
            let centre = Point::new(node.x + node.width / 2.0, node.y + node.height / 2.0);
            let next = self.viewport.get_untracked().center_on(centre, local);
            self.set_viewport(next);
        }
    }

    /// A page opened on a topic but without a viewport (a deep link, an embed's `node=`):
    /// centres that topic once the map has been measured, then never again.
    pub fn centre_selected_on_first_measure(&self) {
        let state = *self;
        Effect::new(move |done: Option<bool>| {
            if done == Some(true) {
                return true;
            }
            if state.screen.get().is_none() {
                return false;
            }
            if let Some(id) = state.selected.get_untracked() {
                state.center_on(&id);
            }
            true
        });
    }
}

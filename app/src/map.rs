//! The roadmap map and its parts, one component per file: the pannable canvas with its
//! cards, edges and stage landmarks, the toolbars and menu, minimap, search, the progress
//! chip, the topic panel and the frame it floats in, and the outline view (the same roadmap
//! as nested lists, for screen readers, print, small screens and no-JS).

pub mod edge_layer;
pub mod embed_dialog;
pub mod image_export;
pub mod keyboard;
pub mod landmark_layer;
pub mod map_canvas;
pub mod map_menu;
pub mod map_toolbar;
pub mod mark_layer;
pub mod minimap;
pub mod next_topic_button;
pub mod node_card;
pub mod outline_view;
pub mod panel_frame;
pub mod progress_chip;
pub mod progress_summary;
pub mod search_box;
pub mod share_dialog;
pub mod shared_owner_line;
pub mod status_buttons;
pub mod storage_notice;
pub mod topic_note;
pub mod topic_panel;
pub mod zoom_controls;

use leptos::prelude::*;
use leptos_router::NavigateOptions;

use crate::{
    contexts::{
        map_links::MapLinks,
        map_state::{shape_layout, MapState, OVERVIEW_ZOOM},
    },
    roadmap::NodeId,
};

/// The zoom as the CSS variable `--k` (edge widths and landmark sizes divide by it). It is set
/// only on the few elements that use it, never on the canvas: a change of an inherited
/// variable there would restyle every card of the map on every zoom step.
pub fn zoom_var(state: &MapState) -> String {
    state.viewport.with(|view| format!("--k: {}", view.k))
}

/// True from the first time `shown` is, for good: what a closed menu, dialog or hidden view
/// holds is built when it is first opened and then kept (with its state), instead of being
/// rendered and hydrated with the page although nobody can see or use it yet.
pub fn shown_once(shown: impl Fn() -> bool + Send + Sync + 'static) -> Memo<bool> {
    Memo::new(move |before: Option<&bool>| before.copied().unwrap_or(false) || shown())
}

/// Opens topic `id` from anywhere on a map (search, "Next topic", a host page's message):
/// expands its ancestors, asks for it to be centred in the visible area once the panel is
/// open (see [`follow_selection`]), and navigates to its address (`links` keeps an embed
/// inside the embed) so the panel opens, without scrolling the page. Callers add their own
/// touches (highlight, keyboard focus) around it.
pub fn open_topic(
    state: MapState,
    links: &MapLinks,
    navigate: &impl Fn(&str, NavigateOptions),
    id: &NodeId,
) {
    state.expand_to(id);
    state.centre_request.set(Some(id.clone()));
    let href = state
        .roadmap
        .with_value(|r| links.node(&r.slug, id.as_str()));
    navigate(
        &href,
        NavigateOptions {
            scroll: false,
            ..Default::default()
        },
    );
}

/// Keeps the open topic in sight. Whenever the selection, the screen or what covers the map
/// changes: a topic waiting to be centred (deep link, search, next topic) is centred in the
/// visible area once it is the open one; any other open topic is panned just into view (a
/// click on a card that is already visible moves nothing; one opened from the overview is
/// zoomed in on). On the first measure, a map that opens with no view and no topic moves to
/// its start for the real screen (`home_on_load`, see [`MapState::start`]).
pub fn follow_selection(state: MapState, home_on_load: bool) {
    follow(state, home_on_load, false);
}

/// [`follow_selection`] for the map page, which also folds the trail to suit the screen: once
/// the map is measured (and when the window changes shape), the layout's aspect is set to the
/// visible area's, so a phone gets fewer, wider columns than the server's laptop-shaped first
/// render, and a phone's stages branch to one side only (see [`MapState::frame_stage`]). Only
/// the column plan and the sides depend on it, so on a laptop nothing moves.
pub fn follow_selection_and_screen(state: MapState, home_on_load: bool) {
    follow(state, home_on_load, true);
}

fn follow(state: MapState, home_on_load: bool, adapt_layout: bool) {
    let measured = StoredValue::new(false);
    Effect::new(move |_| {
        let Some(_) = state.screen.get() else {
            return;
        };
        // On the map page, wait until the toolbars have been measured: until then the
        // visible area is not known.
        if state.panel_floats.get() && state.bands.get() == Default::default() {
            return;
        }
        let insets = state.insets();
        let selected = state.selected.get();
        let request = state.centre_request.get();
        if matches!(
            state.sheet.get(),
            crate::contexts::map_state::Sheet::Dragging(_)
        ) {
            return;
        }
        let _ = insets;
        untrack(|| {
            let first = !measured.get_value();
            measured.set_value(true);
            if adapt_layout {
                if let (Some(area), Some(screen)) = (state.visible_area(), state.screen.get()) {
                    let mut shaped = state.layout_options.get_untracked();
                    shape_layout(&mut shaped, area, screen.width);
                    if state.layout_options.get_untracked() != shaped {
                        state.layout_options.set(shaped);
                    }
                }
            }
            match (request, selected) {
                (Some(wanted), Some(open)) if wanted == open => {
                    if state.placements.with(|p| p.contains_key(&open)) {
                        state.center_on(&open);
                    }
                    state.centre_request.set(None);
                }
                (Some(_), _) => {}
                // Opened from the overview (a mark is a few pixels wide): zoom in on it.
                (None, Some(open)) if state.viewport.get_untracked().k < OVERVIEW_ZOOM => {
                    state.center_on(&open)
                }
                (None, Some(open)) => state.pan_into_view(&open),
                (None, None) if first && home_on_load => {
                    let before = state.viewport.get_untracked();
                    state.start();
                    let after = state.viewport.get_untracked();
                    if after != before {
                        state.auto_view.set_value(Some(after));
                    }
                }
                (None, None) => {}
            }
        });
    });
}

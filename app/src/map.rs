//! The roadmap map and its parts, one component per file: the pannable canvas with its
//! cards and edges, the toolbar, minimap, search, the topic panel, and the outline view
//! (the same roadmap as nested lists, for screen readers, print, small screens and no-JS).

pub mod edge_layer;
pub mod embed_dialog;
pub mod keyboard;
pub mod map_canvas;
pub mod map_toolbar;
pub mod minimap;
pub mod node_card;
pub mod outline_view;
pub mod progress_summary;
pub mod search_box;
pub mod status_buttons;
pub mod storage_notice;
pub mod topic_note;
pub mod topic_panel;

use leptos::prelude::*;
use leptos_router::NavigateOptions;

use crate::{
    contexts::{map_links::MapLinks, map_state::MapState},
    roadmap::NodeId,
};

/// Opens topic `id` from anywhere on a map (search, "Next topic", a host page's message):
/// expands its ancestors, centres it, and navigates to its address (`links` keeps an embed
/// inside the embed) so the panel opens, without scrolling the page. Callers add their own
/// touches (zoom, highlight, keyboard focus) around it.
pub fn open_topic(
    state: MapState,
    links: &MapLinks,
    navigate: &impl Fn(&str, NavigateOptions),
    id: &NodeId,
) {
    state.reveal(id);
    state.center_on(id);
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

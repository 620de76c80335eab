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
pub mod topic_note;
pub mod topic_panel;

/// The URL that opens `id` in the panel of roadmap `slug`.
pub fn node_href(slug: &str, id: &str) -> String {
    format!("/roadmaps/{slug}?node={id}")
}

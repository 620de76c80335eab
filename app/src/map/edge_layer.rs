use leptos::prelude::*;

use crate::{
    contexts::map_state::MapState,
    layout::{Edge, EdgeKind},
    roadmap::NodeId,
};

/// One SVG layer with every edge: the stage spine as one path element and the tree edges as
/// one per stage (the edges joined into one `d`, so a map of hundreds of edges hydrates and
/// re-lays out as a few elements, and painting part of a large map replays only the paths
/// there), and over them the cross-links (related, alternative) of the
/// selected or highlighted node — all of them at once would hide the tree under a web of
/// dashes. Selecting a topic redraws only those few cross-links.
#[component]
pub fn EdgeLayer() -> impl IntoView {
    let state = expect_context::<MapState>();
    let spine = move || {
        state
            .layout
            .with(|layout| layout.joined_path(EdgeKind::Spine))
    };
    // One path per stage (see `MapLayout::tree_paths_by_stage`); a roadmap's stages never
    // change, so the elements are made once and only their `d` follows the layout.
    let tree = Memo::new(move |_| state.layout.with(|layout| layout.tree_paths_by_stage()));
    let stage_count = state.roadmap.with_value(|roadmap| roadmap.stages.len());
    let tree_paths = (0..stage_count)
        .map(|stage| {
            let d = move || tree.with(|paths| paths.get(stage).cloned().unwrap_or_default());
            view! { <path class="edge edge-tree" d=d /> }
        })
        .collect_view();
    let cross_links = move || {
        let selected = state.selected.get();
        let highlighted = state.highlighted.get();
        let touches = |edge: &Edge, id: &Option<NodeId>| {
            id.as_ref()
                .is_some_and(|id| *id == edge.from || *id == edge.to)
        };
        let fresh = state.live.get_value();
        state.layout.with(|layout| {
            layout
                .edges
                .iter()
                .filter(|edge| matches!(edge.kind, EdgeKind::Related | EdgeKind::Alternative))
                .filter(|edge| touches(edge, &selected) || touches(edge, &highlighted))
                .map(|edge| {
                    let class = if edge.kind == EdgeKind::Related {
                        "edge edge-related"
                    } else {
                        "edge edge-alternative"
                    };
                    // Drawn after the first paint (a selection): fades in.
                    view! { <path class=class class:fresh=fresh d=edge.path.clone() /> }
                })
                .collect_view()
        })
    };
    view! {
        <svg class="map-edges" aria-hidden="true" width="1" height="1" style=move || super::zoom_var(&state)>
            <path class="edge edge-spine" d=spine />
            {tree_paths}
            {cross_links}
        </svg>
    }
}

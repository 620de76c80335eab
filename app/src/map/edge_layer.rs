use leptos::prelude::*;

use crate::{
    contexts::map_state::MapState,
    layout::{Edge, EdgeKind},
    roadmap::NodeId,
};

/// One SVG layer with every edge: the stage spine and the tree edges, one path element each
/// (every edge of a kind joined into one `d`, so a map of hundreds of edges hydrates and
/// re-lays out as two elements), and over them the cross-links (related, alternative) of the
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
    let tree = move || {
        state
            .layout
            .with(|layout| layout.joined_path(EdgeKind::Tree))
    };
    let cross_links = move || {
        let selected = state.selected.get();
        let highlighted = state.highlighted.get();
        let touches = |edge: &Edge, id: &Option<NodeId>| {
            id.as_ref()
                .is_some_and(|id| *id == edge.from || *id == edge.to)
        };
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
                    view! { <path class=class d=edge.path.clone() /> }
                })
                .collect_view()
        })
    };
    view! {
        <svg class="map-edges" aria-hidden="true" width="1" height="1" style=move || super::zoom_var(&state)>
            <path class="edge edge-spine" d=spine />
            <path class="edge edge-tree" d=tree />
            {cross_links}
        </svg>
    }
}

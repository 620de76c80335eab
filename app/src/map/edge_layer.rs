use leptos::prelude::*;

use crate::{contexts::map_state::MapState, layout::EdgeKind, roadmap::NodeId};

/// One SVG layer with every edge: the stage spine and tree edges, and the cross-links
/// (related, alternative) of the selected or highlighted node drawn over the tree — all of
/// them at once would hide the tree under a web of dashes.
#[component]
pub fn EdgeLayer() -> impl IntoView {
    let state = expect_context::<MapState>();
    let paths = move || {
        state.layout.with(|layout| {
            layout
                .edges
                .iter()
                .filter(|edge| match edge.kind {
                    EdgeKind::Spine | EdgeKind::Tree => true,
                    EdgeKind::Related | EdgeKind::Alternative => {
                        let touches = |id: &Option<NodeId>| {
                            id.as_ref()
                                .is_some_and(|id| *id == edge.from || *id == edge.to)
                        };
                        state.selected.with(touches) || state.highlighted.with(touches)
                    }
                })
                .map(|edge| {
                    let class = match edge.kind {
                        EdgeKind::Spine => "edge edge-spine",
                        EdgeKind::Tree => "edge edge-tree",
                        EdgeKind::Related => "edge edge-related",
                        EdgeKind::Alternative => "edge edge-alternative",
                    };
                    view! { <path class=class d=edge.path.clone() /> }
                })
                .collect_view()
        })
    };
    view! {
        <svg class="map-edges" aria-hidden="true" width="1" height="1">
            {paths}
        </svg>
    }
}

//! The overview of a large map: its topic marks as one SVG path per status, instead of a card
//! each. Zoomed out, a roadmap of thousands of nodes would otherwise create a card for nearly
//! every topic at each wheel step (a median 3.2 s per step for 2,000 nodes at 4× CPU, measured
//! with `bench/profile.mjs` and `bench/zoom-out.mjs`). The stage cards and their landmarks stay: a tap on one frames it.

use std::collections::HashMap;

use leptos::prelude::*;

use crate::{
    contexts::{
        map_state::MapState,
        progress::{Mark, ProgressState},
    },
    layout::{status_paths, STATUS_ORDER},
    progress::Status,
    roadmap::NodeId,
};

#[component]
pub fn MarkLayer() -> impl IntoView {
    let state = expect_context::<MapState>();
    // Absent on pages that show no progress (some embeds): every topic is then pending.
    let progress = use_context::<ProgressState>();
    let paths = Memo::new(move |_| {
        let status_of = |marks: Option<&HashMap<NodeId, Mark>>, id: &NodeId| {
            marks
                .and_then(|marks| marks.get(id))
                .map_or(Status::Pending, |mark| mark.status)
        };
        let marks = progress.and_then(|progress| progress.marks.get());
        state
            .layout
            .with(|layout| status_paths(layout, |id| status_of(marks.as_ref(), id)))
    });
    view! {
        <svg class="map-marks" aria-hidden="true" width="1" height="1">
            {STATUS_ORDER
                .iter()
                .enumerate()
                .map(|(index, status)| {
                    let class = format!("mark-{}", status.as_str());
                    view! { <path class=class d=move || paths.with(|paths| paths[index].clone()) /> }
                })
                .collect_view()}
        </svg>
    }
}

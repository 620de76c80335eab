//! The overview of a large map: its topic marks as one SVG path per status, instead of a card
//! each. Zoomed out, a roadmap of thousands of nodes would otherwise create a card for nearly
//! every topic at each wheel step (about a second per step for 2,000 nodes, measured with
//! `bench/profile.mjs`). The stage cards and their landmarks stay: a tap on one frames it.

use leptos::prelude::*;

use crate::{
    contexts::{map_state::MapState, progress::ProgressState},
    layout::{status_paths, STATUS_ORDER},
    progress::Status,
};

#[component]
pub fn MarkLayer() -> impl IntoView {
    let state = expect_context::<MapState>();
    let progress = expect_context::<ProgressState>();
    let paths = Memo::new(move |_| {
        progress.marks.with(|marks| {
            state.layout.with(|layout| {
                status_paths(layout, |id| {
                    marks
                        .as_ref()
                        .and_then(|marks| marks.get(id))
                        .map_or(Status::Pending, |mark| mark.status)
                })
            })
        })
    });
    let path = move |index: usize| {
        let class = format!("mark-{}", STATUS_ORDER[index].as_str());
        view! { <path class=class d=move || paths.with(|paths| paths[index].clone()) /> }
    };
    view! {
        <svg class="map-marks" aria-hidden="true" width="1" height="1">
            {path(0)}
            {path(1)}
            {path(2)}
            {path(3)}
        </svg>
    }
}

use leptos::prelude::*;

use crate::contexts::{map_state::MapState, progress::ProgressState};

/// The stages as landmarks for the overview (shown by the stylesheet below the overview
/// zoom): each stage's title with its settled/total count and a bar, drawn at a constant
/// size on screen (`--k`) inside the stage's label box from the layout. Label boxes come from
/// areas that never intersect, so labels never overlap at any zoom. Each label is numbered
/// with its place on the trail, so the order reads even where the trail runs under the labels
/// (a phone's narrow columns). Where the layout keeps a band above a stage's cluster (an
/// upright screen), the label sits in it rather than over the topics' marks, and a tap on
/// it frames the stage like a tap on the stage itself (the canvas handles it). Decorative for
/// assistive technology: the tree items already say all of it.
#[component]
pub fn LandmarkLayer() -> impl IntoView {
    let state = expect_context::<MapState>();
    let progress = use_context::<ProgressState>();
    let landmarks = move || {
        state.layout.with(|layout| {
            layout
                .stages
                .iter()
                .enumerate()
                .map(|(step, area)| {
                    let id = area.id.clone();
                    let title = state
                        .roadmap
                        .with_value(|r| r.node(id.as_str()).map(|n| n.title.clone()))
                        .unwrap_or_default();
                    let counts = move || progress.and_then(|p| p.stage_counts(&id));
                    let r = area.label;
                    let stage = area.id.to_string();
                    view! {
                        <div
                            class="landmark"
                            class:above=area.label_above
                            data-stage=stage
                            style=format!(
                                "left:{}px;top:{}px;width:{}px;height:{}px",
                                r.x,
                                r.y,
                                r.width,
                                r.height,
                            )
                        >
                            <div class="landmark-plate">
                                <span class="landmark-step">{step + 1}</span>
                                <span class="landmark-title">{title}</span>
                                {move || {
                                    counts()
                                        .map(|(settled, total)| {
                                            let percent = if total == 0 {
                                                0
                                            } else {
                                                settled * 100 / total
                                            };
                                            view! {
                                                <span class="landmark-count">
                                                    {format!("{settled}/{total}")}
                                                </span>
                                                <span class="landmark-bar">
                                                    <span style:width=format!("{percent}%")></span>
                                                </span>
                                            }
                                        })
                                }}
                            </div>
                        </div>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <div class="map-landmarks" aria-hidden="true" style=move || super::zoom_var(&state)>
            {landmarks}
        </div>
    }
}

use std::sync::Arc;

use leptos::prelude::*;

use crate::{
    map::topic_list::topic_list,
    roadmap::{NodeId, Roadmap},
};

/// One stage on the map with its topics, which can be collapsed and expanded.
#[component]
pub fn StageCard(roadmap: Arc<Roadmap>, stage_id: NodeId, number: usize) -> impl IntoView {
    let Some(stage) = roadmap.node(stage_id.as_str()) else {
        return ().into_any();
    };
    let (expanded, set_expanded) = signal(true);
    let list_id = format!("stage-{}-topics", stage.id);
    let title = stage.title.clone();
    let toggle_label = move || {
        let verb = if expanded.get() { "Collapse" } else { "Expand" };
        format!("{verb} {title}")
    };
    let meta = [
        stage.level.map(|level| level.to_string()),
        stage.estimate.map(|estimate| estimate.to_string()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let href = format!("/roadmaps/{}?node={}", roadmap.slug, stage.id);

    view! {
        <li class="stage" id=format!("node-{}", stage.id)>
            <div class="stage-head">
                <span class="stage-number" aria-hidden="true">
                    {format!("{number:02}")}
                </span>
                <h2>
                    <a href=href>{stage.title.clone()}</a>
                </h2>
                <span class="stage-meta">{meta}</span>
                <button
                    type="button"
                    class="toggle"
                    aria-expanded=move || expanded.get().to_string()
                    aria-controls=list_id.clone()
                    aria-label=toggle_label
                    on:click=move |_| set_expanded.update(|open| *open = !*open)
                >
                    {move || if expanded.get() { "−" } else { "+" }}
                </button>
            </div>
            <div id=list_id.clone() class="stage-topics" hidden=move || !expanded.get()>
                {topic_list(&roadmap, &stage.children)}
            </div>
        </li>
    }
    .into_any()
}

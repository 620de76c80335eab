use std::sync::Arc;

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::{
    api::get_roadmap,
    map::{stage_card::StageCard, topic_panel::TopicPanel},
    pages::not_found::NotFound,
    roadmap::Roadmap,
};

/// `/roadmaps/:slug`: the map of one roadmap, with the topic named by `?node=` open in the
/// panel. Everything is in the server's HTML, so it reads (and links work) without
/// JavaScript; hydration adds the interactions.
#[component]
pub fn RoadmapPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let roadmap = Resource::new(slug, get_roadmap);

    view! {
        <Suspense fallback=|| view! { <p>"Loading the roadmap…"</p> }>
            {move || Suspend::new(async move {
                match roadmap.await {
                    Ok(Some(roadmap)) => view! { <RoadmapView roadmap /> }.into_any(),
                    Ok(None) => view! { <NotFound /> }.into_any(),
                    Err(error) => {
                        view! {
                            <p class="error">"Could not load this roadmap: " {error.to_string()}</p>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn RoadmapView(roadmap: Roadmap) -> impl IntoView {
    let roadmap = Arc::new(roadmap);
    let query = use_query_map();
    let selected = Signal::derive(move || query.read().get("node"));

    let stages = roadmap
        .stages()
        .enumerate()
        .map(|(index, stage)| {
            view! { <StageCard roadmap=roadmap.clone() stage_id=stage.id.clone() number=index + 1 /> }
        })
        .collect_view();

    view! {
        <Title text=format!("{} roadmap — Trailmap", roadmap.title) />
        <Meta name="description" content=roadmap.summary.clone() />
        <div class="roadmap-page">
            <header class="roadmap-header">
                <h1>{roadmap.title.clone()}</h1>
                <p class="lead">{roadmap.summary.clone()}</p>
                <dl class="facts">
                    <div>
                        <dt>"Stages"</dt>
                        <dd>{roadmap.stages.len()}</dd>
                    </div>
                    <div>
                        <dt>"Topics"</dt>
                        <dd>{roadmap.topic_count()}</dd>
                    </div>
                    <div>
                        <dt>"Estimated time"</dt>
                        <dd>{roadmap.estimate.to_string()}</dd>
                    </div>
                    <div>
                        <dt>"Level"</dt>
                        <dd>{roadmap.level.to_string()}</dd>
                    </div>
                </dl>
                <div class="intro" inner_html=roadmap.intro_html.clone()></div>
            </header>
            <nav class="map" aria-label=format!("{} map", roadmap.title)>
                <ol class="stages">{stages}</ol>
            </nav>
            <TopicPanel roadmap=roadmap.clone() selected />
        </div>
    }
}

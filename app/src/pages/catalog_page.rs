use leptos::prelude::*;
use leptos_meta::Title;

use crate::{api::list_roadmaps, links, roadmap::RoadmapSummary};

/// `/`: every roadmap with what a learner needs to pick one.
#[component]
pub fn CatalogPage() -> impl IntoView {
    let roadmaps = Resource::new(|| (), |_| list_roadmaps());
    view! {
        <Title text="Trailmap — interactive learning roadmaps" />
        <section class="catalog">
            <h1>"Roadmaps"</h1>
            <p class="lead">
                "Pick a path, explore it as a map, and keep track of what you have learned."
            </p>
            <Suspense fallback=|| view! { <p>"Loading roadmaps…"</p> }>
                {move || Suspend::new(async move {
                    match roadmaps.await {
                        Ok(list) => {
                            view! {
                                <ul class="catalog-list">
                                    {list
                                        .into_iter()
                                        .map(|summary| view! { <RoadmapCard summary /> })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(error) => {
                            view! { <p class="error">"Could not load roadmaps: " {error.to_string()}</p> }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn RoadmapCard(summary: RoadmapSummary) -> impl IntoView {
    let href = links::roadmap(&summary.slug);
    view! {
        <li class="roadmap-card">
            <h2>
                <a href=href>{summary.title.clone()}</a>
            </h2>
            <p>{summary.summary.clone()}</p>
            <dl class="facts">
                <div>
                    <dt>"Stages"</dt>
                    <dd>{summary.stage_count}</dd>
                </div>
                <div>
                    <dt>"Topics"</dt>
                    <dd>{summary.topic_count}</dd>
                </div>
                <div>
                    <dt>"Estimated time"</dt>
                    <dd>{summary.estimate.to_string()}</dd>
                </div>
                <div>
                    <dt>"Level"</dt>
                    <dd>{summary.level.to_string()}</dd>
                </div>
            </dl>
        </li>
    }
}

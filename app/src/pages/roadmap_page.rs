use std::{sync::Arc, time::Duration};

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};
use leptos_router::{
    hooks::{use_navigate, use_params_map, use_query_map},
    NavigateOptions,
};

use crate::{
    api::{get_roadmap, site_origin},
    contexts::{
        map_state::{provide_map_state, MapState},
        progress::provide_progress,
        topic_details::provide_topic_details,
    },
    links,
    map::{
        embed_dialog::EmbedDialog, map_canvas::MapCanvas, map_toolbar::MapToolbar,
        minimap::Minimap, outline_view::OutlineView, progress_summary::ProgressSummary,
        search_box::SearchBox, topic_panel::TopicPanel,
    },
    pages::not_found::NotFound,
    roadmap::RoadmapOutline,
    viewport::Viewport,
};

/// How long the URL waits after the last gesture before it records the viewport, so panning
/// does not flood the history.
const URL_DEBOUNCE: Duration = Duration::from_millis(400);

/// `/roadmaps/:slug`: the map of one roadmap. `?node=` opens a topic in the panel and
/// `?view=x,y,k` restores the viewport, on the server render too. Everything is in the
/// server's HTML (the outline lists every topic), so it reads without JavaScript.
#[component]
pub fn RoadmapPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let roadmap = Resource::new(slug, get_roadmap);
    let origin = Resource::new(|| (), |_| site_origin());

    view! {
        <Suspense fallback=|| view! { <p>"Loading the roadmap…"</p> }>
            {move || Suspend::new(async move {
                let origin = origin.await.ok();
                match roadmap.await {
                    Ok(Some(outline)) => view! { <RoadmapView outline origin /> }.into_any(),
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
fn RoadmapView(outline: RoadmapOutline, origin: Option<String>) -> impl IntoView {
    provide_topic_details(outline.slug.clone(), outline.version.clone());
    let roadmap = Arc::new(outline.into_roadmap());
    let query = use_query_map();
    let initial_view = query
        .with_untracked(|q| q.get("view"))
        .and_then(|raw| Viewport::parse_query(&raw).ok());
    let has_initial_view = initial_view.is_some();
    let selected = Signal::derive(move || query.read().get("node"));
    let state = provide_map_state(roadmap.clone(), initial_view, selected);
    provide_progress(state.roadmap);
    let outline = RwSignal::new(false);

    if !has_initial_view {
        state.centre_selected_on_first_measure();
    }
    record_viewport_in_url(state);

    view! {
        <Title text=crate::pages::page_title(&roadmap.title) />
        <Meta name="description" content=roadmap.summary.clone() />
        {origin
            .clone()
            .map(|origin| {
                view! {
                    <Link
                        rel="alternate"
                        type_="application/json+oembed"
                        href=oembed_href(&origin, &roadmap.slug)
                        title=roadmap.title.clone()
                    />
                }
            })}
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
                <ProgressSummary />
            </header>
            <div class="map-bar">
                <div class="view-switch" role="group" aria-label="View">
                    <button
                        type="button"
                        aria-pressed=move || (!outline.get()).to_string()
                        on:click=move |_| outline.set(false)
                    >
                        "Map"
                    </button>
                    <button
                        type="button"
                        aria-pressed=move || outline.get().to_string()
                        on:click=move |_| outline.set(true)
                    >
                        "Outline"
                    </button>
                </div>
                <SearchBox />
                <MapToolbar />
                <EmbedDialog
                    slug=roadmap.slug.clone()
                    title=roadmap.title.clone()
                    origin=origin.clone()
                />
            </div>
            <section class="map-area" aria-label=format!("{} map", roadmap.title) hidden=outline>
                <MapCanvas />
                <Minimap />
            </section>
            <nav
                class="outline"
                aria-label=format!("{} outline", roadmap.title)
                hidden=move || !outline.get()
            >
                <div class="intro" inner_html=roadmap.intro_html.clone()></div>
                <OutlineView roadmap=roadmap.clone() shown=outline />
            </nav>
            <TopicPanel roadmap=roadmap.clone() selected />
        </div>
    }
    .into_any()
}

/// oEmbed discovery: where consumers ask about this page (<https://oembed.com>, section 4).
fn oembed_href(origin: &str, slug: &str) -> String {
    links::oembed(&format!("{origin}{}", links::roadmap(slug)))
}

/// After gestures settle, write the viewport into the URL (replacing the history entry).
fn record_viewport_in_url(state: MapState) {
    let navigate = use_navigate();
    let query = use_query_map();
    let pending = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |first_run: Option<()>| {
        let view = state.viewport.get();
        if first_run.is_none() {
            return;
        }
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let navigate = navigate.clone();
        let handle = set_timeout_with_handle(
            move || {
                let slug = state.roadmap.with_value(|r| r.slug.clone());
                let node = query.with_untracked(|q| q.get("node"));
                let url = links::roadmap_view(&slug, node.as_deref(), &view.to_query());
                navigate(
                    &url,
                    NavigateOptions {
                        replace: true,
                        scroll: false,
                        ..Default::default()
                    },
                );
            },
            URL_DEBOUNCE,
        )
        .ok();
        pending.set_value(handle);
    });
}

use std::sync::Arc;

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::{
    api::get_roadmap,
    contexts::{
        map_links::provide_embed_links,
        map_state::provide_map_state,
        progress::{provide_progress_with, ProgressState},
        shared_progress::provide_shared_progress,
        topic_details::provide_topic_details,
    },
    embed::EmbedOptions,
    layout, links,
    map::{
        map_canvas::MapCanvas, map_toolbar::MapToolbar, minimap::Minimap, search_box::SearchBox,
        shared_owner_line::SharedOwnerLine, storage_notice::StorageNotice, topic_panel::TopicPanel,
    },
    pages::not_found::NotFound,
    roadmap::Roadmap,
};

/// `/embed/:slug`: the same interactive map as `/roadmaps/:slug`, made to live in another
/// site's iframe: no site header, a small "Open in Trailmap" link, its links stay inside the
/// embed, and it talks to the host page with `postMessage` (see `embed.rs` for the messages).
/// Bad query options render an error page with status 400.
#[component]
pub fn EmbedPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let roadmap = Resource::new(slug, get_roadmap);
    let options = query.with_untracked(|q| EmbedOptions::parse(q));

    view! {
        <Suspense fallback=|| view! { <p>"Loading the roadmap…"</p> }>
            {move || {
                let options = options.clone();
                Suspend::new(async move {
                    let roadmap = roadmap.await;
                    match (roadmap, options) {
                        (Ok(Some(_)), Err(problems)) => {
                            view! { <EmbedOptionsError problems /> }.into_any()
                        }
                        (Ok(Some(outline)), Ok(options)) => {
                            let version = outline.version.clone();
                            let roadmap = outline.into_roadmap();
                            match check_node(&roadmap, &options) {
                                Ok(()) => {
                                    view! { <EmbedView roadmap version options /> }.into_any()
                                }
                                Err(problem) => {
                                    view! { <EmbedOptionsError problems=vec![problem] /> }
                                        .into_any()
                                }
                            }
                        }
                        (Ok(None), _) => view! { <NotFound /> }.into_any(),
                        (Err(error), _) => {
                            view! {
                                <p class="error">
                                    "Could not load this roadmap: " {error.to_string()}
                                </p>
                            }
                                .into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}

/// `node=` must name a topic of this roadmap (an alias counts).
fn check_node(roadmap: &Roadmap, options: &EmbedOptions) -> Result<(), String> {
    match &options.node {
        Some(node) if roadmap.resolve(node.as_str()).is_none() => {
            Err(format!("node: there is no topic `{node}` in this roadmap"))
        }
        _ => Ok(()),
    }
}

/// What was wrong with the query, with status 400 during server rendering.
#[component]
fn EmbedOptionsError(problems: Vec<String>) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::BAD_REQUEST);
    }
    view! {
        <Title text="Bad embed options — Trailmap" />
        <section class="embed-error" role="alert">
            <h1>"This embed's options are not valid"</h1>
            <ul>{problems.into_iter().map(|problem| view! { <li>{problem}</li> }).collect_view()}</ul>
            <p>
                "Options: theme=light|dark|auto, node=<topic id>, expand=0…16|all, "
                "height=200…2000, progress=0|1, readonly=0|1."
            </p>
        </section>
    }
}

#[component]
fn EmbedView(roadmap: Roadmap, version: String, options: EmbedOptions) -> impl IntoView {
    provide_topic_details(roadmap.slug.clone(), version);
    let roadmap = Arc::new(roadmap);
    let query = use_query_map();
    let selected = Signal::derive(move || query.read().get("node"));
    provide_embed_links(options.clone());
    let state = provide_map_state(roadmap.clone(), None, selected);
    // Progress in an embed lives in the browser's storage only (partitioned per host site by
    // browsers): an embed has no account and never syncs. With a share token it is that
    // learner's, from the server, read-only.
    let (progress, owner) = match &options.share {
        Some(token) => {
            let (progress, owner) = provide_shared_progress(state.roadmap, token.clone());
            (Some(progress), Some(owner))
        }
        None => (
            options
                .progress
                .then(|| provide_progress_with(state.roadmap, !options.readonly)),
            None,
        ),
    };
    // The embed's own starting depth, plus whatever reveals the topic it opens with.
    let mut expanded = options.expand.expanded(&roadmap);
    if let Some(node) = &options.node {
        expanded.extend(layout::ancestors(&roadmap, node.as_str()));
    }
    state.expanded.set(expanded);
    // An embed is often a narrow frame: the stages down one strip, every child to the right.
    state
        .layout_options
        .set(crate::layout::LayoutOptions::strip());
    // Centres the topic it opens with (or a host's focus-node) once the map has a size.
    crate::map::follow_selection(state, false);

    let theme = RwSignal::new(options.theme);
    let open_href = match &options.node {
        Some(node) => links::roadmap_node(&roadmap.slug, node.as_str()),
        None => links::roadmap(&roadmap.slug),
    };
    let root = NodeRef::<leptos::html::Div>::new();

    #[cfg(feature = "hydrate")]
    messages::connect(state, progress, theme, root);

    view! {
        <Title text=crate::pages::page_title(&roadmap.title) />
        <Meta name="robots" content="noindex" />
        <div
            class="embed-page"
            node_ref=root
            data-theme=move || theme.get().data_theme()
            data-progress=options.shows_progress().to_string()
            data-readonly=options.is_readonly().to_string()
            style:height=format!("{}px", options.height)
        >
            <div class="embed-bar">
                <span class="embed-title">{roadmap.title.clone()}</span>
                {progress.map(|progress| view! { <EmbedProgress progress /> })}
                {owner.map(|owner| view! { <SharedOwnerLine owner /> })}
                <a class="embed-open" href=open_href target="_blank" rel="noopener">
                    "Open in Trailmap"
                </a>
            </div>
            {progress
                .filter(|_| owner.is_none())
                .map(|progress| view! { <StorageNotice progress embedded=true /> })}
            <div class="embed-tools">
                <SearchBox />
                <MapToolbar />
            </div>
            <section class="map-area embed-map" aria-label=format!("{} map", roadmap.title)>
                <MapCanvas />
                <Minimap />
            </section>
            <TopicPanel roadmap=roadmap.clone() selected />
        </div>
    }
    .into_any()
}

/// "x of y settled" once the browser's storage has been read.
#[component]
fn EmbedProgress(progress: ProgressState) -> impl IntoView {
    view! {
        <span class="embed-progress" role="status">
            {move || {
                progress
                    .counts
                    .get()
                    .map(|counts| {
                        let c = counts.overall;
                        format!("{} of {} settled ({}%)", c.settled(), c.total, c.percent())
                    })
            }}
        </span>
    }
}

/// The embed's side of the conversation with its host page (browser only).
#[cfg(feature = "hydrate")]
mod messages {
    use leptos::{ev, html, prelude::*};
    use leptos_router::hooks::use_navigate;
    use wasm_bindgen::JsValue;

    use crate::{
        contexts::{map_links::use_map_links, map_state::MapState, progress::ProgressState},
        embed::{node_selected_message, progress_message, ready_message, EmbedTheme, HostMessage},
    };

    /// Posts to the host page. The target origin is `*`: the embed does not know its host,
    /// and what it says (its height, the selected topic, progress counts) is not secret.
    fn post(message: &serde_json::Value) {
        let Some(parent) = window().parent().ok().flatten() else {
            return;
        };
        if let Ok(value) = js_sys::JSON::parse(&message.to_string()) {
            let _ = parent.post_message(&value, "*");
        }
    }

    pub fn connect(
        state: MapState,
        progress: Option<ProgressState>,
        theme: RwSignal<EmbedTheme>,
        root: NodeRef<html::Div>,
    ) {
        // "progress" with the counts (never which topics) whenever they change.
        if let Some(progress) = progress {
            Effect::new(move |previous: Option<Option<(usize, usize)>>| {
                let now = progress
                    .counts
                    .get()
                    .map(|counts| (counts.overall.done, counts.overall.total));
                if let Some((done, total)) = now {
                    if previous.flatten() != Some((done, total)) {
                        post(&progress_message(done, total));
                    }
                }
                now
            });
        }
        // "ready" on mount, and again whenever the embed's height changes.
        let last_height = StoredValue::new(0.0_f64);
        let report_height = move || {
            let Some(el) = root.get_untracked() else {
                return;
            };
            let height = f64::from(el.scroll_height().max(el.client_height()));
            if (height - last_height.get_value()).abs() >= 1.0 {
                last_height.set_value(height);
                post(&ready_message(height));
            }
        };
        Effect::new(move |_| {
            if root.get().is_some() {
                // Track what can change the height: the open topic and the theme.
                state.selected.track();
                theme.track();
                report_height();
            }
        });
        let resize = window_event_listener(ev::resize, move |_| report_height());
        on_cleanup(move || resize.remove());

        // "node-selected" when the reader opens a topic (not for the one it starts with).
        Effect::new(move |previous: Option<Option<crate::roadmap::NodeId>>| {
            let selected = state.selected.get();
            if let (Some(previous), Some(id)) = (&previous, &selected) {
                if previous.as_ref() != Some(id) {
                    let title = state
                        .roadmap
                        .with_value(|r| r.node(id.as_str()).map(|n| n.title.clone()))
                        .unwrap_or_default();
                    post(&node_selected_message(id, &title));
                }
            }
            selected
        });

        // Requests from the host page: only from our parent window, only well-formed ones.
        let navigate = use_navigate();
        let links = use_map_links();
        let listener = window_event_listener(ev::message, move |event: web_sys::MessageEvent| {
            let from_parent = match (event.source(), window().parent().ok().flatten()) {
                (Some(source), Some(parent)) => JsValue::from(source) == JsValue::from(parent),
                _ => false,
            };
            if !from_parent {
                return;
            }
            let Some(data) = js_sys::JSON::stringify(&event.data())
                .ok()
                .and_then(|text| text.as_string())
                .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            else {
                return;
            };
            match HostMessage::parse(&data) {
                Some(HostMessage::FocusNode(id)) => {
                    let Some(id) = state
                        .roadmap
                        .with_value(|r| r.resolve(id.as_str()).map(|n| n.id.clone()))
                    else {
                        return;
                    };
                    crate::map::open_topic(state, &links, &navigate, &id);
                    state.focused.set(Some(id));
                }
                Some(HostMessage::SetTheme(next)) => theme.set(next),
                Some(HostMessage::Hello) => {
                    last_height.set_value(0.0);
                    report_height();
                }
                None => {}
            }
        });
        on_cleanup(move || listener.remove());
    }
}

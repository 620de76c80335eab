use std::{sync::Arc, time::Duration};

use leptos::{ev, html, prelude::*};
use leptos_meta::{Link, Meta, Title};
use leptos_router::{
    hooks::{use_navigate, use_params_map, use_query_map},
    NavigateOptions,
};

use crate::{
    api::{form_factor, get_roadmap, site_origin},
    contexts::{
        map_state::{
            provide_map_state, shape_layout, start_view, Insets, MapState, PHONE_REFERENCE_AREA,
            REFERENCE_AREA,
        },
        progress::{provide_progress, ProgressState},
        topic_details::provide_topic_details,
    },
    form_factor::FormFactor,
    links,
    map::{
        embed_dialog::EmbedDialog, follow_selection_and_screen, map_canvas::MapCanvas,
        map_menu::MapMenu, minimap::Minimap, next_topic_button::NextTopicButton,
        outline_view::OutlineView, panel_frame::PanelFrame, progress_chip::ProgressChip,
        progress_summary::ProgressSummary, search_box::SearchBox, share_dialog::ShareDialog,
        storage_notice::StorageNotice, topic_panel::TopicPanel, zoom_controls::ZoomControls,
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
    let form_factor = Resource::new(|| (), |_| form_factor());

    view! {
        <Suspense fallback=|| view! { <p>"Loading the roadmap…"</p> }>
            {move || Suspend::new(async move {
                let origin = origin.await.ok();
                let form_factor = form_factor.await;
                match roadmap.await {
                    Ok(Some(outline)) => {
                        view! { <RoadmapView outline origin form_factor /> }.into_any()
                    }
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

/// The page is the map: it fills the window under the app bar and never scrolls. Everything
/// else floats over it — the title with the progress chip, search and the view switch on
/// top; zoom, the hint and the minimap at the bottom; the details, the outline and the topic
/// panel as overlays — so none of them ever moves or resizes the map. Without JavaScript the
/// stylesheet turns this back into a plain page: header, details and the outline.
#[component]
fn RoadmapView(
    outline: RoadmapOutline,
    origin: Option<String>,
    form_factor: FormFactor,
) -> impl IntoView {
    provide_topic_details(outline.slug.clone(), outline.version.clone());
    let roadmap = Arc::new(outline.into_roadmap());
    let query = use_query_map();
    let initial_view = query
        .with_untracked(|q| q.get("view"))
        .and_then(|raw| Viewport::parse_query(&raw).ok());
    let has_initial_view = initial_view.is_some();
    let selected = Signal::derive(move || query.read().get("node"));
    let state = provide_map_state(roadmap.clone(), initial_view, selected);
    // Drawn for the form factor the request says from the first byte: a phone gets its own
    // column plan and starts at its overview, as it will once measured, so the map does not
    // jump after hydration (see `form_factor`). Caches are told the page depends on it.
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.append_header(
            http::header::VARY,
            http::HeaderValue::from_static(FormFactor::VARY),
        );
    }
    let reference = match form_factor {
        FormFactor::Wide => REFERENCE_AREA,
        FormFactor::Phone => {
            state.layout_options.update(|options| {
                shape_layout(options, PHONE_REFERENCE_AREA, PHONE_REFERENCE_AREA.width)
            });
            PHONE_REFERENCE_AREA
        }
    };
    if !has_initial_view && state.selected.get_untracked().is_none() {
        let start = state
            .layout
            .with_untracked(|layout| start_view(layout, reference));
        state.viewport.set(start);
    }
    state.panel_floats.set(true);
    provide_progress(state.roadmap);
    let progress = expect_context::<ProgressState>();
    let outline = RwSignal::new(false);
    let details_open = RwSignal::new(false);
    let chrome = NodeRef::<html::Div>::new();

    measure_bands(state, chrome);
    follow_selection_and_screen(state, !has_initial_view);
    record_viewport_in_url(state);
    close_overlays_on_escape(details_open);
    // Opening a topic (from the details' Next topic too) closes the details.
    Effect::new(move |previous: Option<Option<crate::roadmap::NodeId>>| {
        let now = state.selected.get();
        if previous.is_some_and(|p| p != now) && now.is_some() {
            details_open.set(false);
        }
        now
    });
    // The toolbars' bands for the stylesheet (the panel and overlays sit between them); until
    // measured, the stylesheet's defaults (a 1280 × 800 window's) apply.
    let band_vars = move || {
        let bands = state.bands.get();
        (bands != Insets::default()).then(|| {
            format!(
                "--band-top:{}px;--band-bottom:{}px",
                bands.top, bands.bottom
            )
        })
    };

    let facts = view! {
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
    };

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
        <div class="roadmap-page" class:outline-open=outline>
            <section
                class="map-area"
                aria-label=format!("{} map", roadmap.title)
                inert=move || outline.get()
            >
                <MapCanvas />
            </section>
            <div class="map-chrome" node_ref=chrome>
                <header class="roadmap-header">
                    <h1>{roadmap.title.clone()}</h1>
                    <ProgressChip details_open />
                </header>
                <div class="chrome-search">
                    <SearchBox />
                </div>
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
                <NextTopicButton />
                <MapMenu />
                <ZoomControls />
                <p class="map-hint">
                    "Drag to pan · wheel or pinch to zoom · arrow keys move between topics · Enter opens one · "
                    <kbd>"+"</kbd>
                    " "
                    <kbd>"−"</kbd>
                    " zoom · "
                    <kbd>"0"</kbd>
                    " home · "
                    <kbd>"f"</kbd>
                    " fit"
                </p>
                <div class="chrome-minimap">
                    <Minimap />
                </div>
            </div>
            // The overlays between the toolbars' bands. Only they get the bands' variables: set
            // on the whole page, a change (the first measure, on every load) restyled each card.
            <div class="overlays" style=band_vars>
            // When the browser will not save progress: one line over the map, under the top
            // toolbar (outside it, so it never changes the map's visible area).
            <div class="storage-slot">
                <StorageNotice progress embedded=false />
            </div>
            <div class="embed-slot">
                <EmbedDialog
                    slug=roadmap.slug.clone()
                    title=roadmap.title.clone()
                    origin=origin.clone()
                />
                <ShareDialog slug=roadmap.slug.clone() origin=origin.clone() />
            </div>
            <section
                id="roadmap-details"
                class="roadmap-details"
                aria-label="About this roadmap and your progress"
                hidden=move || !details_open.get()
            >
                <p class="lead">{roadmap.summary.clone()}</p>
                {facts}
                <ProgressSummary />
            </section>
            <nav
                class="outline"
                aria-label=format!("{} outline", roadmap.title)
                hidden=move || !outline.get()
            >
                // The intro's own headings are h3: this one keeps the page's order h1 > h2 > h3.
                // Shown, not only read out: sighted readers get the same outline of the page.
                <h2 class="intro-heading">"About this roadmap"</h2>
                <div class="intro" inner_html=roadmap.intro_html.clone()></div>
                <OutlineView roadmap=roadmap.clone() shown=outline />
            </nav>
            <PanelFrame slug=roadmap.slug.clone()>
                <TopicPanel roadmap=roadmap.clone() selected />
            </PanelFrame>
            </div>
        </div>
    }
    .into_any()
}

/// oEmbed discovery: where consumers ask about this page (<https://oembed.com>, section 4).
fn oembed_href(origin: &str, slug: &str) -> String {
    links::oembed(&format!("{origin}{}", links::roadmap(slug)))
}

/// How far the floating toolbars reach into the map, from the boxes of the chrome's parts:
/// those in the upper half of the map make the top band, the others the bottom band. Read
/// whenever the map is measured (load, window resize).
fn measure_bands(state: MapState, chrome: NodeRef<html::Div>) {
    Effect::new(move |_| {
        let Some(screen) = state.screen.get() else {
            return;
        };
        let Some(chrome) = chrome.get_untracked() else {
            return;
        };
        let frame = chrome.get_bounding_client_rect();
        let (mut top, mut bottom) = (0.0_f64, 0.0_f64);
        let parts = chrome.children();
        for i in 0..parts.length() {
            let Some(part) = parts.item(i) else {
                continue;
            };
            let rect = part.get_bounding_client_rect();
            if rect.width() <= 0.0 || rect.height() <= 0.0 {
                continue;
            }
            let (part_top, part_bottom) = (rect.top() - frame.top(), rect.bottom() - frame.top());
            if (part_top + part_bottom) / 2.0 < screen.height / 2.0 {
                top = top.max(part_bottom);
            } else {
                bottom = bottom.max(screen.height - part_top);
            }
        }
        // A little air between a toolbar and the cards revealed next to it.
        let air = |band: f64| if band > 0.0 { band + 4.0 } else { 0.0 };
        let bands = Insets {
            top: air(top),
            bottom: air(bottom),
            ..Insets::default()
        };
        if state.bands.get_untracked() != bands {
            state.bands.set(bands);
        }
    });
}

/// Escape closes the details overlay (the panel and menus close themselves).
fn close_overlays_on_escape(details_open: RwSignal<bool>) {
    let handle = window_event_listener(ev::keydown, move |event| {
        if event.key() == "Escape" && details_open.get_untracked() {
            details_open.set(false);
        }
    });
    on_cleanup(move || handle.remove());
}

/// After gestures settle, write the viewport into the URL (replacing the history entry). The
/// page's own move to the home view on load is not recorded.
fn record_viewport_in_url(state: MapState) {
    let navigate = use_navigate();
    let query = use_query_map();
    let pending = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |first_run: Option<()>| {
        let view = state.viewport.get();
        if first_run.is_none() || state.auto_view.get_value() == Some(view) {
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

use std::sync::Arc;

use leptos::prelude::*;

use crate::{
    contexts::progress::ProgressState,
    links,
    map::status_buttons::icon,
    progress::Status,
    roadmap::{NodeId, Roadmap},
};

/// The whole roadmap as nested lists of links: every stage and topic, whatever is expanded
/// on the map. It is what a reader without JavaScript sees, and the map's accessible twin.
///
/// Built in the browser only once `shown` (or when the page is printed): hydrating every
/// topic's link with its status and note markers would cost the map's first interaction time
/// in proportion to the roadmap. Until then the server's outline is sent inside `<noscript>`:
/// a reader without JavaScript gets it as HTML, while a browser running scripts reads it as
/// one text node instead of building thousands of elements it never shows (half of a
/// 2,000-topic page). Printing builds the live outline first (`beforeprint`), so a printed
/// map page still lists every topic, with the reader's statuses.
#[component]
pub fn OutlineView(roadmap: Arc<Roadmap>, #[prop(into)] shown: Signal<bool>) -> impl IntoView {
    let printing = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener_untyped("beforeprint", move |_| printing.set(true));
        on_cleanup(move || handle.remove());
    }
    let built = super::shown_once(move || shown.get() || printing.get());
    move || {
        if built.get() {
            outline(&roadmap).into_any()
        } else {
            #[cfg(feature = "ssr")]
            let html = format!(
                r#"<div class="outline-static">{}</div>"#,
                outline(&roadmap).to_html()
            );
            #[cfg(not(feature = "ssr"))]
            let html = String::new();
            view! { <noscript inner_html=html></noscript> }.into_any()
        }
    }
}

fn outline(roadmap: &Arc<Roadmap>) -> impl IntoView {
    let stages = roadmap
        .stages()
        .enumerate()
        .map(|(index, stage)| {
            view! { <OutlineStage roadmap=roadmap.clone() stage_id=stage.id.clone() number=index + 1 /> }
        })
        .collect_view();
    view! { <ol class="stages">{stages}</ol> }
}

/// One stage with its topics, which can be collapsed and expanded.
#[component]
fn OutlineStage(roadmap: Arc<Roadmap>, stage_id: NodeId, number: usize) -> impl IntoView {
    let Some(stage) = roadmap.node(stage_id.as_str()) else {
        return ().into_any();
    };
    let (expanded, set_expanded) = signal(true);
    let list_id = format!("outline-{}-topics", stage.id);
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

    view! {
        <li class="stage" id=format!("outline-{}", stage.id)>
            <div class="stage-head">
                <span class="stage-number" aria-hidden="true">
                    {format!("{number:02}")}
                </span>
                <h2>
                    <a href=links::roadmap_node(&roadmap.slug, stage.id.as_str())>{stage.title.clone()}</a>
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

/// The nested list under a node. A function, not a component, because it recurses: each
/// level is boxed into an `AnyView`.
fn topic_list(roadmap: &Roadmap, ids: &[NodeId]) -> AnyView {
    if ids.is_empty() {
        return ().into_any();
    }
    let items = ids
        .iter()
        .filter_map(|id| roadmap.node(id.as_str()))
        .map(|node| {
            let status = topic_status(node.id.clone());
            let has_note = topic_has_note(node.id.clone());
            view! {
                <li class="topic" id=format!("outline-{}", node.id)>
                    <a
                        class=move || format!("topic-link status-{}", status().as_str())
                        href=links::roadmap_node(&roadmap.slug, node.id.as_str())
                    >
                        {node.title.clone()}
                        {move || {
                            has_note()
                                .then(|| {
                                    view! {
                                        <span class="outline-note" role="img" aria-label="Has a note">
                                            "✎"
                                        </span>
                                    }
                                })
                        }}
                        {move || {
                            let status = status();
                            (status != Status::Pending)
                                .then(|| {
                                    view! {
                                        <span class="outline-status">
                                            <span aria-hidden="true">{icon(status)}</span>
                                            <span class="visually-hidden">{format!(" ({})", status.label())}</span>
                                        </span>
                                    }
                                })
                        }}
                    </a>
                    {topic_list(roadmap, &node.children)}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="topics">{items}</ul> }.into_any()
}

/// Whether the learner wrote a note on the topic, as a reactive closure (false outside a
/// roadmap page and in embeds).
fn topic_has_note(id: NodeId) -> impl Fn() -> bool + Copy + Send + Sync + 'static {
    let progress = use_context::<ProgressState>();
    let has_note = Memo::new(move |_| progress.and_then(|progress| progress.note(&id)).is_some());
    move || has_note.get()
}

/// The topic's status as a reactive closure; pending while unknown or outside a roadmap page.
fn topic_status(id: NodeId) -> impl Fn() -> Status + Copy + Send + Sync + 'static {
    let progress = use_context::<ProgressState>();
    let status = Memo::new(move |_| {
        progress
            .and_then(|progress| progress.status(&id))
            .unwrap_or_default()
    });
    move || status.get()
}

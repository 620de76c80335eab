use std::sync::Arc;

use leptos::{ev, prelude::*};
use leptos_router::{hooks::use_navigate, NavigateOptions};

use crate::{
    contexts::{
        map_links::{use_map_links, MapLinks},
        map_state::MapState,
        progress::ProgressState,
        topic_details::{DetailsMissing, TopicDetailsCache},
    },
    map::{
        keyboard,
        status_buttons::{status_for_key, StatusButtons},
        topic_note::TopicNote,
    },
    roadmap::{Node, NodeId, Roadmap, TopicDetails},
};

/// The side panel for the selected topic (`?node=`): its text, resources, tips and links
/// (a bottom sheet on narrow screens). Esc closes it and returns focus to the node. The title,
/// level and links within the roadmap come with the page; the text, resources, tips and links
/// to other roadmaps are the topic's details, from the `TopicDetailsCache` (fetched, or
/// rendered on the server and carried by the page for the topic a page opens with).
#[component]
pub fn TopicPanel(roadmap: Arc<Roadmap>, selected: Signal<Option<String>>) -> impl IntoView {
    let state = expect_context::<MapState>();
    let navigate = use_navigate();
    let progress = use_context::<ProgressState>();
    let links = use_map_links();
    let close_href = links.map(&roadmap.slug);
    let on_escape = window_event_listener(ev::keydown, move |event| {
        // Status keys while the panel is open, unless typing somewhere.
        if let (Some(status), Some(progress), Some(id)) = (
            status_for_key(&event.key()),
            progress,
            state.selected.get_untracked(),
        ) {
            let typing = document().active_element().is_some_and(|el| {
                matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
            });
            let in_map = document()
                .active_element()
                .is_some_and(|el| el.closest(".map-viewport").ok().flatten().is_some());
            if !typing && !in_map && !event.ctrl_key() && !event.meta_key() && !event.alt_key() {
                progress.set(&id, status);
                return;
            }
        }
        if event.key() != "Escape" {
            return;
        }
        if let Some(id) = state.selected.get_untracked() {
            navigate(
                &close_href,
                NavigateOptions {
                    scroll: false,
                    ..Default::default()
                },
            );
            keyboard::focus(state, id);
        }
    });
    on_cleanup(move || on_escape.remove());

    // Only a different topic re-renders the panel: the query also carries `?view=`, which
    // changes with every pan and zoom, and a re-render would wipe what is being typed (a note).
    let shown = Memo::new(move |_| selected.get());
    move || {
        let id = shown.get()?;
        let view = match roadmap.resolve(&id) {
            Some(node) => {
                let cache = expect_context::<TopicDetailsCache>();
                let details = Resource::new(
                    {
                        let id = node.id.clone();
                        move || id.clone()
                    },
                    move |id| async move { cache.get(id).await.map(|details| (*details).clone()) },
                );
                topic_details(&roadmap, node, &links, details)
            }
            None => view! {
                <aside class="topic-panel" aria-label="Topic">
                    <p>"There is no topic “" {id} "” in this roadmap."</p>
                    <a href=links.map(&roadmap.slug)>"Close"</a>
                </aside>
            }
            .into_any(),
        };
        Some(view)
    }
}

type Details = Resource<Result<TopicDetails, DetailsMissing>>;

fn topic_details(roadmap: &Roadmap, node: &Node, links: &MapLinks, details: Details) -> AnyView {
    // Links within the roadmap, as (href, title): the view below is rebuilt from them.
    let link = |id: &NodeId| {
        roadmap.node(id.as_str()).map(|target| {
            (
                links.node(&roadmap.slug, target.id.as_str()),
                target.title.clone(),
            )
        })
    };
    let related: Vec<_> = node.related.iter().filter_map(link).collect();
    let alternatives: Vec<_> = node.alternatives.iter().filter_map(link).collect();
    let meta = [
        node.level.map(|level| level.to_string()),
        node.estimate.map(|estimate| estimate.to_string()),
        // Optional topics lie beyond the core path: their time is not in the stage's estimate.
        node.optional
            .then(|| "optional, beyond the core path".to_owned()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let note = (!node.is_stage() && use_context::<ProgressState>().is_some_and(|p| p.notes))
        .then(|| node.id.clone());
    // One Suspense reads the details once: on the server, one resource read by several
    // Suspense boundaries can leave a response hanging (leptos-rs/leptos#4851).
    let body = {
        let links = links.clone();
        move || {
            let (links, note) = (links.clone(), note.clone());
            let (related, alternatives) = (related.clone(), alternatives.clone());
            Suspend::new(async move {
                let details = details.await;
                let text = match &details {
                    Ok(details) => {
                        view! { <div class="topic-text" inner_html=details.html.clone()></div> }
                            .into_any()
                    }
                    Err(missing) => {
                        view! { <p class="topic-missing">{missing.to_string()}</p> }.into_any()
                    }
                };
                let details = details.ok();
                view! {
                    {text}
                    {note.map(|id| view! { <TopicNote id=id /> })}
                    {details.as_ref().map(resources_and_tips)}
                    {linked("Related", related)}
                    {linked("Alternatives", alternatives)}
                    {details.as_ref().map(|details| see_also(details, &links))}
                }
            })
        }
    };

    view! {
        <aside class="topic-panel" aria-labelledby="topic-title">
            <a class="close" href=links.map(&roadmap.slug) aria-label="Close topic">
                "×"
            </a>
            <h2 id="topic-title">{node.title.clone()}</h2>
            <p class="topic-meta">{meta}</p>
            {(!node.is_stage() && use_context::<ProgressState>().is_some_and(|p| p.editable))
                .then(|| {
                    view! {
                        <div class="status-buttons" role="group" aria-label="Your status">
                            <StatusButtons id=node.id.clone() />
                        </div>
                    }
                })}
            <Suspense fallback=|| {
                view! { <p class="topic-loading">"Loading the topic…"</p> }
            }>{body}</Suspense>
        </aside>
    }
    .into_any()
}

/// A heading and its list of links within the roadmap, if there are any.
fn linked(heading: &'static str, links: Vec<(String, String)>) -> impl IntoView {
    (!links.is_empty()).then(|| {
        let items = links
            .into_iter()
            .map(|(href, title)| view! { <li><a href=href>{title}</a></li> })
            .collect_view();
        view! {
            <h3>{heading}</h3>
            <ul class="links">{items}</ul>
        }
    })
}

/// The topic's resources and tips (from its details).
fn resources_and_tips(details: &TopicDetails) -> impl IntoView {
    let resources = details
        .resources
        .iter()
        .map(|resource| {
            view! {
                <li>
                    <span class=format!(
                        "badge badge-{}",
                        resource.kind.as_str(),
                    )>{resource.kind.label()}</span>
                    <a href=resource.url.clone() rel="noopener noreferrer" target="_blank">
                        {resource.title.clone()}
                    </a>
                </li>
            }
        })
        .collect_view();
    let tips = details
        .tips
        .iter()
        .map(|tip| {
            view! {
                <li>
                    <strong>{tip.label.clone()} ": "</strong>
                    {tip.text.clone()}
                </li>
            }
        })
        .collect_view();
    view! {
        <h3>"Resources"</h3>
        <ul class="resources">{resources}</ul>
        {(!details.tips.is_empty())
            .then(|| view! {
                <h3>"Tips"</h3>
                <ul class="tips">{tips}</ul>
            })}
    }
}

/// Nodes of other roadmaps (`see:`); their titles were filled in when the catalog loaded.
fn see_also(details: &TopicDetails, links: &MapLinks) -> impl IntoView {
    let items = details
        .see
        .iter()
        .map(|see| {
            let label = if see.title.is_empty() {
                format!("{}/{}", see.roadmap, see.node)
            } else {
                format!("{} — {}", see.title, see.roadmap_title)
            };
            view! {
                <li>
                    <a
                        href=crate::links::roadmap_node(&see.roadmap, see.node.as_str())
                        target=links.external_target()
                        rel=links.external_target().map(|_| "noopener")
                    >
                        {label}
                    </a>
                </li>
            }
        })
        .collect_view();
    (!details.see.is_empty()).then(|| {
        view! {
            <h3>"In other roadmaps"</h3>
            <ul class="links see-also">{items}</ul>
        }
    })
}

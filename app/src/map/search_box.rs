use std::sync::Arc;

use leptos::{ev, prelude::*};
use leptos_router::hooks::use_navigate;

use crate::{
    contexts::{map_links::use_map_links, map_state::MapState, topic_details::TopicDetailsCache},
    map::{keyboard, open_topic},
    roadmap::NodeId,
    search::{SearchHit, SearchIndex, SearchWords},
};

const MAX_HITS: usize = 12;

/// Filters topics by title, alias and text as you type (a WAI-ARIA combobox). Choosing a hit
/// expands its ancestors, opens it, centres it in the visible part of the map (zooming in to
/// 100 % from an overview) and highlights it. When nothing matches, it says so. The page has
/// the titles and aliases; the words of the topics' text come from the server the first time
/// the box is focused (until then, and offline before they were ever fetched, it searches
/// titles and aliases). The highlighted hit's details are fetched ahead, so opening it is
/// instant.
#[component]
pub fn SearchBox() -> impl IntoView {
    let state = expect_context::<MapState>();
    let navigate = use_navigate();
    let links = use_map_links();
    let details = use_context::<TopicDetailsCache>();
    // Built on the first keystroke (server renders never need it), again once the words come.
    let index: StoredValue<Option<Arc<SearchIndex>>> = StoredValue::new(None);
    let index_has_words = StoredValue::new(false);
    let words: RwSignal<Option<Arc<SearchWords>>> = RwSignal::new(None);
    let asked_for_words = StoredValue::new(false);
    let query = RwSignal::new(String::new());
    let active = RwSignal::new(0usize);

    let hits = Memo::new(move |_| {
        let query = query.get();
        if query.trim().is_empty() {
            return Vec::<SearchHit>::new();
        }
        let words = words.get();
        let index = match index
            .get_value()
            .filter(|_| words.is_none() || index_has_words.get_value())
        {
            Some(index) => index,
            None => {
                let built = Arc::new(state.roadmap.with_value(|r| match (&words, details) {
                    (Some(words), Some(details)) => {
                        SearchIndex::with_words(r, &details.version(), words)
                    }
                    _ => SearchIndex::new(r),
                }));
                index_has_words.set_value(words.is_some());
                index.set_value(Some(built.clone()));
                built
            }
        };
        index.search(&query, MAX_HITS)
    });
    let open = move || !hits.with(Vec::is_empty);
    // Fetch the highlighted hit's details ahead of a choice.
    Effect::new(move |_| {
        let hit = hits.with(|hits| hits.get(active.get()).map(|hit| hit.id.clone()));
        if let (Some(id), Some(details)) = (hit, details) {
            details.prefetch(id);
        }
    });
    let load_words = move |_: ev::FocusEvent| {
        if asked_for_words.get_value() {
            return;
        }
        asked_for_words.set_value(true);
        #[cfg(feature = "hydrate")]
        if let Some(details) = details {
            leptos::task::spawn_local(async move {
                if let Ok(fetched) =
                    crate::api_client::search_words(&details.search_words_url()).await
                {
                    words.set(Some(Arc::new(fetched)));
                }
            });
        }
    };

    let choose = {
        let navigate = navigate.clone();
        move |id: NodeId| {
            query.set(String::new());
            open_topic(state, &links, &navigate, &id);
            state.highlighted.set(Some(id.clone()));
            keyboard::focus(state, id);
        }
    };

    let on_keydown = {
        let choose = choose.clone();
        move |event: ev::KeyboardEvent| {
            let count = hits.with_untracked(Vec::len);
            match event.key().as_str() {
                "ArrowDown" if count > 0 => {
                    active.update(|a| *a = (*a + 1) % count);
                    event.prevent_default();
                }
                "ArrowUp" if count > 0 => {
                    active.update(|a| *a = (*a + count - 1) % count);
                    event.prevent_default();
                }
                "Enter" => {
                    let hit = hits.with_untracked(|h| h.get(active.get_untracked()).cloned());
                    if let Some(hit) = hit {
                        event.prevent_default();
                        choose(hit.id);
                    }
                }
                "Escape" => query.set(String::new()),
                _ => {}
            }
        }
    };

    view! {
        <div class="search">
            <label for="topic-search" class="visually-hidden">
                "Search topics"
            </label>
            <input
                id="topic-search"
                type="search"
                placeholder="Search topics…"
                autocomplete="off"
                role="combobox"
                aria-autocomplete="list"
                aria-controls="search-results"
                aria-expanded=move || open().to_string()
                aria-activedescendant=move || open().then(|| format!("search-hit-{}", active.get()))
                prop:value=query
                on:input=move |event| {
                    active.set(0);
                    query.set(event_target_value(&event));
                }
                on:keydown=on_keydown
                on:focus=load_words
            />
            <ul id="search-results" role="listbox" aria-label="Matching topics" hidden=move || !open()>
                {move || {
                    hits.get()
                        .into_iter()
                        .enumerate()
                        .map(|(i, hit)| {
                            let choose = choose.clone();
                            let id = hit.id.clone();
                            view! {
                                <li
                                    id=format!("search-hit-{i}")
                                    role="option"
                                    aria-selected=move || (active.get() == i).to_string()
                                    on:mousedown=move |event| {
                                        event.prevent_default();
                                        choose(id.clone());
                                    }
                                >
                                    <span class="hit-title">{hit.title}</span>
                                    <span class="hit-stage">{hit.stage_title}</span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <p class="search-empty" role="status">
                {move || {
                    let q = query.get();
                    (!q.trim().is_empty() && hits.with(Vec::is_empty))
                        .then(|| format!("No topics match “{}”.", q.trim()))
                }}
            </p>
        </div>
    }
}

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::{
    contexts::{map_links::use_map_links, map_state::MapState, progress::ProgressState},
    map::{keyboard, open_topic},
};

/// *Next topic*: opens the topic to study next by one rule (`progress::next_topic`, see the
/// README): the first topic in roadmap order that is in progress, else the first pending one.
/// Disabled until the browser's storage has been read, and when every topic is settled.
#[component]
pub fn NextTopicButton() -> impl IntoView {
    let progress = expect_context::<ProgressState>();
    let map = expect_context::<MapState>();
    let navigate = use_navigate();
    let links = use_map_links();
    let next = move |_| {
        if let Some(id) = progress.next_topic() {
            open_topic(map, &links, &navigate, &id);
            keyboard::focus(map, id);
        }
    };
    view! {
        <button
            type="button"
            class="next-topic"
            title="Open the topic in progress, else the first pending one"
            on:click=next
            disabled=move || progress.counts.get().is_none() || progress.next_topic().is_none()
        >
            "Next topic →"
        </button>
    }
}

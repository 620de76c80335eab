use leptos::{html, prelude::*};

use crate::{
    api_client::{self, ApiFailure, ShareLink, ShareState},
    browser_storage,
    contexts::account::AccountState,
    links,
};

/// The "Share progress" button and its dialog, for a signed-in learner: turn on a read-only
/// link to their progress on this roadmap (with the name it shows and whether notes show),
/// copy it, its badge and its embed, make a new one (the old one dies), or turn it off.
///
/// The server keeps only a hash of the link's token, so it hands the link out once, when it
/// makes it; this browser keeps it (local storage, per roadmap) to show it again. On another
/// device the dialog says sharing is on and offers a new link.
#[component]
pub fn ShareDialog(slug: String, origin: Option<String>) -> impl IntoView {
    let account = use_context::<AccountState>();
    let signed_in = move || account.is_some_and(|account| account.username().is_some());
    let dialog = NodeRef::<html::Dialog>::new();
    let enabled = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let include_notes = RwSignal::new(false);
    let link = RwSignal::new(None::<ShareLink>);
    let message = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let slug = StoredValue::new(slug);
    let origin = StoredValue::new(origin.unwrap_or_default());
    let absolute = move |path: &str| format!("{}{path}", origin.get_value());

    let apply = move |answer: Result<ShareState, ApiFailure>, done: &str| {
        busy.set(false);
        match answer {
            Ok(state) => {
                enabled.set(state.enabled);
                if let Some(shown) = state.display_name {
                    name.set(shown);
                }
                include_notes.set(state.include_notes);
                if let Some(made) = state.link {
                    store_link(&slug.get_value(), Some(&made));
                    link.set(Some(made));
                } else if !state.enabled {
                    store_link(&slug.get_value(), None);
                    link.set(None);
                }
                message.set(Some(done.to_owned()));
            }
            Err(failure) => message.set(Some(failure.message())),
        }
    };
    let open = move |_| {
        let Some(dialog) = dialog.get_untracked() else {
            return;
        };
        message.set(None);
        link.set(stored_link(&slug.get_value()));
        let _ = dialog.show_modal();
        leptos::task::spawn_local(async move {
            let answer = api_client::share_state(&slug.get_value()).await;
            apply(answer, "");
            message.set(None);
        });
    };
    let close = move |_| {
        if let Some(dialog) = dialog.get_untracked() {
            dialog.close();
        }
    };
    let save = move |_| {
        busy.set(true);
        let (shown, notes) = (name.get_untracked(), include_notes.get_untracked());
        let was_on = enabled.get_untracked();
        leptos::task::spawn_local(async move {
            let answer = api_client::enable_share(&slug.get_value(), &shown, notes).await;
            apply(answer, if was_on { "Saved" } else { "Sharing is on" });
        });
    };
    let regenerate = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let answer = api_client::regenerate_share(&slug.get_value()).await;
            apply(answer, "New link made: the old one no longer works");
        });
    };
    let turn_off = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let answer = api_client::disable_share(&slug.get_value())
                .await
                .map(|()| ShareState {
                    enabled: false,
                    display_name: None,
                    include_notes: false,
                    link: None,
                });
            apply(answer, "Sharing is off: the link no longer works");
        });
    };
    let copy = move |text: String| {
        message.set(Some(
            match super::embed_dialog::copy_text(&text) {
                Ok(()) => "Copied",
                Err(()) => "This browser does not allow copying here: select the text and copy it",
            }
            .to_owned(),
        ));
    };

    move || {
        signed_in().then(|| {
            view! {
                <button type="button" class="share-open" on:click=open>
                    "Share progress"
                </button>
                <dialog class="share-dialog" node_ref=dialog aria-labelledby="share-title">
                    <h2 id="share-title">"Share your progress"</h2>
                    <p>
                        "Anyone with the link sees your statuses on this roadmap, read-only. "
                        "Turn it off or make a new link at any time."
                    </p>
                    <label>
                        "Name shown"
                        <input
                            type="text"
                            maxlength="40"
                            placeholder="A Trailmap learner"
                            prop:value=move || name.get()
                            on:input=move |event| name.set(event_target_value(&event))
                        />
                    </label>
                    <label class="share-notes">
                        <input
                            type="checkbox"
                            prop:checked=move || include_notes.get()
                            on:change=move |event| include_notes.set(event_target_checked(&event))
                        />
                        "Include my notes"
                    </label>
                    <div class="share-actions">
                        <button type="button" disabled=move || busy.get() on:click=save>
                            {move || if enabled.get() { "Save settings" } else { "Turn sharing on" }}
                        </button>
                        {move || {
                            enabled
                                .get()
                                .then(|| {
                                    view! {
                                        <button type="button" disabled=move || busy.get() on:click=regenerate>
                                            "New link"
                                        </button>
                                        <button type="button" disabled=move || busy.get() on:click=turn_off>
                                            "Turn sharing off"
                                        </button>
                                    }
                                })
                        }}
                    </div>
                    {move || match (enabled.get(), link.get()) {
                        (true, Some(made)) => {
                            let page = absolute(&made.page);
                            let badge = format!(
                                "[![My progress]({})]({})",
                                absolute(&made.badge),
                                page,
                            );
                            let embed = absolute(&made.embed);
                            view! {
                                <div class="share-link">
                                    <label>
                                        "Link"
                                        <input type="text" readonly prop:value=page.clone() />
                                    </label>
                                    <button type="button" on:click={
                                        let page = page.clone();
                                        move |_| copy(page.clone())
                                    }>"Copy link"</button>
                                    <label>
                                        "Badge (Markdown)"
                                        <input type="text" readonly prop:value=badge.clone() />
                                    </label>
                                    <button type="button" on:click=move |_| copy(badge.clone())>
                                        "Copy badge"
                                    </button>
                                    <p>
                                        "Progress embed: " <code>{embed}</code>
                                        " (the Embed dialog offers it too)"
                                    </p>
                                </div>
                            }
                                .into_any()
                        }
                        (true, None) => {
                            view! {
                                <p class="share-link">
                                    "Sharing is on. This browser does not hold the link (it is "
                                    "shown once, where it is made): make a new link to copy it."
                                </p>
                            }
                                .into_any()
                        }
                        (false, _) => ().into_any(),
                    }}
                    <p class="share-message" role="status">{move || message.get()}</p>
                    <button type="button" class="share-close" on:click=close>
                        "Close"
                    </button>
                </dialog>
            }
        })
    }
}

/// Where this browser keeps the link of its learner's share of roadmap `slug`.
fn storage_key(slug: &str) -> String {
    format!("trailmap:share:{slug}")
}

/// The link this browser made for roadmap `slug`, if it still holds it.
pub fn stored_link(slug: &str) -> Option<ShareLink> {
    let raw = browser_storage::read(&storage_key(slug)).ok().flatten()?;
    let made: ShareLink = serde_json::from_str(&raw).ok()?;
    // Only what the server would have made: the paths of this roadmap's share.
    let token_ok = made.token.len() == 32 && made.token.bytes().all(|b| b.is_ascii_hexdigit());
    (token_ok && made.page == links::shared(slug, &made.token)).then_some(made)
}

fn store_link(slug: &str, made: Option<&ShareLink>) {
    let outcome = match made.and_then(|made| serde_json::to_string(made).ok()) {
        Some(json) => browser_storage::write(&storage_key(slug), &json),
        None => browser_storage::remove(&storage_key(slug)),
    };
    if let Err(problem) = outcome {
        leptos::logging::warn!(
            "trailmap: the share link is not kept in this browser ({problem:?})"
        );
    }
}

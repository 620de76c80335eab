use leptos::{html, prelude::*};
use send_wrapper::SendWrapper;

use crate::{
    embed::{iframe_snippet, EmbedOptions, EmbedTheme, DEFAULT_HEIGHT, MAX_HEIGHT, MIN_HEIGHT},
    layout::Expand,
    lazy::ChunkUnavailable,
};

/// The "Embed" button and its dialog (a native `<dialog>`): pick the theme, height, depth and
/// whether progress shows; the snippet (iframe + `embed.js`) follows, with a live preview and
/// a Copy button. `origin` is this site's (`https://trailmap.example`), so the snippet works
/// when pasted elsewhere; the preview is the same snippet with this page's own URLs, its
/// script included.
#[component]
pub fn EmbedDialog(slug: String, title: String, origin: Option<String>) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let is_open = RwSignal::new(false);
    // The dialog's form comes from a wasm chunk of its own (`crate::lazy`), fetched the first
    // time the dialog opens, then kept (with its choices): a closed dialog is nothing a reader
    // can use, so the page neither renders, hydrates nor downloads it.
    // Held in a `SendWrapper` (the view is the browser thread's), not in local storage: on
    // the server the store is made, and dropped, on whichever thread renders the page.
    let form = StoredValue::new(None::<SendWrapper<AnyView>>);
    let loaded = RwSignal::new(false);
    let unavailable = RwSignal::new(false);
    let args = StoredValue::new((slug, title, origin.unwrap_or_default()));
    let owner = StoredValue::new(Owner::current());
    // Opens the dialog (a retry from its message, too), fetching the form first if need be.
    let open = move || {
        let show = async move {
            if !loaded.get_untracked() {
                let (slug, title, origin) = args.get_value();
                let part = EmbedForm {
                    slug,
                    title,
                    origin,
                    is_open,
                    dialog,
                };
                match embed_form(part).await {
                    Ok(view) => {
                        form.set_value(Some(SendWrapper::new(view)));
                        loaded.set(true);
                        unavailable.set(false);
                    }
                    Err(ChunkUnavailable) => unavailable.set(true),
                }
            }
            is_open.set(true);
            // Once the form is in (the render runs before the next frame), so that the dialog
            // focuses its first control as it opens.
            request_animation_frame(move || {
                if let Some(dialog) = dialog.get_untracked() {
                    let _ = dialog.show_modal();
                }
            });
        };
        // Under the dialog's owner: the form's signals and effects live as long as it does.
        match owner.get_value() {
            Some(owner) => owner.with(|| leptos::task::spawn_local_scoped(show)),
            None => leptos::task::spawn_local(show),
        }
    };
    let close = move |_| {
        if let Some(dialog) = dialog.get_untracked() {
            dialog.close();
        }
    };

    view! {
        <button type="button" class="embed-button" aria-haspopup="dialog" on:click=move |_| open()>
            "Embed"
        </button>
        <dialog
            class="embed-dialog"
            node_ref=dialog
            aria-labelledby="embed-dialog-title"
            on:close=move |_| is_open.set(false)
        >
            <h2 id="embed-dialog-title">"Embed this roadmap"</h2>
            // Taken out of its store once, when it first arrives; the render keeps it after.
            {move || {
                loaded
                    .get()
                    .then(|| form.try_update_value(Option::take).flatten())
                    .flatten()
                    .map(SendWrapper::take)
            }}
            <Show when=move || unavailable.get() && !loaded.get()>
                <p role="alert">
                    "The embed options could not be downloaded (check the connection)."
                </p>
                <div class="actions">
                    <button type="button" on:click=move |_| open()>
                        "Try again"
                    </button>
                    <button type="button" on:click=close>
                        "Close"
                    </button>
                </div>
            </Show>
        </dialog>
    }
}

/// What the dialog's form needs from the dialog.
struct EmbedForm {
    slug: String,
    title: String,
    origin: String,
    is_open: RwSignal<bool>,
    dialog: NodeRef<html::Dialog>,
}

/// The dialog's form: the options, the snippet with its Copy button, and the live preview
/// (while the dialog is open).
#[leptos::wasm_split::wasm_split(embed_form, wasm_split_path = ::leptos::wasm_split, fallible)]
fn embed_form(part: EmbedForm) -> Result<AnyView, ChunkUnavailable> {
    let EmbedForm {
        slug,
        title,
        origin,
        is_open,
        dialog,
    } = part;
    let theme = RwSignal::new(EmbedTheme::Auto);
    let height = RwSignal::new(DEFAULT_HEIGHT);
    let expand = RwSignal::new(Expand::default());
    let progress = RwSignal::new(true);
    let copied = RwSignal::new(None::<&'static str>);
    // The token of the learner's share link, when this browser holds one (see `ShareDialog`):
    // the dialog then offers the progress embed.
    let share_token = RwSignal::new(None::<String>);
    let my_progress = RwSignal::new(false);
    // Each time the dialog opens: a fresh Copy state, and the share link as it is now.
    {
        let slug = slug.clone();
        Effect::new(move |_| {
            if is_open.get() {
                copied.set(None);
                share_token.set(super::share_dialog::stored_link(&slug).map(|link| link.token));
            }
        });
    }
    let options = Memo::new(move |_| EmbedOptions {
        theme: theme.get(),
        height: height.get(),
        expand: expand.get(),
        progress: progress.get(),
        share: my_progress.get().then(|| share_token.get()).flatten(),
        ..Default::default()
    });
    let snippet = {
        let (slug, title) = (slug.clone(), title.clone());
        Memo::new(move |_| iframe_snippet(&origin, &slug, &title, &options.get()))
    };
    let preview_html = Memo::new(move |_| iframe_snippet("", &slug, &title, &options.get()));
    let preview = NodeRef::<html::Div>::new();
    // Markup set as HTML does not run its scripts: start the snippet's `embed.js` by hand.
    Effect::new(move |_| {
        options.track();
        if let Some(preview) = preview.get() {
            // After this turn's render has put the new markup in.
            set_timeout(move || run_scripts(&preview), std::time::Duration::ZERO);
        }
    });
    let close = move |_| {
        if let Some(dialog) = dialog.get_untracked() {
            dialog.close();
        }
    };
    let copy = move |_| {
        copied.set(Some(match copy_text(&snippet.get_untracked()) {
            Ok(()) => "Copied",
            Err(()) => "This browser does not allow copying here: select the snippet and copy it",
        }));
    };
    let on_theme = move |event| {
        if let Ok(next) = EmbedTheme::parse(&event_target_value(&event)) {
            theme.set(next);
        }
    };
    let on_height = move |event| {
        if let Ok(next) = event_target_value(&event).parse::<u32>() {
            height.set(next.clamp(MIN_HEIGHT, MAX_HEIGHT));
        }
    };
    let on_expand = move |event| {
        if let Ok(next) = Expand::parse(&event_target_value(&event)) {
            expand.set(next);
        }
    };

    let form = view! {
            <form method="dialog" on:submit=|event| event.prevent_default()>
                <label>
                    "Theme "
                    <select on:change=on_theme>
                        <option value="auto" selected>"Auto"</option>
                        <option value="light">"Light"</option>
                        <option value="dark">"Dark"</option>
                    </select>
                </label>
                <label>
                    "Height (px) "
                    <input
                        type="number"
                        min=MIN_HEIGHT
                        max=MAX_HEIGHT
                        step="10"
                        prop:value=move || height.get().to_string()
                        on:change=on_height
                    />
                </label>
                <label>
                    "Levels shown "
                    <select on:change=on_expand>
                        <option value="0">"0"</option>
                        <option value="1" selected>"1"</option>
                        <option value="2">"2"</option>
                        <option value="3">"3"</option>
                        <option value="all">"All"</option>
                    </select>
                </label>
                <label>
                    <input
                        type="checkbox"
                        prop:checked=progress
                        on:change=move |event| progress.set(event_target_checked(&event))
                    />
                    " Show progress"
                </label>
                <Show when=move || share_token.with(Option::is_some)>
                    <label>
                        <input
                            type="checkbox"
                            prop:checked=my_progress
                            on:change=move |event| my_progress.set(event_target_checked(&event))
                        />
                        " Show my shared progress (read-only)"
                    </label>
                </Show>
            </form>
            <label for="embed-snippet">"Snippet"</label>
            <textarea id="embed-snippet" readonly prop:value=snippet></textarea>
            <div class="actions">
                <span aria-live="polite">{move || copied.get()}</span>
                <button type="button" on:click=copy>
                    "Copy"
                </button>
                <button type="button" on:click=close>
                    "Close"
                </button>
            </div>
            <Show when=move || is_open.get()>
                <div class="embed-preview" node_ref=preview inner_html=preview_html></div>
            </Show>
    };
    Ok(form.into_any())
}

/// Writes to the clipboard; `Err` when the browser has no clipboard here (an insecure page, a
/// policy) or refuses. A refusal that comes later (the promise) is ignored: the text stays
/// selectable in the dialog.
pub(crate) fn copy_text(text: &str) -> Result<(), ()> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let navigator = window().navigator();
        let clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into())
            .ok()
            .and_then(|value| value.dyn_into::<web_sys::Clipboard>().ok())
            .ok_or(())?;
        crate::promise::ignore_refusal(&clipboard.write_text(text), "copying");
        Ok(())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = text;
        Err(())
    }
}

/// Replaces each `<script src>` under `container` by a live one with the same `src`.
fn run_scripts(container: &web_sys::HtmlDivElement) {
    #[cfg(feature = "hydrate")]
    {
        let scripts = container.get_elements_by_tag_name("script");
        let inert: Vec<_> = (0..scripts.length())
            .filter_map(|i| scripts.item(i))
            .collect();
        for old in inert {
            let Some(src) = old.get_attribute("src") else {
                continue;
            };
            if let Ok(live) = document().create_element("script") {
                let _ = live.set_attribute("src", &src);
                let _ = live.set_attribute("async", "");
                let _ = old.replace_with_with_node_1(&live);
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = container;
}

use leptos::{ev, html, prelude::*};

use crate::{
    contexts::account::AccountState,
    map::{image_export::ImageExport, map_toolbar::ExpansionControls},
};

/// *More*: the map's rarely used actions in a disclosure menu — expand all, collapse all, how
/// many levels show, download an image, embed, share (signed in). Escape or a click elsewhere
/// closes it.
#[component]
pub fn MapMenu() -> impl IntoView {
    let open = RwSignal::new(false);
    let built = super::shown_once(move || open.get());
    let root = NodeRef::<html::Div>::new();
    let account = use_context::<AccountState>();
    let signed_in = move || account.is_some_and(|account| account.username().is_some());
    // The dialogs live outside the menu (a modal inside a hidden menu would not show); their
    // own buttons, hidden in `.embed-slot`, open them.
    let open_dialog = move |button: &'static str| {
        open.set(false);
        if let Some(button) = document().query_selector(button).ok().flatten() {
            use wasm_bindgen::JsCast;
            if let Ok(button) = button.dyn_into::<web_sys::HtmlElement>() {
                button.click();
            }
        }
    };
    let keydown = window_event_listener(ev::keydown, move |event| {
        if event.key() == "Escape" && open.get_untracked() {
            open.set(false);
        }
    });
    let outside = window_event_listener(ev::pointerdown, move |event| {
        if !open.get_untracked() {
            return;
        }
        let inside = event
            .target()
            .and_then(|target| {
                use wasm_bindgen::JsCast;
                target.dyn_into::<web_sys::Node>().ok()
            })
            .zip(root.get_untracked())
            .is_some_and(|(target, root)| root.contains(Some(&target)));
        if !inside {
            open.set(false);
        }
    });
    on_cleanup(move || {
        keydown.remove();
        outside.remove();
    });

    view! {
        <div class="map-menu" node_ref=root>
            <button
                type="button"
                class="menu-button"
                aria-expanded=move || open.get().to_string()
                aria-controls="map-menu-items"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span aria-hidden="true">"⋯"</span>
                <span class="menu-label">" More"</span>
            </button>
            <div id="map-menu-items" class="menu-items" hidden=move || !open.get()>
                // Built when the menu first opens (it needs JavaScript to open anyway).
                <Show when=move || built.get()>
                <ExpansionControls on_done=Callback::new(move |()| open.set(false)) />
                <ImageExport />
                <button
                    type="button"
                    aria-haspopup="dialog"
                    on:click=move |_| open_dialog(".embed-slot .embed-button")
                >
                    "Embed…"
                </button>
                {move || {
                    signed_in()
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    aria-haspopup="dialog"
                                    on:click=move |_| open_dialog(".embed-slot .share-open")
                                >
                                    "Share progress…"
                                </button>
                            }
                        })
                }}
                </Show>
            </div>
        </div>
    }
}

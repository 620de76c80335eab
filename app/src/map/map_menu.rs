use leptos::{ev, html, prelude::*};

use crate::map::map_toolbar::ExpansionControls;

/// *More*: the map's rarely used actions in a disclosure menu — expand all, collapse all, how
/// many levels show, embed. Escape or a click elsewhere closes it.
#[component]
pub fn MapMenu() -> impl IntoView {
    let open = RwSignal::new(false);
    let root = NodeRef::<html::Div>::new();
    let embed = move |_| {
        open.set(false);
        // The dialog lives outside the menu (a modal inside a hidden menu would not show);
        // its own button opens it.
        if let Some(button) = document()
            .query_selector(".embed-slot .embed-button")
            .ok()
            .flatten()
        {
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
                <ExpansionControls on_done=Callback::new(move |()| open.set(false)) />
                <button type="button" aria-haspopup="dialog" on:click=embed>
                    "Embed…"
                </button>
            </div>
        </div>
    }
}

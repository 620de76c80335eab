//! The offline app shell, browser side: registers the service worker (`/sw.js`, served by the
//! server) and tells the learner when a new version has taken over, so nobody keeps using a
//! stale app without knowing. Embeds never register it.

use leptos::prelude::*;

/// "New version available — reload", shown once a new service worker controls the page.
#[component]
pub fn UpdateNotice() -> impl IntoView {
    let updated = RwSignal::new(false);
    Effect::new(move |_| register_after_load(updated));
    move || {
        updated.get().then(|| {
            view! {
                <div class="update-notice" role="status">
                    "A new version of Trailmap is available. "
                    <button type="button" on:click=move |_| reload()>
                        "Reload"
                    </button>
                </div>
            }
        })
    }
}

/// Registers the worker once the page has loaded and a moment has passed, not as it
/// hydrates: a first visit's install copies every asset and fetches every topic of the
/// roadmap, and started with the page it held its first frame back from the screen (the
/// Lighthouse mobile trace: first paint presented at 1.25 s with it, 0.24 s without; the
/// paint itself was ready at 0.23 s).
#[cfg(feature = "hydrate")]
fn register_after_load(updated: RwSignal<bool>) {
    use std::time::Duration;

    let later = move || {
        set_timeout(
            move || register(updated),
            Duration::from_millis(REGISTER_DELAY_MS),
        )
    };
    let loaded = document().ready_state() == "complete";
    if loaded {
        later();
    } else {
        let handle = StoredValue::new_local(None::<WindowListenerHandle>);
        handle.set_value(Some(window_event_listener(leptos::ev::load, move |_| {
            if let Some(listener) = handle.try_update_value(Option::take).flatten() {
                listener.remove();
            }
            later();
        })));
    }
}

/// How long after the `load` event the worker is registered.
#[cfg(feature = "hydrate")]
const REGISTER_DELAY_MS: u64 = 1_000;

#[cfg(not(feature = "hydrate"))]
fn register_after_load(_updated: RwSignal<bool>) {}

#[cfg(feature = "hydrate")]
fn register(updated: RwSignal<bool>) {
    use wasm_bindgen::{closure::Closure, JsCast};

    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    // Not every browser (or an insecure origin) has service workers.
    let has_workers = js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false);
    if !has_workers {
        return;
    }
    let container = navigator.service_worker();
    // A page that was already controlled and gets a new controller runs an outdated build.
    let was_controlled = container.controller().is_some();
    let on_change = Closure::<dyn FnMut()>::new(move || {
        if was_controlled {
            updated.set(true);
        }
    });
    let _ = container
        .add_event_listener_with_callback("controllerchange", on_change.as_ref().unchecked_ref());
    on_change.forget();
    // A refused registration (private mode, blocked storage) leaves the app online-only.
    crate::promise::ignore_refusal(&container.register("/sw.js"), "offline copy");
}

fn reload() {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

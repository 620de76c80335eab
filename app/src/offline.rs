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

/// Registers the worker once the page has loaded, a moment has passed and the learner's hands
/// are still, not as it hydrates: a first visit's install copies every asset and fetches every
/// topic of the roadmap. Started with the page it held its first frame back from the screen
/// (the Lighthouse mobile trace: first paint presented at 1.25 s with it, 0.24 s without; the
/// paint itself was ready at 0.23 s); started while the learner drags the map it takes frames
/// from the drag on a slow CPU.
#[cfg(feature = "hydrate")]
fn register_after_load(updated: RwSignal<bool>) {
    use std::time::Duration;

    let input = InputWatch::start();
    let later = move || {
        let input = input.clone();
        set_timeout(
            move || register_when_still(input, updated),
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

/// Registers the worker once no input has come for [`STILL_MS`], checking again as often as
/// it takes.
#[cfg(feature = "hydrate")]
fn register_when_still(input: InputWatch, updated: RwSignal<bool>) {
    let still_for = input.still_for();
    if still_for >= STILL_MS as f64 {
        input.stop();
        register(updated);
    } else {
        set_timeout(
            move || register_when_still(input, updated),
            std::time::Duration::from_millis(STILL_MS - still_for.max(0.0) as u64),
        );
    }
}

/// When the learner last pressed, moved, scrolled or typed anywhere on the page. The listeners
/// are on the window in the capture phase, so they hear every event before anything on the page
/// (the map's drag, a dialog) can stop it, and passive, so they never hold a scroll back. Plain
/// shared cells, not reactive values: nothing owns them but the watch and its timers, so no
/// disposal can pull them from under a listener that is still on the window.
#[cfg(feature = "hydrate")]
#[derive(Clone)]
struct InputWatch {
    /// `Date.now()` of the last input, in ms.
    last: std::rc::Rc<std::cell::Cell<f64>>,
    listener: std::rc::Rc<std::cell::RefCell<Option<wasm_bindgen::closure::Closure<dyn FnMut()>>>>,
}

#[cfg(feature = "hydrate")]
impl InputWatch {
    const EVENTS: [&'static str; 5] = [
        "pointerdown",
        "pointermove",
        "wheel",
        "keydown",
        "touchmove",
    ];

    fn start() -> Self {
        use wasm_bindgen::{closure::Closure, JsCast};

        let last = std::rc::Rc::new(std::cell::Cell::new(js_sys::Date::now()));
        let heard = last.clone();
        let listener = Closure::<dyn FnMut()>::new(move || heard.set(js_sys::Date::now()));
        let options = web_sys::AddEventListenerOptions::new();
        options.set_capture(true);
        options.set_passive(true);
        for name in Self::EVENTS {
            let _ = window().add_event_listener_with_callback_and_add_event_listener_options(
                name,
                listener.as_ref().unchecked_ref(),
                &options,
            );
        }
        Self {
            last,
            listener: std::rc::Rc::new(std::cell::RefCell::new(Some(listener))),
        }
    }

    /// How long no input has come, in ms.
    fn still_for(&self) -> f64 {
        js_sys::Date::now() - self.last.get()
    }

    /// Removes the listeners (and drops their closure).
    fn stop(&self) {
        use wasm_bindgen::JsCast;

        let Some(listener) = self.listener.borrow_mut().take() else {
            return;
        };
        for name in Self::EVENTS {
            let _ = window().remove_event_listener_with_callback_and_bool(
                name,
                listener.as_ref().unchecked_ref(),
                true,
            );
        }
    }
}

/// How long after the `load` event the worker is registered, at the earliest.
#[cfg(feature = "hydrate")]
const REGISTER_DELAY_MS: u64 = 1_000;

/// How long the learner has not pressed, moved, scrolled or typed before the worker is
/// registered.
#[cfg(feature = "hydrate")]
const STILL_MS: u64 = 1_000;

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

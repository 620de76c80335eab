//! Browser promises, settled without panics: each outcome goes to a callback, and a rejection
//! never becomes an "uncaught (in promise)" error. Browser only.

use wasm_bindgen::{closure::Closure, JsCast, JsValue};

/// Calls `resolved` or `rejected` once `promise` settles. Something that is not a promise
/// counts as a rejection.
pub fn when_settled(
    promise: &JsValue,
    resolved: impl FnOnce(JsValue) + 'static,
    rejected: impl FnOnce(JsValue) + 'static,
) {
    let then = js_sys::Reflect::get(promise, &JsValue::from_str("then"))
        .ok()
        .and_then(|then| then.dyn_into::<js_sys::Function>().ok());
    let Some(then) = then else {
        rejected(promise.clone());
        return;
    };
    let resolved = Closure::once_into_js(resolved);
    let rejected = Closure::once_into_js(rejected);
    let _ = then.call2(promise, &resolved, &rejected);
}

/// Ignores how `promise` ends, except for a warning in the console when it is refused.
pub fn ignore_refusal(promise: &JsValue, what: &'static str) {
    when_settled(
        promise,
        |_| {},
        move |error| leptos::logging::warn!("trailmap: {what} refused ({error:?})"),
    );
}

//! The wasm entry point: hydrates the HTML the server rendered, so the page becomes
//! interactive without being drawn twice.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}

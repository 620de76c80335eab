use leptos::prelude::*;

use crate::contexts::map_state::MapState;

/// Zoom out, the zoom level, zoom in, fit and home: the map page's floating viewport controls.
#[component]
pub fn ZoomControls() -> impl IntoView {
    let state = expect_context::<MapState>();
    let zoom_percent = move || format!("{:.0}%", state.viewport.with(|v| v.k) * 100.0);
    view! {
        <div class="zoom-controls" role="toolbar" aria-label="Zoom">
            <button type="button" aria-label="Zoom out" title="Zoom out (−)" on:click=move |_| state.zoom_out()>
                <span aria-hidden="true">"−"</span>
            </button>
            <span class="zoom-level" aria-live="polite">
                {zoom_percent}
            </span>
            <button type="button" aria-label="Zoom in" title="Zoom in (+)" on:click=move |_| state.zoom_in()>
                <span aria-hidden="true">"+"</span>
            </button>
            <button type="button" title="The whole roadmap (f)" on:click=move |_| state.fit()>
                "Fit"
            </button>
            <button type="button" class="home-button" title="Back to the start at 100 % (0)" on:click=move |_| state.reset()>
                "Reset"
            </button>
        </div>
    }
}

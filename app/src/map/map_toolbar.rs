use leptos::prelude::*;

use crate::{contexts::map_state::MapState, layout};

/// Buttons for the viewport (zoom in/out, reset, fit) and for expansion (all, none, level).
#[component]
pub fn MapToolbar() -> impl IntoView {
    let state = expect_context::<MapState>();
    let zoom_percent = move || format!("{:.0}%", state.viewport.with(|v| v.k) * 100.0);
    let expand_all = move |_| {
        let all = state.roadmap.with_value(|r| layout::all_expandable(r));
        state.replace_expanded(all);
    };
    let collapse_all = move |_| state.replace_expanded(Default::default());
    let to_level = move |event: leptos::ev::Event| {
        if let Ok(level) = event_target_value(&event).parse::<usize>() {
            let next = state
                .roadmap
                .with_value(|r| layout::expanded_to_level(r, level));
            state.replace_expanded(next);
        }
    };

    view! {
        <div class="map-toolbar" role="toolbar" aria-label="Map controls">
            <div class="group">
                <button type="button" aria-label="Zoom in" title="Zoom in (+)" on:click=move |_| state.zoom_in()>
                    "+"
                </button>
                <button type="button" aria-label="Zoom out" title="Zoom out (−)" on:click=move |_| state.zoom_out()>
                    "−"
                </button>
                <span class="zoom-level" aria-live="polite">
                    {zoom_percent}
                </span>
                <button type="button" title="Reset view (0)" on:click=move |_| state.reset()>
                    "Reset"
                </button>
                <button type="button" title="Fit to screen (f)" on:click=move |_| state.fit()>
                    "Fit"
                </button>
            </div>
            <div class="group">
                <button type="button" on:click=expand_all>
                    "Expand all"
                </button>
                <button type="button" on:click=collapse_all>
                    "Collapse all"
                </button>
                <label>
                    "Show levels "
                    <select on:change=to_level>
                        <option value="1" selected>
                            "1"
                        </option>
                        <option value="2">"2"</option>
                        <option value="3">"3"</option>
                        <option value="4">"4"</option>
                    </select>
                </label>
            </div>
        </div>
    }
}

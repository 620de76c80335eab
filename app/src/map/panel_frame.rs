use leptos::{ev, html, prelude::*};
use leptos_router::{hooks::use_navigate, NavigateOptions};

use crate::contexts::{
    map_links::use_map_links,
    map_state::{MapState, Sheet, NARROW},
};

/// Where the topic panel floats over the map page: a side panel over the map's right edge on
/// wide screens, a bottom sheet on narrow ones. The sheet peeks at 45 % of the map; its handle
/// drags it up to full height (a band stays above it for the selected card) or down to close
/// it, and a click (or Enter) on the handle toggles peek and full. The map under it never
/// moves or changes size; the map state knows how much of it the panel covers.
#[component]
pub fn PanelFrame(slug: String, children: Children) -> impl IntoView {
    let state = expect_context::<MapState>();
    let navigate = use_navigate();
    let close_href = use_map_links().map(&slug);
    let open = Memo::new(move |_| state.selected.with(Option::is_some));
    let frame = NodeRef::<html::Div>::new();
    // A fresh topic opens the sheet at its peek.
    Effect::new(move |previous: Option<Option<crate::roadmap::NodeId>>| {
        let now = state.selected.get();
        if previous.is_some_and(|p| p.is_none()) && now.is_some() {
            state.sheet.set(Sheet::Peek);
        }
        now
    });

    let narrow = move || state.screen.get().is_some_and(|s| s.width <= NARROW);
    let height = move || {
        let screen = state.screen.get()?;
        (screen.width <= NARROW).then(|| {
            let top = state.bands.get().top;
            format!("{}px", state.sheet.get().height(screen.height, top).round())
        })
    };
    // Drag state: where the pointer went down and the height then.
    let drag = StoredValue::new(None::<(i32, f64, f64)>);
    let on_down = move |event: ev::PointerEvent| {
        let Some(screen) = state.screen.get_untracked() else {
            return;
        };
        let top = state.bands.get_untracked().top;
        let start = state.sheet.get_untracked().height(screen.height, top);
        drag.set_value(Some((
            event.pointer_id(),
            f64::from(event.client_y()),
            start,
        )));
        if let Some(el) = frame.get_untracked() {
            let _ = el.set_pointer_capture(event.pointer_id());
        }
    };
    let on_move = move |event: ev::PointerEvent| {
        if let Some((id, y0, start)) = drag.get_value() {
            if id == event.pointer_id() {
                let height = start + y0 - f64::from(event.client_y());
                state.sheet.set(Sheet::Dragging(height.max(0.0)));
            }
        }
    };
    let on_up = {
        let navigate = navigate.clone();
        let close_href = close_href.clone();
        move |event: ev::PointerEvent| {
            let Some((id, y0, start)) = drag.get_value() else {
                return;
            };
            if id != event.pointer_id() {
                return;
            }
            drag.set_value(None);
            let Some(screen) = state.screen.get_untracked() else {
                return;
            };
            let top = state.bands.get_untracked().top;
            let moved = y0 - f64::from(event.client_y());
            let height = start + moved;
            let peek = Sheet::Peek.height(screen.height, top);
            let full = Sheet::Full.height(screen.height, top);
            if moved.abs() < 6.0 {
                // A tap on the handle toggles peek and full.
                let next = if state.sheet.get_untracked() == Sheet::Full {
                    Sheet::Peek
                } else {
                    Sheet::Full
                };
                state.sheet.set(next);
            } else if height < peek * 0.6 {
                state.sheet.set(Sheet::Peek);
                navigate(
                    &close_href,
                    NavigateOptions {
                        scroll: false,
                        ..Default::default()
                    },
                );
            } else if height > (peek + full) / 2.0 {
                state.sheet.set(Sheet::Full);
            } else {
                state.sheet.set(Sheet::Peek);
            }
        }
    };
    let on_key = move |event: ev::KeyboardEvent| {
        if matches!(event.key().as_str(), "Enter" | " ") {
            event.prevent_default();
            state.sheet.update(|sheet| {
                *sheet = if *sheet == Sheet::Full {
                    Sheet::Peek
                } else {
                    Sheet::Full
                }
            });
        }
    };
    let dragging = move || matches!(state.sheet.get(), Sheet::Dragging(_));

    view! {
        <div
            class="panel-frame"
            class:open=open
            class:sheet=narrow
            class:dragging=dragging
            style:height=height
            node_ref=frame
            on:pointermove=on_move
            on:pointerup=on_up.clone()
            on:pointercancel=on_up
        >
            <div
                class="sheet-handle"
                role="button"
                tabindex=move || if narrow() { "0" } else { "-1" }
                aria-label=move || {
                    if state.sheet.get() == Sheet::Full {
                        "Show less of the topic"
                    } else {
                        "Show more of the topic"
                    }
                }
                aria-expanded=move || (state.sheet.get() == Sheet::Full).to_string()
                on:pointerdown=on_down
                on:keydown=on_key
            >
                <span aria-hidden="true"></span>
            </div>
            {children()}
        </div>
    }
}

//! The pannable, zoomable map: one container moved by a single CSS transform bound to the
//! viewport signal, holding the edge layer and the node cards. Pan and zoom never touch the
//! nodes. Gestures follow d3-zoom: drag pans (mouse, pen, touch), the wheel zooms around the
//! cursor, two fingers pinch around their midpoint, double-click zooms in.

use leptos::{ev, html, prelude::*};

use crate::{
    contexts::{map_state::MapState, progress::ProgressState, topic_details::TopicDetailsCache},
    map::{edge_layer::EdgeLayer, keyboard, node_card::NodeCard},
    viewport::{Extent, Point},
};

/// Pointer travel (px) before a press becomes a drag; below it, a click stays a click.
const DRAG_THRESHOLD: f64 = 4.0;
/// Cards are culled (not rendered) outside the screen once the map shows more than this.
const CULL_ABOVE: usize = 400;
/// The screen a large map is culled to before it is measured: bigger than most.
const FIRST_SCREEN: Extent = Extent {
    x: 0.0,
    y: 0.0,
    width: 1920.0,
    height: 1200.0,
};
/// Below this zoom, cards show simplified labels.
const LOW_ZOOM: f64 = 0.55;

#[derive(Clone, Debug, Default)]
struct Gesture {
    /// Active pointers: id and last local position.
    pointers: Vec<(i32, Point)>,
    start: Option<Point>,
    dragging: bool,
}

#[component]
pub fn MapCanvas() -> impl IntoView {
    let state = expect_context::<MapState>();
    let progress = use_context::<ProgressState>();
    let container = NodeRef::<html::Div>::new();
    let gesture = StoredValue::new(Gesture::default());

    let local = move |client_x: i32, client_y: i32| -> Point {
        container
            .get_untracked()
            .map(|el| {
                let rect = el.get_bounding_client_rect();
                Point::new(client_x as f64 - rect.left(), client_y as f64 - rect.top())
            })
            .unwrap_or(Point::new(client_x as f64, client_y as f64))
    };

    // Measure the map element once hydrated and whenever the window resizes.
    let measure = move || {
        if let Some(el) = container.get_untracked() {
            let rect = el.get_bounding_client_rect();
            state
                .screen
                .set(Some(Extent::new(0.0, 0.0, rect.width(), rect.height())));
        }
    };
    Effect::new(move |_| {
        if container.get().is_some() {
            measure();
        }
    });
    let resize = window_event_listener(ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());

    #[cfg(feature = "hydrate")]
    wheel::attach(container, state);

    let on_pointerdown = move |event: ev::PointerEvent| {
        if event.button() != 0 && event.pointer_type() == "mouse" {
            return;
        }
        let point = local(event.client_x(), event.client_y());
        gesture.update_value(|g| {
            g.pointers.retain(|(id, _)| *id != event.pointer_id());
            g.pointers.push((event.pointer_id(), point));
            g.start = Some(point);
            g.dragging = g.pointers.len() > 1;
        });
    };

    let on_pointermove = move |event: ev::PointerEvent| {
        let point = local(event.client_x(), event.client_y());
        let id = event.pointer_id();
        let mut capture = false;
        let mut next_view = None;
        gesture.update_value(|g| {
            let Some(index) = g.pointers.iter().position(|(p, _)| *p == id) else {
                return;
            };
            let view = state.viewport.get_untracked();
            if g.pointers.len() >= 2 {
                let before = (g.pointers[0].1, g.pointers[1].1);
                g.pointers[index].1 = point;
                let after = (g.pointers[0].1, g.pointers[1].1);
                next_view = Some(view.pinch(before, after));
                return;
            }
            let previous = g.pointers[index].1;
            if !g.dragging {
                let start = g.start.unwrap_or(point);
                if (point.x - start.x).hypot(point.y - start.y) < DRAG_THRESHOLD {
                    return;
                }
                g.dragging = true;
                capture = true;
            }
            g.pointers[index].1 = point;
            next_view = Some(view.pan_by(point.x - previous.x, point.y - previous.y));
        });
        if capture {
            if let Some(el) = container.get_untracked() {
                let _ = el.set_pointer_capture(id);
            }
        }
        if let Some(view) = next_view {
            state.set_viewport(view);
        }
    };

    let on_pointerup = move |event: ev::PointerEvent| {
        gesture.update_value(|g| {
            g.pointers.retain(|(id, _)| *id != event.pointer_id());
            if g.pointers.is_empty() {
                g.start = None;
            }
        });
    };

    // A press that turned into a drag must not also click the card under it.
    let on_click_capture = move |event: ev::MouseEvent| {
        let dragged = gesture.with_value(|g| g.dragging);
        if dragged {
            event.prevent_default();
            event.stop_propagation();
            gesture.update_value(|g| g.dragging = false);
        }
    };

    // A card hovered or focused is likely to be opened: fetch its topic's details ahead. One
    // listener on the map for every card (the events bubble up from the cards).
    let details = use_context::<TopicDetailsCache>();
    let prefetch = move |target: Option<web_sys::EventTarget>| {
        if let (Some(details), Some(id)) = (details, card_topic(target)) {
            details.prefetch(id);
        }
    };

    let on_dblclick = move |event: ev::MouseEvent| {
        let anchor = local(event.client_x(), event.client_y());
        let (next, _) = state.viewport.get_untracked().zoom_at(anchor, 2.0);
        state.set_viewport(next);
    };

    let transform = move || state.viewport.with(|view| view.css_transform());
    let low_zoom = move || state.viewport.with(|view| view.k < LOW_ZOOM);

    // Every visible node, or only those near the screen once the map is large.
    let cards = move || {
        // Before the map is measured (the server's render, and hydrating it), a large map is
        // culled to a generous guess of the screen: readers without JavaScript get the outline,
        // not the map, and hydrating hundreds of off-screen cards would only delay the first
        // interaction. Once measured, the real screen decides.
        let screen = state.screen.get().unwrap_or(FIRST_SCREEN);
        let view = state.viewport.get();
        let seen = view.visible_content(screen);
        let margin = 200.0 / view.k;
        let area = Extent::new(
            seen.x - margin,
            seen.y - margin,
            seen.width + 2.0 * margin,
            seen.height + 2.0 * margin,
        );
        state.layout.with(|layout| {
            let cull = layout.nodes.len() > CULL_ABOVE;
            layout
                .nodes
                .iter()
                .filter(|node| {
                    let r = node.rect;
                    !cull
                        || (r.x < area.x + area.width
                            && r.x + r.width > area.x
                            && r.y < area.y + area.height
                            && r.y + r.height > area.y)
                })
                .map(|node| node.id.clone())
                .collect::<Vec<_>>()
        })
    };

    view! {
        <div
            class="map-viewport"
            class:low-zoom=low_zoom
            node_ref=container
            on:pointerdown=on_pointerdown
            on:pointermove=on_pointermove
            on:pointerup=on_pointerup
            on:pointercancel=on_pointerup
            on:dblclick=on_dblclick
            on:pointerover=move |event| prefetch(event.target())
            on:focusin=move |event| prefetch(event.target())
            on:click:capture=on_click_capture
            on:keydown=move |event| keyboard::on_map_keydown(state, progress, event)
        >
            <div class="map-canvas" style:transform=transform>
                <EdgeLayer />
                <div role="tree" aria-label="Roadmap topics" class="map-nodes">
                    <For each=cards key=|id| id.clone() let:id>
                        <NodeCard id />
                    </For>
                </div>
            </div>
        </div>
        <p class="map-hint">
            "Drag to pan · wheel or pinch to zoom · arrow keys move between topics · Enter opens one · "
            <kbd>"+"</kbd>
            " "
            <kbd>"−"</kbd>
            " zoom · "
            <kbd>"0"</kbd>
            " reset · "
            <kbd>"f"</kbd>
            " fit"
        </p>
    }
}

/// The topic of the card an event happened in, if it happened in one.
fn card_topic(target: Option<web_sys::EventTarget>) -> Option<crate::roadmap::NodeId> {
    use wasm_bindgen::JsCast;
    let card = target?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest(".node-card")
        .ok()??;
    crate::roadmap::NodeId::parse(card.id().strip_prefix("node-")?).ok()
}

/// The wheel listener is added by hand: it must be non-passive to stop the page scrolling
/// while the pointer is over the map — except at a zoom limit, where the page scrolls.
#[cfg(feature = "hydrate")]
mod wheel {
    use leptos::{html, prelude::*};
    use wasm_bindgen::{closure::Closure, JsCast};

    use crate::{
        contexts::map_state::MapState,
        viewport::{wheel_factor, Point},
    };

    pub fn attach(container: NodeRef<html::Div>, state: MapState) {
        Effect::new(move |attached: Option<bool>| {
            if attached == Some(true) {
                return true;
            }
            let Some(el) = container.get() else {
                return false;
            };
            let target = el.clone();
            let handler = Closure::<dyn FnMut(web_sys::WheelEvent)>::new(
                move |event: web_sys::WheelEvent| {
                    let rect = target.get_bounding_client_rect();
                    let anchor = Point::new(
                        event.client_x() as f64 - rect.left(),
                        event.client_y() as f64 - rect.top(),
                    );
                    let factor = wheel_factor(event.delta_y(), event.delta_mode());
                    let (next, hit_limit) = state.viewport.get_untracked().zoom_at(anchor, factor);
                    if hit_limit {
                        return;
                    }
                    event.prevent_default();
                    state.set_viewport(next);
                },
            );
            let options = web_sys::AddEventListenerOptions::new();
            options.set_passive(false);
            let _ = el.add_event_listener_with_callback_and_add_event_listener_options(
                "wheel",
                handler.as_ref().unchecked_ref(),
                &options,
            );
            // The map lives as long as the page; the listener goes with the element.
            handler.forget();
            true
        });
    }
}

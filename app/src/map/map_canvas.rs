//! The pannable, zoomable map: one container moved by a single CSS transform bound to the
//! viewport signal, holding the edge layer, the node cards and the stage landmarks. Pan and
//! zoom never touch the nodes. Gestures follow d3-zoom: a drag pans (mouse, pen, one finger)
//! wherever it starts — on a card or its title too — the wheel zooms around the cursor, two
//! fingers pinch around their midpoint, a double-click or double-tap zooms in, a long press
//! on a topic opens its status menu.
//!
//! Semantic zoom: below [`OVERVIEW_ZOOM`] the viewport carries the `overview` class and the
//! stylesheet turns topics into status-coloured marks and shows each stage as a landmark
//! label (`landmark_layer.rs`), whose size follows `--k` (set on the layers that use it) so it
//! reads at any zoom.

use leptos::{ev, html, prelude::*};

use crate::{
    contexts::{
        map_state::{MapState, OVERVIEW_ZOOM},
        progress::ProgressState,
        topic_details::TopicDetailsCache,
    },
    map::{
        edge_layer::EdgeLayer, keyboard, landmark_layer::LandmarkLayer, mark_layer::MarkLayer,
        node_card::NodeCard,
    },
    progress::Status,
    roadmap::NodeId,
    viewport::{CullArea, Extent, Point},
};

/// Pointer travel (px) before a press becomes a drag; below it, a click stays a click.
const DRAG_THRESHOLD: f64 = 4.0;
/// Cards are culled (not rendered) outside the screen once the map shows more than this.
const CULL_ABOVE: usize = 400;

/// Whether the map lists only the cards near the screen (it shows more than [`CULL_ABOVE`]).
pub fn is_culled(layout: &crate::layout::MapLayout) -> bool {
    layout.nodes.len() > CULL_ABOVE
}
/// The screen a large map is culled to before it is measured: bigger than most.
const FIRST_SCREEN: Extent = Extent {
    x: 0.0,
    y: 0.0,
    width: 1920.0,
    height: 1200.0,
};
/// The margin (px) around that guess.
const FIRST_MARGIN: f64 = 200.0;
/// How long (ms) after the last wheel or pinch step the zoom counts as settled.
const ZOOM_IDLE_MS: u64 = 300;
/// How long (ms) a still finger on a topic waits before its status menu opens.
const LONG_PRESS_MS: u64 = 550;
/// Two taps closer than this (ms, px) are a double-tap.
const DOUBLE_TAP_MS: f64 = 320.0;
const DOUBLE_TAP_PX: f64 = 30.0;

#[derive(Clone, Debug, Default)]
struct Gesture {
    /// Active pointers: id and last local position.
    pointers: Vec<(i32, Point)>,
    start: Option<Point>,
    dragging: bool,
    /// The press turned into something else (a long press): its click is swallowed.
    consumed: bool,
    /// The last tap of a finger: when (ms) and where, for double-taps.
    last_tap: Option<(f64, Point)>,
    /// When the last touch double-tap zoomed (the browser's own dblclick must not zoom again).
    double_tapped_at: f64,
}

#[component]
pub fn MapCanvas() -> impl IntoView {
    let state = expect_context::<MapState>();
    let progress = use_context::<ProgressState>();
    let container = NodeRef::<html::Div>::new();
    let gesture = StoredValue::new(Gesture::default());
    // Wheel steps or a pinch are under way (the last step less than `ZOOM_IDLE_MS` ago, and
    // no press since): in the overview the stylesheet takes the canvas off its own compositor
    // layer meanwhile. A press ends it, so a drag always moves the layer.
    let zooming = RwSignal::new(false);
    let wheel_idle = StoredValue::new(None::<TimeoutHandle>);
    let zoom_step = move || {
        if !zooming.get_untracked() {
            zooming.set(true);
        }
        if let Some(handle) = wheel_idle.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(
            move || zooming.set(false),
            std::time::Duration::from_millis(ZOOM_IDLE_MS),
        )
        .ok();
        wheel_idle.set_value(handle);
    };
    let long_press = StoredValue::new(None::<TimeoutHandle>);
    // When Tab was last pressed: focus arriving right after it is keyboard navigation.
    let tabbed_at = StoredValue::new(f64::NEG_INFINITY);
    let tab_listener = window_event_listener(ev::keydown, move |event| {
        if event.key() == "Tab" {
            tabbed_at.set_value(js_now());
        }
    });
    on_cleanup(move || tab_listener.remove());

    // Where the map element's top-left corner is in the window, kept between events: reading
    // it on every pointer move or wheel step forced a layout of the whole page each time,
    // in the middle of the frame the previous move had just invalidated. Measured again at
    // the start of each press, when the pointer enters the map, and after a resize or scroll.
    let origin = StoredValue::new(None::<Point>);
    let local = move |client_x: i32, client_y: i32| -> Point {
        let corner = origin.get_value().or_else(|| {
            let rect = container.get_untracked()?.get_bounding_client_rect();
            let corner = Point::new(rect.left(), rect.top());
            origin.set_value(Some(corner));
            Some(corner)
        });
        let corner = corner.unwrap_or(Point::new(0.0, 0.0));
        Point::new(client_x as f64 - corner.x, client_y as f64 - corner.y)
    };
    let scroll = window_event_listener_untyped("scroll", move |_| origin.set_value(None));
    on_cleanup(move || scroll.remove());

    // Measure the map element once hydrated and whenever the window resizes.
    let measure = move || {
        origin.set_value(None);
        if let Some(el) = container.get_untracked() {
            let rect = el.get_bounding_client_rect();
            let next = Some(Extent::new(0.0, 0.0, rect.width(), rect.height()));
            if state.screen.get_untracked() != next {
                state.screen.set(next);
            }
        }
    };
    Effect::new(move |_| {
        if container.get().is_some() {
            state.live.set_value(true);
            measure();
        }
    });
    let resize = window_event_listener(ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());

    #[cfg(feature = "hydrate")]
    wheel::attach(container, state, local, zoom_step);

    let cancel_long_press = move || {
        if let Some(handle) = long_press.get_value() {
            handle.clear();
            long_press.set_value(None);
        }
    };

    let on_pointerdown = move |event: ev::PointerEvent| {
        if event.button() != 0 && event.pointer_type() == "mouse" {
            return;
        }
        // A gesture measures where the map is once, at its start.
        origin.set_value(None);
        if zooming.get_untracked() {
            zooming.set(false);
        }
        if state.gliding.get_untracked() {
            state.gliding.set(false);
        }
        if state.status_menu.with_untracked(Option::is_some) && !in_status_menu(&event) {
            state.status_menu.set(None);
        }
        let point = local(event.client_x(), event.client_y());
        gesture.update_value(|g| {
            g.pointers.retain(|(id, _)| *id != event.pointer_id());
            g.pointers.push((event.pointer_id(), point));
            g.start = Some(point);
            g.dragging = g.pointers.len() > 1;
            g.consumed = false;
        });
        cancel_long_press();
        // A still finger on a topic card opens its status menu.
        if event.pointer_type() == "touch" {
            if let Some(id) = card_under(&event) {
                let handle = set_timeout_with_handle(
                    move || {
                        let still = gesture.with_value(|g| g.pointers.len() == 1 && !g.dragging);
                        if still {
                            gesture.update_value(|g| g.consumed = true);
                            state.status_menu.set(Some(id.clone()));
                        }
                    },
                    std::time::Duration::from_millis(LONG_PRESS_MS),
                )
                .ok();
                long_press.set_value(handle);
            }
        }
    };

    let on_pointermove = move |event: ev::PointerEvent| {
        let point = local(event.client_x(), event.client_y());
        let id = event.pointer_id();
        let mut capture = false;
        let mut next_view = None;
        let mut pinched = false;
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
                pinched = true;
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
        if pinched {
            zoom_step();
        }
        if capture {
            cancel_long_press();
            if let Some(el) = container.get_untracked() {
                let _ = el.set_pointer_capture(id);
            }
        }
        if let Some(view) = next_view {
            state.set_viewport(view);
        }
    };

    let on_pointerup = move |event: ev::PointerEvent| {
        cancel_long_press();
        let point = local(event.client_x(), event.client_y());
        let now = js_now();
        let mut double_tap = false;
        gesture.update_value(|g| {
            let was_tap = !g.dragging && !g.consumed && g.pointers.len() == 1;
            g.pointers.retain(|(id, _)| *id != event.pointer_id());
            if g.pointers.is_empty() {
                g.start = None;
            }
            if event.pointer_type() == "touch" && was_tap {
                match g.last_tap {
                    Some((at, p))
                        if now - at < DOUBLE_TAP_MS
                            && (p.x - point.x).hypot(p.y - point.y) < DOUBLE_TAP_PX =>
                    {
                        double_tap = true;
                        g.last_tap = None;
                        g.double_tapped_at = now;
                    }
                    _ => g.last_tap = Some((now, point)),
                }
            }
        });
        if double_tap {
            let (next, _) = state.viewport.get_untracked().zoom_at(point, 2.0);
            state.glide_to(next);
        }
    };

    // A press that turned into a drag or a long press must not also click the card under it.
    let on_click_capture = move |event: ev::MouseEvent| {
        let swallow = gesture.with_value(|g| g.dragging || g.consumed);
        if swallow {
            event.prevent_default();
            event.stop_propagation();
            gesture.update_value(|g| {
                g.dragging = false;
                g.consumed = false;
            });
        }
    };

    // A card hovered or focused is likely to be opened: fetch its topic's details ahead. One
    // listener on the map for every card (the events bubble up from the cards).
    let details = use_context::<TopicDetailsCache>();
    let prefetch = move |target: Option<web_sys::EventTarget>| {
        if let (Some(details), Some(id)) = (details, event_card_id(target)) {
            details.prefetch(id);
        }
    };

    // The cards' own events, handled here once for all of them (a map has hundreds of cards:
    // one listener each would be hundreds of closures to create when the page hydrates).
    // A click on a card's toggle expands or collapses it; on the rest of the card (not its
    // title link, checkbox or status menu) it does the same, or frames a stage shown as a
    // landmark in the overview (as does a tap on the landmark's plate).
    let editable = progress.is_some_and(|p| p.editable);
    let on_card_click = move |event: ev::MouseEvent| {
        let plate = event_element(event.target())
            .and_then(|el| el.closest(".landmark").ok().flatten())
            .and_then(|el| el.get_attribute("data-stage"))
            .and_then(|id| NodeId::parse(&id).ok());
        if let Some(id) = plate {
            state.frame_stage(&id);
            return;
        }
        let Some((card, id)) = event_card(event.target()) else {
            return;
        };
        let Some(target) = event_element(event.target()) else {
            return;
        };
        let within = |selector: &str| {
            target
                .closest(selector)
                .ok()
                .flatten()
                .is_some_and(|el| card.contains(Some(&el)))
        };
        if within(".node-toggle") {
            state.toggle(&id);
            return;
        }
        if within("a, button, input, .status-menu") {
            return;
        }
        let (is_stage, has_children) = state.roadmap.with_value(|r| {
            r.node(id.as_str())
                .map_or((false, false), |n| (n.is_stage(), !n.children.is_empty()))
        });
        let overview = state.viewport.with_untracked(|v| v.k < OVERVIEW_ZOOM);
        if is_stage && overview {
            state.frame_stage(&id);
        } else if overview {
            // An overview's mark draws none of its contents (see the stylesheet), so the tap
            // lands on the card itself: it opens the topic, as its title link would.
            follow_title_link(&card);
        } else if has_children {
            state.toggle(&id);
        }
    };
    // Right-click on a topic opens its status menu (a long press does on touch screens).
    let on_contextmenu = move |event: ev::MouseEvent| {
        if !editable {
            return;
        }
        if let Some((card, id)) = event_card(event.target()) {
            if !card.class_list().contains("stage") {
                event.prevent_default();
                state.status_menu.set(Some(id));
            }
        }
    };
    // A card's checkbox marks its topic done, or pending again.
    let on_change = move |event: ev::Event| {
        let Some(progress) = progress.filter(|p| p.editable) else {
            return;
        };
        let Some(target) = event_element(event.target()) else {
            return;
        };
        if !target.class_list().contains("done-box") {
            return;
        }
        if let Some((_, id)) = event_card(event.target()) {
            let next = if event_target_checked(&event) {
                Status::Done
            } else {
                Status::Pending
            };
            progress.set(&id, next);
        }
    };

    let on_dblclick = move |event: ev::MouseEvent| {
        if js_now() - gesture.with_value(|g| g.double_tapped_at) < 600.0 {
            return;
        }
        let anchor = local(event.client_x(), event.client_y());
        let (next, _) = state.viewport.get_untracked().zoom_at(anchor, 2.0);
        state.glide_to(next);
    };

    // Tabbing into the tree lands on a card in view (the last focused one if it is visible,
    // else the one nearest the centre); every other focus move pans its card into view.
    // Focus from a pointer press is left alone: the press may be the start of a drag.
    let on_focusin = move |event: ev::FocusEvent| {
        let Some(id) = event_card_id(event.target()) else {
            return;
        };
        // The card itself took the focus (not a control inside it): it holds the tab stop.
        let on_card =
            event_element(event.target()).is_some_and(|el| el.class_list().contains("node-card"));
        if on_card && state.focused.with_untracked(|f| f.as_ref() != Some(&id)) {
            state.focused.set(Some(id.clone()));
        }
        if gesture.with_value(|g| !g.pointers.is_empty()) {
            return;
        }
        let tabbed_in = event_card_id(event.related_target()).is_none()
            && js_now() - tabbed_at.get_value() < 1000.0;
        if tabbed_in && !state.is_card_visible(&id) {
            if let Some(best) = state.card_to_focus() {
                if best != id {
                    state.focused.set(Some(best.clone()));
                    keyboard::focus_card(&best);
                    return;
                }
            }
        }
        state.pan_into_view(&id);
    };

    let style = move || {
        state
            .viewport
            .with(|view| format!("transform: {}", view.css_transform()))
    };
    let overview = move || state.viewport.with(|view| view.k < OVERVIEW_ZOOM);
    // The map's extent, under everything else on the canvas (see `.map-ground`).
    let ground = move || {
        state.layout.with(|layout| {
            let bounds = layout.bounds;
            format!("width:{}px;height:{}px", bounds.right(), bounds.bottom())
        })
    };

    // Every visible node, or only those near the screen once the map is large. Only a culled
    // map reads the viewport: a map shown whole is not re-listed on a pan.
    let culled = Memo::new(move |_| state.layout.with(is_culled));
    // A culled map in the overview draws its topics as marks (`MarkLayer`) and lists only its
    // stages: zooming out would otherwise create a card for almost every topic at each step.
    let marks_only = Memo::new(move |_| culled.get() && overview());
    // The part of a culled map whose cards are listed. Before the map is measured (the
    // server's render, and hydrating it), a large map is culled to a generous guess of the
    // screen: readers without JavaScript get the outline, not the map, and hydrating hundreds
    // of off-screen cards would only delay the first interaction. Once measured, the area
    // follows the real screen with a margin and stays put while a pan or zoom remains inside
    // it, so the card list changes every few hundred pixels, not in every frame.
    let cull_area = Memo::new(move |before: Option<&Option<CullArea>>| {
        if !culled.get() {
            return None;
        }
        let view = state.viewport.get();
        Some(match state.screen.get() {
            None => CullArea::around(view, FIRST_SCREEN, FIRST_MARGIN),
            Some(screen) => CullArea::follow(before.copied().flatten(), view, screen),
        })
    });
    let cards = move || {
        let Some(area) = cull_area.get() else {
            return state.layout.with(|layout| {
                layout
                    .nodes
                    .iter()
                    .map(|node| node.id.clone())
                    .collect::<Vec<_>>()
            });
        };
        let stages_only = marks_only.get();
        state.layout.with(|layout| {
            layout
                .nodes
                .iter()
                .filter(|node| node.depth == 0 || !stages_only)
                .filter(|node| area.touches(&node.rect))
                .map(|node| node.id.clone())
                .collect::<Vec<_>>()
        })
    };

    view! {
        <div
            class="map-viewport"
            class:overview=overview
            class:gliding=move || state.gliding.get()
            class:zooming=move || zooming.get()
            node_ref=container
            on:pointerdown=on_pointerdown
            on:pointermove=on_pointermove
            on:pointerup=on_pointerup
            on:pointercancel=on_pointerup
            on:dblclick=on_dblclick
            on:click:capture=on_click_capture
            on:click=on_card_click
            on:contextmenu=on_contextmenu
            on:change=on_change
            on:dragstart=|event: ev::DragEvent| event.prevent_default()
            on:pointerenter=move |_| origin.set_value(None)
            on:pointerover=move |event| prefetch(event.target())
            on:focusin=move |event: ev::FocusEvent| {
                prefetch(event.target());
                on_focusin(event)
            }
            on:keydown=move |event| keyboard::on_map_keydown(state, progress, event)
        >
            <div class="map-canvas" style=style>
                <div class="map-ground" style=ground></div>
                <EdgeLayer />
                {move || marks_only.get().then(|| view! { <MarkLayer /> })}
                <div role="tree" aria-label="Roadmap topics" class="map-nodes">
                    <For each=cards key=|id| id.clone() let:id>
                        <NodeCard id />
                    </For>
                </div>
                <LandmarkLayer />
            </div>
        </div>
    }
    // Erased: the pages around it nest deep enough for the wasm build's type-depth limit.
    .into_any()
}

/// The element an event happened on.
fn event_element(target: Option<web_sys::EventTarget>) -> Option<web_sys::Element> {
    use wasm_bindgen::JsCast;
    target?.dyn_into::<web_sys::Element>().ok()
}

/// The card an event happened in (`node-{id}`) and its id, if any.
fn event_card(target: Option<web_sys::EventTarget>) -> Option<(web_sys::Element, NodeId)> {
    let card = event_element(target)?
        .closest(".node-card")
        .ok()
        .flatten()?;
    let id = NodeId::parse(card.id().strip_prefix("node-")?).ok()?;
    Some((card, id))
}

/// The id of the card an event happened in, if any.
fn event_card_id(target: Option<web_sys::EventTarget>) -> Option<NodeId> {
    event_card(target).map(|(_, id)| id)
}

/// Follows a card's title link, whose URL opens the topic (so routing stays in one place).
/// False if the card has none.
pub fn follow_title_link(card: &web_sys::Element) -> bool {
    use wasm_bindgen::JsCast;
    let link = card
        .query_selector("a.node-title")
        .ok()
        .flatten()
        .and_then(|link| link.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(link) = &link {
        link.click();
    }
    link.is_some()
}

/// Whether a press is inside an open status menu.
fn in_status_menu(event: &ev::PointerEvent) -> bool {
    use wasm_bindgen::JsCast;
    event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|el| el.closest(".status-menu").ok().flatten())
        .is_some()
}

/// The topic card (not a stage) under a pointer press.
fn card_under(event: &ev::PointerEvent) -> Option<NodeId> {
    use wasm_bindgen::JsCast;
    let element = event.target()?.dyn_into::<web_sys::Element>().ok()?;
    let card = element.closest(".node-card:not(.stage)").ok().flatten()?;
    NodeId::parse(card.id().strip_prefix("node-")?).ok()
}

/// Milliseconds since the page loaded (0 during server rendering).
fn js_now() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
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

    /// `local` turns a pointer's window position into one in the map element.
    pub fn attach(
        container: NodeRef<html::Div>,
        state: MapState,
        local: impl Fn(i32, i32) -> Point + Copy + 'static,
        on_step: impl Fn() + Copy + 'static,
    ) {
        Effect::new(move |attached: Option<bool>| {
            if attached == Some(true) {
                return true;
            }
            let Some(el) = container.get() else {
                return false;
            };
            let handler = Closure::<dyn FnMut(web_sys::WheelEvent)>::new(
                move |event: web_sys::WheelEvent| {
                    let anchor = local(event.client_x(), event.client_y());
                    let factor = wheel_factor(event.delta_y(), event.delta_mode());
                    let (next, hit_limit) = state.viewport.get_untracked().zoom_at(anchor, factor);
                    if hit_limit {
                        return;
                    }
                    event.prevent_default();
                    on_step();
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

use leptos::{ev, prelude::*};

use crate::{
    contexts::map_state::{visible_area, MapState},
    layout::{rects_path, Rect},
    viewport::{minimap_rect, minimap_scale, Extent, Point, Size},
};

/// The minimap's height (px) and the widths it may take: its box has the map's proportions,
/// so the whole roadmap fills it.
const HEIGHT: f64 = 64.0;
const MIN_WIDTH: f64 = 48.0;
const MAX_WIDTH: f64 = 200.0;

/// The box for content of this shape: `HEIGHT` tall and as wide as the map's proportions ask,
/// within the limits (a very wide or tall map gets a shorter or narrower box instead).
fn box_size(content: Extent) -> Size {
    if content.width <= 0.0 || content.height <= 0.0 {
        return Size {
            width: HEIGHT,
            height: HEIGHT,
        };
    }
    let aspect = content.width / content.height;
    let width = (HEIGHT * aspect).clamp(MIN_WIDTH, MAX_WIDTH);
    Size {
        width: width.round(),
        height: (width / aspect).min(HEIGHT).max(16.0).round(),
    }
}

/// A small overview of the whole map with the visible area outlined; click or drag in it to
/// move there.
#[component]
pub fn Minimap() -> impl IntoView {
    let state = expect_context::<MapState>();
    let size = Memo::new(move |_| box_size(state.content_extent()));
    let scale = move || minimap_scale(state.content_extent(), size.get());
    let dragging = RwSignal::new(false);
    // Measured through a node ref: with delegated events, `current_target` is the document.
    let svg = NodeRef::<leptos::svg::Svg>::new();

    // Stages and topics as one path each: a roadmap of hundreds of cards is two elements.
    let marks = move |stages: bool| {
        let content = state.content_extent();
        let scale = scale();
        state.layout.with(|layout| {
            rects_path(
                layout
                    .nodes
                    .iter()
                    .filter(|node| (node.depth == 0) == stages)
                    .map(|node| {
                        let r = minimap_rect(
                            Extent::new(
                                node.rect.x,
                                node.rect.y,
                                node.rect.width,
                                node.rect.height,
                            ),
                            content,
                            scale,
                        );
                        Rect {
                            x: r.x,
                            y: r.y,
                            width: r.width.max(1.0),
                            height: r.height.max(1.0),
                        }
                    }),
            )
        })
    };
    let view_box = move || {
        let screen = state.screen.get()?;
        let area = visible_area(screen, state.insets());
        let visible = state.viewport.get().visible_content(area);
        Some(minimap_rect(visible, state.content_extent(), scale()))
    };
    let move_to = move |event: &ev::PointerEvent| {
        let Some(screen) = state.visible_area() else {
            return;
        };
        let Some(el) = svg.get_untracked() else {
            return;
        };
        let rect = el.get_bounding_client_rect();
        let click = Point::new(
            event.client_x() as f64 - rect.left(),
            event.client_y() as f64 - rect.top(),
        );
        let next = state.viewport.get_untracked().center_from_minimap(
            click,
            state.content_extent(),
            scale(),
            screen,
        );
        state.set_viewport(next);
    };

    view! {
        <svg
            node_ref=svg
            class="minimap"
            role="img"
            aria-label="Minimap: click or drag to move the map"
            width=move || size.get().width
            height=move || size.get().height
            on:pointerdown=move |event| {
                dragging.set(true);
                move_to(&event);
            }
            on:pointermove=move |event| {
                if dragging.get_untracked() {
                    move_to(&event);
                }
            }
            on:pointerup=move |_| dragging.set(false)
            on:pointerleave=move |_| dragging.set(false)
        >
            <path class="mini-topic" d=move || marks(false) />
            <path class="mini-stage" d=move || marks(true) />
            {move || {
                view_box()
                    .map(|r| {
                        view! { <rect class="mini-view" x=r.x y=r.y width=r.width height=r.height /> }
                    })
            }}
        </svg>
    }
}

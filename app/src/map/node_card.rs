use leptos::{prelude::*, tachys::html::attribute::custom::custom_attribute};

use crate::{
    contexts::{
        map_links::use_map_links,
        map_state::{MapState, OVERVIEW_ZOOM},
        progress::ProgressState,
    },
    layout,
    map::status_buttons::{icon, StatusButtons},
    progress::Status,
    roadmap::NodeId,
};

/// One card on the map: a tree item (one roving tab stop for the whole tree), its title a
/// link that opens the topic, and a toggle for nodes with children. Its position comes from
/// the layout, so cards glide to their new place when the map re-lays out.
///
/// Inside the card (sized for them by `layout::card_size`): the done checkbox on the left,
/// the title, and on the right a slot with the status and note icons over the expand badge,
/// so none of them covers the title. The tree item's accessible name is the title once plus
/// the status (a stage: its settled/total), never the text of its controls; its level,
/// position and set size are real `aria-*` attributes.
#[component]
pub fn NodeCard(id: NodeId) -> impl IntoView {
    let state = expect_context::<MapState>();
    let links = use_map_links();
    let Some((title, slug, child_count, position, set_size)) =
        state.roadmap.with_value(|roadmap| {
            let node = roadmap.node(id.as_str())?;
            let siblings = match &node.parent {
                Some(parent) => roadmap.node(parent.as_str())?.children.clone(),
                None => roadmap.stages.clone(),
            };
            let position = siblings.iter().position(|s| s == &node.id).unwrap_or(0) + 1;
            Some((
                node.title.clone(),
                roadmap.slug.clone(),
                node.children.len(),
                position,
                siblings.len(),
            ))
        })
    else {
        return ().into_any();
    };

    let placed = {
        let id = id.clone();
        Memo::new(move |_| state.placements.with(|p| p.get(&id).cloned()))
    };
    let has_children = child_count > 0;
    // Absent in an embed that hides progress; read-only in a read-only embed.
    let progress = use_context::<ProgressState>();
    let editable = progress.is_some_and(|p| p.editable);
    let is_stage = state
        .roadmap
        .with_value(|r| r.node(id.as_str()).is_some_and(|n| n.is_stage()));
    let status = {
        let id = id.clone();
        Memo::new(move |_| progress.and_then(|progress| progress.status(&id)))
    };
    // Whether the learner wrote a note on this topic (never in an embed).
    let has_note = {
        let id = id.clone();
        Memo::new(move |_| progress.and_then(|progress| progress.note(&id)).is_some())
    };
    let stage_counts = {
        let id = id.clone();
        move || {
            progress?.counts.with(|counts| {
                counts
                    .as_ref()
                    .and_then(|c| c.stage(id.as_str()))
                    .map(|c| format!("{}/{}", c.settled(), c.total))
            })
        }
    };
    let menu_open = {
        let id = id.clone();
        Memo::new(move |_| state.status_menu.with(|m| m.as_ref() == Some(&id)))
    };
    let close_menu = move || {
        if menu_open.get_untracked() {
            state.status_menu.set(None);
        }
    };
    // The layout sized the card for these lines: show exactly them, so the browser's own
    // wrapping cannot disagree with the layout.
    let lines = {
        let depth = placed.with_untracked(|p| p.as_ref().map(|p| p.depth).unwrap_or(0));
        layout::wrap_title(&title, depth).join("\n")
    };
    let expanded = {
        let id = id.clone();
        Memo::new(move |_| state.expanded.with(|e| e.contains(&id)))
    };
    let is_focused = {
        let id = id.clone();
        Memo::new(move |_| state.focused.with(|f| f.as_ref() == Some(&id)))
    };
    let is_selected = {
        let id = id.clone();
        Memo::new(move |_| state.selected.with(|s| s.as_ref() == Some(&id)))
    };
    let is_highlighted = {
        let id = id.clone();
        Memo::new(move |_| state.highlighted.with(|h| h.as_ref() == Some(&id)))
    };
    let depth = move || placed.with(|p| p.as_ref().map(|p| p.depth).unwrap_or(0));
    let transform = move || {
        placed.with(|p| {
            p.as_ref()
                .map(|p| format!("translate({}px, {}px)", p.rect.x, p.rect.y))
                .unwrap_or_default()
        })
    };
    let width = move || placed.with(|p| p.as_ref().map(|p| format!("{}px", p.rect.width)));
    let height = move || placed.with(|p| p.as_ref().map(|p| format!("{}px", p.rect.height)));

    let name = {
        let title = title.clone();
        let id = id.clone();
        move || {
            if is_stage {
                let counts = progress.and_then(|p| {
                    p.counts.with(|counts| {
                        counts
                            .as_ref()
                            .and_then(|c| c.stage(id.as_str()))
                            .map(|c| (c.settled(), c.total))
                    })
                });
                match counts {
                    Some((settled, total)) => format!("{title}, {settled} of {total} settled"),
                    None => title.clone(),
                }
            } else {
                match status.get().filter(|s| *s != Status::Pending) {
                    Some(s) => format!("{title}, {}", s.label().to_lowercase()),
                    None => title.clone(),
                }
            }
        }
    };
    let mirrored = move || placed.with(|p| p.as_ref().is_some_and(|p| p.mirrored));
    let toggle = {
        let id = id.clone();
        move || state.toggle(&id)
    };
    let toggle_label = {
        let title = title.clone();
        move || {
            let verb = if expanded.get() { "Collapse" } else { "Expand" };
            format!("{verb} {title}")
        }
    };
    let on_focus = {
        let id = id.clone();
        move |_| {
            if state.focused.with_untracked(|f| f.as_ref() != Some(&id)) {
                state.focused.set(Some(id.clone()));
            }
        }
    };
    let id_for_click = id.clone();
    let on_card_click = {
        let toggle = toggle.clone();
        move |event: leptos::ev::MouseEvent| {
            // Clicks on the title link or the toggle are theirs; the rest of a card with
            // children expands or collapses it.
            let on_control = event
                .target()
                .and_then(|target| {
                    use wasm_bindgen::JsCast;
                    target.dyn_into::<web_sys::Element>().ok()
                })
                .is_some_and(|el| {
                    el.closest("a, button, input, .status-menu")
                        .ok()
                        .flatten()
                        .is_some()
                });
            if on_control {
                return;
            }
            // In the overview a stage is a landmark: a click zooms in on it.
            if is_stage && state.viewport.with_untracked(|v| v.k < OVERVIEW_ZOOM) {
                state.zoom_to(&id_for_click);
            } else if has_children {
                toggle();
            }
        }
    };

    let id_for_menu = id.clone();
    view! {
        <div
            class="node-card"
            class:stage=move || depth() == 0
            class:selected=is_selected
            class:highlighted=is_highlighted
            class:has-children=has_children
            class:mirrored=mirrored
            class:status-done=move || status.get() == Some(Status::Done)
            class:status-in_progress=move || status.get() == Some(Status::InProgress)
            class:status-skipped=move || status.get() == Some(Status::Skipped)
            id=format!("node-{id}")
            role="treeitem"
            aria-label=name
            aria-posinset=position.to_string()
            aria-setsize=set_size.to_string()
            aria-expanded=move || has_children.then(|| expanded.get().to_string())
            aria-selected=move || is_selected.get().to_string()
            tabindex=move || if is_focused.get() { "0" } else { "-1" }
            style:transform=transform
            style:width=width
            style:height=height
            on:focus=on_focus
            on:click=on_card_click
            on:contextmenu=move |event| {
                if !is_stage && editable {
                    event.prevent_default();
                    state.status_menu.set(Some(id_for_menu.clone()));
                }
            }
            // Leptos has no typed `aria-level`, and `attr:aria-level` on an element is printed
            // literally: a custom attribute gives the real one, in SSR and after hydration.
            {..custom_attribute("aria-level", move || (depth() + 1).to_string())}
        >
            {(!is_stage && editable)
                .then(|| {
                    let id = id.clone();
                    let label = format!("Done: {title}");
                    view! {
                        <input
                            type="checkbox"
                            class="done-box"
                            tabindex="-1"
                            aria-label=label
                            prop:checked=move || status.get() == Some(Status::Done)
                            on:change=move |event| {
                                let next = if event_target_checked(&event) {
                                    Status::Done
                                } else {
                                    Status::Pending
                                };
                                if let Some(progress) = progress {
                                    progress.set(&id, next);
                                }
                            }
                        />
                    }
                })}
            <a
                class="node-title"
                href=links.node(&slug, id.as_str())
                tabindex="-1"
                draggable="false"
            >
                {lines}
            </a>
            <span class="card-slot">
            {move || {
                status
                    .get()
                    .filter(|s| *s != Status::Pending)
                    .map(|s| {
                        view! {
                            <span class="status-icon" title=s.label()>
                                <span aria-hidden="true">{icon(s)}</span>
                                <span class="visually-hidden">{s.label()}</span>
                            </span>
                        }
                    })
            }}
            {move || {
                has_note
                    .get()
                    .then(|| {
                        view! {
                            <span
                                class="note-icon"
                                role="img"
                                aria-label="Has a note"
                                title="You wrote a note on this topic"
                            >
                                "✎"
                            </span>
                        }
                    })
            }}
            {is_stage.then(|| view! { <span class="stage-progress">{stage_counts}</span> })}
            {
                let id = id.clone();
                move || {
                    menu_open
                        .get()
                        .then(|| {
                            let close = Callback::new(move |()| close_menu());
                            view! {
                                <div
                                    class="status-menu"
                                    role="group"
                                    aria-label="Set status"
                                    on:pointerleave=move |event: leptos::ev::PointerEvent| {
                                        if event.pointer_type() == "mouse" {
                                            close_menu();
                                        }
                                    }
                                >
                                    <StatusButtons id=id.clone() on_chosen=close />
                                </div>
                            }
                        })
                }
            }
            {has_children
                .then(|| {
                    view! {
                        <button
                            type="button"
                            class="node-toggle"
                            tabindex="-1"
                            aria-label=toggle_label
                            on:click=move |_| toggle()
                        >
                            <span aria-hidden="true">
                                {move || if expanded.get() { "−" } else { "+" }}
                            </span>
                            <span class="child-count">{child_count}</span>
                        </button>
                    }
                })}
            </span>
        </div>
    }
    .into_any()
}

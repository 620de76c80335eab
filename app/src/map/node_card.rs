use leptos::{prelude::*, tachys::html::attribute::custom::custom_attribute};

use crate::{
    contexts::{map_links::use_map_links, map_state::MapState, progress::ProgressState},
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
    let (is_stage, depth) = state.roadmap.with_value(|r| {
        let node = r.node(id.as_str());
        (node.is_some_and(|n| n.is_stage()), r.depth(id.as_str()))
    });
    // The learner's mark on this topic: its status and whether they wrote a note (never in
    // an embed). One memo for both, and one for the map's state of this card below: a card
    // is a few reactive nodes, not one per attribute (hundreds of cards hydrate at once).
    // Unknown (before the browser's stored progress is read, just after hydration) shows as
    // pending: reading it then changes nothing on the cards of pending topics.
    let mark = {
        let id = id.clone();
        Memo::new(move |_| {
            progress
                .and_then(|progress| {
                    progress
                        .marks
                        .with(|marks| marks.as_ref().and_then(|m| m.get(&id)).copied())
                })
                .unwrap_or_default()
        })
    };
    // The status when it is not plain pending (what the card shows a mark for).
    let marked = move || Some(mark.get().status).filter(|s| *s != Status::Pending);
    let flags = {
        let id = id.clone();
        Memo::new(move |_| CardFlags::of(&state, &id))
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
    let close_menu = move || {
        if flags.get_untracked().menu_open {
            state.status_menu.set(None);
        }
    };
    // The layout sized the card for these lines: show exactly them, so the browser's own
    // wrapping cannot disagree with the layout.
    let lines = layout::wrap_title(&title, depth).join("\n");
    // Drawn after the first paint by an expand: fades in. Not on a culled map, whose cards
    // come and go as the view moves: there a fade on each card a pan brings in broke the
    // canvas's one compositor layer apart in every frame (2,000 nodes at 1x: 157 -> 80-108
    // frames of 219 in bench/browser.mjs).
    let fresh =
        state.live.get_value() && !state.layout.with_untracked(super::map_canvas::is_culled);
    let class = move || {
        let flags = flags.get();
        let mut class = String::from("node-card");
        for (on, name) in [
            (is_stage, " stage"),
            (has_children, " has-children"),
            (fresh, " fresh"),
            (flags.selected, " selected"),
            (flags.highlighted, " highlighted"),
            (
                placed.with(|p| p.as_ref().is_some_and(|p| p.mirrored)),
                " mirrored",
            ),
        ] {
            if on {
                class.push_str(name);
            }
        }
        if let Some(status) = marked() {
            class.push_str(" status-");
            class.push_str(status.as_str());
        }
        class
    };
    // A selected card, or one with its status menu open, also carries the zoom (`--k`, for
    // its ring and its menu's size in the overview); only it follows the viewport.
    let card_style = move || {
        let flags = flags.get();
        let mut style = placed.with(|p| {
            p.as_ref()
                .map(|p| {
                    format!(
                        "transform:translate({}px, {}px);width:{}px;height:{}px",
                        p.rect.x, p.rect.y, p.rect.width, p.rect.height
                    )
                })
                .unwrap_or_default()
        });
        if flags.selected || flags.menu_open {
            style.push(';');
            style.push_str(&super::zoom_var(&state));
        }
        style
    };

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
                match marked() {
                    Some(s) => format!("{title}, {}", s.label().to_lowercase()),
                    None => title.clone(),
                }
            }
        }
    };
    let toggle_label = {
        let title = title.clone();
        move || {
            let verb = if flags.get().expanded {
                "Collapse"
            } else {
                "Expand"
            };
            format!("{verb} {title}")
        }
    };

    // Clicks, focus, the context menu and the checkbox are handled once for every card by
    // the map (`map_canvas.rs`), from the card's id.
    view! {
        <div
            class=class
            id=format!("node-{id}")
            role="treeitem"
            aria-label=name
            aria-posinset=position.to_string()
            aria-setsize=set_size.to_string()
            aria-expanded=move || has_children.then(|| flags.get().expanded.to_string())
            aria-selected=move || flags.get().selected.to_string()
            tabindex=move || if flags.get().focused { "0" } else { "-1" }
            style={card_style}
            // Leptos has no typed `aria-level`, and `attr:aria-level` on an element is printed
            // literally: a custom attribute gives the real one, in SSR and after hydration.
            {..custom_attribute("aria-level", (depth + 1).to_string())}
        >
            {(!is_stage && editable)
                .then(|| {
                    let label = format!("Done: {title}");
                    view! {
                        <input
                            type="checkbox"
                            class="done-box"
                            tabindex="-1"
                            aria-label=label
                            prop:checked=move || mark.get().status == Status::Done
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
                marked()
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
                mark.get()
                    .has_note
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
                    flags
                        .get()
                        .menu_open
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
                        >
                            <span aria-hidden="true">
                                {move || if flags.get().expanded { "−" } else { "+" }}
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

/// What the map's state says of one card.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct CardFlags {
    /// Holds the tree's roving tab stop.
    focused: bool,
    /// Open in the panel.
    selected: bool,
    /// Pointed at by search.
    highlighted: bool,
    /// Its status menu is open.
    menu_open: bool,
    /// Its children are shown.
    expanded: bool,
}

impl CardFlags {
    fn of(state: &MapState, id: &NodeId) -> Self {
        let is = |node: &Option<NodeId>| node.as_ref() == Some(id);
        Self {
            focused: state.focused.with(is),
            selected: state.selected.with(is),
            highlighted: state.highlighted.with(is),
            menu_open: state.status_menu.with(is),
            expanded: state.expanded.with(|e| e.contains(id)),
        }
    }
}

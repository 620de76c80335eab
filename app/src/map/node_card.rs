use leptos::prelude::*;

use crate::{
    contexts::{map_links::use_map_links, map_state::MapState},
    layout,
    roadmap::NodeId,
};

/// One card on the map: a tree item (one roving tab stop for the whole tree), its title a
/// link that opens the topic, and a toggle for nodes with children. Its position comes from
/// the layout, so cards glide to their new place when the map re-lays out.
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
                .is_some_and(|el| el.closest("a, button").ok().flatten().is_some());
            if has_children && !on_control {
                toggle();
            }
        }
    };

    view! {
        <div
            class="node-card"
            class:stage=move || depth() == 0
            class:selected=is_selected
            class:highlighted=is_highlighted
            class:has-children=has_children
            id=format!("node-{id}")
            role="treeitem"
            attr:aria-level=move || depth() + 1
            attr:aria-posinset=position
            attr:aria-setsize=set_size
            aria-expanded=move || has_children.then(|| expanded.get().to_string())
            aria-selected=move || is_selected.get().to_string()
            tabindex=move || if is_focused.get() { "0" } else { "-1" }
            style:transform=transform
            style:width=width
            style:height=height
            on:focus=on_focus
            on:click=on_card_click
        >
            <a class="node-title" href=links.node(&slug, id.as_str()) tabindex="-1">
                {lines}
            </a>
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
        </div>
    }
    .into_any()
}

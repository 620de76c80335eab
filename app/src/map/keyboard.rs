//! Keyboard access to the map, after the WAI-ARIA tree view pattern: one roving tab stop;
//! Up/Down move through the visible nodes, Right expands or enters, Left collapses or goes
//! to the parent, Home/End jump, Enter opens the topic. `+`, `-`, `0` and `f` zoom, reset and
//! fit; D, L, S and R mark the focused topic done, in progress, skipped or pending. The
//! focused node is panned into view.

use leptos::{ev, prelude::*};

use crate::{
    contexts::{map_state::MapState, progress::ProgressState},
    map::status_buttons::status_for_key,
    roadmap::NodeId,
};

pub fn on_map_keydown(state: MapState, progress: Option<ProgressState>, event: ev::KeyboardEvent) {
    if event.ctrl_key() || event.meta_key() || event.alt_key() {
        return;
    }
    if let (Some(status), Some(id), Some(progress)) = (
        status_for_key(&event.key()),
        state.focused.get_untracked(),
        progress,
    ) {
        progress.set(&id, status);
        event.prevent_default();
        return;
    }
    let handled = match event.key().as_str() {
        "+" | "=" => {
            state.zoom_in();
            true
        }
        "-" | "_" => {
            state.zoom_out();
            true
        }
        "0" => {
            state.reset();
            true
        }
        "f" | "F" => {
            state.fit();
            true
        }
        "ArrowDown" => move_focus(state, Step::Next),
        "ArrowUp" => move_focus(state, Step::Previous),
        "Home" => move_focus(state, Step::First),
        "End" => move_focus(state, Step::Last),
        "ArrowRight" => right(state),
        "ArrowLeft" => left(state),
        "Enter" | " " => open(state),
        _ => false,
    };
    if handled {
        event.prevent_default();
    }
}

enum Step {
    Next,
    Previous,
    First,
    Last,
}

fn visible_ids(state: MapState) -> Vec<NodeId> {
    state
        .layout
        .with_untracked(|layout| layout.nodes.iter().map(|n| n.id.clone()).collect())
}

fn move_focus(state: MapState, step: Step) -> bool {
    let ids = visible_ids(state);
    if ids.is_empty() {
        return false;
    }
    let current = state
        .focused
        .get_untracked()
        .and_then(|id| ids.iter().position(|i| *i == id));
    let index = match (step, current) {
        (Step::First, _) | (Step::Next | Step::Previous, None) => 0,
        (Step::Last, _) => ids.len() - 1,
        (Step::Next, Some(i)) => (i + 1).min(ids.len() - 1),
        (Step::Previous, Some(i)) => i.saturating_sub(1),
    };
    focus(state, ids[index].clone());
    true
}

fn right(state: MapState) -> bool {
    let Some(id) = state.focused.get_untracked() else {
        return false;
    };
    let first_child = state.roadmap.with_value(|r| {
        r.node(id.as_str())
            .and_then(|node| node.children.first().cloned())
    });
    let Some(first_child) = first_child else {
        return false;
    };
    if state.expanded.with_untracked(|e| e.contains(&id)) {
        focus(state, first_child);
    } else {
        state.toggle(&id);
    }
    true
}

fn left(state: MapState) -> bool {
    let Some(id) = state.focused.get_untracked() else {
        return false;
    };
    if state.expanded.with_untracked(|e| e.contains(&id)) {
        state.toggle(&id);
        return true;
    }
    let parent = state
        .roadmap
        .with_value(|r| r.node(id.as_str()).and_then(|node| node.parent.clone()));
    match parent {
        Some(parent) => {
            focus(state, parent);
            true
        }
        None => false,
    }
}

fn open(state: MapState) -> bool {
    let Some(id) = state.focused.get_untracked() else {
        return false;
    };
    document()
        .get_element_by_id(&format!("node-{id}"))
        .is_some_and(|card| super::map_canvas::follow_title_link(&card))
}

/// Moves the roving tab stop to `id`, pans it into view (unless it is about to be centred)
/// and focuses its card once drawn.
pub fn focus(state: MapState, id: NodeId) {
    state.focused.set(Some(id.clone()));
    if state
        .centre_request
        .with_untracked(|r| r.as_ref() != Some(&id))
    {
        state.pan_into_view(&id);
    }
    request_animation_frame(move || focus_card(&id));
}

/// Focuses the card of `id` without letting the browser scroll anything: the map pans itself.
pub fn focus_card(id: &NodeId) {
    use wasm_bindgen::JsCast;
    if let Some(card) = document()
        .get_element_by_id(&format!("node-{id}"))
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let options = web_sys::FocusOptions::new();
        options.set_prevent_scroll(true);
        let _ = card.focus_with_options(&options);
    }
}

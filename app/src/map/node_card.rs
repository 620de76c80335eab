use leptos::{prelude::*, tachys::html::attribute::custom::custom_attribute};

use crate::{
    contexts::{
        map_links::use_map_links,
        map_state::MapState,
        progress::{Mark, ProgressState},
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
///
/// A map hydrates hundreds of cards at once, so a card is rendered as static markup from its
/// [`CardLook`] and kept up to date by one effect that writes only what changed (see
/// [`apply`]), instead of a reactive node per attribute and per icon: that was about 15
/// reactive nodes a card, created and run while the page hydrates. Only the status menu,
/// which holds real controls, is a reactive child.
#[component]
pub fn NodeCard(id: NodeId) -> impl IntoView {
    let state = expect_context::<MapState>();
    // Once seen on the server under parallel load: a suspense boundary rendered its children
    // again after the map's state was disposed, and reading it panicked. Nothing to draw then.
    if state.live.try_get_value().is_none() {
        return ().into_any();
    }
    let links = use_map_links();
    let Some(card) = state.roadmap.with_value(|roadmap| {
        let node = roadmap.node(id.as_str())?;
        let siblings = match &node.parent {
            Some(parent) => roadmap.node(parent.as_str())?.children.clone(),
            None => roadmap.stages.clone(),
        };
        let position = siblings.iter().position(|s| s == &node.id).unwrap_or(0) + 1;
        Some(Card {
            id: id.clone(),
            title: node.title.clone(),
            slug: roadmap.slug.clone(),
            child_count: node.children.len(),
            position,
            set_size: siblings.len(),
            is_stage: node.is_stage(),
            depth: roadmap.depth(id.as_str()),
            // Drawn after the first paint by an expand: fades in. Not on a culled map, whose
            // cards come and go as the view moves: there a fade on each card a pan brings in
            // broke the canvas's one compositor layer apart in every frame (2,000 nodes at
            // 1x: 157 -> 80-108 frames of 219 in bench/browser.mjs).
            fresh: state.live.get_value()
                && !state.layout.with_untracked(super::map_canvas::is_culled),
        })
    }) else {
        return ().into_any();
    };
    // Absent in an embed that hides progress; read-only in a read-only embed.
    let progress = use_context::<ProgressState>();
    let editable = progress.is_some_and(|p| p.editable);
    let initial = untrack(|| card.look(&state, progress));
    #[cfg(feature = "hydrate")]
    {
        let card = card.clone();
        let mut before = Some(initial.clone());
        Effect::new(move |last: Option<CardLook>| {
            let next = card.look(&state, progress);
            if let Some(last) = last.or_else(|| before.take()) {
                if last != next {
                    apply(&card, &last, &next);
                }
            }
            next
        });
    }

    let menu_open = {
        let id = id.clone();
        move || state.status_menu.with(|open| open.as_ref() == Some(&id))
    };
    let close_menu = {
        let menu_open = menu_open.clone();
        move || {
            if untrack(&menu_open) {
                state.status_menu.set(None);
            }
        }
    };
    // The layout sized the card for these lines: show exactly them, so the browser's own
    // wrapping cannot disagree with the layout.
    let lines = layout::wrap_title(&card.title, card.depth).join("\n");
    let Card {
        title,
        slug,
        child_count,
        position,
        set_size,
        is_stage,
        depth,
        ..
    } = card;
    let has_children = child_count > 0;
    let status = initial.mark.status;

    // Clicks, focus, the context menu and the checkbox are handled once for every card by
    // the map (`map_canvas.rs`), from the card's id.
    view! {
        <div
            class=initial.class.clone()
            id=format!("node-{id}")
            role="treeitem"
            aria-label=initial.label.clone()
            aria-posinset=position.to_string()
            aria-setsize=set_size.to_string()
            aria-expanded=has_children.then(|| initial.expanded.to_string())
            aria-selected=initial.selected.to_string()
            tabindex=if initial.focused { "0" } else { "-1" }
            style=initial.style.clone()
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
                            checked=status == Status::Done
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
                // Drawn only when there is something to show: most cards have neither icon, and
                // `apply` adds or removes them as the marks change.
                {(status != Status::Pending).then(|| status_icon(status))}
                {initial.mark.has_note.then(note_icon)}
                {is_stage
                    .then(|| {
                        view! {
                            <span class="stage-progress">
                                {(!initial.stage_counts.is_empty())
                                    .then(|| initial.stage_counts.clone())}
                            </span>
                        }
                    })}
                {
                    let id = id.clone();
                    move || {
                        menu_open()
                            .then(|| {
                                let close_menu = close_menu.clone();
                                let close = Callback::new({
                                    let close_menu = close_menu.clone();
                                    move |()| close_menu()
                                });
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
                                aria-label=toggle_label(initial.expanded, &title)
                            >
                                <span aria-hidden="true">{toggle_sign(initial.expanded)}</span>
                                <span class="child-count">{child_count}</span>
                            </button>
                        }
                    })}
            </span>
        </div>
    }
    .into_any()
}

/// What a card is, which never changes while it is shown.
#[derive(Clone, Debug)]
struct Card {
    id: NodeId,
    title: String,
    slug: String,
    child_count: usize,
    position: usize,
    set_size: usize,
    is_stage: bool,
    depth: usize,
    fresh: bool,
}

/// What a card shows that can change: its render and its effect both come from this.
#[derive(Clone, Debug, Default, PartialEq)]
struct CardLook {
    class: String,
    style: String,
    /// The tree item's accessible name.
    label: String,
    /// Holds the tree's roving tab stop.
    focused: bool,
    /// Open in the panel.
    selected: bool,
    /// Its children are shown.
    expanded: bool,
    /// The learner's status and note (pending and none until the stored progress is read).
    mark: Mark,
    /// A stage's settled/total, when progress is shown.
    stage_counts: String,
}

impl Card {
    /// The look the map's state and the learner's progress give this card now (reading
    /// them tracked, in an effect).
    fn look(&self, state: &MapState, progress: Option<ProgressState>) -> CardLook {
        let id = &self.id;
        let is = |node: &Option<NodeId>| node.as_ref() == Some(id);
        let selected = state.selected.with(is);
        let highlighted = state.highlighted.with(is);
        let menu_open = state.status_menu.with(is);
        let expanded = self.child_count > 0 && state.expanded.with(|e| e.contains(id));
        let placed = state.placements.with(|p| p.get(id).cloned());
        // Unknown (before the browser's stored progress is read, just after hydration)
        // shows as pending: reading it then changes nothing on the cards of pending topics.
        let mark = progress
            .and_then(|progress| {
                progress
                    .marks
                    .with(|marks| marks.as_ref().and_then(|m| m.get(id)).copied())
            })
            .unwrap_or_default();
        let counts = if self.is_stage {
            progress.and_then(|p| p.stage_counts(id))
        } else {
            None
        };
        let marked = Some(mark.status).filter(|s| *s != Status::Pending);

        let mut class = String::from("node-card");
        for (on, name) in [
            (self.is_stage, " stage"),
            (self.child_count > 0, " has-children"),
            (self.fresh, " fresh"),
            (selected, " selected"),
            (highlighted, " highlighted"),
            (placed.as_ref().is_some_and(|p| p.mirrored), " mirrored"),
        ] {
            if on {
                class.push_str(name);
            }
        }
        if let Some(status) = marked {
            class.push_str(" status-");
            class.push_str(status.as_str());
        }
        // A selected card, or one with its status menu open, also carries the zoom (`--k`,
        // for its ring and its menu's size in the overview); only it follows the viewport.
        let mut style = placed
            .map(|p| {
                format!(
                    "transform:translate({}px, {}px);width:{}px;height:{}px",
                    p.rect.x, p.rect.y, p.rect.width, p.rect.height
                )
            })
            .unwrap_or_default();
        if selected || menu_open {
            style.push(';');
            style.push_str(&super::zoom_var(state));
        }
        let title = &self.title;
        let label = match (counts, marked) {
            (Some((settled, total)), _) => format!("{title}, {settled} of {total} settled"),
            (None, Some(status)) if !self.is_stage => {
                format!("{title}, {}", status.label().to_lowercase())
            }
            _ => title.clone(),
        };
        CardLook {
            class,
            style,
            label,
            focused: state.focused.with(is),
            selected,
            expanded,
            mark,
            stage_counts: counts
                .map(|(settled, total)| format!("{settled}/{total}"))
                .unwrap_or_default(),
        }
    }
}

fn toggle_label(expanded: bool, title: &str) -> String {
    let verb = if expanded { "Collapse" } else { "Expand" };
    format!("{verb} {title}")
}

fn toggle_sign(expanded: bool) -> &'static str {
    if expanded {
        "−"
    } else {
        "+"
    }
}

/// A card's status icon (not for pending). [`status_icon_html`] is the same markup, for the
/// cards' effect to insert; a test keeps the two equal.
fn status_icon(status: Status) -> impl IntoView {
    view! {
        <span class="status-icon" title=status.label()>
            <span aria-hidden="true">{icon(status)}</span>
            <span class="visually-hidden">{status.label()}</span>
        </span>
    }
}

#[cfg(any(feature = "hydrate", test))]
fn status_icon_html(status: Status) -> String {
    format!(
        r#"<span title="{label}" class="status-icon"><span aria-hidden="true">{icon}</span><span class="visually-hidden">{label}</span></span>"#,
        label = status.label(),
        icon = icon(status),
    )
}

/// The icon of a topic the learner wrote a note on; [`NOTE_ICON_HTML`] is the same markup.
fn note_icon() -> impl IntoView {
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
}

#[cfg(any(feature = "hydrate", test))]
const NOTE_ICON_HTML: &str = r#"<span role="img" aria-label="Has a note" title="You wrote a note on this topic" class="note-icon">✎</span>"#;

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn inserted_icons_are_the_rendered_ones() {
        for status in [Status::InProgress, Status::Done, Status::Skipped] {
            assert_eq!(status_icon(status).to_html(), status_icon_html(status));
        }
        assert_eq!(note_icon().to_html(), NOTE_ICON_HTML);
    }
}

/// Writes what changed between two looks into the card's elements.
#[cfg(feature = "hydrate")]
fn apply(card: &Card, last: &CardLook, next: &CardLook) {
    use wasm_bindgen::JsCast;

    let Some(element) = document().get_element_by_id(&format!("node-{}", card.id)) else {
        return;
    };
    let find = |selector: &str| element.query_selector(selector).ok().flatten();
    let set = |el: &web_sys::Element, name: &str, value: &str| {
        let _ = el.set_attribute(name, value);
    };
    if last.class != next.class {
        set(&element, "class", &next.class);
    }
    if last.style != next.style {
        set(&element, "style", &next.style);
    }
    if last.label != next.label {
        set(&element, "aria-label", &next.label);
    }
    if last.selected != next.selected {
        set(&element, "aria-selected", &next.selected.to_string());
    }
    if last.focused != next.focused {
        set(&element, "tabindex", if next.focused { "0" } else { "-1" });
    }
    if last.expanded != next.expanded {
        set(&element, "aria-expanded", &next.expanded.to_string());
        if let Some(toggle) = find(".node-toggle") {
            set(
                &toggle,
                "aria-label",
                &toggle_label(next.expanded, &card.title),
            );
            if let Some(sign) = toggle.first_element_child() {
                sign.set_text_content(Some(toggle_sign(next.expanded)));
            }
        }
    }
    if last.mark.status != next.mark.status {
        let status = next.mark.status;
        if let Some(done) =
            find(".done-box").and_then(|el| el.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            done.set_checked(status == Status::Done);
        }
        let slot = find(".card-slot");
        match (find(".status-icon"), slot) {
            (Some(old), _) if status == Status::Pending => old.remove(),
            (Some(old), _) => old.set_outer_html(&status_icon_html(status)),
            (None, Some(slot)) if status != Status::Pending => {
                let _ = slot.insert_adjacent_html("afterbegin", &status_icon_html(status));
            }
            _ => {}
        }
    }
    if last.mark.has_note != next.mark.has_note {
        match (find(".note-icon"), find(".card-slot")) {
            (Some(old), _) if !next.mark.has_note => old.remove(),
            (None, Some(slot)) if next.mark.has_note => {
                let _ = slot.insert_adjacent_html("afterbegin", NOTE_ICON_HTML);
            }
            _ => {}
        }
    }
    if last.stage_counts != next.stage_counts {
        if let Some(counts) = find(".stage-progress") {
            counts.set_text_content(Some(&next.stage_counts));
        }
    }
}

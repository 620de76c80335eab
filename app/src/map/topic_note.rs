use leptos::prelude::*;

use crate::{
    content::render_note,
    contexts::progress::ProgressState,
    lazy::ChunkUnavailable,
    progress::{validate_note_text, MAX_NOTE_CHARS},
    roadmap::NodeId,
};

/// "My note" in the topic panel: the saved note rendered as sanitized Markdown, and a
/// textarea to write it with a live character count. Saving over the limit is refused with a
/// message; saving a blank note deletes it. Notes stay in this browser and sync like statuses.
#[component]
pub fn TopicNote(id: NodeId) -> impl IntoView {
    let progress = expect_context::<ProgressState>();
    let saved = {
        let id = id.clone();
        Memo::new(move |_| progress.note(&id))
    };
    // The draft starts as the saved note, and follows it (a sync, another tab) until the
    // learner starts typing.
    let draft = RwSignal::new(String::new());
    let dirty = RwSignal::new(false);
    Effect::new(move |_| {
        let note = saved.get().unwrap_or_default();
        if !dirty.get_untracked() {
            draft.set(note);
        }
    });
    // The saved note as HTML: made by `note_html` in a chunk of its own, so it arrives a
    // moment after the note does.
    let preview = RwSignal::new(None::<String>);
    Effect::new(move |_| match saved.get() {
        None => preview.set(None),
        Some(text) => leptos::task::spawn_local(async move {
            let html = note_html(text.clone())
                .await
                .unwrap_or_else(|ChunkUnavailable| plain_note_html(&text));
            // A newer note may have been saved while this one was rendered.
            if saved.try_get_untracked().flatten().as_ref() == Some(&text) {
                preview.try_set(Some(html));
            }
        }),
    });
    let message = RwSignal::new(None::<(bool, String)>);
    let count = Memo::new(move |_| draft.with(|text| text.chars().count()));
    let over = move || count.get() > MAX_NOTE_CHARS;
    let save = {
        let id = id.clone();
        move || {
            let text = draft.get_untracked();
            if let Err(problem) = validate_note_text(&text) {
                message.set(Some((
                    true,
                    format!("Not saved: {problem}. Shorten it and save again."),
                )));
                return;
            }
            match progress.set_note(&id, &text) {
                Ok(()) => {
                    dirty.set(false);
                    let deleted = text.trim().is_empty();
                    message.set(Some((
                        false,
                        if deleted {
                            "Note deleted."
                        } else {
                            "Note saved."
                        }
                        .into(),
                    )));
                }
                Err(problem) => message.set(Some((true, format!("Not saved: {problem}.")))),
            }
        }
    };
    let save_click = save.clone();
    let delete = {
        let id = id.clone();
        move |_| {
            draft.set(String::new());
            match progress.set_note(&id, "") {
                Ok(()) => {
                    dirty.set(false);
                    message.set(Some((false, "Note deleted.".into())));
                }
                Err(problem) => message.set(Some((true, format!("Not deleted: {problem}.")))),
            }
        }
    };
    let field = format!("note-{id}");
    view! {
        <section class="topic-note" aria-labelledby="note-heading">
            <h3 id="note-heading">
                <span aria-hidden="true">"✎ "</span>
                "My note"
            </h3>
            {move || {
                preview
                    .get()
                    .map(|html| {
                        view! {
                            <div
                                class="note-preview"
                                role="region"
                                aria-label="Your saved note"
                                inner_html=html
                            ></div>
                        }
                    })
            }}
            <label for=field.clone() class="note-label">
                "Write a private note (Markdown)"
            </label>
            <textarea
                id=field
                class="note-text"
                rows="4"
                aria-describedby="note-count note-message"
                aria-invalid=move || over().to_string()
                prop:value=move || draft.get()
                on:input=move |event| {
                    draft.set(event_target_value(&event));
                    dirty.set(true);
                    message.set(None);
                }
                on:keydown=move |event: leptos::ev::KeyboardEvent| {
                    // Ctrl+Enter (⌘+Enter) saves without leaving the keyboard.
                    if event.key() == "Enter" && (event.ctrl_key() || event.meta_key()) {
                        event.prevent_default();
                        save();
                    }
                }
            ></textarea>
            <p id="note-count" class="note-count" class:over=over>
                {move || {
                    let count = count.get();
                    if count > MAX_NOTE_CHARS {
                        format!(
                            "{count} / {MAX_NOTE_CHARS} characters — {} too many",
                            count - MAX_NOTE_CHARS,
                        )
                    } else {
                        format!("{count} / {MAX_NOTE_CHARS} characters")
                    }
                }}
            </p>
            <div class="note-actions">
                <button type="button" class="note-save" on:click=move |_| save_click()>
                    "Save note"
                </button>
                {move || {
                    saved
                        .get()
                        .is_some()
                        .then(|| {
                            let delete = delete.clone();
                            view! {
                                <button type="button" class="note-delete" on:click=delete>
                                    "Delete note"
                                </button>
                            }
                        })
                }}
            </div>
            <p
                id="note-message"
                class="note-message"
                class:error=move || message.with(|m| m.as_ref().is_some_and(|(error, _)| *error))
                role="status"
                aria-live="polite"
            >
                {move || message.get().map(|(_, text)| text)}
            </p>
        </section>
    }
}

/// A saved note rendered to safe HTML (`content::render_note`). The Markdown renderer
/// (pulldown-cmark) is in a wasm chunk of its own (`crate::lazy`), fetched the first time a
/// note is shown, not with the map.
#[leptos::wasm_split::wasm_split(notes, wasm_split_path = ::leptos::wasm_split, fallible)]
fn note_html(markdown: String) -> Result<String, ChunkUnavailable> {
    Ok(render_note(&markdown))
}

/// The note as escaped text in one paragraph (its line breaks kept by the stylesheet): what
/// the preview shows when the renderer cannot be loaded.
fn plain_note_html(text: &str) -> String {
    format!(
        "<p class=\"note-plain\">{}</p>",
        crate::snapshot::escape_xml(text)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plain_fallback_escapes_markup() {
        assert_eq!(
            plain_note_html("a <b>&\"'\nc"),
            "<p class=\"note-plain\">a &lt;b&gt;&amp;&quot;&apos;\nc</p>"
        );
    }
}

use leptos::prelude::*;

use crate::{
    browser_storage::StorageHealth,
    contexts::{
        map_state::MapState,
        progress::{ProgressState, SyncStatus},
    },
    map::next_topic_button::NextTopicButton,
};

/// "x of y settled", a bar, the next topic to study, and export / import. Import takes a
/// file (the picker, or dropped on the import box) or pasted text.
#[component]
pub fn ProgressSummary() -> impl IntoView {
    let progress = expect_context::<ProgressState>();
    let map = expect_context::<MapState>();
    let import_text = RwSignal::new(String::new());
    let import_result = RwSignal::new(None::<Result<usize, String>>);

    let summary = move || {
        progress.counts.get().map(|counts| {
            let c = counts.overall;
            view! {
                <p class="progress-detail">
                    <strong>{format!("{} of {} topics settled ({}%)", c.settled(), c.total, c.percent())}</strong>
                    {format!(
                        " · {} done · {} in progress · {} skipped",
                        c.done,
                        c.in_progress,
                        c.skipped,
                    )}
                </p>
                <div
                    class="progress-bar"
                    role="progressbar"
                    aria-label="Roadmap progress"
                    aria-valuemin="0"
                    aria-valuemax="100"
                    aria-valuenow=c.percent()
                >
                    <span style:width=format!("{}%", c.percent())></span>
                </div>
            }
        })
    };

    let export_href = move || {
        progress.local.track();
        format!(
            "data:application/json;charset=utf-8,{}",
            js_escape(&progress.export())
        )
    };
    let export_name = move || {
        format!(
            "trailmap-{}-progress.json",
            map.roadmap.with_value(|r| r.slug.clone())
        )
    };
    let import = move |_| {
        let result = progress.import(&import_text.get_untracked());
        if result.is_ok() {
            import_text.set(String::new());
        }
        import_result.set(Some(result));
    };
    let import_file = move |file: web_sys::File| {
        read_file(file, move |text| match text {
            Ok(text) => import_result.set(Some(progress.import(&text))),
            Err(problem) => import_result.set(Some(Err(problem))),
        });
    };
    let on_pick = move |event: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let input = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        if let Some(input) = input {
            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                import_file(file);
            }
            input.set_value("");
        }
    };
    let dropping = RwSignal::new(false);
    let on_drop = move |event: leptos::ev::DragEvent| {
        event.prevent_default();
        dropping.set(false);
        if let Some(file) = event
            .data_transfer()
            .and_then(|data| data.files())
            .and_then(|files| files.get(0))
        {
            import_file(file);
        }
    };

    view! {
        <section class="progress-summary" aria-label="Your progress">
            {summary}
            <p class="progress-rule">
                "Done and skipped topics both count as settled."
                {move || {
                    (progress.storage.get() == StorageHealth::Working)
                        .then_some(" Progress is saved in this browser.")
                }}
            </p>
            <SyncBadge />
            <div class="progress-actions">
                <NextTopicButton />
                <a class="button-link" href=export_href download=export_name>
                    "Export progress"
                </a>
                <details
                    class="import"
                    class:dropping=dropping
                    on:dragover=move |event: leptos::ev::DragEvent| {
                        event.prevent_default();
                        dropping.set(true);
                    }
                    on:dragleave=move |_| dropping.set(false)
                    on:drop=on_drop
                >
                    <summary>"Import progress"</summary>
                    <p class="import-hint">"Merged with what is here, never replacing it."</p>
                    <label class="file-pick">
                        "Choose an exported file (or drop it here)"
                        <input type="file" accept=".json,application/json" on:change=on_pick />
                    </label>
                    <label for="progress-import">"Paste an exported progress file (it is merged, not replaced)"</label>
                    <textarea id="progress-import" rows="3" prop:value=import_text on:input=move |e| import_text.set(event_target_value(&e))></textarea>
                    <button type="button" on:click=import>"Import"</button>
                    <p role="status" class="import-result">
                        {move || match import_result.get() {
                            Some(Ok(changed)) => format!("Imported: {changed} topic(s) updated."),
                            Some(Err(problem)) => format!("Not imported: {problem}"),
                            None => String::new(),
                        }}
                    </p>
                </details>
            </div>
            {move || {
                let reconciliation = progress.reconciliation.get();
                (!reconciliation.is_empty())
                    .then(|| {
                        view! {
                            <p class="progress-note" role="note">
                                {format!(
                                    "This roadmap changed: {} marked topic(s) were renamed and kept; {} no longer exist ({}). Their marks are kept in case they return.",
                                    reconciliation.renamed.len(),
                                    reconciliation.missing.len(),
                                    reconciliation.missing.join(", "),
                                )}
                            </p>
                        }
                    })
            }}
        </section>
    }
}

/// Percent-encodes a string for a data: URL.
fn js_escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Where syncing with the account stands: guest, syncing, synced, pending, offline or error.
#[component]
fn SyncBadge() -> impl IntoView {
    let progress = expect_context::<ProgressState>();
    let state = move || match progress.sync.get() {
        SyncStatus::Unknown => "unknown",
        SyncStatus::Guest => "guest",
        SyncStatus::Syncing => "syncing",
        SyncStatus::Synced => "synced",
        SyncStatus::Pending => "pending",
        SyncStatus::Offline => "offline",
        SyncStatus::Error(_) => "error",
    };
    view! {
        <p class="sync-status" role="status" data-state=state>
            {move || match progress.sync.get() {
                SyncStatus::Unknown => ().into_any(),
                SyncStatus::Guest => {
                    view! {
                        "Not synced: "
                        <a href=crate::links::ACCOUNT>"sign in to sync across devices"</a>
                        "."
                    }
                        .into_any()
                }
                SyncStatus::Syncing => "Syncing…".into_any(),
                SyncStatus::Synced => "✓ Synced with your account.".into_any(),
                SyncStatus::Pending => "Changes waiting to sync…".into_any(),
                SyncStatus::Offline => {
                    "Offline: changes are saved here and sync when you reconnect.".into_any()
                }
                SyncStatus::Error(problem) => {
                    view! {
                        {format!("Sync failed: {problem}. ")}
                        <button type="button" on:click=move |_| progress.request_sync()>
                            "Retry"
                        </button>
                    }
                        .into_any()
                }
            }}
        </p>
    }
}

/// Reads a chosen or dropped file as text and hands it (or why it failed) to `done`.
fn read_file(file: web_sys::File, done: impl FnOnce(Result<String, String>) + 'static) {
    use wasm_bindgen::{closure::Closure, JsCast};
    let Ok(reader) = web_sys::FileReader::new() else {
        done(Err("this browser cannot read files".into()));
        return;
    };
    let target = reader.clone();
    let on_load = Closure::once(move |_: web_sys::ProgressEvent| {
        match target.result().ok().and_then(|value| value.as_string()) {
            Some(text) => done(Ok(text)),
            None => done(Err("the file could not be read as text".into())),
        }
    });
    reader.set_onloadend(Some(on_load.as_ref().unchecked_ref()));
    on_load.forget();
    // A refusal to start ends in `loadend` too, with no text: reported there.
    let _ = reader.read_as_text(&file);
}

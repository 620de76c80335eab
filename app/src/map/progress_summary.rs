use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::{
    browser_storage::StorageHealth,
    contexts::{
        map_links::use_map_links,
        map_state::MapState,
        progress::{ProgressState, SyncStatus},
    },
    map::{keyboard, open_topic, storage_notice::StorageNotice},
};

/// "x of y settled", a bar, the next topic to study, and export / import.
#[component]
pub fn ProgressSummary() -> impl IntoView {
    let progress = expect_context::<ProgressState>();
    let map = expect_context::<MapState>();
    let navigate = use_navigate();
    let links = use_map_links();
    let import_text = RwSignal::new(String::new());
    let import_result = RwSignal::new(None::<Result<usize, String>>);

    let summary = move || {
        progress.counts.get().map(|counts| {
            let c = counts.overall;
            view! {
                <p class="progress-text">
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
    let next = move |_| {
        if let Some(id) = progress.next_topic() {
            open_topic(map, &links, &navigate, &id);
            keyboard::focus(map, id);
        }
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
            <StorageNotice progress embedded=false />
            <SyncBadge />
            <div class="progress-actions">
                <button type="button" on:click=next disabled=move || progress.counts.get().is_none()>
                    "Next topic →"
                </button>
                <a class="button-link" href=export_href download=export_name>
                    "Export progress"
                </a>
                <details class="import">
                    <summary>"Import progress"</summary>
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

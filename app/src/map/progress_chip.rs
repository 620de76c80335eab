use leptos::{ev, prelude::*};

use crate::contexts::progress::{ProgressState, SyncStatus};

/// The progress chip in the title bar: "12/235 · 5 %" with a small ring; it opens the
/// details overlay (the roadmap's facts, the full summary, export and import). Its text is the
/// full sentence for assistive technology ("12 of 235 topics settled (5%) · …").
#[component]
pub fn ProgressChip(details_open: RwSignal<bool>) -> impl IntoView {
    let progress = expect_context::<ProgressState>();
    let outside = window_event_listener(ev::pointerdown, move |event| {
        if !details_open.get_untracked() {
            return;
        }
        let inside = event.target().is_some_and(|target| {
            use wasm_bindgen::JsCast;
            target
                .dyn_into::<web_sys::Element>()
                .ok()
                .and_then(|el| {
                    el.closest("#roadmap-details, .progress-chip")
                        .ok()
                        .flatten()
                })
                .is_some()
        });
        if !inside {
            details_open.set(false);
        }
    });
    on_cleanup(move || outside.remove());

    let sync_state = move || match progress.sync.get() {
        SyncStatus::Error(_) => "error",
        SyncStatus::Offline => "offline",
        SyncStatus::Pending | SyncStatus::Syncing => "pending",
        SyncStatus::Synced => "synced",
        SyncStatus::Guest | SyncStatus::Unknown => "local",
    };
    view! {
        <button
            type="button"
            class="progress-chip"
            aria-expanded=move || details_open.get().to_string()
            aria-controls="roadmap-details"
            data-sync=sync_state
            on:click=move |_| details_open.update(|open| *open = !*open)
        >
            {move || match progress.counts.get() {
                Some(counts) => {
                    let c = counts.overall;
                    let percent = c.percent();
                    view! {
                        <span
                            class="progress-ring"
                            aria-hidden="true"
                            style:background=format!(
                                "conic-gradient(var(--done) {}%, var(--ring-rest) 0)",
                                percent,
                            )
                        ></span>
                        <span class="progress-text">
                            <span class="visually-hidden">
                                {format!(
                                    "{} of {} topics settled ({}%) · {} done · {} in progress · {} skipped",
                                    c.settled(),
                                    c.total,
                                    percent,
                                    c.done,
                                    c.in_progress,
                                    c.skipped,
                                )}
                            </span>
                            <span aria-hidden="true">
                                <span class="chip-count">
                                    {format!("{}/{} · ", c.settled(), c.total)}
                                </span>
                                {format!("{percent}%")}
                            </span>
                        </span>
                    }
                        .into_any()
                }
                None => view! { <span class="progress-pending">"Progress"</span> }.into_any(),
            }}
        </button>
    }
}

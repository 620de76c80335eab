use leptos::prelude::*;

use crate::{contexts::progress::ProgressState, progress::Status, roadmap::NodeId};

/// The four statuses of a topic as a group of toggle buttons (panel and context menu).
#[component]
pub fn StatusButtons(
    id: NodeId,
    #[prop(optional)] on_chosen: Option<Callback<()>>,
) -> impl IntoView {
    let progress = expect_context::<ProgressState>();
    let current = {
        let id = id.clone();
        Memo::new(move |_| progress.status(&id))
    };
    Status::ALL
        .into_iter()
        .map(|status| {
            let id = id.clone();
            view! {
                <button
                    type="button"
                    class=format!("status-button status-{}", status.as_str())
                    aria-pressed=move || (current.get() == Some(status)).to_string()
                    title=shortcut(status)
                    on:click=move |_| {
                        progress.set(&id, status);
                        if let Some(done) = on_chosen {
                            done.run(());
                        }
                    }
                >
                    <span aria-hidden="true">{icon(status)}</span>
                    {status.label()}
                </button>
            }
        })
        .collect_view()
}

/// A non-colour cue for each status, shown beside the colour.
pub fn icon(status: Status) -> &'static str {
    match status {
        Status::Pending => "○",
        Status::InProgress => "◐",
        Status::Done => "✓",
        Status::Skipped => "⤼",
    }
}

fn shortcut(status: Status) -> &'static str {
    match status {
        Status::Pending => "Reset (R)",
        Status::InProgress => "In progress (L)",
        Status::Done => "Done (D)",
        Status::Skipped => "Skipped (S)",
    }
}

/// The status a key sets while a topic is focused or open: D, L, S, R.
pub fn status_for_key(key: &str) -> Option<Status> {
    match key {
        "d" | "D" => Some(Status::Done),
        "l" | "L" => Some(Status::InProgress),
        "s" | "S" => Some(Status::Skipped),
        "r" | "R" => Some(Status::Pending),
        _ => None,
    }
}

use leptos::prelude::*;

use crate::{browser_storage::StorageHealth, contexts::progress::ProgressState};

/// One calm line when progress cannot be saved in this browser: it lives in memory for the
/// visit. In an embed, where browsers block a third-party frame's storage, a button asks for
/// it through the Storage Access API where the browser has one.
#[component]
pub fn StorageNotice(progress: ProgressState, embedded: bool) -> impl IntoView {
    let refused = RwSignal::new(false);
    let can_ask = RwSignal::new(false);
    // Only the browser knows whether it has the API (effects run after hydration).
    Effect::new(move |_| can_ask.set(embedded && crate::browser_storage::access_api_supported()));
    let ask = move |_| {
        refused.set(false);
        progress.keep_in_browser(move |_| refused.set(true));
    };
    move || {
        let text = match progress.storage.get() {
            StorageHealth::Working => return None,
            StorageHealth::Unavailable if embedded => {
                "This browser doesn't let this embedded map save progress; it lasts until you \
                 leave the page."
            }
            StorageHealth::Unavailable => {
                "This browser doesn't let Trailmap save progress; it lasts until you leave the \
                 page."
            }
            StorageHealth::Full => {
                "This browser's storage is full: your latest progress is kept until you leave \
                 the page, not saved."
            }
        };
        let unavailable = progress.storage.get() == StorageHealth::Unavailable;
        Some(view! {
            <p class="storage-notice" role="status">
                <span>{text}</span>
                {(unavailable && can_ask.get())
                    .then(|| {
                        view! {
                            " "
                            <button type="button" on:click=ask>
                                "Keep progress in this browser"
                            </button>
                        }
                    })}
                {move || refused.get().then_some(" The browser said no.")}
            </p>
        })
    }
}

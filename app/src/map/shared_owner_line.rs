use leptos::prelude::*;

use crate::contexts::shared_progress::SharedOwner;

/// Whose progress a shared view shows ("Progress of Sam, read-only"), or that the link opens
/// nothing (turned off or replaced by its owner).
#[component]
pub fn SharedOwnerLine(owner: SharedOwner) -> impl IntoView {
    view! {
        <span class="shared-owner" role="status">
            {move || {
                if owner.unavailable.get() {
                    Some("This shared progress is not available".to_owned())
                } else {
                    owner.name.get().map(|name| format!("Progress of {name}, read-only"))
                }
            }}
        </span>
    }
}

//! Someone else's progress, opened by a share token (`/embed/{slug}?share={token}`): the
//! statuses come from the server (`GET /api/shared/{token}`, read at each visit, so they are
//! the learner's current ones) into a read-only [`ProgressState`], so the map, the counts and
//! the embed's `progress` messages show them exactly as they show the reader's own; nothing is
//! stored in this browser and nothing syncs.

use std::sync::Arc;

use leptos::prelude::*;

use crate::{
    contexts::progress::{provide_read_only, ProgressState},
    progress::{LocalProgress, Register, Stamp},
    roadmap::Roadmap,
};

/// Whose progress it is, once known, or that the link opens nothing.
#[derive(Clone, Copy)]
pub struct SharedOwner {
    /// The display name the learner chose; `None` until the statuses arrived.
    pub name: RwSignal<Option<String>>,
    /// The token opens nothing (wrong, turned off, regenerated) or the server is unreachable.
    pub unavailable: RwSignal<bool>,
}

pub fn provide_shared_progress(
    roadmap: StoredValue<Arc<Roadmap>>,
    token: String,
) -> (ProgressState, SharedOwner) {
    let progress = provide_read_only(roadmap);
    let owner = SharedOwner {
        name: RwSignal::new(None),
        unavailable: RwSignal::new(false),
    };
    provide_context(owner);
    // Effects run only in the browser, after hydration.
    Effect::new(move |_| {
        let token = token.clone();
        leptos::task::spawn_local(async move {
            // Only a token's alphabet goes into the path; anything else opens nothing anyway.
            let shaped = !token.is_empty() && token.bytes().all(|b| b.is_ascii_alphanumeric());
            let answer = if shaped {
                crate::api_client::shared_progress(&token).await.ok()
            } else {
                None
            };
            let Some(shared) = answer else {
                owner.unavailable.set(true);
                return;
            };
            let slug = roadmap.with_value(|r| r.slug.clone());
            let mut local = LocalProgress::new(&slug, "shared");
            for entry in shared.statuses {
                let stamp = Stamp {
                    millis: 0,
                    counter: 0,
                    device: "shared".into(),
                };
                local
                    .log
                    .entries
                    .insert(entry.topic, Register::new(entry.status, stamp));
            }
            progress.local.set(Some(local));
            owner.name.set(Some(shared.display_name));
        });
    });
    (progress, owner)
}

//! Who is signed in, as the browser knows it. `user` is `None` until `/api/auth/session` has
//! answered (and always during server rendering), then `Some(None)` for a guest or
//! `Some(Some(name))`. Progress sync starts only once an account is known.

use leptos::prelude::*;

use crate::api_client;

#[derive(Clone, Copy)]
pub struct AccountState {
    pub user: RwSignal<Option<Option<String>>>,
}

impl AccountState {
    /// The signed-in username, if known.
    pub fn username(&self) -> Option<String> {
        self.user.get().flatten()
    }

    /// Asks the server who is signed in. Unreachable: stays unknown (not a guest), so a
    /// signed-in learner who opened the app offline syncs once back online.
    pub fn refresh(&self) {
        let state = *self;
        leptos::task::spawn_local(async move {
            if let Ok(me) = api_client::me().await {
                state.user.set(Some(me.map(|me| me.username)));
            }
        });
    }

    pub fn signed_in(&self, name: String) {
        self.user.set(Some(Some(name)));
    }

    pub fn signed_out(&self) {
        self.user.set(Some(None));
    }
}

pub fn provide_account() -> AccountState {
    let state = AccountState {
        user: RwSignal::new(None),
    };
    // Effects run only in the browser, after hydration.
    Effect::new(move |_| state.refresh());
    // Opened offline (from the service worker's cache): ask again once back online.
    let on_online = window_event_listener(leptos::ev::online, move |_| {
        if state.user.get_untracked().is_none() {
            state.refresh();
        }
    });
    on_cleanup(move || on_online.remove());
    provide_context(state);
    state
}

//! Who is signed in, as the browser knows it. `user` is `None` until `/api/auth/me` has
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
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            match api_client::me().await {
                Ok(me) => state.user.set(Some(me.map(|me| me.username))),
                // Unreachable server: a guest for now; sync retries when back online.
                Err(_) => state.user.set(Some(None)),
            }
        });
    });
    provide_context(state);
    state
}

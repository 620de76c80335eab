//! Who is signed in, as the browser knows it: [`Account::Unknown`] until
//! `/api/auth/session` has answered (and always during server rendering), then
//! [`Account::Guest`] or [`Account::SignedIn`]. Progress sync starts only once an account is
//! known.

use leptos::prelude::*;

use crate::{api_client, progress::Transport};

/// Who is signed in, as far as this browser knows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Account {
    /// Not known yet: the server has not answered (or could not be reached), or the page is
    /// being rendered on the server.
    #[default]
    Unknown,
    /// Nobody: progress stays in this browser.
    Guest,
    /// This username.
    SignedIn(String),
}

impl Account {
    /// The signed-in username, if any.
    pub fn username(&self) -> Option<&str> {
        match self {
            Self::SignedIn(name) => Some(name),
            Self::Unknown | Self::Guest => None,
        }
    }
}

#[derive(Clone, Copy)]
pub struct AccountState {
    pub user: RwSignal<Account>,
}

impl AccountState {
    /// The signed-in username, if known.
    pub fn username(&self) -> Option<String> {
        self.user.with(|user| user.username().map(str::to_owned))
    }

    /// Asks the server who is signed in. Unreachable: stays unknown (not a guest), so a
    /// signed-in learner who opened the app offline syncs once back online.
    pub fn refresh(&self) {
        self.ask(0);
    }

    /// One question to the server. A failed one is asked again a little later while the
    /// account is still unknown and the browser says it is online: the `online` event can
    /// come before the connection (or the service worker's) really carries requests, and a
    /// single lost answer would otherwise leave a signed-in learner unsynced until a reload.
    fn ask(&self, attempt: u32) {
        let state = *self;
        leptos::task::spawn_local(async move {
            match api_client::me().await {
                Ok(me) => state.user.set(match me {
                    Some(me) => Account::SignedIn(me.username),
                    None => Account::Guest,
                }),
                Err(_) if attempt < ASK_ATTEMPTS && api_client::SyncApi.online() => {
                    set_timeout(
                        move || {
                            if state.user.get_untracked() == Account::Unknown {
                                state.ask(attempt + 1);
                            }
                        },
                        ask_again_after(attempt),
                    );
                }
                Err(_) => {}
            }
        });
    }

    pub fn signed_in(&self, name: String) {
        self.user.set(Account::SignedIn(name));
    }

    pub fn signed_out(&self) {
        self.user.set(Account::Guest);
    }
}

/// How many times a failed question is asked again (over about half a minute, see
/// [`ask_again_after`]); going online again starts over.
const ASK_ATTEMPTS: u32 = 6;

/// Half a second, doubling with each attempt.
fn ask_again_after(attempt: u32) -> std::time::Duration {
    std::time::Duration::from_millis(500 << attempt.min(ASK_ATTEMPTS))
}

pub fn provide_account() -> AccountState {
    let state = AccountState {
        user: RwSignal::new(Account::Unknown),
    };
    // Effects run only in the browser, after hydration.
    Effect::new(move |_| state.refresh());
    // Opened offline (from the service worker's cache): ask again once back online.
    let on_online = window_event_listener(leptos::ev::online, move |_| {
        if state.user.get_untracked() == Account::Unknown {
            state.refresh();
        }
    });
    on_cleanup(move || on_online.remove());
    provide_context(state);
    state
}

//! The learner's progress on the open roadmap, kept in the browser's local storage: no
//! account needed, works offline, survives reloads. Counters come from the roadmap data and
//! the progress log (the pure `progress` module), never from the DOM.
//!
//! During server rendering and until the browser has read its storage, nothing is known:
//! `local` is `None` and the page shows no statuses rather than wrong ones.
//!
//! With an account, the same state syncs with the server (see the README's sync protocol):
//! after each change (debounced), when the window regains focus, when the browser comes back
//! online and when the account becomes known. `sync` tells the page where that stands. The
//! protocol itself (push, pull, retry) is the core's sync driver (`progress::sync_once`); here
//! it gets the browser's side: the progress signal saved to local storage ([`SavedProgress`])
//! and the fetch client (`api_client::SyncApi`).
//!
//! Personal notes ride along in the same state and the same sync; embeds never show them
//! (`notes` is false there): an embed is someone else's page.

use std::{collections::HashMap, future::Future, pin::Pin, sync::Arc};

use leptos::{ev, prelude::*};

use crate::{
    api_client::SyncApi,
    browser_storage::{self, StorageHealth, StorageProblem},
    contexts::account::{Account, AccountState},
    lazy::ChunkUnavailable,
    progress::{
        self, Device, LocalProgress, Reconciliation, RoadmapProgress, Status, SyncFailure,
        SyncOutcome, Transport,
    },
    roadmap::{NodeId, Roadmap},
};

/// Where syncing with the server stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncStatus {
    /// Not known yet (server render, or before the account is known).
    Unknown,
    /// No account: progress stays in this browser.
    Guest,
    Syncing,
    /// Everything local is on the server and the server's changes are here.
    Synced,
    /// Local changes wait for the next sync.
    Pending,
    /// The server cannot be reached; changes are kept and sync on reconnect.
    Offline,
    Error(String),
}

/// How long after a change the sync starts, so a burst of marks goes in one push.
const SYNC_DEBOUNCE_MS: u64 = 600;

#[derive(Clone, Copy)]
pub struct ProgressState {
    roadmap: StoredValue<Arc<Roadmap>>,
    /// `None` until the browser's storage has been read.
    pub local: RwSignal<Option<LocalProgress>>,
    pub counts: Memo<Option<RoadmapProgress>>,
    /// Marked topics that were renamed (carried over) or no longer exist.
    /// Each node's status and whether it has a note, computed once per change of the log
    /// (cards look theirs up instead of searching the roadmap each); `None` while unknown.
    pub marks: Memo<Option<HashMap<NodeId, Mark>>>,
    pub reconciliation: RwSignal<Reconciliation>,
    pub sync: RwSignal<SyncStatus>,
    /// Whether progress is saved in the browser or lives in memory for this visit.
    pub storage: RwSignal<StorageHealth>,
    /// False in a read-only embed: statuses show but cannot change.
    pub editable: bool,
    /// Whether personal notes show and can be written (never in an embed).
    pub notes: bool,
    account: Option<AccountState>,
    /// A sync is running; `again` asks it to run once more when it ends.
    running: StoredValue<bool>,
    again: StoredValue<bool>,
    /// Bumped by each change; a debounced sync runs only if no later change came.
    generation: StoredValue<u64>,
}

/// What a card shows of a node's progress.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mark {
    pub status: Status,
    pub has_note: bool,
}

pub fn provide_progress(roadmap: StoredValue<Arc<Roadmap>>) -> ProgressState {
    provide(roadmap, true, true)
}

/// For an embed: as [`provide_progress`] without notes; `editable = false` shows statuses
/// without letting them change.
pub fn provide_progress_with(roadmap: StoredValue<Arc<Roadmap>>, editable: bool) -> ProgressState {
    provide(roadmap, editable, false)
}

/// For someone else's progress (a shared link): statuses show and never change, nothing is
/// read from or saved to this browser's storage, nothing syncs. The caller fills `local`.
pub fn provide_read_only(roadmap: StoredValue<Arc<Roadmap>>) -> ProgressState {
    let state = new_state(roadmap, false, false, None);
    provide_context(state);
    state
}

fn new_state(
    roadmap: StoredValue<Arc<Roadmap>>,
    editable: bool,
    notes: bool,
    account: Option<AccountState>,
) -> ProgressState {
    let local = RwSignal::new(None::<LocalProgress>);
    let counts = Memo::new(move |_| {
        local.with(|local| {
            local
                .as_ref()
                .map(|local| roadmap.with_value(|r| progress::count(r, &local.log)))
        })
    });
    let marks = Memo::new(move |_| {
        local.with(|local| {
            let log = &local.as_ref()?.log;
            Some(roadmap.with_value(|r| {
                r.nodes
                    .iter()
                    .map(|node| {
                        let mark = Mark {
                            status: progress::status_of(node, log),
                            has_note: notes && progress::note_for(node, log).is_some(),
                        };
                        (node.id.clone(), mark)
                    })
                    .collect()
            }))
        })
    });
    ProgressState {
        roadmap,
        local,
        counts,
        marks,
        reconciliation: RwSignal::new(Reconciliation::default()),
        sync: RwSignal::new(SyncStatus::Unknown),
        storage: RwSignal::new(StorageHealth::Working),
        editable,
        notes,
        account,
        running: StoredValue::new(false),
        again: StoredValue::new(false),
        generation: StoredValue::new(0),
    }
}

fn provide(roadmap: StoredValue<Arc<Roadmap>>, editable: bool, notes: bool) -> ProgressState {
    let state = new_state(roadmap, editable, notes, use_context::<AccountState>());
    let local = state.local;
    // Effects run only in the browser, after hydration.
    Effect::new(move |_| state.load());
    // Sync once both the stored progress and the account are known, and again whenever
    // the account changes (sign-in, sign-out).
    let loaded = Memo::new(move |_| local.with(Option::is_some));
    Effect::new(move |_| {
        let loaded = loaded.get();
        let account = state
            .account
            .map(|account| account.user.get())
            .unwrap_or_default();
        if loaded {
            match account {
                Account::SignedIn(_) => state.request_sync(),
                Account::Guest => state.sync.set(SyncStatus::Guest),
                Account::Unknown => {}
            }
        }
    });
    let on_focus = window_event_listener(ev::focus, move |_| state.request_sync());
    let on_online = window_event_listener(ev::online, move |_| state.request_sync());
    let on_offline = window_event_listener(ev::offline, move |_| {
        if state.is_signed_in() {
            state.sync.set(SyncStatus::Offline);
        }
    });
    // Another tab of this browser saved progress: take its state (it includes ours, since
    // every change is saved at once).
    let on_storage = window_event_listener(ev::storage, move |event| {
        if event.key().as_deref() == Some(storage_key(&state.slug()).as_str()) {
            state.load();
        }
    });
    on_cleanup(move || {
        on_focus.remove();
        on_online.remove();
        on_offline.remove();
        on_storage.remove();
    });
    provide_context(state);
    state
}

impl ProgressState {
    /// A stage's settled and total topics, once the stored progress is read (tracked).
    pub fn stage_counts(&self, stage: &NodeId) -> Option<(usize, usize)> {
        self.counts.with(|counts| {
            counts
                .as_ref()
                .and_then(|c| c.stage(stage.as_str()))
                .map(|c| (c.settled(), c.total))
        })
    }

    fn slug(&self) -> String {
        self.roadmap.with_value(|r| r.slug.clone())
    }

    fn load(&self) {
        let slug = self.slug();
        let stored = browser_storage::read(&storage_key(&slug));
        self.storage.set(browser_storage::health_after(&stored));
        if stored.is_err() && self.local.with_untracked(Option::is_some) {
            // Storage went away (or never was): what is in memory stays.
            return;
        }
        // A first visit (or unreadable progress) saves at once, which also tells whether this
        // browser keeps what is written; stored progress is saved again only if reconciling
        // it with the roadmap moved entries (a page load need not rewrite it).
        let (mut local, fresh) = match stored.ok().flatten() {
            Some(raw) => match LocalProgress::from_json(&raw, &slug) {
                Ok(local) => (local, false),
                Err(problem) => {
                    leptos::logging::warn!("trailmap: ignoring stored progress ({problem})");
                    (LocalProgress::new(&slug, &storage::new_device_id()), true)
                }
            },
            None => (LocalProgress::new(&slug, &storage::new_device_id()), true),
        };
        let reconciliation = self.roadmap.with_value(|r| local.reconcile(r));
        if fresh || !reconciliation.renamed.is_empty() {
            self.save(&storage_key(&slug), &local);
        }
        self.reconciliation.set(reconciliation);
        self.local.set(Some(local));
    }

    /// The status of a node (aliases counted), or `None` while unknown.
    pub fn status(&self, id: &NodeId) -> Option<Status> {
        let status = self.local.with(|local| {
            local.as_ref().map(|local| {
                self.roadmap.with_value(|r| {
                    r.node(id.as_str())
                        .map(|node| progress::status_of(node, &local.log))
                        .unwrap_or_default()
                })
            })
        });
        status
    }

    /// Marks a topic (stages have no status of their own: they count their topics).
    pub fn set(&self, id: &NodeId, status: Status) {
        let is_topic = self
            .roadmap
            .with_value(|r| r.node(id.as_str()).is_some_and(|node| !node.is_stage()));
        if !is_topic || !self.editable {
            return;
        }
        let slug = self.slug();
        self.local.update(|local| {
            let local =
                local.get_or_insert_with(|| LocalProgress::new(&slug, &storage::new_device_id()));
            local.set(id.as_str(), status, storage::now_millis());
            self.save(&storage_key(&slug), local);
        });
        self.schedule_sync();
    }

    /// The note shown for a node (aliases counted), or `None` while unknown, without one, or
    /// where notes are off.
    pub fn note(&self, id: &NodeId) -> Option<String> {
        if !self.notes {
            return None;
        }
        self.local.with(|local| {
            let local = local.as_ref()?;
            self.roadmap.with_value(|r| {
                r.node(id.as_str())
                    .and_then(|node| progress::note_for(node, &local.log))
                    .map(str::to_owned)
            })
        })
    }

    /// Saves a topic's note (blank deletes it); `Err` with a message to show when it is too
    /// long or invalid, and nothing is saved then.
    pub fn set_note(&self, id: &NodeId, text: &str) -> Result<(), String> {
        let is_topic = self
            .roadmap
            .with_value(|r| r.node(id.as_str()).is_some_and(|node| !node.is_stage()));
        if !is_topic || !self.notes {
            return Err("notes can only be written on topics".into());
        }
        progress::validate_note_text(text)?;
        let slug = self.slug();
        let mut result = Ok(());
        self.local.update(|local| {
            let local =
                local.get_or_insert_with(|| LocalProgress::new(&slug, &storage::new_device_id()));
            match local.set_note(id.as_str(), text, storage::now_millis()) {
                Ok(_) => self.save(&storage_key(&slug), local),
                Err(message) => result = Err(message),
            }
        });
        if result.is_ok() {
            self.schedule_sync();
        }
        result
    }

    pub fn next_topic(&self) -> Option<NodeId> {
        self.local.with(|local| {
            let local = local.as_ref()?;
            self.roadmap
                .with_value(|r| progress::next_topic(r, &local.log))
        })
    }

    pub fn export(&self) -> String {
        let slug = self.slug();
        self.local.with_untracked(|local| {
            let empty = Default::default();
            let log = local.as_ref().map(|l| &l.log).unwrap_or(&empty);
            progress::export_json(&slug, log)
        })
    }

    /// Merges an exported file into the current progress (never overwrites); returns how
    /// many topics changed.
    pub fn import(&self, raw: &str) -> Result<usize, String> {
        let slug = self.slug();
        let mut imported = progress::import_json(raw, &slug)?;
        // Marks on topics this roadmap does not have (not even as aliases) cannot sync.
        let before = imported.len() + imported.notes.len();
        self.roadmap.with_value(|r| {
            imported
                .entries
                .retain(|topic, _| r.resolve(topic).is_some());
            imported.notes.retain(|topic, _| r.resolve(topic).is_some());
        });
        if !self.notes {
            imported.notes.clear();
        }
        if imported.is_empty() && before > 0 {
            return Err("none of the file's topics belong to this roadmap".into());
        }
        let mut changed = 0;
        self.local.update(|local| {
            let local =
                local.get_or_insert_with(|| LocalProgress::new(&slug, &storage::new_device_id()));
            changed = local.merge_import(&imported, storage::now_millis());
            self.save(&storage_key(&slug), local);
        });
        self.schedule_sync();
        Ok(changed)
    }

    fn is_signed_in(&self) -> bool {
        self.signed_in_as().is_some()
    }

    fn signed_in_as(&self) -> Option<String> {
        self.account.and_then(|account| {
            account
                .user
                .with_untracked(|user| user.username().map(str::to_owned))
        })
    }

    /// Syncs a moment after the last of a burst of changes.
    fn schedule_sync(&self) {
        if !self.is_signed_in() {
            return;
        }
        self.sync.set(SyncStatus::Pending);
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        let state = *self;
        set_timeout(
            move || {
                if state.generation.get_value() == generation {
                    state.request_sync();
                }
            },
            std::time::Duration::from_millis(SYNC_DEBOUNCE_MS),
        );
    }

    /// Starts a sync now, or asks the running one to go again when it ends.
    pub fn request_sync(&self) {
        if !self.is_signed_in() || self.local.with_untracked(Option::is_none) {
            return;
        }
        if self.running.get_value() {
            self.again.set_value(true);
            return;
        }
        self.running.set_value(true);
        let state = *self;
        leptos::task::spawn_local(async move {
            loop {
                state.again.set_value(false);
                let outcome = state.sync_once().await;
                state.sync.set(outcome);
                if !state.again.get_value() {
                    break;
                }
            }
            state.running.set_value(false);
        });
    }

    /// One round of the sync driver: push the outbox (in batches), then pull what changed
    /// since the cursor.
    async fn sync_once(&self) -> SyncStatus {
        let Some(user) = self.signed_in_as() else {
            return SyncStatus::Guest;
        };
        if !SyncApi.online() {
            return SyncStatus::Offline;
        }
        self.sync.set(SyncStatus::Syncing);
        let Ok(outcome) = sync_round(*self, self.slug(), user).await else {
            return SyncStatus::Error(
                "the sync code could not be downloaded (check the connection)".into(),
            );
        };
        match outcome {
            SyncOutcome::Synced => SyncStatus::Synced,
            SyncOutcome::Pending => SyncStatus::Pending,
            SyncOutcome::Offline => SyncStatus::Offline,
            SyncOutcome::SignedOut => {
                if let Some(account) = self.account {
                    account.signed_out();
                }
                SyncStatus::Guest
            }
            SyncOutcome::Error(message) => SyncStatus::Error(message),
        }
    }

    /// Changes the local state and saves it at once.
    fn update_saved(&self, change: impl FnOnce(&mut LocalProgress)) {
        let key = storage_key(&self.slug());
        self.local.update(|local| {
            if let Some(local) = local {
                change(local);
                self.save(&key, local);
            }
        });
    }
}

impl ProgressState {
    /// Saves to the browser's storage; when it refuses or is full, the progress stays in
    /// memory (nothing is lost for this visit) and `storage` says so.
    fn save(&self, key: &str, local: &LocalProgress) {
        let outcome = browser_storage::write(key, &local.to_json());
        if let Err(problem) = outcome {
            leptos::logging::warn!("trailmap: progress kept in memory, not saved ({problem:?})");
        }
        let health = browser_storage::health_after(&outcome);
        if self.storage.get_untracked() != health {
            self.storage.set(health);
        }
    }

    /// Asks the browser (Storage Access API, on a click) to let this page keep progress,
    /// then saves what is in memory.
    pub fn keep_in_browser(&self, refused: impl FnOnce(StorageProblem) + 'static) {
        let state = *self;
        browser_storage::request_access(move |outcome| match outcome {
            Ok(()) => {
                let key = storage_key(&state.slug());
                state.local.with_untracked(|local| {
                    if let Some(local) = local {
                        state.save(&key, local);
                    }
                });
            }
            Err(problem) => refused(problem),
        });
    }
}

/// One round of the sync driver (`progress::sync_once`) with this browser's side: push the
/// outbox (in batches), then pull what changed since the cursor. In a wasm chunk of its own
/// (`crate::lazy`), with the push and pull wire code: only a signed-in learner's page
/// fetches it.
#[leptos::wasm_split::wasm_split(
    sync,
    wasm_split_path = ::leptos::wasm_split,
    fallible,
    return_wrapper(let future = _; { future.await } -> Result<SyncOutcome, ChunkUnavailable>)
)]
fn sync_round(
    state: ProgressState,
    slug: String,
    account: String,
) -> Pin<Box<dyn Future<Output = Result<SyncOutcome, ChunkUnavailable>>>> {
    Box::pin(async move {
        let roadmap = state.roadmap;
        let known = move |topic: &str| roadmap.with_value(|r| r.resolve(topic).is_some());
        Ok(progress::sync_once(&SavedProgress(state), &SyncApi, &slug, &account, known).await)
    })
}

/// The device as the sync driver sees it: the progress signal, written to local storage at
/// every change, with the browser's clock and random device ids. (The one place the driver
/// touches storage, so storage that can fail changes here.)
struct SavedProgress(ProgressState);

impl Device for SavedProgress {
    fn read<R>(&self, read: impl FnOnce(&LocalProgress) -> R) -> Option<R> {
        self.0
            .local
            .with_untracked(|local| local.as_ref().map(read))
    }

    fn update(&self, change: impl FnOnce(&mut LocalProgress)) {
        self.0.update_saved(change);
    }

    fn now_millis(&self) -> u64 {
        storage::now_millis()
    }

    fn new_device_id(&self) -> String {
        storage::new_device_id()
    }

    fn restarted(&self, failure: &SyncFailure) {
        leptos::logging::warn!("trailmap: sync restarts ({})", failure.message());
    }
}

pub fn storage_key(slug: &str) -> String {
    format!("trailmap.progress.{slug}")
}

/// The browser's clock and random device ids; inert on the server.
mod storage {
    pub fn now_millis() -> u64 {
        #[cfg(feature = "hydrate")]
        {
            js_sys::Date::now() as u64
        }
        #[cfg(not(feature = "hydrate"))]
        {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or_default()
        }
    }

    /// 24 hex characters from the browser's CSPRNG (the clock's tie-break and outbox owner).
    pub fn new_device_id() -> String {
        let mut bytes = [0u8; 12];
        #[cfg(feature = "hydrate")]
        {
            let from_crypto = web_sys::window()
                .and_then(|w| w.crypto().ok())
                .is_some_and(|crypto| crypto.get_random_values_with_u8_array(&mut bytes).is_ok());
            // No CSPRNG (a very old or locked-down browser): the id only has to differ
            // between this learner's devices, so Math.random will do.
            if !from_crypto {
                for byte in &mut bytes {
                    *byte = (js_sys::Math::random() * 256.0) as u8;
                }
            }
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            bytes.copy_from_slice(&nanos.to_le_bytes()[..12]);
        }
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}

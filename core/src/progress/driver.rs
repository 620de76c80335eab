//! The sync driver: one round of the client's side of the sync protocol (see the README),
//! the same code in the browser, in the soak test's simulated learners and in the push
//! benchmark.
//!
//! A round binds the device to the signed-in account, pushes the outbox in batches until it
//! is empty (adopting each answer), then pulls what changed since the stored cursor. When the
//! server refuses the outbox (409: a gap in the ids, after this device's state was lost; 422:
//! a topic the roadmap no longer has) the device starts over once as a fresh device holding
//! every known mark, which is always safe because merging is idempotent. Any other failure
//! ends the round: the outbox keeps everything, and the next round pushes it again.
//!
//! It knows nothing of HTTP, storage or clocks: those come in through two small traits,
//! [`Transport`] (the sync API's two calls, async) and [`Device`] (where the device's progress
//! is kept, its clock and its random ids). The futures are plain `async fn`s, so any executor
//! runs them: `spawn_local` in the browser, tokio in the tests.

use std::future::Future;

use super::{LocalProgress, PullResponse, PushRequest, PushResponse};

/// Why a call of the sync API failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncFailure {
    /// No answer: the device is offline or the server unreachable.
    Offline,
    /// The server answered with an error status (`message` from its JSON body).
    Refused { status: u16, message: String },
}

impl SyncFailure {
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Offline => None,
            Self::Refused { status, .. } => Some(*status),
        }
    }

    pub fn message(&self) -> String {
        match self {
            Self::Offline => "the server cannot be reached".into(),
            Self::Refused { message, .. } => message.clone(),
        }
    }
}

/// The sync API as the driver calls it.
pub trait Transport {
    /// Whether the device believes it is online; a round does not start without.
    fn online(&self) -> bool {
        true
    }

    /// `POST /api/sync/{slug}/push`.
    fn push(
        &self,
        slug: &str,
        request: &PushRequest,
    ) -> impl Future<Output = Result<PushResponse, SyncFailure>>;

    /// `GET /api/sync/{slug}/pull?since={since}`.
    fn pull(
        &self,
        slug: &str,
        since: u64,
    ) -> impl Future<Output = Result<PullResponse, SyncFailure>>;
}

/// The device's side: where its progress on one roadmap is kept, and what the driver needs
/// of the world besides the network.
pub trait Device {
    /// Reads the progress; `None` while it has not been loaded.
    fn read<R>(&self, read: impl FnOnce(&LocalProgress) -> R) -> Option<R>;

    /// Changes the progress and keeps the change at once (saved before the next request, so
    /// an acknowledged push is never pushed as new after a crash); nothing while it has not
    /// been loaded.
    fn update(&self, change: impl FnOnce(&mut LocalProgress));

    /// The wall clock, in milliseconds since the Unix epoch.
    fn now_millis(&self) -> u64;

    /// A fresh device id (random; see `DeviceId`).
    fn new_device_id(&self) -> String;

    /// Told when the device starts over after the server refused its outbox.
    fn restarted(&self, _failure: &SyncFailure) {}
}

/// How a sync round ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncOutcome {
    /// Everything local is on the server and the server's changes are here.
    Synced,
    /// Local changes came in meanwhile and wait for the next round.
    Pending,
    /// The server could not be reached; everything is kept for the next round.
    Offline,
    /// The session is gone (401): the device is signed out.
    SignedOut,
    /// The server refused a request.
    Error(String),
}

impl From<SyncFailure> for SyncOutcome {
    fn from(failure: SyncFailure) -> Self {
        match failure.status() {
            None => Self::Offline,
            Some(401) => Self::SignedOut,
            Some(_) => Self::Error(failure.message()),
        }
    }
}

/// One round for roadmap `slug` as `account`: push everything pending, then pull. `known`
/// says which topics the roadmap has (a restart queues only those).
pub async fn sync_once(
    device: &impl Device,
    transport: &impl Transport,
    slug: &str,
    account: &str,
    known: impl Fn(&str) -> bool,
) -> SyncOutcome {
    if !transport.online() {
        return SyncOutcome::Offline;
    }
    device.update(|local| {
        local.bind_account(account, &device.new_device_id(), &known);
    });
    if let Err(failure) = push_all(device, transport, slug, &known).await {
        return failure.into();
    }
    if let Err(failure) = pull_changes(device, transport, slug).await {
        return failure.into();
    }
    let pending = device
        .read(|local| !local.outbox.is_empty())
        .unwrap_or(false);
    if pending {
        SyncOutcome::Pending
    } else {
        SyncOutcome::Synced
    }
}

/// Pushes the outbox in batches until it is empty, adopting each answer. A refused outbox
/// (409, 422) restarts the device once (see the module documentation); the next refusal, or
/// any other failure, ends the pushing with the outbox kept.
pub async fn push_all(
    device: &impl Device,
    transport: &impl Transport,
    slug: &str,
    known: impl Fn(&str) -> bool,
) -> Result<(), SyncFailure> {
    let mut restarted = false;
    loop {
        // At most 500 mutations and 64 KiB: long notes make for smaller batches.
        let request = device
            .read(|local| PushRequest::from_outbox(&local.clock.device, &local.outbox))
            .filter(|request| !request.mutations.is_empty());
        let Some(request) = request else {
            return Ok(());
        };
        match transport.push(slug, &request).await {
            Ok(answer) => device.update(|local| {
                local.acknowledge_push(&answer, device.now_millis());
            }),
            // The server refuses this outbox (a gap in the ids, or a topic the roadmap no
            // longer has): start over as a fresh device holding every known mark.
            Err(failure) if matches!(failure.status(), Some(409 | 422)) && !restarted => {
                device.restarted(&failure);
                restarted = true;
                device.update(|local| local.restart_device(&device.new_device_id(), &known));
            }
            Err(failure) => return Err(failure),
        }
    }
}

/// Pulls what changed since the stored cursor, merges it and stores the new cursor (only a
/// pull moves it: see `wire`).
pub async fn pull_changes(
    device: &impl Device,
    transport: &impl Transport,
    slug: &str,
) -> Result<(), SyncFailure> {
    let since = device
        .read(|local| local.cursor.as_deref().and_then(|c| c.parse::<u64>().ok()))
        .flatten()
        .unwrap_or(0);
    let answer = transport.pull(slug, since).await?;
    device.update(|local| {
        local.absorb(&answer, device.now_millis());
        local.cursor = Some(answer.cursor.to_string());
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::{
        cell::{Cell, RefCell},
        collections::BTreeMap,
        future::Future,
        pin::pin,
        task::{Context, Poll, Waker},
    };

    use super::*;
    use crate::progress::{
        Kind, NoteText, ProgressLog, Pulled, Register, RegisterValue, Stamp, Status,
    };

    /// Runs a future whose every await is ready at once (the transports below never wait).
    fn block_on<F: Future>(future: F) -> F::Output {
        let mut future = pin!(future);
        let mut context = Context::from_waker(Waker::noop());
        match future.as_mut().poll(&mut context) {
            Poll::Ready(output) => output,
            Poll::Pending => panic!("the test transports never wait"),
        }
    }

    const TOPICS: [&str; 3] = ["dns", "http", "tcp"];
    const NOW: u64 = 1_700_000_000_000;

    thread_local! {
        /// The server's wall clock in a test (each test runs on a thread of its own).
        static WALL: Cell<u64> = const { Cell::new(NOW) };
    }

    fn wall() -> u64 {
        WALL.with(Cell::get)
    }

    /// The server's side of the protocol in memory, with the server's rules: ids applied
    /// once per device, a gap refused, unknown topics refused, last writer wins, stamps more
    /// than a minute ahead clamped, and the stored register of every topic named in the
    /// answer. (The real server runs the same against the real client in the soak test.)
    #[derive(Default)]
    struct Server {
        log: RefCell<ProgressLog>,
        applied: RefCell<BTreeMap<String, u64>>,
        /// Change sequence; a pull answers registers changed after `since` (all, here: the
        /// driver only needs a cursor that moves).
        seq: Cell<u64>,
        online: Cell<bool>,
        /// Answers to give instead of the next pushes, oldest first.
        failures: RefCell<Vec<SyncFailure>>,
        /// Applies the next push but loses its answer (the connection drops).
        lose_next_answer: Cell<bool>,
        pushes: Cell<usize>,
    }

    impl Server {
        fn new() -> Self {
            let server = Self::default();
            server.online.set(true);
            server
        }

        fn apply(&self, request: &PushRequest) -> Result<PushResponse, SyncFailure> {
            let last = self
                .applied
                .borrow()
                .get(&request.device)
                .copied()
                .unwrap_or(0);
            let fresh: Vec<_> = request.mutations.iter().filter(|m| m.id > last).collect();
            if let Some(first) = fresh.first() {
                if first.id != last + 1 {
                    return Err(refused(409, "gap"));
                }
            }
            if let Some(unknown) = fresh.iter().find(|m| !TOPICS.contains(&m.topic.as_str())) {
                return Err(refused(422, &format!("no topic `{}`", unknown.topic)));
            }
            let mut log = self.log.borrow_mut();
            for mutation in &fresh {
                let mut stamp = mutation.stamp.clone();
                stamp.millis = stamp.millis.min(wall() + 60_000);
                if log.apply_edit(&mutation.topic, &mutation.edit, &stamp) {
                    self.seq.set(self.seq.get() + 1);
                }
            }
            let acknowledged = fresh.last().map_or(last, |m| m.id);
            self.applied
                .borrow_mut()
                .insert(request.device.clone(), acknowledged);
            let named = |kind_of: fn(&crate::progress::Edit) -> bool| -> Vec<String> {
                let mut topics: Vec<String> = request
                    .mutations
                    .iter()
                    .filter(|m| kind_of(&m.edit))
                    .map(|m| m.topic.clone())
                    .collect();
                topics.dedup();
                topics
            };
            Ok(PushResponse {
                acknowledged,
                cursor: self.seq.get(),
                entries: registers::<Status>(&log, named(|e| Status::of_edit(e).is_some())),
                notes: registers::<NoteText>(&log, named(|e| NoteText::of_edit(e).is_some())),
            })
        }
    }

    fn registers<V: Kind>(log: &ProgressLog, topics: Vec<String>) -> Vec<Pulled<V>> {
        topics
            .into_iter()
            .filter_map(|topic| {
                let register = log.registers::<V>().get(&topic)?.clone();
                Some(Pulled { topic, register })
            })
            .collect()
    }

    fn refused(status: u16, message: &str) -> SyncFailure {
        SyncFailure::Refused {
            status,
            message: message.into(),
        }
    }

    impl Transport for Server {
        fn online(&self) -> bool {
            self.online.get()
        }

        async fn push(&self, _: &str, request: &PushRequest) -> Result<PushResponse, SyncFailure> {
            self.pushes.set(self.pushes.get() + 1);
            if !self.failures.borrow().is_empty() {
                return Err(self.failures.borrow_mut().remove(0));
            }
            let answer = self.apply(request)?;
            if self.lose_next_answer.replace(false) {
                return Err(SyncFailure::Offline);
            }
            Ok(answer)
        }

        async fn pull(&self, _: &str, _since: u64) -> Result<PullResponse, SyncFailure> {
            let log = self.log.borrow();
            Ok(PullResponse {
                cursor: self.seq.get(),
                entries: registers::<Status>(&log, log.entries.keys().cloned().collect()),
                notes: registers::<NoteText>(&log, log.notes.keys().cloned().collect()),
            })
        }
    }

    /// A device signed in as alice whose progress lives in memory and whose clock runs
    /// `skew` ahead of the server's.
    struct Memory {
        local: RefCell<Option<LocalProgress>>,
        skew: u64,
        ids: Cell<u32>,
    }

    impl Memory {
        fn new(skew: u64) -> Self {
            let mut local = LocalProgress::new("backend", "device-00000000");
            local.account = Some("alice".into());
            Self {
                local: RefCell::new(Some(local)),
                skew,
                ids: Cell::new(0),
            }
        }

        /// A guest's device: it has never synced with an account.
        fn guest() -> Self {
            let device = Self::new(0);
            device.update(|local| local.account = None);
            device
        }

        fn set(&self, topic: &str, status: Status) {
            let now = self.now_millis();
            self.update(|local| {
                local.set(topic, status, now);
            });
        }

        fn log(&self) -> ProgressLog {
            self.read(|local| local.log.clone()).unwrap()
        }

        fn pending(&self) -> usize {
            self.read(|local| local.outbox.len()).unwrap()
        }
    }

    impl Device for Memory {
        fn read<R>(&self, read: impl FnOnce(&LocalProgress) -> R) -> Option<R> {
            self.local.borrow().as_ref().map(read)
        }

        fn update(&self, change: impl FnOnce(&mut LocalProgress)) {
            if let Some(local) = self.local.borrow_mut().as_mut() {
                change(local);
            }
        }

        fn now_millis(&self) -> u64 {
            wall() + self.skew
        }

        fn new_device_id(&self) -> String {
            self.ids.set(self.ids.get() + 1);
            format!("device-{:08}", self.ids.get())
        }
    }

    fn sync(device: &Memory, server: &Server) -> SyncOutcome {
        block_on(sync_once(device, server, "backend", "alice", |topic| {
            TOPICS.contains(&topic)
        }))
    }

    #[test]
    fn a_guests_first_round_binds_the_account_pushes_everything_then_pulls() {
        let (device, server) = (Memory::guest(), Server::new());
        device.set("dns", Status::Done);
        device.set("http", Status::InProgress);
        device.update(|local| {
            local.set_note("dns", "dig +trace", NOW).unwrap();
        });

        assert_eq!(sync(&device, &server), SyncOutcome::Synced);

        assert_eq!(device.pending(), 0);
        assert_eq!(device.log(), *server.log.borrow());
        assert_eq!(device.read(|l| l.cursor.clone()).unwrap(), Some("3".into()));
        assert_eq!(
            device.read(|l| l.account.clone()).unwrap(),
            Some("alice".into())
        );
        assert_ne!(
            device.read(|l| l.clock.device.clone()).unwrap(),
            "device-00000000",
            "bound to the account as a fresh device"
        );
    }

    #[test]
    fn offline_keeps_everything_for_the_next_round() {
        let (device, server) = (Memory::new(0), Server::new());
        device.set("dns", Status::Done);
        server.online.set(false);

        assert_eq!(sync(&device, &server), SyncOutcome::Offline);
        assert_eq!(server.pushes.get(), 0, "no request while offline");
        server.online.set(true);
        server.failures.borrow_mut().push(SyncFailure::Offline);
        assert_eq!(sync(&device, &server), SyncOutcome::Offline);
        assert_eq!(device.pending(), 1, "the edit waits");

        assert_eq!(sync(&device, &server), SyncOutcome::Synced);
        assert_eq!(server.log.borrow().status("dns"), Status::Done);
    }

    #[test]
    fn a_push_whose_answer_was_lost_is_retried_and_applied_once() {
        let (device, server) = (Memory::new(0), Server::new());
        device.set("dns", Status::Done);
        device.set("dns", Status::Skipped);
        server.lose_next_answer.set(true);

        assert_eq!(sync(&device, &server), SyncOutcome::Offline);
        assert_eq!(device.pending(), 2, "not acknowledged: still queued");
        assert_eq!(server.seq.get(), 2, "but the server applied it");

        assert_eq!(sync(&device, &server), SyncOutcome::Synced);
        assert_eq!(server.seq.get(), 2, "the retry changed nothing");
        assert_eq!(device.log(), *server.log.borrow());
    }

    #[test]
    fn a_gap_restarts_the_device_once_and_loses_nothing() {
        let (device, server) = (Memory::new(0), Server::new());
        device.set("dns", Status::Done);
        assert_eq!(sync(&device, &server), SyncOutcome::Synced);
        // The server's database was restored from a backup older than the device's last
        // push: the ids it expects next are behind the device's outbox.
        server.applied.borrow_mut().clear();
        *server.log.borrow_mut() = ProgressLog::default();
        device.set("http", Status::InProgress);

        assert_eq!(sync(&device, &server), SyncOutcome::Synced);

        let device_id = device.read(|l| l.clock.device.clone()).unwrap();
        assert_ne!(device_id, "device-00000000", "a fresh device id");
        assert_eq!(server.log.borrow().status("dns"), Status::Done, "re-sent");
        assert_eq!(server.log.borrow().status("http"), Status::InProgress);
        assert_eq!(device.log(), *server.log.borrow());
    }

    #[test]
    fn a_second_refusal_in_one_round_ends_it_with_an_error() {
        let (device, server) = (Memory::new(0), Server::new());
        device.set("dns", Status::Done);
        server
            .failures
            .borrow_mut()
            .extend([refused(409, "gap"), refused(409, "gap again")]);

        assert_eq!(
            sync(&device, &server),
            SyncOutcome::Error("gap again".into())
        );
        assert_eq!(device.pending(), 1, "kept for the next round");
    }

    #[test]
    fn a_topic_the_roadmap_dropped_restarts_without_it() {
        let (device, server) = (Memory::new(0), Server::new());
        device.set("dns", Status::Done);
        device.set("retired-topic", Status::Done);

        assert_eq!(sync(&device, &server), SyncOutcome::Synced);

        assert_eq!(server.log.borrow().status("dns"), Status::Done);
        assert_eq!(device.pending(), 0);
        assert_eq!(
            device.log().status("retired-topic"),
            Status::Done,
            "kept on the device, never lost"
        );
    }

    #[test]
    fn a_clock_running_ahead_adopts_the_servers_clamped_stamp() {
        let two_hours = 2 * 60 * 60 * 1000;
        let (fast, server) = (Memory::new(two_hours), Server::new());
        fast.set("dns", Status::Done);

        assert_eq!(sync(&fast, &server), SyncOutcome::Synced);

        let stored = server.log.borrow().entries["dns"].clone();
        assert_eq!(stored.stamp.millis, NOW + 60_000, "clamped by the server");
        assert_eq!(
            fast.log().entries["dns"],
            stored,
            "and adopted by the device"
        );
        // Five minutes later a device with a right clock edits the topic: its edit is the
        // latest, and the fast device ends up with it (it would keep its own, stamped two
        // hours ahead, had it not adopted the clamped stamp).
        WALL.with(|wall| wall.set(NOW + 5 * 60 * 1000));
        let honest = Memory::new(0);
        honest.update(|local| local.clock.device = "device-honest01".into());
        honest.set("dns", Status::Skipped);
        assert_eq!(sync(&honest, &server), SyncOutcome::Synced);
        assert_eq!(sync(&fast, &server), SyncOutcome::Synced);
        assert_eq!(fast.log().status("dns"), Status::Skipped);
        assert_eq!(fast.log(), *server.log.borrow());
    }

    #[test]
    fn a_lost_session_signs_out_and_other_refusals_are_errors() {
        let (device, server) = (Memory::new(0), Server::new());
        device.set("dns", Status::Done);
        server
            .failures
            .borrow_mut()
            .push(refused(401, "sign in first"));
        assert_eq!(sync(&device, &server), SyncOutcome::SignedOut);
        server.failures.borrow_mut().push(refused(413, "too large"));
        assert_eq!(
            sync(&device, &server),
            SyncOutcome::Error("too large".into())
        );
        assert_eq!(device.pending(), 1);
    }

    #[test]
    fn an_unloaded_device_syncs_nothing() {
        let server = Server::new();
        let device = Memory::new(0);
        *device.local.borrow_mut() = None;

        assert_eq!(sync(&device, &server), SyncOutcome::Synced);
        assert_eq!(server.pushes.get(), 0);
    }

    #[test]
    fn stamps_written_here_are_the_registers_the_server_stores() {
        // The driver moves registers, never rewrites them: a note and a status pushed with
        // their stamps come back the same.
        let (device, server) = (Memory::new(0), Server::new());
        device.update(|local| {
            local.set_note("tcp", "three-way handshake", NOW).unwrap();
        });
        assert_eq!(sync(&device, &server), SyncOutcome::Synced);
        let expected = Register::new(
            NoteText::from("three-way handshake"),
            Stamp {
                millis: NOW,
                counter: 0,
                device: "device-00000000".into(),
            },
        );
        assert_eq!(server.log.borrow().notes["tcp"], expected);
    }
}

//! Soak and crash test: many simulated learners against the real server binary.
//!
//! Each learner signs up and in over HTTP (cookies and the CSRF token, like the browser),
//! keeps the real client model (`trailmap_core::progress::LocalProgress` with its `Outbox`),
//! marks random topics of the Backend roadmap, and pushes and pulls with the browser's own
//! sync driver (`trailmap_core::progress::{push_all, pull_changes}`) over a transport that
//! retries with backoff whenever the server cannot be reached or answers 5xx — it resumes by
//! itself, as the browser does. Optionally the server is killed with SIGKILL half-way through and restarted on
//! the same port and database.
//!
//! Checks, per learner: no request failed other than connection failures while the server was
//! down; right after the kill, the database file holds every write acknowledged before it (read
//! directly, server dead); at the end, the learner's own belief (its `LocalProgress` log after
//! all acknowledgements and a final pull) equals both a fresh pull from 0 and the rows in the
//! database file, topic by topic, and the server applied exactly the mutation ids it created.
//!
//! `learners_resume_after_kill_9_and_lose_nothing` is the small version that runs with the
//! other tests. The full run is ignored by default and configured by environment:
//!
//! ```sh
//! cargo test --release -p server --test soak -- --ignored --nocapture
//! TRAILMAP_SOAK_CRASH=1 cargo test --release -p server --test soak -- --ignored --nocapture
//! ```
//!
//! `TRAILMAP_SOAK_LEARNERS` (default 100), `TRAILMAP_SOAK_SECONDS` (default 60),
//! `TRAILMAP_SOAK_CRASH` (`1`: kill -9 and restart half-way; default 0),
//! `TRAILMAP_SOAK_THINK_MS` (longest pause between a learner's actions, default 100).
//! Sign-up and sign-in (Argon2id) happen inside the timed period.
//!
//! Modules, each using only those after it: `harness` (the run, the staged crash, the
//! database file read directly), `client` (one simulated learner: the driver's device and HTTP
//! transport), `report` (the settings, and what a run observed, printed and checked),
//! `process` (the server binary, started and killed).

mod client;
mod harness;
mod process;
mod report;

use std::time::Duration;

use harness::run;
use report::Settings;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn learners_resume_after_kill_9_and_lose_nothing() {
    let settings = Settings {
        learners: 12,
        duration: Duration::from_secs(5),
        crash: true,
        think_ms: 60,
    };

    let report = run(&settings).await;

    report.print(&settings);
    report.assert_clean(&settings);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "the full soak run: see the module documentation and the README"]
async fn soak() {
    let settings = Settings::from_env();

    let report = run(&settings).await;

    report.print(&settings);
    report.assert_clean(&settings);
}

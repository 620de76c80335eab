#![recursion_limit = "256"]
//! Trailmap's server: the axum router that renders the Leptos app (SSR, then hydrated in
//! the browser), serves the site's static files, the roadmap JSON API, accounts and progress
//! sync (`/api/auth/*`, `/api/sync/*`) and `/healthz`.
//!
//! `startup` loads an explicit `AppState` and binds the `Application` (port 0 allowed, for
//! tests) that serves until a shutdown signal; `routes::router(state)` builds everything it
//! serves. Handlers are in `http/`, the machinery of fast delivery (page cache, precompressed
//! bodies, hashed assets, the service worker) in `delivery/`, the domain in `accounts/`,
//! `sync` and `store/`.

pub mod accounts;
pub mod config;
pub mod connections;
pub mod delivery;
pub mod error;
pub mod http;
pub mod metrics;
pub mod routes;
pub mod startup;
pub mod store;
pub mod sync;
pub mod telemetry;

pub use routes::router;
pub use startup::{
    check_content, render_content_errors, AppState, Application, Site, StartupError,
};

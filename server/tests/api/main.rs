//! Integration tests: the real router on 127.0.0.1:0 with the real roadmap content and a fresh
//! SQLite database per test.

mod api_errors;
mod auth;
mod caching;
mod connections;
mod csrf;
mod embed;
mod hashing;
mod helpers;
mod instances;
mod metrics;
mod oembed;
mod openapi;
mod pages;
#[path = "../common/postgres.rs"]
mod postgres;
mod rate_limits;
mod roadmaps_api;
mod server_process;
mod sessions;
mod shares;
mod snapshot;
mod storage;
mod sync;
mod sync_model;
mod topics;
mod xss;

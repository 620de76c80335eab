//! Integration tests: the real router on 127.0.0.1:0 with the real roadmap content and a fresh
//! SQLite database per test.

mod auth;
mod caching;
mod csrf;
mod embed;
mod helpers;
mod metrics;
mod oembed;
mod openapi;
mod pages;
mod roadmaps_api;
mod snapshot;
mod storage;
mod sync;
mod sync_model;
mod xss;

//! Integration tests: the real router on 127.0.0.1:0 with the real roadmap content.

mod embed;
mod helpers;
mod oembed;
mod pages;
mod roadmaps_api;
mod snapshot;

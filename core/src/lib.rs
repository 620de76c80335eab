//! Trailmap's pure logic, shared by the server, the browser's wasm, the fuzz targets and the
//! benches: the roadmap model (`roadmap`), the content parser and validator (`content`), the
//! catalog, the tree layout (`layout`), the map's viewport, search, the SVG snapshot and embed
//! code, learner progress (counting and the sync merge) and the site's addresses (`links`).
//!
//! Why a crate of its own: purity is a fact the compiler checks, not a convention. It depends
//! on no UI, web or server crate (no leptos, web-sys, js-sys, gloo, axum, tokio, sqlx), so
//! `cargo test -p trailmap-core` builds natively in seconds and the wasm build shows exactly
//! which parts of it the client uses. The `openapi` feature only adds schema derives for the
//! server's API document.

pub mod catalog;
pub mod content;
pub mod embed;
pub mod form_factor;
pub mod layout;
pub mod links;
pub mod progress;
pub mod roadmap;
pub mod search;
pub mod snapshot;
pub mod viewport;

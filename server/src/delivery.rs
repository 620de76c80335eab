//! How responses that do not depend on the request are delivered fast: computed once, kept in
//! memory with their compressed variants and ETags, and answered with a lookup.
//!
//! - `etag`: the content hash and the `If-None-Match` check every cached body uses.
//! - `precompressed`: a fixed body with its brotli and gzip variants, compressed lazily.
//! - `cached_json`: a JSON body serialised once (the roadmaps, the OpenAPI document).
//! - `page_cache`: pages rendered once each by Leptos, with a fresh CSP nonce per response;
//!   `page_keys` says which queries a page reads (others are rendered, never kept).
//! - `assets`: the client build (JS, wasm, CSS) under content-hashed names.
//! - `service_worker`: `/sw.js`, versioned by the build's assets.
//!
//! The handlers in `http/` answer requests; this module is the machinery they answer with.

pub mod assets;
pub mod cached_json;
pub mod etag;
pub mod page_cache;
pub mod page_keys;
pub mod precompressed;
pub mod service_worker;

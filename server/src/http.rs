//! JSON endpoints, grouped by resource. Handlers stay short: roadmap bodies are computed once
//! at start-up (`crate::delivery::cached_json`), since roadmap content only changes with a
//! deploy; accounts and sync delegate to `accounts`, `sync` and `store`. `csrf` guards every
//! state change under `/api`; `json` gives body errors the API's JSON shape, `api_errors` every
//! other error under `/api` (405s, server functions). The machinery of
//! fast delivery (page cache, precompressed bodies, hashed assets, the service worker) is in
//! `crate::delivery`.

pub mod api_errors;
pub mod auth;
pub mod cookies;
pub mod csrf;
pub mod embed;
pub mod health;
pub mod json;
pub mod oembed;
pub mod openapi;
pub mod roadmaps;
pub mod session;
pub mod shared_page;
pub mod shares;
pub mod snapshot;
pub mod sync;
pub mod topics;

//! JSON endpoints, grouped by resource. Handlers stay short: roadmap bodies are computed once
//! at start-up (`cached_json`), since roadmap content only changes with a deploy; accounts and
//! sync delegate to `accounts`, `sync` and `store`. `csrf` guards every state change under
//! `/api`; `json` gives body errors the API's JSON shape, `api_errors` every other error under
//! `/api` (405s, server functions).

pub mod api_errors;
pub mod assets;
pub mod auth;
pub mod cached_json;
pub mod cookies;
pub mod csrf;
pub mod embed;
pub mod health;
pub mod json;
pub mod oembed;
pub mod openapi;
pub mod page_cache;
pub mod precompressed;
pub mod roadmaps;
pub mod service_worker;
pub mod session;
pub mod snapshot;
pub mod sync;

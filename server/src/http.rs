//! JSON endpoints, grouped by resource. Handlers stay short; what they serve is computed
//! once at start-up (`cached_json`), since roadmap content only changes with a deploy.

pub mod cached_json;
pub mod embed;
pub mod health;
pub mod oembed;
pub mod roadmaps;
pub mod snapshot;

//! Client state shared by many components, one context per file with a `provide_*` function.

pub mod account;
pub mod map_links;
pub mod map_state;
pub mod progress;
pub mod shared_progress;
pub mod topic_details;

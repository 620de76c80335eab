//! Route-level components, one per file.

pub mod account_page;
pub mod catalog_page;
pub mod embed_page;
pub mod not_found;
pub mod roadmap_page;

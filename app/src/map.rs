//! The roadmap map and its parts, one component per file.

pub mod stage_card;
pub mod topic_list;
pub mod topic_panel;

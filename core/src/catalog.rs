//! The set of roadmaps the server serves, loaded once at start-up and shared read-only.

use std::sync::Arc;

use crate::roadmap::{Roadmap, RoadmapSummary};

#[derive(Clone, Debug, Default)]
pub struct Catalog {
    roadmaps: Arc<Vec<Roadmap>>,
}

impl Catalog {
    pub fn new(roadmaps: Vec<Roadmap>) -> Self {
        Self {
            roadmaps: Arc::new(roadmaps),
        }
    }

    pub fn get(&self, slug: &str) -> Option<&Roadmap> {
        self.roadmaps.iter().find(|roadmap| roadmap.slug == slug)
    }

    pub fn roadmaps(&self) -> &[Roadmap] {
        &self.roadmaps
    }

    pub fn summaries(&self) -> Vec<RoadmapSummary> {
        self.roadmaps.iter().map(Roadmap::summary).collect()
    }
}

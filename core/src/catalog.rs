//! The set of roadmaps the server serves, loaded once at start-up and shared read-only, with
//! what the browser gets of each made once too: its outline (the map page's payload) under its
//! content version, and the words its text search needs.

use std::sync::Arc;

use crate::{
    roadmap::{content_version, Roadmap, RoadmapOutline, RoadmapSummary},
    search::SearchWords,
};

#[derive(Clone, Debug, Default)]
pub struct Catalog {
    roadmaps: Arc<Vec<Roadmap>>,
    /// In the order of `roadmaps`.
    outlines: Arc<Vec<RoadmapOutline>>,
}

impl Catalog {
    pub fn new(roadmaps: Vec<Roadmap>) -> Self {
        let outlines = roadmaps
            .iter()
            .map(|roadmap| RoadmapOutline::new(roadmap, content_version(roadmap)))
            .collect();
        Self {
            roadmaps: Arc::new(roadmaps),
            outlines: Arc::new(outlines),
        }
    }

    fn position(&self, slug: &str) -> Option<usize> {
        self.roadmaps
            .iter()
            .position(|roadmap| roadmap.slug == slug)
    }

    pub fn get(&self, slug: &str) -> Option<&Roadmap> {
        self.position(slug).map(|index| &self.roadmaps[index])
    }

    /// The roadmap without its topics' details, with its content version.
    pub fn outline(&self, slug: &str) -> Option<&RoadmapOutline> {
        self.position(slug).map(|index| &self.outlines[index])
    }

    /// The words a browser searches the roadmap's text with.
    pub fn search_words(&self, slug: &str) -> Option<SearchWords> {
        let index = self.position(slug)?;
        Some(SearchWords::new(
            &self.roadmaps[index],
            self.outlines[index].version.clone(),
        ))
    }

    pub fn roadmaps(&self) -> &[Roadmap] {
        &self.roadmaps
    }

    pub fn summaries(&self) -> Vec<RoadmapSummary> {
        self.roadmaps.iter().map(Roadmap::summary).collect()
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::content::load_catalog;

    #[test]
    fn outlines_and_words_are_found_by_slug_under_the_content_version() {
        let roadmaps = load_catalog(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../roadmaps"))
            .expect("the bundled roadmaps load");
        let catalog = Catalog::new(roadmaps);
        for roadmap in catalog.roadmaps() {
            let outline = catalog.outline(&roadmap.slug).unwrap();
            assert_eq!(outline.slug, roadmap.slug);
            assert_eq!(outline.version, content_version(roadmap));
            let words = catalog.search_words(&roadmap.slug).unwrap();
            assert_eq!(words.version, outline.version);
            assert_eq!(words.words.len(), roadmap.nodes.len());
        }
        assert!(catalog.outline("nope").is_none());
        assert!(catalog.search_words("nope").is_none());
    }
}

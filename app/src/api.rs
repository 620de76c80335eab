//! Server functions the pages load their data through. Bodies stay short: they read the
//! `Catalog` the server put in context.

use leptos::prelude::*;

use crate::roadmap::{Roadmap, RoadmapSummary};

#[server(prefix = "/api/fn", endpoint = "roadmaps")]
pub async fn list_roadmaps() -> Result<Vec<RoadmapSummary>, ServerFnError> {
    let catalog = expect_context::<crate::catalog::Catalog>();
    Ok(catalog.summaries())
}

/// `Ok(None)` when no roadmap has this slug: the page turns that into a 404.
#[server(prefix = "/api/fn", endpoint = "roadmap")]
pub async fn get_roadmap(slug: String) -> Result<Option<Roadmap>, ServerFnError> {
    let catalog = expect_context::<crate::catalog::Catalog>();
    Ok(catalog.get(&slug).cloned())
}

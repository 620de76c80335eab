//! `GET /api/roadmaps` and `GET /api/roadmaps/{slug}`.

use std::{collections::HashMap, sync::Arc};

use axum::{
    extract::{Path, State},
    http::HeaderMap,
    response::Response,
};
use trailmap_core::catalog::Catalog;

use crate::{
    delivery::cached_json::CachedJson,
    error::{ApiError, ErrorBody},
};

/// Every roadmap API body, serialised once at start-up.
#[derive(Clone, Debug)]
pub struct RoadmapBodies {
    list: CachedJson,
    by_slug: Arc<HashMap<String, CachedJson>>,
}

impl RoadmapBodies {
    pub fn new(catalog: &Catalog) -> serde_json::Result<Self> {
        let list = CachedJson::new(&catalog.summaries())?;
        let by_slug = catalog
            .roadmaps()
            .iter()
            .map(|roadmap| Ok((roadmap.slug.clone(), CachedJson::new(roadmap)?)))
            .collect::<serde_json::Result<_>>()?;
        Ok(Self {
            list,
            by_slug: Arc::new(by_slug),
        })
    }
}

#[utoipa::path(
    get,
    path = "/roadmaps",
    operation_id = "list_roadmaps",
    tag = "roadmaps",
    summary = "Every roadmap, without its nodes",
    responses(
        (status = 200, description = "The catalog", body = Vec<trailmap_core::roadmap::RoadmapSummary>,
            headers(("ETag" = String, description = "Strong validator for `If-None-Match`"))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
    )
)]
pub async fn list(State(bodies): State<RoadmapBodies>, headers: HeaderMap) -> Response {
    bodies.list.respond(&headers)
}

#[utoipa::path(
    get,
    path = "/roadmaps/{slug}",
    operation_id = "get_roadmap",
    tag = "roadmaps",
    summary = "One roadmap with every node",
    params(("slug" = String, Path, description = "The roadmap's slug", example = "backend")),
    responses(
        (status = 200, description = "The roadmap", body = trailmap_core::roadmap::Roadmap,
            headers(("ETag" = String, description = "Strong validator for `If-None-Match`"))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 404, description = "No roadmap has this slug", body = ErrorBody),
    )
)]
pub async fn show(
    State(bodies): State<RoadmapBodies>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    bodies
        .by_slug
        .get(&slug)
        .map(|body| body.respond(&headers))
        .ok_or_else(|| ApiError::NotFound(format!("no roadmap is called `{slug}`")))
}

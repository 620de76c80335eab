//! What a map page fetches on demand rather than carrying (see `trailmap_core::roadmap::outline`):
//! `GET /api/roadmaps/{slug}/topics/{id}` (one topic's details, when it opens or is about to),
//! `GET /api/roadmaps/{slug}/topics` (every topic at once, which the service worker caches so
//! an opened roadmap keeps all its text offline) and `GET /api/roadmaps/{slug}/search-words`
//! (what the search box needs to match the topics' text, when it is first focused).
//!
//! Every body is serialised once at start-up and held with its compressed variants and a
//! strong ETag (`delivery::precompressed`). The page asks under the roadmap's content version
//! (`?v=`): asked under the current version, an answer may be kept for good (`immutable`: a
//! new content version is a new URL); asked under none or an old one, it is revalidated.

use std::{collections::HashMap, sync::Arc};

use axum::{
    extract::{Path, Query, State},
    http::{header, HeaderMap, HeaderValue},
    response::Response,
};
use serde::Deserialize;
use trailmap_core::{
    catalog::Catalog,
    roadmap::{RoadmapTopics, TopicDetails},
};

use crate::{
    delivery::{assets::IMMUTABLE, precompressed::Precompressed},
    error::{ApiError, ErrorBody},
};

/// The topic bodies of every roadmap; cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct TopicBodies(Arc<HashMap<String, RoadmapBodies>>);

#[derive(Debug)]
struct RoadmapBodies {
    version: String,
    topics: HashMap<String, Precompressed>,
    all: Precompressed,
    search_words: Precompressed,
}

impl TopicBodies {
    pub fn new(catalog: &Catalog) -> serde_json::Result<Self> {
        let mut by_slug = HashMap::new();
        for roadmap in catalog.roadmaps() {
            let Some(outline) = catalog.outline(&roadmap.slug) else {
                continue;
            };
            let details: Vec<TopicDetails> = roadmap
                .nodes
                .iter()
                .filter_map(|node| roadmap.topic_details(node.id.as_str()))
                .collect();
            let topics = details
                .iter()
                .map(|topic| Ok((topic.id.to_string(), json(topic)?)))
                .collect::<serde_json::Result<_>>()?;
            let all = RoadmapTopics {
                version: outline.version.clone(),
                topics: details,
            };
            let words = catalog.search_words(&roadmap.slug).unwrap_or_else(|| {
                trailmap_core::search::SearchWords::new(roadmap, outline.version.clone())
            });
            by_slug.insert(
                roadmap.slug.clone(),
                RoadmapBodies {
                    version: outline.version.clone(),
                    topics,
                    all: json(&all)?,
                    search_words: json(&words)?,
                },
            );
        }
        Ok(Self(Arc::new(by_slug)))
    }

    fn roadmap(&self, slug: &str) -> Result<&RoadmapBodies, ApiError> {
        self.0
            .get(slug)
            .ok_or_else(|| ApiError::NotFound(format!("no roadmap is called `{slug}`")))
    }
}

fn json(value: &impl serde::Serialize) -> serde_json::Result<Precompressed> {
    Ok(Precompressed::new(
        serde_json::to_vec(value)?,
        "application/json",
    ))
}

/// `?v=`: the content version the page was built with.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// The roadmap's content version (`version` in the map page's outline). Under the current
    /// version the answer is immutable; without it, or under an old one, it is revalidated.
    v: Option<String>,
}

impl RoadmapBodies {
    fn respond(&self, body: &Precompressed, query: &VersionQuery, headers: &HeaderMap) -> Response {
        let cache_control = if query.v.as_deref() == Some(self.version.as_str()) {
            IMMUTABLE
        } else {
            "no-cache"
        };
        body.respond(
            headers,
            &[(
                header::CACHE_CONTROL,
                HeaderValue::from_static(cache_control),
            )],
        )
    }
}

#[utoipa::path(
    get,
    path = "/roadmaps/{slug}/topics/{id}",
    operation_id = "get_topic",
    tag = "roadmaps",
    summary = "One topic's details: its text as sanitised HTML, resources, tips, links to other roadmaps",
    params(
        ("slug" = String, Path, description = "The roadmap's slug", example = "backend"),
        ("id" = String, Path, description = "The topic's id (not an alias)", example = "dns"),
        VersionQuery,
    ),
    responses(
        (status = 200, description = "The topic's details", body = TopicDetails,
            headers(
                ("ETag" = String, description = "Strong validator for `If-None-Match`"),
                ("Cache-Control" = String, description = "`immutable` when asked under the current version"),
            )),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 404, description = "No such roadmap, or no such topic in it", body = ErrorBody),
    )
)]
pub async fn show(
    State(bodies): State<TopicBodies>,
    Path((slug, id)): Path<(String, String)>,
    Query(query): Query<VersionQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let roadmap = bodies.roadmap(&slug)?;
    let body = roadmap
        .topics
        .get(&id)
        .ok_or_else(|| ApiError::NotFound(format!("`{slug}` has no topic `{id}`")))?;
    Ok(roadmap.respond(body, &query, &headers))
}

#[utoipa::path(
    get,
    path = "/roadmaps/{slug}/topics",
    operation_id = "list_topics",
    tag = "roadmaps",
    summary = "Every topic's details at once, under the roadmap's content version",
    description = "What the service worker caches once a roadmap has been opened, so that any \
                   of its topics opens offline.",
    params(
        ("slug" = String, Path, description = "The roadmap's slug", example = "backend"),
        VersionQuery,
    ),
    responses(
        (status = 200, description = "Every topic's details", body = RoadmapTopics,
            headers(("ETag" = String, description = "Strong validator for `If-None-Match`"))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 404, description = "No roadmap has this slug", body = ErrorBody),
    )
)]
pub async fn list(
    State(bodies): State<TopicBodies>,
    Path(slug): Path<String>,
    Query(query): Query<VersionQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let roadmap = bodies.roadmap(&slug)?;
    Ok(roadmap.respond(&roadmap.all, &query, &headers))
}

#[utoipa::path(
    get,
    path = "/roadmaps/{slug}/search-words",
    operation_id = "get_search_words",
    tag = "roadmaps",
    summary = "The words of every topic's text, for searching it in the browser",
    params(
        ("slug" = String, Path, description = "The roadmap's slug", example = "backend"),
        VersionQuery,
    ),
    responses(
        (status = 200, description = "Per node, in authored order, its text's searchable words",
            body = trailmap_core::search::SearchWords,
            headers(("ETag" = String, description = "Strong validator for `If-None-Match`"))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 404, description = "No roadmap has this slug", body = ErrorBody),
    )
)]
pub async fn search_words(
    State(bodies): State<TopicBodies>,
    Path(slug): Path<String>,
    Query(query): Query<VersionQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let roadmap = bodies.roadmap(&slug)?;
    Ok(roadmap.respond(&roadmap.search_words, &query, &headers))
}

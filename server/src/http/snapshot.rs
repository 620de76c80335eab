//! `GET /roadmaps/{slug}.svg?expand=…&theme=…`: the roadmap as a standalone SVG picture.
//!
//! axum's router cannot tell `/roadmaps/{slug}.svg` from the map page `/roadmaps/{slug}`
//! (matchit has no parameter suffixes, and the page's route owns the segment), so this is a
//! middleware in front of the routes that answers only paths ending in `.svg` and passes
//! everything else on untouched.
//!
//! A picture depends only on the roadmap (immutable while the process runs) and the options,
//! so each one is drawn once and kept, with its compressed variants (see `precompressed`), up
//! to `MAX_PICTURES` of them; past that the cache starts over. Pictures are kept by the parsed
//! options, not by how the query spells them: `expand=016`, `expand=0016` and `expand=16&x=1`
//! are one picture, drawn once.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{
    extract::{Query, Request, State},
    http::{header, HeaderValue, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use trailmap_core::{
    catalog::Catalog,
    layout::Expand,
    snapshot::{render_svg, SnapshotOptions, SnapshotTheme},
};

use crate::{delivery::precompressed::Precompressed, error::ApiError};

/// Pictures only change with a deploy; an hour keeps READMEs cheap to render.
const CACHE_CONTROL: &str = "public, max-age=3600";
/// An SVG opened on its own is a document: it may never run script or load anything.
const SVG_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'";
/// Pictures kept at most (a few hundred kilobytes each at the very most).
const MAX_PICTURES: usize = 256;

/// The roadmaps and the pictures drawn of them so far; cheap to clone.
#[derive(Clone, Debug)]
pub struct Snapshots {
    catalog: Catalog,
    /// By slug and the options parsed (in their `Debug` form: one spelling per value).
    drawn: Arc<Mutex<HashMap<(String, String), Precompressed>>>,
}

impl Snapshots {
    pub fn new(catalog: Catalog) -> Self {
        Self {
            catalog,
            drawn: Arc::default(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct SnapshotQuery {
    expand: Option<String>,
    theme: Option<String>,
}

/// The slug of a `/roadmaps/{slug}.svg` path.
fn svg_slug(path: &str) -> Option<&str> {
    let slug = path.strip_prefix("/roadmaps/")?.strip_suffix(".svg")?;
    (!slug.is_empty() && !slug.contains('/')).then_some(slug)
}

/// Middleware: answers `GET /roadmaps/{slug}.svg`, passes every other request on.
pub async fn serve_svg(
    State(snapshots): State<Snapshots>,
    request: Request,
    next: Next,
) -> Response {
    let is_read = matches!(*request.method(), Method::GET | Method::HEAD);
    let Some(slug) = svg_slug(request.uri().path()).filter(|_| is_read) else {
        return next.run(request).await;
    };
    match snapshot(&snapshots, slug, &request) {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

fn snapshot(snapshots: &Snapshots, slug: &str, request: &Request) -> Result<Response, ApiError> {
    let Query(query) = Query::<SnapshotQuery>::try_from_uri(request.uri())
        .map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    let options = options(&query)?;
    let roadmap = snapshots
        .catalog
        .get(slug)
        .ok_or_else(|| ApiError::NotFound(format!("no roadmap is called `{slug}`")))?;
    let key = (slug.to_owned(), format!("{options:?}"));
    let cached = snapshots
        .drawn
        .lock()
        .unwrap_or_else(|poison| poison.into_inner())
        .get(&key)
        .cloned();
    let picture = match cached {
        Some(picture) => picture,
        None => {
            let picture = Precompressed::new(render_svg(roadmap, &options), "image/svg+xml");
            let mut drawn = snapshots
                .drawn
                .lock()
                .unwrap_or_else(|poison| poison.into_inner());
            if drawn.len() >= MAX_PICTURES {
                drawn.clear();
            }
            drawn.insert(key, picture.clone());
            picture
        }
    };
    Ok(picture.respond(
        request.headers(),
        &[
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(CACHE_CONTROL),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(SVG_CSP),
            ),
        ],
    ))
}

/// The options a query asks for, or what is wrong with them.
fn options(query: &SnapshotQuery) -> Result<SnapshotOptions, ApiError> {
    Ok(SnapshotOptions {
        expand: query
            .expand
            .as_deref()
            .map(Expand::parse)
            .transpose()
            .map_err(ApiError::BadRequest)?
            .unwrap_or_default(),
        theme: query
            .theme
            .as_deref()
            .map(SnapshotTheme::parse)
            .transpose()
            .map_err(ApiError::BadRequest)?
            .unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_the_same_options_are_one_picture() {
        let roadmaps =
            std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../roadmaps"));
        let catalog = Catalog::new(trailmap_core::content::load_catalog(&roadmaps).unwrap());
        let snapshots = Snapshots::new(catalog);
        let mut bodies = Vec::new();
        for query in [
            "expand=16",
            "expand=016",
            "expand=0016",
            "expand=16&x=1",
            "theme=light&expand=16",
        ] {
            let request = Request::builder()
                .uri(format!("/roadmaps/backend.svg?{query}"))
                .body(axum::body::Body::empty())
                .unwrap();
            let response = snapshot(&snapshots, "backend", &request).unwrap();
            assert_eq!(response.status(), 200, "{query}");
            bodies.push(response.headers()[header::ETAG].clone());
        }

        assert_eq!(snapshots.drawn.lock().unwrap().len(), 1);
        assert!(bodies.windows(2).all(|pair| pair[0] == pair[1]));
        let other = Request::builder()
            .uri("/roadmaps/backend.svg?expand=15")
            .body(axum::body::Body::empty())
            .unwrap();
        snapshot(&snapshots, "backend", &other).unwrap();
        assert_eq!(snapshots.drawn.lock().unwrap().len(), 2);
    }

    #[test]
    fn only_svg_paths_directly_under_roadmaps_are_snapshots() {
        assert_eq!(svg_slug("/roadmaps/backend.svg"), Some("backend"));
        assert_eq!(svg_slug("/roadmaps/backend"), None);
        assert_eq!(svg_slug("/roadmaps/.svg"), None);
        assert_eq!(svg_slug("/roadmaps/a/b.svg"), None);
        assert_eq!(svg_slug("/api/roadmaps/backend.svg"), None);
    }
}

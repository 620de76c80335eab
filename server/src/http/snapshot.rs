//! `GET /roadmaps/{slug}.svg?expand=…&theme=…`: the roadmap as a standalone SVG picture.
//!
//! axum's router cannot tell `/roadmaps/{slug}.svg` from the map page `/roadmaps/{slug}`
//! (matchit has no parameter suffixes, and the page's route owns the segment), so this is a
//! middleware in front of the routes that answers only paths ending in `.svg` and passes
//! everything else on untouched.

use app::{
    catalog::Catalog,
    layout::Expand,
    snapshot::{render_svg, SnapshotOptions, SnapshotTheme},
};
use axum::{
    extract::{Query, Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use crate::{
    error::ApiError,
    http::cached_json::{client_has_current, etag_of},
};

/// Pictures only change with a deploy; an hour keeps READMEs cheap to render.
const CACHE_CONTROL: &str = "public, max-age=3600";
/// An SVG opened on its own is a document: it may never run script or load anything.
const SVG_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'";

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
pub async fn serve_svg(State(catalog): State<Catalog>, request: Request, next: Next) -> Response {
    let is_read = matches!(*request.method(), Method::GET | Method::HEAD);
    let Some(slug) = svg_slug(request.uri().path()).filter(|_| is_read) else {
        return next.run(request).await;
    };
    match snapshot(&catalog, slug, &request) {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

fn snapshot(catalog: &Catalog, slug: &str, request: &Request) -> Result<Response, ApiError> {
    let Query(query) = Query::<SnapshotQuery>::try_from_uri(request.uri())
        .map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    let options = SnapshotOptions {
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
    };
    let roadmap = catalog
        .get(slug)
        .ok_or_else(|| ApiError::NotFound(format!("no roadmap is called `{slug}`")))?;
    let body = render_svg(roadmap, &options);
    Ok(respond(body, request.headers()))
}

fn respond(body: String, request_headers: &HeaderMap) -> Response {
    let etag = etag_of(body.as_bytes());
    let headers = [
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static(CACHE_CONTROL),
        ),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(SVG_CSP),
        ),
    ];
    if client_has_current(request_headers, etag.to_str().unwrap_or_default()) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)], headers).into_response();
    }
    (
        [
            (header::ETAG, etag),
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml"),
            ),
        ],
        headers,
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_svg_paths_directly_under_roadmaps_are_snapshots() {
        assert_eq!(svg_slug("/roadmaps/backend.svg"), Some("backend"));
        assert_eq!(svg_slug("/roadmaps/backend"), None);
        assert_eq!(svg_slug("/roadmaps/.svg"), None);
        assert_eq!(svg_slug("/roadmaps/a/b.svg"), None);
        assert_eq!(svg_slug("/api/roadmaps/backend.svg"), None);
    }
}

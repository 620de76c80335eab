//! A JSON body serialised once, with a strong ETag, answered with 304 when the client
//! already has it, and in brotli or gzip when the client accepts it (see `precompressed`).

use axum::{
    http::{header, HeaderMap, HeaderValue},
    response::Response,
};
use serde::Serialize;

use crate::delivery::precompressed::Precompressed;

/// Content that only changes with a deploy: cacheable, but revalidated after a minute.
const CACHE_CONTROL: &str = "public, max-age=60, must-revalidate";

#[derive(Clone, Debug)]
pub struct CachedJson {
    body: Precompressed,
}

impl CachedJson {
    pub fn new(value: &impl Serialize) -> serde_json::Result<Self> {
        let body = serde_json::to_vec(value)?;
        Ok(Self {
            body: Precompressed::new(body, "application/json"),
        })
    }

    /// The plain body's ETag.
    pub fn etag(&self) -> String {
        self.body.etag()
    }

    /// The body, or an empty 304 when `If-None-Match` names this version.
    pub fn respond(&self, request_headers: &HeaderMap) -> Response {
        self.body.respond(
            request_headers,
            &[(
                header::CACHE_CONTROL,
                HeaderValue::from_static(CACHE_CONTROL),
            )],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_changes_with_the_body_and_matches_weak_and_listed_tags() {
        let first = CachedJson::new(&vec![1, 2]).unwrap();
        let second = CachedJson::new(&vec![1, 3]).unwrap();
        assert_ne!(first.etag(), second.etag());

        let mut headers = HeaderMap::new();
        let listed = format!("\"other\", W/{}", first.etag());
        headers.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&listed).unwrap(),
        );
        assert_eq!(
            first.respond(&headers).status(),
            axum::http::StatusCode::NOT_MODIFIED
        );
        assert_eq!(
            second.respond(&headers).status(),
            axum::http::StatusCode::OK
        );
    }
}

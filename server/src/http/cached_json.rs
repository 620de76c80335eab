//! A JSON body serialised once, with a strong ETag, answered with 304 when the client
//! already has it, and in brotli or gzip when the client accepts it (see `precompressed`).

use axum::{
    http::{header, HeaderMap, HeaderValue},
    response::Response,
};
use serde::Serialize;

use crate::http::precompressed::Precompressed;

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

/// Whether `If-None-Match` names `ours` (or `*`): the client's copy is current.
pub fn client_has_current(request_headers: &HeaderMap, ours: &str) -> bool {
    request_headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|tag| tag.trim())
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == ours)
}

/// 64-bit FNV-1a: stable across builds and platforms, which is all an ETag needs.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
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

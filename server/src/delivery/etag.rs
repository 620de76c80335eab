//! Strong ETags: a stable content hash, and whether a request's `If-None-Match` already names
//! the version the server holds. Shared by every cached body (`precompressed`, `cached_json`,
//! `assets`, `service_worker`).

use axum::http::{header, HeaderMap};

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

/// 64-bit FNV-1a: stable across builds, platforms and Rust releases (std's hasher may change),
/// which is all an ETag or a build version needs.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash = Fnv64::default();
    hash.write(bytes);
    hash.0
}

/// FNV-1a over several pieces in turn (the same as [`fnv1a`] of their concatenation).
pub struct Fnv64(pub u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv64 {
    pub fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn fnv1a_is_the_published_hash_and_streams_like_one_piece() {
        // Test vectors of the FNV reference (draft-eastlake-fnv).
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        let mut pieces = Fnv64::default();
        pieces.write(b"foo");
        pieces.write(b"bar");
        assert_eq!(pieces.0, fnv1a(b"foobar"));
    }

    #[test]
    fn if_none_match_matches_listed_weak_and_any_tags() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::IF_NONE_MATCH, HeaderValue::from_str(value).unwrap());
            headers
        };
        assert!(client_has_current(&with("\"a\", W/\"b\""), "\"b\""));
        assert!(client_has_current(&with("*"), "\"b\""));
        assert!(!client_has_current(&with("\"a\""), "\"b\""));
        assert!(!client_has_current(&HeaderMap::new(), "\"b\""));
    }
}

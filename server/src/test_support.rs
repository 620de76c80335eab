//! Helpers shared by the unit tests of several modules.

use axum::http::{HeaderMap, HeaderValue};

/// A header map of `(name, value)` pairs, in order (repeated names kept).
pub fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(*name, HeaderValue::from_static(value));
    }
    map
}

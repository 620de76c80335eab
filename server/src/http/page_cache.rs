//! The server-rendered pages, rendered once and then answered from memory.
//!
//! Why this is safe: a page's HTML depends only on the roadmaps (loaded at start-up and never
//! changed while the process runs — a new content deploy is a new process, which starts with an
//! empty cache), on the request's path and query, and, for the map page's absolute links, on
//! the site's origin (the configured public URL, else the request's `Host` and
//! `X-Forwarded-Proto`, which are then part of the key). Nothing the server renders reads a
//! cookie or the session: who is signed in, the theme and progress are the browser's business
//! after hydration. So no invalidation is needed, only a bound on memory.
//!
//! The one per-response part of a page is its CSP nonce (see `app::csp`). A cached page keeps
//! its bytes cut at every occurrence of the nonce it was rendered with (a fresh 128-bit random
//! value, so it occurs nowhere else), and each response gets a new nonce put back in those
//! places and in its `Content-Security-Policy` header: the bytes are the ones an uncached render
//! gives, except the nonce.
//!
//! Cached: `GET`s answered 200 with `text/html`, no `Set-Cookie`, and a nonce in the CSP
//! header. Never cached: errors (404, 400 for bad embed options, 500), other methods, and
//! anything setting a cookie. Bounded by total bytes and by entry count, least recently used
//! first out.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{header, response::Parts, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// The response header that says whether a page came from the cache (`hit`) or was rendered
/// (`miss`); only on cacheable requests.
pub const CACHE_HEADER: &str = "x-page-cache";

/// Bounds of the cache.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 64 * 1024 * 1024,
            max_entries: 1024,
        }
    }
}

/// The rendered pages of this process; cheap to clone.
#[derive(Clone, Debug)]
pub struct PageCache {
    inner: Arc<Mutex<Entries>>,
    limits: Limits,
    /// Whether the key needs the request's origin (no public URL configured).
    keyed_by_origin: bool,
}

#[derive(Debug, Default)]
struct Entries {
    pages: HashMap<String, (Arc<CachedPage>, u64)>,
    bytes: usize,
    clock: u64,
}

impl PageCache {
    pub fn new(limits: Limits, public_url_configured: bool) -> Self {
        Self {
            inner: Arc::default(),
            limits,
            keyed_by_origin: !public_url_configured,
        }
    }

    /// Pages held now.
    pub fn len(&self) -> usize {
        self.lock().pages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding the lock leaves consistent data (every update is one insert or
        // remove): keep serving.
        self.inner
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// What a request's page depends on: path and query, and the origin when links use it.
    fn key(&self, request: &Request) -> String {
        let uri = request.uri();
        let mut key = uri.path().to_owned();
        if let Some(query) = uri.query().filter(|query| !query.is_empty()) {
            key.push('?');
            key.push_str(query);
        }
        if self.keyed_by_origin {
            let header = |name: &str| {
                request
                    .headers()
                    .get(name)
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or_default()
            };
            key.push(' ');
            key.push_str(header("x-forwarded-proto"));
            key.push(' ');
            key.push_str(header("host"));
        }
        key
    }

    fn get(&self, key: &str) -> Option<Arc<CachedPage>> {
        let mut entries = self.lock();
        entries.clock += 1;
        let now = entries.clock;
        let (page, used) = entries.pages.get_mut(key)?;
        *used = now;
        Some(page.clone())
    }

    fn insert(&self, key: String, page: CachedPage) {
        let size = page.size();
        if size > self.limits.max_bytes / 4 {
            return;
        }
        let mut entries = self.lock();
        entries.clock += 1;
        let now = entries.clock;
        if let Some((old, _)) = entries.pages.insert(key, (Arc::new(page), now)) {
            entries.bytes -= old.size();
        }
        entries.bytes += size;
        while entries.bytes > self.limits.max_bytes || entries.pages.len() > self.limits.max_entries
        {
            let Some(oldest) = entries
                .pages
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(key, _)| key.clone())
            else {
                break;
            };
            if let Some((page, _)) = entries.pages.remove(&oldest) {
                entries.bytes -= page.size();
            }
        }
    }
}

/// One rendered page: its headers and its body cut where the render's nonce was.
#[derive(Debug)]
struct CachedPage {
    status: StatusCode,
    headers: HeaderMap,
    /// The CSP header, cut at the nonce.
    policy: Vec<String>,
    /// The body, cut at the nonce.
    body: Vec<Bytes>,
    body_len: usize,
}

impl CachedPage {
    /// The page of a response, if it may be cached.
    fn from_response(parts: &Parts, body: &Bytes) -> Option<Self> {
        let cacheable = parts.status == StatusCode::OK
            && !parts.headers.contains_key(header::SET_COOKIE)
            && !parts.headers.contains_key(header::CONTENT_ENCODING)
            && parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|value| value.to_str().ok())
                .is_some_and(|value| value.starts_with("text/html"));
        if !cacheable {
            return None;
        }
        let policy = parts
            .headers
            .get(header::CONTENT_SECURITY_POLICY)?
            .to_str()
            .ok()?;
        let nonce = nonce_of(policy)?;
        let mut headers = parts.headers.clone();
        headers.remove(header::CONTENT_LENGTH);
        headers.remove(header::DATE);
        headers.remove(header::CONTENT_SECURITY_POLICY);
        Some(Self {
            status: parts.status,
            headers,
            policy: policy.split(nonce).map(str::to_owned).collect(),
            body: split_bytes(body, nonce.as_bytes()),
            body_len: body.len(),
        })
    }

    fn size(&self) -> usize {
        self.body_len + self.policy.iter().map(String::len).sum::<usize>() + 512
    }

    /// This page with a fresh nonce.
    fn respond(&self) -> Response {
        let nonce = leptos::nonce::Nonce::new();
        let nonce: &str = nonce.as_inner();
        let mut body = Vec::with_capacity(self.body_len + self.body.len() * nonce.len());
        for (index, part) in self.body.iter().enumerate() {
            if index > 0 {
                body.extend_from_slice(nonce.as_bytes());
            }
            body.extend_from_slice(part);
        }
        let mut response = (self.status, Body::from(body)).into_response();
        *response.headers_mut() = self.headers.clone();
        if let Ok(policy) = HeaderValue::from_str(&self.policy.join(nonce)) {
            response
                .headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, policy);
        }
        response
    }
}

/// The nonce a CSP header allows scripts with (`'nonce-…'`).
fn nonce_of(policy: &str) -> Option<&str> {
    let start = policy.find("'nonce-")? + "'nonce-".len();
    let len = policy[start..].find('\'')?;
    let nonce = &policy[start..start + len];
    // Leptos's nonces are 22+ characters of base64; anything short could occur by chance.
    (nonce.len() >= 16).then_some(nonce)
}

/// `bytes` cut at every occurrence of `needle` (which is left out).
fn split_bytes(bytes: &Bytes, needle: &[u8]) -> Vec<Bytes> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while at + needle.len() <= bytes.len() {
        if &bytes[at..at + needle.len()] == needle {
            parts.push(bytes.slice(start..at));
            at += needle.len();
            start = at;
        } else {
            at += 1;
        }
    }
    parts.push(bytes.slice(start..));
    parts
}

/// Middleware on the page routes: answers a `GET` from the cache, or renders it and keeps it
/// when it may be cached.
pub async fn serve(State(cache): State<PageCache>, request: Request, next: Next) -> Response {
    if request.method() != Method::GET {
        return next.run(request).await;
    }
    let key = cache.key(&request);
    if let Some(page) = cache.get(&key) {
        let mut response = page.respond();
        response
            .headers_mut()
            .insert(CACHE_HEADER, HeaderValue::from_static("hit"));
        return response;
    }
    let response = next.run(request).await;
    let (mut parts, body) = response.into_parts();
    let might_cache = parts.status == StatusCode::OK
        && parts
            .headers
            .get(header::CONTENT_TYPE)
            .is_some_and(|value| value.as_bytes().starts_with(b"text/html"));
    if !might_cache {
        return Response::from_parts(parts, body);
    }
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(error) => {
            tracing::error!(%error, "could not read a rendered page");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if let Some(page) = CachedPage::from_response(&parts, &body) {
        cache.insert(key, page);
        parts
            .headers
            .insert(CACHE_HEADER, HeaderValue::from_static("miss"));
    }
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: &'static str, nonce: &str) -> CachedPage {
        let (mut parts, ()) = Response::new(()).into_parts();
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        parts.headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&format!(
                "script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'"
            ))
            .unwrap(),
        );
        CachedPage::from_response(&parts, &Bytes::from_static(body.as_bytes())).unwrap()
    }

    #[test]
    fn nonces_are_read_from_the_policy_and_must_be_long() {
        assert_eq!(
            nonce_of("default-src 'self'; script-src 'nonce-AbCdEfGhIjKlMnOpQrStUv' 'x'"),
            Some("AbCdEfGhIjKlMnOpQrStUv")
        );
        assert_eq!(nonce_of("script-src 'nonce-ab'"), None);
        assert_eq!(nonce_of("script-src 'self'"), None);
    }

    #[test]
    fn bodies_are_cut_at_every_occurrence() {
        let parts = split_bytes(&Bytes::from_static(b"NNaNNbNN"), b"NN");
        assert_eq!(parts, ["", "a", "b", ""]);
        assert_eq!(split_bytes(&Bytes::from_static(b"abc"), b"NN"), ["abc"]);
    }

    #[test]
    fn the_least_recently_used_page_goes_first_when_full() {
        let nonce = "0123456789abcdefghijkl";
        let cache = PageCache::new(
            Limits {
                max_bytes: 1 << 20,
                max_entries: 2,
            },
            true,
        );
        cache.insert("/a".into(), page("a", nonce));
        cache.insert("/b".into(), page("b", nonce));
        assert!(cache.get("/a").is_some());
        cache.insert("/c".into(), page("c", nonce));
        assert_eq!(cache.len(), 2);
        assert!(cache.get("/b").is_none(), "least recently used");
        assert!(cache.get("/a").is_some());
        assert!(cache.get("/c").is_some());
    }

    #[test]
    fn the_byte_bound_holds() {
        let nonce = "0123456789abcdefghijkl";
        let cache = PageCache::new(
            Limits {
                max_bytes: 4 * 1024,
                max_entries: 100,
            },
            true,
        );
        for n in 0..20 {
            cache.insert(format!("/{n}"), page("<p>page</p>", nonce));
        }
        assert!(cache.lock().bytes <= 4 * 1024);
        assert!(cache.len() < 20 && !cache.is_empty());
    }

    #[test]
    fn errors_and_cookies_are_never_cached() {
        let (mut parts, ()) = Response::new(()).into_parts();
        parts
            .headers
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        parts.headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("script-src 'nonce-0123456789abcdefghijkl'"),
        );
        let body = Bytes::from_static(b"<p>x</p>");
        assert!(CachedPage::from_response(&parts, &body).is_some());

        parts.status = StatusCode::NOT_FOUND;
        assert!(CachedPage::from_response(&parts, &body).is_none());
        parts.status = StatusCode::OK;
        parts
            .headers
            .insert(header::SET_COOKIE, HeaderValue::from_static("a=b"));
        assert!(CachedPage::from_response(&parts, &body).is_none());
    }

    #[test]
    fn each_response_gets_a_fresh_nonce_in_header_and_body() {
        let cached = page(
            r#"<script nonce="0123456789abcdefghijkl">x</script><link crossorigin="0123456789abcdefghijkl">"#,
            "0123456789abcdefghijkl",
        );
        let first = cached.respond();
        let second = cached.respond();
        let nonce = |response: &Response| {
            nonce_of(
                response.headers()[header::CONTENT_SECURITY_POLICY]
                    .to_str()
                    .unwrap(),
            )
            .unwrap()
            .to_owned()
        };
        assert_ne!(nonce(&first), nonce(&second));
        assert_ne!(nonce(&first), "0123456789abcdefghijkl");
        let policy = first.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            policy,
            format!(
                "script-src 'nonce-{0}'; style-src 'nonce-{0}'",
                nonce(&first)
            )
        );
    }
}

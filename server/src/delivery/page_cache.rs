//! The server-rendered pages, rendered once and then answered from memory.
//!
//! Why this is safe: a page's HTML depends only on the roadmaps (loaded at start-up and never
//! changed while the process runs — a new content deploy is a new process, which starts with an
//! empty cache), on the request's path and query, and, for the map page's absolute links, on
//! the site's origin (the configured public URL, else the request's `Host` and
//! `X-Forwarded-Proto`, which are then part of the key), and for the map page on the form
//! factor the request says (`FormFactor`, also part of its key). Nothing the server renders reads a
//! cookie or the session: who is signed in, the theme and progress are the browser's business
//! after hydration. So no invalidation is needed, only a bound on memory.
//!
//! The one per-response part of a page is its CSP nonce (see `app::csp`). A cached page keeps
//! its bytes cut at every occurrence of the nonce it was rendered with (a fresh 128-bit random
//! value, so it occurs nowhere else), and each response gets a new nonce put back in those
//! places and in its `Content-Security-Policy` header: the bytes are the ones an uncached render
//! gives, except the nonce.
//!
//! Compressed pages: a page is unique per response, so it cannot be compressed once as a
//! whole, but gzip can be assembled: each piece between nonces is deflated once (ending on a
//! byte boundary, a sync flush), and a response is those pieces with its nonce between them as
//! stored (uncompressed) deflate blocks, a final empty block, and the CRC-32 of the whole
//! combined from the pieces' CRCs. Made in the background on the first request for a page
//! that accepts gzip (until then the router compresses that page on the fly).
//!
//! Cached: `GET`s answered 200 with `text/html`, no `Set-Cookie`, and a nonce in the CSP
//! header. Never cached: errors (404, 400 for bad embed options, 500), other methods, and
//! anything setting a cookie. Bounded by total bytes and by entry count, least recently used
//! first out.

use std::{
    collections::HashMap,
    io::Write,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex, OnceLock,
    },
};

use crate::delivery::{
    page_keys::PageQueries,
    precompressed::{self, Coding},
};
use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{header, response::Parts, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use trailmap_core::form_factor::FormFactor;

/// The response header that says whether a page came from the cache (`hit`) or was rendered
/// (`miss`); only on cacheable requests.
pub const CACHE_HEADER: &str = "x-page-cache";

/// Entries one path may hold (its query and origin variants); more are rendered uncached, so
/// that variants of one page cannot push the others out.
pub const MAX_VARIANTS_PER_PATH: usize = 16;

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
    /// Which queries are what a page reads (others are rendered uncached).
    queries: PageQueries,
}

#[derive(Debug, Default)]
struct Entries {
    pages: HashMap<String, (Arc<CachedPage>, u64)>,
    /// Entries per path.
    variants: HashMap<String, usize>,
    bytes: usize,
    clock: u64,
}

impl PageCache {
    pub fn new(limits: Limits, public_url_configured: bool, queries: PageQueries) -> Self {
        Self {
            inner: Arc::default(),
            limits,
            keyed_by_origin: !public_url_configured,
            queries,
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

    /// What a request's page depends on: path and query, and the origin when links use it;
    /// `None` when the query is not one the page reads as written (see `page_keys`).
    fn key(&self, request: &Request) -> Option<String> {
        let uri = request.uri();
        let query = uri.query().unwrap_or_default();
        if !self.queries.cacheable(uri.path(), query) {
            return None;
        }
        let mut key = uri.path().to_owned();
        if !query.is_empty() {
            key.push('?');
            key.push_str(query);
        }
        let header = |name: &str| {
            request
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
        };
        if self.queries.drawn_per_form_factor(uri.path()) {
            let form_factor =
                FormFactor::from_headers(header("sec-ch-ua-mobile"), header("user-agent"));
            key.push(' ');
            key.push_str(form_factor.as_str());
        }
        if self.keyed_by_origin {
            let header = |name: &str| header(name).unwrap_or_default();
            key.push(' ');
            key.push_str(header("x-forwarded-proto"));
            key.push(' ');
            key.push_str(header("host"));
        }
        Some(key)
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
        let path = path_of(&key).to_owned();
        let variants = entries.variants.get(&path).copied().unwrap_or_default();
        if !entries.pages.contains_key(&key) {
            if variants >= MAX_VARIANTS_PER_PATH {
                return;
            }
            entries.variants.insert(path, variants + 1);
        }
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
                let path = path_of(&oldest);
                if let Some(count) = entries.variants.get_mut(path) {
                    *count -= 1;
                    if *count == 0 {
                        entries.variants.remove(path);
                    }
                }
            }
        }
    }
}

/// Whether an answer is of the kind the cache keeps (the rest of the check is
/// `CachedPage::from_response`'s).
fn might_cache(status: StatusCode, headers: &HeaderMap) -> bool {
    status == StatusCode::OK
        && headers
            .get(header::CONTENT_TYPE)
            .is_some_and(|value| value.as_bytes().starts_with(b"text/html"))
}

/// The path a key starts with (up to its query or origin).
fn path_of(key: &str) -> &str {
    key.split(['?', ' ']).next().unwrap_or(key)
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
    /// The pieces of `body`, deflated, once asked for.
    gzip: Arc<OnceLock<GzipPieces>>,
    gzipping: AtomicBool,
}

/// A page's pieces deflated one by one, with what the gzip trailer needs.
#[derive(Debug)]
struct GzipPieces {
    deflated: Vec<Bytes>,
    crcs: Vec<crc32fast::Hasher>,
}

/// The gzip header: deflate, no name, no time, unknown OS.
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
/// An empty final deflate block (fixed Huffman codes, just the end-of-block code).
const FINAL_BLOCK: [u8; 2] = [0x03, 0x00];

impl GzipPieces {
    fn new(pieces: &[Bytes]) -> Self {
        let mut deflated = Vec::with_capacity(pieces.len());
        let mut crcs = Vec::with_capacity(pieces.len());
        for piece in pieces {
            let mut encoder =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
            // Writing to a Vec cannot fail; `flush` is a sync flush: the output ends on a byte
            // boundary with no final block, so pieces can follow one another.
            let _ = encoder.write_all(piece);
            let _ = encoder.flush();
            deflated.push(Bytes::from(encoder.get_ref().clone()));
            let mut crc = crc32fast::Hasher::new();
            crc.update(piece);
            crcs.push(crc);
        }
        Self { deflated, crcs }
    }

    /// The gzip member of the page with `nonce` between the pieces.
    fn assemble(&self, nonce: &str, total_len: usize) -> Vec<u8> {
        let nonce = nonce.as_bytes();
        let size = self.deflated.iter().map(Bytes::len).sum::<usize>();
        let mut out = Vec::with_capacity(size + 64 * self.deflated.len() + 32);
        out.extend_from_slice(&GZIP_HEADER);
        let mut nonce_crc = crc32fast::Hasher::new();
        nonce_crc.update(nonce);
        let mut crc = crc32fast::Hasher::new();
        for (index, (piece, piece_crc)) in self.deflated.iter().zip(&self.crcs).enumerate() {
            if index > 0 {
                // A stored block: BFINAL 0, BTYPE 00 (byte-aligned), LEN, NLEN, the bytes.
                let len = nonce.len() as u16;
                out.push(0);
                out.extend_from_slice(&len.to_le_bytes());
                out.extend_from_slice(&(!len).to_le_bytes());
                out.extend_from_slice(nonce);
                crc.combine(&nonce_crc);
            }
            out.extend_from_slice(piece);
            crc.combine(piece_crc);
        }
        out.extend_from_slice(&FINAL_BLOCK);
        out.extend_from_slice(&crc.finalize().to_le_bytes());
        out.extend_from_slice(&(total_len as u32).to_le_bytes());
        out
    }
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
            gzip: Arc::default(),
            gzipping: AtomicBool::new(false),
        })
    }

    fn size(&self) -> usize {
        // The deflated pieces, once made, are counted as half the page (HTML compresses far
        // better than that).
        self.body_len + self.body_len / 2 + self.policy.iter().map(String::len).sum::<usize>() + 512
    }

    /// The page's length with a nonce of this length in it.
    fn len_with(&self, nonce: &str) -> usize {
        self.body.iter().map(Bytes::len).sum::<usize>() + (self.body.len() - 1) * nonce.len()
    }

    /// The gzip pieces, or `None` while they are being made (starting that in the background).
    fn gzip_pieces(&self) -> Option<&GzipPieces> {
        if let Some(pieces) = self.gzip.get() {
            return Some(pieces);
        }
        if !self.gzipping.swap(true, Ordering::AcqRel) {
            let slot = self.gzip.clone();
            let body = self.body.clone();
            let work = move || {
                let _ = slot.set(GzipPieces::new(&body));
            };
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn_blocking(work);
                }
                Err(_) => work(),
            }
        }
        None
    }

    /// This page with a fresh nonce, gzipped when the client accepts it and the pieces are
    /// ready.
    fn respond(&self, request_headers: &HeaderMap) -> Response {
        let nonce = leptos::nonce::Nonce::new();
        let nonce: &str = nonce.as_inner();
        let wants_gzip = precompressed::accepted(request_headers).contains(&Coding::Gzip);
        let gzip = wants_gzip
            .then(|| self.gzip_pieces())
            .flatten()
            .map(|pieces| pieces.assemble(nonce, self.len_with(nonce)));
        let gzipped = gzip.is_some();
        let body = gzip.unwrap_or_else(|| {
            let mut body = Vec::with_capacity(self.body_len + self.body.len() * nonce.len());
            for (index, part) in self.body.iter().enumerate() {
                if index > 0 {
                    body.extend_from_slice(nonce.as_bytes());
                }
                body.extend_from_slice(part);
            }
            body
        });
        let mut response = (self.status, Body::from(body)).into_response();
        *response.headers_mut() = self.headers.clone();
        if gzipped {
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            response
                .headers_mut()
                .append(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
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
    let Some(key) = cache.key(&request) else {
        // Rendered, never kept; said so on the answers that would otherwise be.
        let mut response = next.run(request).await;
        if might_cache(response.status(), response.headers()) {
            response
                .headers_mut()
                .insert(CACHE_HEADER, HeaderValue::from_static("bypass"));
        }
        return response;
    };
    if let Some(page) = cache.get(&key) {
        let mut response = page.respond(request.headers());
        response
            .headers_mut()
            .insert(CACHE_HEADER, HeaderValue::from_static("hit"));
        return response;
    }
    let response = next.run(request).await;
    let (mut parts, body) = response.into_parts();
    if !might_cache(parts.status, &parts.headers) {
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

    fn no_queries() -> PageQueries {
        PageQueries::new(trailmap_core::catalog::Catalog::new(Vec::new()))
    }

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
            no_queries(),
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
    fn one_path_holds_at_most_its_share_of_variants() {
        let nonce = "0123456789abcdefghijkl";
        let cache = PageCache::new(Limits::default(), false, no_queries());
        for n in 0..40 {
            cache.insert(
                format!("/embed/backend?height={n} http host"),
                page("e", nonce),
            );
        }
        cache.insert("/roadmaps/backend http host".into(), page("m", nonce));
        assert_eq!(cache.len(), MAX_VARIANTS_PER_PATH + 1);
        assert!(cache.get("/embed/backend?height=0 http host").is_some());
        assert!(cache.get("/embed/backend?height=39 http host").is_none());
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
            no_queries(),
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
    fn assembled_gzip_decodes_to_the_page_with_its_nonce() {
        use std::io::Read;
        let nonce = "0123456789abcdefghijkl";
        let text = format!(
            "<html nonce=\"{nonce}\">{}<script nonce=\"{nonce}\"></script>{}",
            "map card ".repeat(5000),
            "tail".repeat(100)
        );
        let body = Bytes::from(text.clone());
        let pieces = split_bytes(&body, nonce.as_bytes());
        let gzip = GzipPieces::new(&pieces);
        let fresh = "ZYXWVUTSRQPONMLKJIHGFEDCBA";
        let page = GzipPieces::assemble(&gzip, fresh, text.len() + 2 * (fresh.len() - nonce.len()));
        let mut decoded = String::new();
        flate2::read::GzDecoder::new(&page[..])
            .read_to_string(&mut decoded)
            .expect("a valid gzip member (CRC and length checked)");
        assert_eq!(decoded, text.replace(nonce, fresh));
        assert!(page.len() < text.len() / 10);
    }

    #[test]
    fn each_response_gets_a_fresh_nonce_in_header_and_body() {
        let cached = page(
            r#"<script nonce="0123456789abcdefghijkl">x</script><link crossorigin="0123456789abcdefghijkl">"#,
            "0123456789abcdefghijkl",
        );
        let first = cached.respond(&HeaderMap::new());
        let second = cached.respond(&HeaderMap::new());
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

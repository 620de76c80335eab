//! A body that never changes while the process runs (a roadmap's JSON, the wasm, the CSS),
//! kept with its brotli and gzip variants and a strong ETag per representation, so a request
//! costs a lookup and a reference-count increment instead of a serialisation and a compression.
//!
//! Compression is lazy and off the request path: the first request that accepts an encoding
//! starts a blocking task that compresses the body once (brotli quality 11, gzip level 9) and
//! is itself answered with the plain body (which the router's `CompressionLayer` compresses on
//! the fly, as before). Every later request gets the stored variant. Nothing is compressed at
//! start-up, so a server (and every integration test's server) starts at once, and bodies no
//! one asks for compressed are never compressed.

use std::{
    io::Write,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, OnceLock,
    },
};

use axum::{
    body::Bytes,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};

use crate::delivery::etag::{client_has_current, fnv1a};

/// A content coding the server can store a variant in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coding {
    Brotli,
    Gzip,
}

impl Coding {
    fn name(self) -> &'static str {
        match self {
            Self::Brotli => "br",
            Self::Gzip => "gzip",
        }
    }

    fn etag_suffix(self) -> &'static str {
        match self {
            Self::Brotli => "-br",
            Self::Gzip => "-gz",
        }
    }

    /// The body in this coding.
    pub fn compress(self, body: &[u8]) -> Bytes {
        let mut out = Vec::with_capacity(body.len() / 3);
        match self {
            Self::Brotli => {
                let params = brotli::enc::BrotliEncoderParams {
                    quality: 11,
                    lgwin: 22,
                    ..Default::default()
                };
                let mut input = body;
                // Writing to a Vec cannot fail.
                let _ = brotli::BrotliCompress(&mut input, &mut out, &params);
            }
            Self::Gzip => {
                let mut encoder =
                    flate2::write::GzEncoder::new(&mut out, flate2::Compression::best());
                let _ = encoder.write_all(body);
                let _ = encoder.finish();
            }
        }
        Bytes::from(out)
    }
}

/// The codings a request's `Accept-Encoding` allows, best first (brotli, then gzip). A coding
/// with `q=0` is refused; `*` allows both unless they are named with `q=0`.
pub fn accepted(request_headers: &HeaderMap) -> Vec<Coding> {
    let mut brotli = None;
    let mut gzip = None;
    let mut any = None;
    for value in request_headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let allowed = parts
                .filter_map(|param| param.trim().strip_prefix("q="))
                .all(|q| q.trim().parse::<f32>().map_or(false, |q| q > 0.0));
            match name.as_str() {
                "br" => brotli = Some(allowed),
                "gzip" | "x-gzip" => gzip = Some(allowed),
                "*" => any = Some(allowed),
                _ => {}
            }
        }
    }
    let any = any.unwrap_or(false);
    let mut codings = Vec::new();
    if brotli.unwrap_or(any) {
        codings.push(Coding::Brotli);
    }
    if gzip.unwrap_or(any) {
        codings.push(Coding::Gzip);
    }
    codings
}

/// One immutable body and its compressed variants (filled in once, lazily).
#[derive(Debug)]
struct Inner {
    raw: Bytes,
    /// `None` inside: compressing did not make it smaller.
    brotli: OnceLock<Option<Bytes>>,
    gzip: OnceLock<Option<Bytes>>,
    compressing: AtomicBool,
    /// The strong ETag's hash part (`"<hash>"`, `"<hash>-br"`, `"<hash>-gz"`).
    hash: String,
    content_type: HeaderValue,
}

impl Inner {
    /// Makes every variant not made yet.
    fn fill(&self) {
        for (coding, slot) in [(Coding::Brotli, &self.brotli), (Coding::Gzip, &self.gzip)] {
            if slot.get().is_none() {
                let compressed = coding.compress(&self.raw);
                let _ = slot.set((compressed.len() < self.raw.len()).then_some(compressed));
            }
        }
    }
}

#[derive(Clone, Debug)]
pub struct Precompressed(Arc<Inner>);

impl Precompressed {
    pub fn new(raw: impl Into<Bytes>, content_type: &'static str) -> Self {
        let raw = raw.into();
        Self(Arc::new(Inner {
            hash: format!("{:016x}", fnv1a(&raw)),
            raw,
            brotli: OnceLock::new(),
            gzip: OnceLock::new(),
            compressing: AtomicBool::new(false),
            content_type: HeaderValue::from_static(content_type),
        }))
    }

    /// With variants already made (by the build, next to the file): nothing to compress.
    pub fn with_variants(
        raw: impl Into<Bytes>,
        content_type: &'static str,
        brotli: Option<Bytes>,
        gzip: Option<Bytes>,
    ) -> Self {
        let this = Self::new(raw, content_type);
        if let Some(brotli) = brotli {
            let _ = this.0.brotli.set(Some(brotli));
        }
        if let Some(gzip) = gzip {
            let _ = this.0.gzip.set(Some(gzip));
        }
        this
    }

    pub fn raw(&self) -> &Bytes {
        &self.0.raw
    }

    /// The hash part of the ETags: equal bodies, equal hash.
    pub fn hash(&self) -> &str {
        &self.0.hash
    }

    /// The plain body's strong ETag.
    pub fn etag(&self) -> String {
        format!("\"{}\"", self.0.hash)
    }

    fn variant(&self, coding: Coding) -> Option<&Bytes> {
        match coding {
            Coding::Brotli => self.0.brotli.get(),
            Coding::Gzip => self.0.gzip.get(),
        }
        .and_then(Option::as_ref)
    }

    /// Starts compressing the body in the background, once.
    fn start_compressing(&self) {
        if self.0.compressing.swap(true, Ordering::AcqRel) {
            return;
        }
        let inner = self.0.clone();
        let work = move || inner.fill();
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn_blocking(work);
            }
            Err(_) => work(),
        }
    }

    /// Compresses now, on this thread (tests, and callers that already run off the runtime).
    pub fn compress_now(&self) {
        self.0.compressing.store(true, Ordering::Release);
        self.0.fill();
    }

    /// The representation for this request: the best stored variant the client accepts, else
    /// the plain body (starting the compression when the client would have liked a variant).
    /// A 304 when `If-None-Match` names this version in any coding. `extra` headers (cache
    /// policy, CSP) go on both.
    pub fn respond(
        &self,
        request_headers: &HeaderMap,
        extra: &[(header::HeaderName, HeaderValue)],
    ) -> Response {
        let codings = accepted(request_headers);
        let chosen = codings
            .iter()
            .find_map(|&coding| self.variant(coding).map(|body| (coding, body.clone())));
        if chosen.is_none() && !codings.is_empty() {
            self.start_compressing();
        }
        let (encoding, body, etag) = match chosen {
            Some((coding, body)) => (
                Some(coding.name()),
                body,
                format!("\"{}{}\"", self.0.hash, coding.etag_suffix()),
            ),
            None => (None, self.0.raw.clone(), self.etag()),
        };
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ETAG,
            HeaderValue::from_str(&etag).expect("a hex ETag is a valid header value"),
        );
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        for (name, value) in extra {
            headers.insert(name.clone(), value.clone());
        }
        if self.client_has_current(request_headers) {
            return (StatusCode::NOT_MODIFIED, headers).into_response();
        }
        headers.insert(header::CONTENT_TYPE, self.0.content_type.clone());
        if let Some(encoding) = encoding {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        (headers, body).into_response()
    }

    /// Whether `If-None-Match` names this body in any of its codings.
    pub fn client_has_current(&self, request_headers: &HeaderMap) -> bool {
        [
            self.etag(),
            format!("\"{}-br\"", self.0.hash),
            format!("\"{}-gz\"", self.0.hash),
        ]
        .iter()
        .any(|tag| client_has_current(request_headers, tag))
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn accept_encoding_is_read_with_q_values_and_wildcards() {
        use Coding::{Brotli, Gzip};
        assert_eq!(accepted(&headers(&[])), vec![]);
        assert_eq!(
            accepted(&headers(&[("accept-encoding", "gzip, deflate, br")])),
            vec![Brotli, Gzip]
        );
        assert_eq!(
            accepted(&headers(&[("accept-encoding", "br;q=0, gzip;q=0.5")])),
            vec![Gzip]
        );
        assert_eq!(
            accepted(&headers(&[("accept-encoding", "*;q=0.1, gzip;q=0")])),
            vec![Brotli]
        );
        assert_eq!(
            accepted(&headers(&[("accept-encoding", "identity")])),
            vec![]
        );
        assert_eq!(
            accepted(&headers(&[("accept-encoding", "GZIP;q=bad")])),
            vec![]
        );
    }

    fn body_of(response: Response) -> (HeaderMap, Vec<u8>) {
        let (parts, body) = response.into_parts();
        let bytes = futures_bytes(body);
        (parts.headers, bytes)
    }

    fn futures_bytes(body: axum::body::Body) -> Vec<u8> {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(axum::body::to_bytes(body, usize::MAX))
            .unwrap()
            .to_vec()
    }

    #[test]
    fn variants_decode_to_the_body_and_carry_their_own_etag() {
        let text = "a roadmap body that repeats, repeats, repeats. ".repeat(200);
        let body = Precompressed::new(text.clone(), "application/json");
        body.compress_now();

        let (plain, raw) = body_of(body.respond(&headers(&[]), &[]));
        assert_eq!(raw, text.as_bytes());
        assert!(plain.get(header::CONTENT_ENCODING).is_none());
        assert_eq!(plain[header::VARY], "accept-encoding");

        let (br, compressed) =
            body_of(body.respond(&headers(&[("accept-encoding", "gzip, br")]), &[]));
        assert_eq!(br[header::CONTENT_ENCODING], "br");
        let mut decoded = Vec::new();
        brotli::Decompressor::new(&compressed[..], 4096)
            .read_to_end(&mut decoded)
            .unwrap();
        assert_eq!(decoded, text.as_bytes());

        let (gz, compressed) = body_of(body.respond(&headers(&[("accept-encoding", "gzip")]), &[]));
        assert_eq!(gz[header::CONTENT_ENCODING], "gzip");
        let mut decoded = Vec::new();
        flate2::read::GzDecoder::new(&compressed[..])
            .read_to_end(&mut decoded)
            .unwrap();
        assert_eq!(decoded, text.as_bytes());

        let tags = [&plain[header::ETAG], &br[header::ETAG], &gz[header::ETAG]];
        assert_ne!(tags[0], tags[1]);
        assert_ne!(tags[1], tags[2]);
        for tag in tags {
            let mut request = HeaderMap::new();
            request.insert(header::IF_NONE_MATCH, tag.clone());
            assert_eq!(
                body.respond(&request, &[]).status(),
                StatusCode::NOT_MODIFIED
            );
        }
    }

    #[test]
    fn a_variant_that_would_be_larger_is_not_kept() {
        let body = Precompressed::new("x", "text/plain");
        body.compress_now();
        let (headers, bytes) = body_of(body.respond(&headers(&[("accept-encoding", "br")]), &[]));
        assert!(headers.get(header::CONTENT_ENCODING).is_none());
        assert_eq!(bytes, b"x");
    }
}

//! What the server does around the embed pages (`/embed/{slug}`), which Leptos renders: they
//! are framed by other sites, so they neither read nor set cookies. A session cookie sent with
//! a framed request is dropped before the app sees it, and any `Set-Cookie` is removed from the
//! answer: whatever a host page does, an embed cannot act as the learner or track them.

use axum::{extract::Request, http::header, middleware::Next, response::Response};
use trailmap_core::links::EMBED_PREFIX;

/// Middleware: for `/embed/…`, no cookies in, no cookies out. Other paths pass untouched.
pub async fn without_cookies(mut request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with(EMBED_PREFIX) {
        return next.run(request).await;
    }
    request.headers_mut().remove(header::COOKIE);
    let mut response = next.run(request).await;
    response.headers_mut().remove(header::SET_COOKIE);
    response
}

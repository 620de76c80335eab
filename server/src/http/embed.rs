//! What the server does around the embed pages (`/embed/{slug}`), which Leptos renders: they
//! are framed by other sites, so they neither read nor set cookies. A session cookie sent with
//! a framed request is dropped before the app sees it, and any `Set-Cookie` is removed from the
//! answer: whatever a host page does, an embed cannot act as the learner or track them.
//! Shared progress (the page, its badge and `/api/shared/{token}`) is treated the same way: it
//! is read by strangers and must neither know nor mark them.

use axum::{
    extract::Request,
    http::{header, Method},
    middleware::Next,
    response::Response,
};
use trailmap_core::links::EMBED_PREFIX;

/// Middleware: for `/embed/…` and shared progress, no cookies in, no cookies out. Other paths
/// pass untouched.
pub async fn without_cookies(mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    // Reads of `/api/shared/…` only: another method there must still meet the CSRF check
    // (and its 405), which needs the cookie.
    let shared_read =
        path.starts_with("/api/shared/") && matches!(*request.method(), Method::GET | Method::HEAD);
    let cookie_free =
        path.starts_with(EMBED_PREFIX) || shared_read || super::shared_page::is_shared_path(path);
    if !cookie_free {
        return next.run(request).await;
    }
    request.headers_mut().remove(header::COOKIE);
    let mut response = next.run(request).await;
    response.headers_mut().remove(header::SET_COOKIE);
    response
}

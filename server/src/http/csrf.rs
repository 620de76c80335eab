//! CSRF protection for the JSON API, as one middleware on the `/api` router.
//!
//! Every state-changing request (POST, PUT, PATCH, DELETE) must
//! 1. carry an `X-CSRF-Token` header equal to the `trailmap_csrf` cookie (double submit:
//!    another site can make a browser send our cookies, but cannot read them to copy one
//!    into a header, and a plain HTML form cannot set headers at all), and
//! 2. when the browser sends `Origin`, come from our own origin (scheme + `Host`); a
//!    `Sec-Fetch-Site: cross-site` request is refused too.
//!
//! Failing either is a 403 `{ "error": "csrf" }`. Safe methods pass untouched.

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{error::ApiError, http::cookies};

pub async fn require_token(
    State(policy): State<cookies::CookiePolicy>,
    request: Request,
    next: Next,
) -> Response {
    let changes_state = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    if changes_state {
        if let Err(message) = check(request.headers(), policy.is_https(request.headers())) {
            return ApiError::Csrf(message.into()).into_response();
        }
    }
    next.run(request).await
}

fn check(headers: &HeaderMap, https: bool) -> Result<(), &'static str> {
    let text = |name| headers.get(name).and_then(|value| value.to_str().ok());
    if text("sec-fetch-site").is_some_and(|site| site.eq_ignore_ascii_case("cross-site")) {
        return Err("cross-site requests are not allowed");
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let scheme = if https { "https" } else { "http" };
        let ours = text(header::HOST.as_str()).map(|host| format!("{scheme}://{host}"));
        if ours.is_none_or(|ours| origin.as_bytes() != ours.as_bytes()) {
            return Err("the request comes from another origin");
        }
    }
    let cookie = cookies::get(headers, cookies::CSRF)
        .filter(|token| !token.is_empty())
        .ok_or("no CSRF cookie: GET /api/auth/csrf first")?;
    let sent = text("x-csrf-token").ok_or("missing X-CSRF-Token header")?;
    if !constant_time_eq(sent.as_bytes(), cookie.as_bytes()) {
        return Err("the X-CSRF-Token header does not match the CSRF cookie");
    }
    Ok(())
}

/// Compares without stopping at the first difference, so timing tells nothing about the token.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn matching_token_and_same_origin_pass() {
        let ok = headers(&[
            ("cookie", "trailmap_csrf=abc"),
            ("x-csrf-token", "abc"),
            ("host", "example.org"),
            ("origin", "https://example.org"),
        ]);
        assert_eq!(check(&ok, true), Ok(()));
        assert!(check(&ok, false).is_err(), "scheme must match too");
    }

    #[test]
    fn missing_or_wrong_tokens_and_foreign_origins_fail() {
        let no_header = headers(&[("cookie", "trailmap_csrf=abc")]);
        assert!(check(&no_header, false).is_err());
        let no_cookie = headers(&[("x-csrf-token", "abc")]);
        assert!(check(&no_cookie, false).is_err());
        let empty = headers(&[("cookie", "trailmap_csrf="), ("x-csrf-token", "")]);
        assert!(check(&empty, false).is_err());
        let wrong = headers(&[("cookie", "trailmap_csrf=abc"), ("x-csrf-token", "abd")]);
        assert!(check(&wrong, false).is_err());
        let foreign = headers(&[
            ("cookie", "trailmap_csrf=abc"),
            ("x-csrf-token", "abc"),
            ("host", "example.org"),
            ("origin", "http://evil.example"),
        ]);
        assert!(check(&foreign, false).is_err());
        let cross_site = headers(&[
            ("cookie", "trailmap_csrf=abc"),
            ("x-csrf-token", "abc"),
            ("sec-fetch-site", "cross-site"),
        ]);
        assert!(check(&cross_site, false).is_err());
    }
}

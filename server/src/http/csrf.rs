//! CSRF protection for the JSON API, as one middleware on the `/api` router.
//!
//! Every state-changing request (POST, PUT, PATCH, DELETE) must
//! 1. carry an `X-CSRF-Token` header equal to the `trailmap_csrf` cookie (double submit:
//!    another site can make a browser send our cookies, but cannot read them to copy one
//!    into a header, and a plain HTML form cannot set headers at all),
//! 2. whose token is signed for the session cookie the request carries (none for a guest; see
//!    `accounts::CsrfKey`), so a token planted in the browser, or read for another session, is
//!    refused, and
//! 3. when the browser sends `Origin`, come from our own origin (scheme + `Host`); a
//!    `Sec-Fetch-Site: cross-site` request is refused too.
//!
//! Failing any is a 403 `{ "error": "csrf" }`. Safe methods pass untouched.

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{
    accounts::{constant_time_eq, CsrfKey},
    error::ApiError,
    http::cookies::{self, CookiePolicy},
};

/// What the check needs: how cookies are named here and the signing key.
#[derive(Clone, Debug)]
pub struct CsrfGuard {
    pub policy: CookiePolicy,
    pub key: CsrfKey,
}

impl CsrfGuard {
    /// The session token a request's CSRF token must be signed for (`None` for a guest).
    pub fn session<'a>(&self, headers: &'a HeaderMap) -> Option<&'a str> {
        self.policy.session_token(headers)
    }

    /// The browser's CSRF token, if it is one made for its current session.
    pub fn valid_token<'a>(&self, headers: &'a HeaderMap) -> Option<&'a str> {
        self.policy
            .read(headers, cookies::CSRF)
            .filter(|token| self.key.verify(token, self.session(headers)))
    }
}

pub async fn require_token(
    State(guard): State<CsrfGuard>,
    request: Request,
    next: Next,
) -> Response {
    let changes_state = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    if changes_state {
        if let Err(message) = check(&guard, request.headers()) {
            return ApiError::Csrf(message.into()).into_response();
        }
    }
    next.run(request).await
}

fn check(guard: &CsrfGuard, headers: &HeaderMap) -> Result<(), &'static str> {
    let text = |name| headers.get(name).and_then(|value| value.to_str().ok());
    if text("sec-fetch-site").is_some_and(|site| site.eq_ignore_ascii_case("cross-site")) {
        return Err("cross-site requests are not allowed");
    }
    let https = guard.policy.is_https(headers);
    if let Some(origin) = headers.get(header::ORIGIN) {
        let scheme = if https { "https" } else { "http" };
        let ours = text(header::HOST.as_str()).map(|host| format!("{scheme}://{host}"));
        if ours.is_none_or(|ours| origin.as_bytes() != ours.as_bytes()) {
            return Err("the request comes from another origin");
        }
    }
    let cookie = guard
        .policy
        .read(headers, cookies::CSRF)
        .ok_or("no CSRF cookie: GET /api/auth/csrf first")?;
    let sent = text("x-csrf-token").ok_or("missing X-CSRF-Token header")?;
    if !constant_time_eq(sent.as_bytes(), cookie.as_bytes()) {
        return Err("the X-CSRF-Token header does not match the CSRF cookie");
    }
    if !guard.key.verify(cookie, guard.session(headers)) {
        return Err("the CSRF token is not this session's: GET /api/auth/csrf for a new one");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn guard(https: bool) -> CsrfGuard {
        CsrfGuard {
            policy: CookiePolicy {
                secure_always: https,
            },
            key: CsrfKey::from_hex(&"ab".repeat(32)).unwrap(),
        }
    }

    fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    const SESSION: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn a_signed_matching_token_from_our_origin_passes() {
        let guard = guard(true);
        let token = guard.key.mint(Some(SESSION)).unwrap();
        let ok = headers(&[
            (
                "cookie",
                format!("__Host-trailmap_csrf={token}; __Host-trailmap_session={SESSION}"),
            ),
            ("x-csrf-token", token.clone()),
            ("host", "example.org".into()),
            ("origin", "https://example.org".into()),
        ]);
        assert_eq!(check(&guard, &ok), Ok(()));
        let guest = self::guard(false);
        let token = guest.key.mint(None).unwrap();
        let ok = headers(&[
            ("cookie", format!("trailmap_csrf={token}")),
            ("x-csrf-token", token),
        ]);
        assert_eq!(check(&guest, &ok), Ok(()));
    }

    #[test]
    fn missing_wrong_unsigned_or_foreign_tokens_fail() {
        let guard = guard(false);
        let token = guard.key.mint(None).unwrap();
        let cookie = format!("trailmap_csrf={token}");
        let no_header = headers(&[("cookie", cookie.clone())]);
        assert!(check(&guard, &no_header).is_err());
        let no_cookie = headers(&[("x-csrf-token", token.clone())]);
        assert!(check(&guard, &no_cookie).is_err());
        let wrong = headers(&[("cookie", cookie.clone()), ("x-csrf-token", "abd".into())]);
        assert!(check(&guard, &wrong).is_err());
        // The old plain double submit: any value equal in cookie and header.
        let unsigned = headers(&[
            ("cookie", "trailmap_csrf=abc".into()),
            ("x-csrf-token", "abc".into()),
        ]);
        assert!(check(&guard, &unsigned).is_err());
        // A guest's token no longer works once the browser holds a session.
        let other_session = headers(&[
            ("cookie", format!("{cookie}; trailmap_session={SESSION}")),
            ("x-csrf-token", token.clone()),
        ]);
        assert!(check(&guard, &other_session).is_err());
        let foreign = headers(&[
            ("cookie", cookie.clone()),
            ("x-csrf-token", token.clone()),
            ("host", "example.org".into()),
            ("origin", "http://evil.example".into()),
        ]);
        assert!(check(&guard, &foreign).is_err());
        let cross_site = headers(&[
            ("cookie", cookie),
            ("x-csrf-token", token),
            ("sec-fetch-site", "cross-site".into()),
        ]);
        assert!(check(&guard, &cross_site).is_err());
    }

    #[test]
    fn scheme_must_match_and_plain_names_are_ignored_over_https() {
        let https = guard(true);
        let token = https.key.mint(None).unwrap();
        let plain_names = headers(&[
            ("cookie", format!("trailmap_csrf={token}")),
            ("x-csrf-token", token.clone()),
        ]);
        assert!(check(&https, &plain_names).is_err());
        let http_origin = headers(&[
            ("cookie", format!("__Host-trailmap_csrf={token}")),
            ("x-csrf-token", token),
            ("host", "example.org".into()),
            ("origin", "http://example.org".into()),
        ]);
        assert!(check(&https, &http_origin).is_err());
    }
}

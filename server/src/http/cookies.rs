//! The two cookies the API sets, read and written by hand (two names, fixed attributes: a
//! cookie crate would add more than it saves).
//!
//! - `trailmap_session`: the session token. HttpOnly (scripts never see it), SameSite=Lax
//!   (sent on top-level navigation from other sites, never on their sub-requests or form POSTs).
//! - `trailmap_csrf`: the CSRF token (signed for the session, see `accounts::CsrfKey`).
//!   Readable by scripts on purpose (the client copies it into `X-CSRF-Token`),
//!   SameSite=Strict.
//!
//! Over HTTPS (a proxy said `X-Forwarded-Proto: https`, or the server runs with
//! `--secure-cookies`) both are `Secure` and named with the `__Host-` prefix
//! (`__Host-trailmap_session`): browsers then accept them only from this very host over HTTPS
//! with `Path=/`, so a sibling subdomain or a plain-HTTP page cannot plant or overwrite them.
//! Only the prefixed names are read over HTTPS.

use axum::http::{HeaderMap, HeaderValue};

use crate::store::sessions::ABSOLUTE_SECONDS;

pub const SESSION: &str = "trailmap_session";
pub const CSRF: &str = "trailmap_csrf";
/// The prefix of the cookies' names over HTTPS.
pub const HOST_PREFIX: &str = "__Host-";

/// Whether to mark cookies `Secure` (and expect `https` origins).
#[derive(Clone, Copy, Debug, Default)]
pub struct CookiePolicy {
    /// `--secure-cookies`: always.
    pub secure_always: bool,
}

impl CookiePolicy {
    pub fn is_https(self, headers: &HeaderMap) -> bool {
        self.secure_always
            || headers
                .get("x-forwarded-proto")
                .and_then(|value| value.to_str().ok())
                .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
    }

    /// The value of our cookie `base` (`SESSION`, `CSRF`) on this request, under the name it
    /// has here: `__Host-` prefixed over HTTPS, plain otherwise.
    pub fn read<'a>(self, headers: &'a HeaderMap, base: &str) -> Option<&'a str> {
        if self.is_https(headers) {
            get(headers, &format!("{HOST_PREFIX}{base}"))
        } else {
            get(headers, base)
        }
        .filter(|value| !value.is_empty())
    }

    /// The session token the browser sent, if it looks like one of ours.
    pub fn session_token(self, headers: &HeaderMap) -> Option<&str> {
        self.read(headers, SESSION)
            .filter(|token| crate::accounts::looks_like_token(token))
    }
}

/// HSTS (one year, this host only) when the site is served over HTTPS, as `--secure-cookies`
/// or an `https://` public URL says; `None` otherwise (a plain-HTTP site must not send it).
pub fn strict_transport_security(policy: &CookiePolicy, site: &crate::Site) -> Option<HeaderValue> {
    let https = policy.secure_always
        || site
            .public_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://"));
    https.then(|| HeaderValue::from_static("max-age=31536000"))
}

/// The value of cookie `name`, looked up in every `Cookie` header.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
}

pub fn session(id: &str, secure: bool) -> HeaderValue {
    build(
        SESSION,
        id,
        "HttpOnly; SameSite=Lax",
        ABSOLUTE_SECONDS,
        secure,
    )
}

pub fn clear_session(secure: bool) -> HeaderValue {
    build(SESSION, "", "HttpOnly; SameSite=Lax", 0, secure)
}

pub fn csrf(token: &str, secure: bool) -> HeaderValue {
    build(CSRF, token, "SameSite=Strict", ABSOLUTE_SECONDS, secure)
}

fn build(name: &str, value: &str, flags: &str, max_age: i64, secure: bool) -> HeaderValue {
    let (prefix, secure) = if secure {
        (HOST_PREFIX, "; Secure")
    } else {
        ("", "")
    };
    // Names and values are ours (hex tokens): always a valid header value.
    HeaderValue::from_str(&format!(
        "{prefix}{name}={value}; Path=/; Max-Age={max_age}; {flags}{secure}"
    ))
    .expect("cookie values are plain ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_finds_a_cookie_among_several_headers() {
        let mut headers = HeaderMap::new();
        headers.append("cookie", HeaderValue::from_static("a=1; trailmap_csrf=abc"));
        headers.append("cookie", HeaderValue::from_static("trailmap_session=xyz"));
        assert_eq!(get(&headers, CSRF), Some("abc"));
        assert_eq!(get(&headers, SESSION), Some("xyz"));
        assert_eq!(get(&headers, "missing"), None);
    }

    #[test]
    fn cookies_carry_their_flags() {
        let session = session("abc", false);
        assert_eq!(
            session,
            "trailmap_session=abc; Path=/; Max-Age=5184000; HttpOnly; SameSite=Lax"
        );
        let secure = csrf("t", true);
        let secure = secure.to_str().unwrap();
        assert!(
            secure.starts_with("__Host-trailmap_csrf=t; Path=/;"),
            "{secure}"
        );
        assert!(secure.ends_with("SameSite=Strict; Secure"));
        assert!(clear_session(false).to_str().unwrap().contains("Max-Age=0"));
    }

    #[test]
    fn over_https_only_the_prefixed_names_are_read() {
        let mut headers = HeaderMap::new();
        headers.append(
            "cookie",
            HeaderValue::from_static("trailmap_session=planted; __Host-trailmap_session=real"),
        );
        let https = CookiePolicy {
            secure_always: true,
        };
        assert_eq!(https.read(&headers, SESSION), Some("real"));
        assert_eq!(
            CookiePolicy::default().read(&headers, SESSION),
            Some("planted")
        );
        headers.clear();
        headers.append("cookie", HeaderValue::from_static("trailmap_csrf=planted"));
        assert_eq!(https.read(&headers, CSRF), None);
    }
}

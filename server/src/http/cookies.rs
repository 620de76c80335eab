//! The two cookies the API sets, read and written by hand (two names, fixed attributes: a
//! cookie crate would add more than it saves).
//!
//! - `trailmap_session`: the session id. HttpOnly (scripts never see it), SameSite=Lax (sent
//!   on top-level navigation from other sites, never on their sub-requests or form POSTs).
//! - `trailmap_csrf`: the double-submit token. Readable by scripts on purpose (the client
//!   copies it into `X-CSRF-Token`), SameSite=Strict.
//!
//! Both are `Secure` when the request came over HTTPS (a proxy said
//! `X-Forwarded-Proto: https`) or the server runs with `--secure-cookies`.

use axum::http::{HeaderMap, HeaderValue};

use crate::store::sessions::ABSOLUTE_SECONDS;

pub const SESSION: &str = "trailmap_session";
pub const CSRF: &str = "trailmap_csrf";

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
    let secure = if secure { "; Secure" } else { "" };
    // Names and values are ours (hex tokens): always a valid header value.
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; Max-Age={max_age}; {flags}{secure}"
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
        assert!(csrf("t", true)
            .to_str()
            .unwrap()
            .ends_with("SameSite=Strict; Secure"));
        assert!(clear_session(false).to_str().unwrap().contains("Max-Age=0"));
    }
}

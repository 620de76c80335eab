//! The Content-Security-Policy of app pages: scripts run only with this response's nonce
//! (the hydration scripts carry it; 'strict-dynamic' lets them load the wasm glue), wasm may
//! compile ('wasm-unsafe-eval'), and no other site may frame the page — except the embed pages
//! (`/embed/…`), made to be framed: by any site, or by the origins the server is configured
//! with. Style attributes are allowed (the map's card positions); style elements need the nonce.

/// Who may frame a page (the CSP `frame-ancestors` directive).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum FrameAncestors {
    /// Nobody: every page but the embeds.
    #[default]
    None,
    /// Any site.
    Any,
    /// This site and these origins only (each checked by `parse_origin`).
    Only(Vec<String>),
}

impl FrameAncestors {
    /// The embeds' setting from the configured origins: none listed means any site.
    pub fn for_embeds(origins: &[String]) -> Self {
        if origins.is_empty() {
            Self::Any
        } else {
            Self::Only(origins.to_vec())
        }
    }

    fn directive(&self) -> String {
        match self {
            Self::None => "frame-ancestors 'none'".to_owned(),
            Self::Any => "frame-ancestors *".to_owned(),
            // 'self': the map page's Embed dialog previews the embed in an iframe.
            Self::Only(origins) => format!("frame-ancestors 'self' {}", origins.join(" ")),
        }
    }
}

/// Who may frame the embed pages; the server provides it as context.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EmbedAncestors(pub FrameAncestors);

/// An origin as an allow-list may name it: `http(s)://host[:port]`, the host possibly
/// starting with `*.`; nothing else (no path, spaces, quotes or `;`), so a configured value can
/// never add a directive to the policy.
pub fn parse_origin(raw: &str) -> Result<String, String> {
    let origin = raw.trim().trim_end_matches('/');
    let bad = || {
        format!(
            "`{raw}` is not an origin such as https://example.com or https://*.example.com:8443"
        )
    };
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(bad)?;
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (rest, None),
    };
    let host_body = host.strip_prefix("*.").unwrap_or(host);
    let host_ok = !host_body.is_empty()
        && host_body.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    if host_ok && port_ok {
        Ok(origin.to_ascii_lowercase())
    } else {
        Err(bad())
    }
}

/// The policy for one response, given its nonce and who may frame it.
pub fn policy(nonce: &str, ancestors: &FrameAncestors) -> String {
    [
        "default-src 'self'".to_owned(),
        format!("script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'"),
        format!("style-src 'self' 'nonce-{nonce}'"),
        // The map positions its cards with style attributes (server-rendered, then updated
        // through the CSSOM). Attributes only: <style> elements still need the nonce.
        "style-src-attr 'unsafe-inline'".to_owned(),
        "img-src 'self' data:".to_owned(),
        "connect-src 'self'".to_owned(),
        // The offline app shell's service worker (`/sw.js`) and the web app manifest.
        "worker-src 'self'".to_owned(),
        "manifest-src 'self'".to_owned(),
        "object-src 'none'".to_owned(),
        "base-uri 'none'".to_owned(),
        "form-action 'self'".to_owned(),
        ancestors.directive(),
    ]
    .join("; ")
}

/// During server rendering: makes a fresh nonce for this response (Leptos adds it to the
/// scripts it writes) and sends the matching policy header.
#[cfg(feature = "ssr")]
pub fn provide_for_response() {
    use leptos::{nonce, prelude::use_context};

    nonce::provide_nonce();
    let (Some(nonce), Some(response)) = (
        nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let is_embed = use_context::<http::request::Parts>()
        .is_some_and(|parts| parts.uri.path().starts_with(crate::links::EMBED_PREFIX));
    let ancestors = if is_embed {
        use_context::<EmbedAncestors>()
            .map(|embed| embed.0)
            .unwrap_or(FrameAncestors::Any)
    } else {
        FrameAncestors::None
    };
    if let Ok(value) = http::HeaderValue::from_str(&policy(&nonce, &ancestors)) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_allows_only_nonced_scripts_and_forbids_framing() {
        let policy = policy("abc123", &FrameAncestors::None);
        assert!(policy.contains("script-src 'nonce-abc123' 'strict-dynamic' 'wasm-unsafe-eval'"));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(policy.contains("object-src 'none'"));
        assert!(policy.contains("base-uri 'none'"));
        let script_src = policy
            .split("; ")
            .find(|directive| directive.starts_with("script-src"))
            .unwrap();
        assert!(!script_src.contains("unsafe-inline"));
        assert!(policy.contains("style-src 'self' 'nonce-abc123'"));
    }

    #[test]
    fn embeds_may_be_framed_by_anyone_or_by_the_listed_origins() {
        let any = policy("n", &FrameAncestors::for_embeds(&[]));
        assert!(any.contains("frame-ancestors *"));
        let listed = vec![
            "https://blog.example".to_owned(),
            "https://*.docs.example:8443".to_owned(),
        ];
        let only = policy("n", &FrameAncestors::for_embeds(&listed));
        assert!(only
            .ends_with("frame-ancestors 'self' https://blog.example https://*.docs.example:8443"));
    }

    #[test]
    fn origins_are_checked_so_they_cannot_inject_directives() {
        assert_eq!(
            parse_origin("https://Blog.Example/"),
            Ok("https://blog.example".to_owned())
        );
        assert!(parse_origin("http://127.0.0.1:4000").is_ok());
        for bad in [
            "blog.example",
            "ftp://blog.example",
            "https://blog.example/path",
            "https://a.example; script-src *",
            "https://a.example 'unsafe-inline'",
            "https://",
            "https://a..example",
            "https://a.example:99999x",
            "*",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad:?}");
        }
    }
}

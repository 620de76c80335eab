//! The Content-Security-Policy of app pages: scripts run only with this response's nonce
//! (the hydration scripts carry it; 'strict-dynamic' lets them load the wasm glue), wasm may
//! compile ('wasm-unsafe-eval'), and no other site may frame the page. Style attributes are
//! allowed (the map's card positions); style elements need the nonce.

/// The policy for one response, given its nonce.
pub fn policy(nonce: &str) -> String {
    [
        "default-src 'self'".to_owned(),
        format!("script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'"),
        format!("style-src 'self' 'nonce-{nonce}'"),
        // The map positions its cards with style attributes (server-rendered, then updated
        // through the CSSOM). Attributes only: <style> elements still need the nonce.
        "style-src-attr 'unsafe-inline'".to_owned(),
        "img-src 'self' data:".to_owned(),
        "connect-src 'self'".to_owned(),
        "object-src 'none'".to_owned(),
        "base-uri 'none'".to_owned(),
        "form-action 'self'".to_owned(),
        "frame-ancestors 'none'".to_owned(),
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
    if let Ok(value) = http::HeaderValue::from_str(&policy(&nonce)) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_allows_only_nonced_scripts_and_forbids_framing() {
        let policy = policy("abc123");
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
}

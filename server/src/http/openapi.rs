//! The OpenAPI 3.1 document of the JSON API, served at `GET /api/openapi.json`.
//!
//! Nothing here is written by hand but the frame: every path comes from the handler's
//! `#[utoipa::path]` attribute through `utoipa_axum::routes!`, which also registers the route
//! (so the router and the document cannot drift apart), and every schema is derived from the
//! Rust type that is (de)serialised: the wire types in `app` behind its `openapi` feature, the
//! account types and `ErrorBody` here. The document is built and serialised once, when the
//! router is built, and served like the roadmap bodies (ETag, revalidated after a minute).

use axum::{http::HeaderMap, routing::MethodRouter};
use utoipa::{
    openapi::{
        security::{ApiKey, ApiKeyValue, SecurityScheme},
        OpenApi as Document,
    },
    Modify, OpenApi,
};

use crate::{delivery::cached_json::CachedJson, error::ErrorBody, http::cookies};

/// Where the API is nested; the handlers' paths are relative to it.
pub const API_PREFIX: &str = "/api";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Trailmap API",
        description = "Roadmaps (public, cacheable), accounts and progress sync. Every error is \
            a JSON body `{error, message}`. Every POST needs the CSRF double submit: the \
            `trailmap_csrf` cookie from `GET /api/auth/csrf` and the same value in the \
            `X-CSRF-Token` header (and, when sent, an `Origin` equal to the site's own).",
        license(name = "MIT"),
    ),
    tags(
        (name = "roadmaps", description = "The roadmap content, as the site renders it"),
        (name = "auth", description = "Accounts, sessions and the CSRF token"),
        (name = "sync", description = "A signed-in learner's progress, synced between devices"),
    ),
    components(schemas(ErrorBody)),
    modifiers(&SecuritySchemes),
)]
struct ApiDoc;

/// The session cookie and the CSRF header, as security schemes operations refer to.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                cookies::SESSION,
                "Set by sign-up and sign-in; HttpOnly. Named `__Host-trailmap_session` over \
                 HTTPS. Ends after 14 days idle or 60 days.",
            ))),
        );
        components.add_security_scheme(
            "csrf_token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-CSRF-Token",
                "Must equal the `trailmap_csrf` cookie (`__Host-trailmap_csrf` over HTTPS; from \
                 `GET /api/auth/csrf`), a token signed for the browser's session; required on \
                 every POST under /api, failing it is a 403 `{\"error\": \"csrf\"}`.",
            ))),
        );
    }
}

/// The whole document: the frame above plus `paths` (relative to the API prefix, as the
/// handlers declare them, with the schemas they use).
pub fn document(paths: Document) -> Document {
    let mut document = ApiDoc::openapi().nest(API_PREFIX, paths);
    document.info.version = env!("CARGO_PKG_VERSION").to_owned();
    document
}

/// `GET /api/openapi.json`: the document, serialised once.
pub fn route<S: Clone + Send + Sync + 'static>(document: &Document) -> MethodRouter<S> {
    let body = CachedJson::new(document).expect("an OpenAPI document serialises to JSON");
    axum::routing::get(move |headers: HeaderMap| {
        let body = body.clone();
        async move { body.respond(&headers) }
    })
}

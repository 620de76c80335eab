//! The router: which handler answers which path, and the layers around them (CSRF, body
//! limits, the page cache, hashed assets, SVG snapshots, compression, security headers,
//! tracing, metrics). Everything it serves comes from an explicit `AppState`.

use app::{shell, App};
use axum::{
    extract::{DefaultBodyLimit, MatchedPath, Request},
    http::{header, HeaderValue},
    middleware,
    routing::get,
    Router,
};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::{
    compression::CompressionLayer, set_header::SetResponseHeaderLayer, trace::TraceLayer,
};
use utoipa_axum::{router::OpenApiRouter, routes};

use std::sync::OnceLock;

use crate::{
    delivery::{assets, page_cache, service_worker},
    error::ApiError,
    http::{self, auth, csrf, embed, health, oembed, roadmaps, snapshot, topics},
    AppState,
};

pub fn router(state: AppState) -> Router {
    let routes = page_routes();
    let hsts = http::cookies::strict_transport_security(&state.cookie_policy, &state.site);
    let catalog = state.catalog.clone();
    let site = state.site.clone();
    let metrics = state.metrics.clone();
    // JSON routes are registered through `routes!`, which takes each path and method from the
    // handler's `#[utoipa::path]`: a route cannot be added without its OpenAPI entry.
    // A learner's own data: never stored by a cache.
    let personal = OpenApiRouter::new()
        .routes(routes!(auth::signup))
        .routes(routes!(auth::signin))
        .routes(routes!(auth::signout))
        .routes(routes!(auth::me))
        .routes(routes!(auth::session))
        .routes(routes!(auth::csrf))
        .routes(routes!(http::sync::push))
        .routes(routes!(http::sync::pull))
        .routes(routes!(
            http::shares::get,
            http::shares::enable,
            http::shares::disable
        ))
        .routes(routes!(http::shares::regenerate))
        // Public, but one learner's data all the same: no-store like the rest.
        .routes(routes!(http::shares::read))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    let (api, paths) = OpenApiRouter::new()
        .routes(routes!(roadmaps::list))
        .routes(routes!(roadmaps::show))
        .routes(routes!(topics::show))
        .routes(routes!(topics::list))
        .routes(routes!(topics::search_words))
        .merge(personal)
        .split_for_parts();
    let api = api
        .route(
            "/openapi.json",
            http::openapi::route(&http::openapi::document(paths)),
        )
        .fallback(|| async { ApiError::NotFound("no such API endpoint".into()) })
        .layer(DefaultBodyLimit::max(
            trailmap_core::progress::PushRequest::MAX_BODY_BYTES,
        ))
        .layer(middleware::from_fn_with_state(
            state.csrf.clone(),
            csrf::require_token,
        ));

    // The pages Leptos renders (and its server functions), answered from the page cache when
    // they do not depend on the request (see `delivery::page_cache`).
    let pages = Router::new()
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(catalog.clone());
                provide_context(site.embed_ancestors.clone());
                provide_context(app::api::PublicUrl(site.public_url.clone()));
            },
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .route_layer(middleware::from_fn_with_state(
            state.page_cache.clone(),
            page_cache::serve,
        ));

    let router = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/oembed", get(oembed::oembed))
        .route("/sw.js", get(service_worker::serve))
        // A learner's shared progress: outside the page cache (one learner's data each).
        .route(
            "/roadmaps/{slug}/shared/{token}",
            get(http::shared_page::page),
        )
        .route(
            "/roadmaps/{slug}/shared/{token}/badge.svg",
            get(http::shared_page::badge),
        )
        .nest("/api", api)
        .merge(pages)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        // `/roadmaps/{slug}.svg` shares its segment with the map page: answered in front of
        // the routes (see `http::snapshot`).
        .layer(middleware::from_fn_with_state(
            snapshot::Snapshots::new(state.catalog.clone()),
            snapshot::serve_svg,
        ))
        .layer(middleware::from_fn_with_state(
            state.assets.clone(),
            assets::serve,
        ))
        .layer(middleware::from_fn(embed::without_cookies))
        .layer(middleware::from_fn(http::api_errors::json_errors))
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            move |_: &axum::response::Response| hsts.clone(),
        ))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
            let route = request
                .extensions()
                .get::<MatchedPath>()
                .map(MatchedPath::as_str);
            tracing::info_span!("request", method = %request.method(), route, uri = %request.uri())
        }));
    let router = match metrics {
        Some(metrics) => router.layer(middleware::from_fn_with_state(
            metrics,
            crate::metrics::track_requests,
        )),
        None => router,
    };
    router.with_state(state)
}

/// The app's page routes, generated once per process. Generating them runs the app with a
/// process-wide flag set that leaves pending for ever every resource first polled meanwhile,
/// on any thread (leptos#4773): a router built while another serves pages, as the integration
/// tests do, would stall some of those pages. Once is also all a server needs.
fn page_routes() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: OnceLock<Vec<leptos_axum::AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

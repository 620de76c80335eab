//! Server functions the pages load their data through. Bodies stay short: they read the
//! `Catalog` the server put in context.

use leptos::prelude::*;

use crate::roadmap::{RoadmapOutline, RoadmapSummary};

#[server(prefix = "/api/fn", endpoint = "roadmaps")]
pub async fn list_roadmaps() -> Result<Vec<RoadmapSummary>, ServerFnError> {
    let catalog = expect_context::<crate::catalog::Catalog>();
    Ok(catalog.summaries())
}

/// The roadmap without its topics' details (fetched as each topic opens): what the map page
/// carries. `Ok(None)` when no roadmap has this slug: the page turns that into a 404.
#[server(prefix = "/api/fn", endpoint = "roadmap")]
pub async fn get_roadmap(slug: String) -> Result<Option<RoadmapOutline>, ServerFnError> {
    let catalog = expect_context::<crate::catalog::Catalog>();
    Ok(catalog.outline(&slug).cloned())
}

/// The site's configured public origin (`https://trailmap.example`), if any; the server puts
/// it in context.
#[derive(Clone, Debug, Default)]
pub struct PublicUrl(pub Option<String>);

/// This site's origin as readers reach it: the configured public URL, else the request's
/// `Host` (https when a proxy says so in `X-Forwarded-Proto`). Absolute links that leave the
/// site (oEmbed discovery, embed snippets) are written with it.
#[server(prefix = "/api/fn", endpoint = "site_origin")]
pub async fn site_origin() -> Result<String, ServerFnError> {
    if let Some(PublicUrl(Some(url))) = use_context::<PublicUrl>() {
        return Ok(url);
    }
    let parts = expect_context::<http::request::Parts>();
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let host = header("host").ok_or_else(|| ServerFnError::new("the request names no host"))?;
    let scheme = match header("x-forwarded-proto").as_deref() {
        Some("https") => "https",
        _ => "http",
    };
    Ok(format!("{scheme}://{host}"))
}

/// The form factor a page is drawn for. On the server: the request's
/// ([`FormFactor::from_headers`]). In the browser, where a page is drawn after a link inside
/// the app (hydration reads the server's answer instead): the window's, a phone when it is no
/// wider than the map's narrow layout.
pub async fn form_factor() -> crate::form_factor::FormFactor {
    use crate::form_factor::FormFactor;
    #[cfg(feature = "ssr")]
    {
        let Some(parts) = use_context::<http::request::Parts>() else {
            return FormFactor::default();
        };
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|value| value.to_str().ok())
        };
        FormFactor::from_headers(header("sec-ch-ua-mobile"), header("user-agent"))
    }
    #[cfg(not(feature = "ssr"))]
    {
        let width = window()
            .inner_width()
            .ok()
            .and_then(|width| width.as_f64())
            .unwrap_or_default();
        if width > 0.0 && width <= crate::contexts::map_state::NARROW {
            FormFactor::Phone
        } else {
            FormFactor::Wide
        }
    }
}

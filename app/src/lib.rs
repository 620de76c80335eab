#![recursion_limit = "256"]
//! Trailmap's shared application: the server functions, the client state (contexts) and the
//! Leptos components, on top of the pure logic of `trailmap-core` (re-exported here). Built
//! with `ssr` into the server and with `hydrate` into the browser's wasm.

pub mod api;
pub mod api_client;
pub mod browser_storage;
pub mod client_scripts;
pub mod contexts;
pub mod csp;
pub mod lazy;
pub mod map;
pub mod offline;
pub mod pages;
#[cfg(feature = "hydrate")]
pub mod promise;
pub mod theme;

// The pure modules live in `trailmap-core`; re-exported so `crate::layout::…` paths read the
// same in the components.
pub use trailmap_core::{
    catalog, content, embed, form_factor, layout, links, progress, roadmap, search, snapshot,
    viewport,
};

use leptos::{prelude::*, tachys::html::attribute::custom::custom_attribute};
use leptos_meta::{provide_meta_context, Meta, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes, A},
    hooks::use_location,
    path, SsrMode,
};

use crate::client_scripts::ClientScripts;
use crate::pages::{
    account_page::AccountPage, catalog_page::CatalogPage, embed_page::EmbedPage,
    not_found::NotFound, roadmap_page::RoadmapPage,
};

/// The HTML document around the app; rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    csp::provide_for_response();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.ico" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="apple-touch-icon" href="/icons/icon-192.png" />
                <meta name="theme-color" content="#137a7f" />
                <script nonce=leptos::nonce::use_nonce()>{theme::HEAD_SCRIPT}</script>
                <AutoReload options=options.clone() />
                // In the shell, not in `App`: its name carries the build's hash, which only the
                // server knows (see the server's `http::assets`).
                <link
                    rel="stylesheet"
                    id="leptos"
                    href=format!("/{}/{}.css", options.site_pkg_dir, options.output_name)
                />
                // No paint of a half-parsed page: under a slow CPU the parser yields, and a
                // paint of the map page before its last toolbars and layers were parsed laid
                // the toolbars out at the top and moved them down a moment later (a layout
                // shift of 0.14-0.94 in Lighthouse's mobile run). Render-blocking until the
                // end marker is parsed (Chromium; other browsers ignore it).
                <link
                    rel="expect"
                    href=format!("#{PAGE_END}")
                    {..custom_attribute("blocking", "render")}
                />
                // The glue, the split loader and the wasm, asked for while the page is parsed,
                // and the script that hydrates (see `client_scripts`).
                <ClientScripts options=options.clone() />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Flips to true once the wasm has taken over the page: browser tests wait on it, and it
    // is never true in a server-rendered page.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    view! {
        <Title text="Trailmap" />
        <Meta
            name="description"
            content="Interactive learning roadmaps: explore the map, read each topic, track your progress."
        />
        <Router>
            <AppBody hydrated />
        </Router>
    }
}

/// Everything inside the router: the header and the routes. Embeds get neither the header
/// nor an account: they never ask who is signed in (they are credential-free).
#[component]
fn AppBody(hydrated: RwSignal<bool>) -> impl IntoView {
    let embed = is_embed();
    if !embed {
        contexts::account::provide_account();
    }
    view! {
        <SiteHeader />
        {(!embed).then(|| view! { <offline::UpdateNotice /> })}
        <main id="main" class:embed=embed data-hydrated=move || hydrated.get().to_string()>
            <Routes fallback=|| view! { <NotFound /> }>
                <Route path=path!("/") view=CatalogPage ssr=SsrMode::Async />
                <Route path=path!("/roadmaps/:slug") view=RoadmapPage ssr=SsrMode::Async />
                <Route path=path!("/embed/:slug") view=EmbedPage ssr=SsrMode::Async />
                <Route path=path!("/account") view=AccountPage />
            </Routes>
        </main>
        // The end of the page's content: the shell's `<link rel="expect">` holds the first
        // paint until it is parsed.
        <div id=PAGE_END hidden></div>
    }
}

/// The id of the element after the page's content, which the first paint waits for.
const PAGE_END: &str = "page-end";

/// Whether the current page is an embed (`/embed/…`): those have no site chrome.
fn is_embed() -> bool {
    use_location()
        .pathname
        .with_untracked(|path| path.starts_with(links::EMBED_PREFIX))
}

/// The brand, the account link and the theme toggle; embeds go without.
#[component]
fn SiteHeader() -> impl IntoView {
    (!is_embed()).then(|| {
        let account = expect_context::<contexts::account::AccountState>();
        view! {
            <header class="site-header">
                <A href=links::HOME attr:class="brand">
                    "Trailmap"
                </A>
                <A href=links::ACCOUNT attr:class="account-link">
                    {move || account.username().unwrap_or_else(|| "Sign in".into())}
                </A>
                <theme::ThemeToggle />
            </header>
        }
    })
}

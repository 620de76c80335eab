use leptos::prelude::*;
use leptos_meta::Title;

/// The 404 page. During server rendering it also sets the HTTP status, so crawlers and
/// clients see a real 404, not a 200 page that says "not found".
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found — Trailmap" />
        <section class="not-found">
            <h1>"Page not found"</h1>
            <p>"There is no roadmap or page at this address."</p>
            <p>
                <a href=crate::links::HOME>"See all roadmaps"</a>
            </p>
        </section>
    }
}

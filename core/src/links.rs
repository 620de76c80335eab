//! Every address of the site, spelled once: the pages (`/roadmaps/{slug}`, `?node=`, `?view=`,
//! `/embed/{slug}`), oEmbed discovery, and the JSON API paths the browser calls. The map, the
//! pages, the embed code, the server's oEmbed answer and the API client all build their URLs
//! here, so a route that moves changes in one place.

/// Every embed page's path starts so (`/embed/{slug}`).
pub const EMBED_PREFIX: &str = "/embed/";
/// The host-side script that sizes embed iframes (the snippet's second line).
pub const EMBED_SCRIPT: &str = "/embed.js";
/// The site's home: the catalog of roadmaps.
pub const HOME: &str = "/";
/// Sign in, sign up, sign out.
pub const ACCOUNT: &str = "/account";

/// The map page of roadmap `slug`, no topic open.
pub fn roadmap(slug: &str) -> String {
    format!("/roadmaps/{slug}")
}

/// The map page of roadmap `slug` with topic `node` open in the panel.
pub fn roadmap_node(slug: &str, node: &str) -> String {
    format!("/roadmaps/{slug}?node={node}")
}

/// The map page of roadmap `slug` with an optional open topic and a viewport (`view`, see
/// `Viewport::to_query`): what the page writes into its address as the map moves.
pub fn roadmap_view(slug: &str, node: Option<&str>, view: &str) -> String {
    match node {
        Some(node) => format!("/roadmaps/{slug}?node={node}&view={view}"),
        None => format!("/roadmaps/{slug}?view={view}"),
    }
}

/// The embed of roadmap `slug` with a query string of options (without `?`; empty for none),
/// such as `EmbedOptions::to_query` writes.
pub fn embed(slug: &str, query: &str) -> String {
    if query.is_empty() {
        format!("{EMBED_PREFIX}{slug}")
    } else {
        format!("{EMBED_PREFIX}{slug}?{query}")
    }
}

/// The read-only page of a learner's progress on roadmap `slug`, opened by a share token.
pub fn shared(slug: &str, token: &str) -> String {
    format!("/roadmaps/{slug}/shared/{token}")
}

/// The progress badge (SVG) of a shared link.
pub fn shared_badge(slug: &str, token: &str) -> String {
    format!("/roadmaps/{slug}/shared/{token}/badge.svg")
}

/// The embed of roadmap `slug` showing the progress a share token opens.
pub fn embed_shared(slug: &str, token: &str) -> String {
    format!("{EMBED_PREFIX}{slug}?share={token}")
}

/// Where oEmbed consumers ask about the page at `page_url` (an absolute URL).
pub fn oembed(page_url: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(page_url.as_bytes()).collect();
    format!("/oembed?url={encoded}")
}

/// The JSON API's paths, as the browser calls them.
pub mod api {
    /// Who is signed in (`null` for a guest).
    pub const SESSION: &str = "/api/auth/session";
    pub const SIGN_IN: &str = "/api/auth/signin";
    pub const SIGN_UP: &str = "/api/auth/signup";
    pub const SIGN_OUT: &str = "/api/auth/signout";
    /// A CSRF token (and its cookie).
    pub const CSRF: &str = "/api/auth/csrf";

    /// Push a device's mutations for roadmap `slug`.
    pub fn sync_push(slug: &str) -> String {
        format!("/api/sync/{slug}/push")
    }

    /// One topic's details (text, resources, tips, links to other roadmaps) under the roadmap's
    /// content `version`: immutable, so the browser keeps it for good.
    pub fn topic_details(slug: &str, id: &str, version: &str) -> String {
        format!("/api/roadmaps/{slug}/topics/{id}?v={version}")
    }

    /// The words of roadmap `slug`'s text, for searching it, under its content `version`.
    pub fn search_words(slug: &str, version: &str) -> String {
        format!("/api/roadmaps/{slug}/search-words?v={version}")
    }

    /// Everything of roadmap `slug` changed after cursor `since`.
    pub fn sync_pull(slug: &str, since: u64) -> String {
        format!("/api/sync/{slug}/pull?since={since}")
    }

    /// The signed-in learner's share of roadmap `slug` (get, turn on, turn off).
    pub fn share(slug: &str) -> String {
        format!("/api/shares/{slug}")
    }

    /// A new link for the learner's share of roadmap `slug` (the old one dies).
    pub fn share_regenerate(slug: &str) -> String {
        format!("/api/shares/{slug}/regenerate")
    }

    /// The statuses (and notes, when included) a share token opens: public, read-only.
    pub fn shared(token: &str) -> String {
        format!("/api/shared/{token}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_have_their_documented_addresses() {
        assert_eq!(roadmap("backend"), "/roadmaps/backend");
        assert_eq!(roadmap_node("backend", "dns"), "/roadmaps/backend?node=dns");
        assert_eq!(
            roadmap_view("backend", Some("dns"), "1,2,3"),
            "/roadmaps/backend?node=dns&view=1,2,3"
        );
        assert_eq!(
            roadmap_view("backend", None, "1,2,3"),
            "/roadmaps/backend?view=1,2,3"
        );
        assert_eq!(embed("backend", ""), "/embed/backend");
        assert_eq!(embed("backend", "height=480"), "/embed/backend?height=480");
        assert!(embed("backend", "").starts_with(EMBED_PREFIX));
    }

    #[test]
    fn oembed_discovery_encodes_the_page_url() {
        assert_eq!(
            oembed("https://t.example/roadmaps/backend"),
            "/oembed?url=https%3A%2F%2Ft.example%2Froadmaps%2Fbackend"
        );
    }

    #[test]
    fn api_paths_name_the_roadmap_and_cursor() {
        assert_eq!(
            api::topic_details("backend", "dns", "00ff"),
            "/api/roadmaps/backend/topics/dns?v=00ff"
        );
        assert_eq!(
            api::search_words("backend", "00ff"),
            "/api/roadmaps/backend/search-words?v=00ff"
        );
        assert_eq!(api::sync_push("backend"), "/api/sync/backend/push");
        assert_eq!(
            api::sync_pull("backend", 42),
            "/api/sync/backend/pull?since=42"
        );
    }
}

//! Caching: pages rendered once and answered from memory with a fresh CSP nonce each time,
//! precompressed API bodies with ETags, hashed immutable assets, and no database on a guest's
//! page path.

use std::io::Read;

use reqwest::{header, Response};
use server::{AppState, Application};

use crate::helpers::{spawn_app, spawn_app_with, test_client, workspace_path};

/// The nonce of a response's CSP header.
fn header_nonce(response: &Response) -> String {
    let policy = response.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    let start = policy.find("'nonce-").unwrap() + "'nonce-".len();
    let len = policy[start..].find('\'').unwrap();
    policy[start..start + len].to_owned()
}

fn cache_state(response: &Response) -> Option<String> {
    response
        .headers()
        .get("x-page-cache")
        .map(|value| value.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_cached_page_is_the_rendered_page_with_a_fresh_nonce_each_time() {
    let app = spawn_app().await;

    let first = app.get("/roadmaps/backend?node=postgresql").await;
    let second = app.get("/roadmaps/backend?node=postgresql").await;
    let third = app.get("/roadmaps/backend?node=postgresql").await;

    assert_eq!(cache_state(&first).as_deref(), Some("miss"));
    assert_eq!(cache_state(&second).as_deref(), Some("hit"));
    assert_eq!(cache_state(&third).as_deref(), Some("hit"));
    let mut normalised = Vec::new();
    let mut nonces = Vec::new();
    for response in [first, second, third] {
        assert_eq!(response.status(), 200);
        let nonce = header_nonce(&response);
        let html = response.text().await.unwrap();
        assert!(
            html.contains(&format!(r#"nonce="{nonce}""#)),
            "the page's scripts carry its own header's nonce"
        );
        normalised.push(html.replace(&nonce, "NONCE"));
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1]);
    assert_ne!(nonces[1], nonces[2]);
    assert_ne!(nonces[0], nonces[2]);
    assert_eq!(
        normalised[0], normalised[1],
        "the cached bytes are the render's, but the nonce"
    );
    assert_eq!(normalised[1], normalised[2]);
    assert!(normalised[0].contains(r#"id="topic-title">PostgreSQL<"#));
}

#[tokio::test]
async fn pages_are_cached_per_path_and_query() {
    let app = spawn_app().await;

    let plain = app.get("/roadmaps/backend").await;
    let with_node = app.get("/roadmaps/backend?node=docker").await;

    assert_eq!(cache_state(&plain).as_deref(), Some("miss"));
    assert_eq!(cache_state(&with_node).as_deref(), Some("miss"));
    assert!(!plain
        .text()
        .await
        .unwrap()
        .contains(r#"class="topic-panel""#));
    assert!(with_node
        .text()
        .await
        .unwrap()
        .contains(r#"class="topic-panel""#));
    assert_eq!(
        cache_state(&app.get("/roadmaps/backend").await).as_deref(),
        Some("hit")
    );
}

#[tokio::test]
async fn pages_with_links_to_the_request_origin_are_cached_per_host() {
    let app = spawn_app().await;

    let first = app
        .get_with("/roadmaps/backend", "host", "one.example")
        .await;
    let other = app
        .get_with("/roadmaps/backend", "host", "two.example")
        .await;

    assert_eq!(cache_state(&first).as_deref(), Some("miss"));
    assert_eq!(cache_state(&other).as_deref(), Some("miss"));
    assert!(other.text().await.unwrap().contains("two.example"));
}

/// The map canvas's transform in a page's HTML (`translate(…) scale(k)`): its zoom.
fn start_zoom(html: &str) -> f64 {
    let canvas = &html[html.find(r#"class="map-canvas""#).unwrap()..];
    let scale = &canvas[canvas.find("scale(").unwrap() + "scale(".len()..];
    scale[..scale.find(')').unwrap()].parse().unwrap()
}

#[tokio::test]
async fn the_map_page_is_drawn_and_cached_per_form_factor() {
    let app = spawn_app().await;
    const PHONE_AGENT: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) \
        AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";

    let wide = get(&app, "/roadmaps/backend", &[("sec-ch-ua-mobile", "?0")]).await;
    let phone = get(&app, "/roadmaps/backend", &[("sec-ch-ua-mobile", "?1")]).await;
    let phone_again = get(&app, "/roadmaps/backend", &[("user-agent", PHONE_AGENT)]).await;
    let wide_again = get(&app, "/roadmaps/backend", &[]).await;

    assert_eq!(cache_state(&wide).as_deref(), Some("miss"));
    assert_eq!(cache_state(&phone).as_deref(), Some("miss"));
    assert_eq!(cache_state(&phone_again).as_deref(), Some("hit"));
    assert_eq!(cache_state(&wide_again).as_deref(), Some("hit"));
    for response in [&wide, &phone, &phone_again, &wide_again] {
        let vary: Vec<&str> = response
            .headers()
            .get_all(header::VARY)
            .iter()
            .flat_map(|v| v.to_str().unwrap().split(','))
            .map(str::trim)
            .collect();
        assert!(
            vary.contains(&"sec-ch-ua-mobile") && vary.contains(&"user-agent"),
            "{vary:?}"
        );
    }
    let wide = wide.text().await.unwrap();
    let phone = phone.text().await.unwrap();
    // A laptop starts at 100 % on the first stage; a phone at its overview of the whole
    // roadmap, with stage landmarks (the class the stylesheet shows them by).
    assert_eq!(start_zoom(&wide), 1.0);
    assert!(start_zoom(&phone) < 0.3, "{}", start_zoom(&phone));
    assert!(!wide.contains(r#"class="map-viewport overview"#));
    assert!(phone.contains(r#"class="map-viewport overview"#));
    // The same topics either way: only the drawing differs.
    assert_eq!(
        wide.matches(r#"class="node-card"#).count(),
        phone.matches(r#"class="node-card"#).count()
    );
}

#[tokio::test]
async fn error_pages_are_never_cached() {
    let app = spawn_app().await;

    for path in ["/roadmaps/no-such-roadmap", "/embed/backend?height=5"] {
        for _ in 0..2 {
            let response = app.get(path).await;
            assert!(
                response.status().is_client_error(),
                "{path}: {}",
                response.status()
            );
            assert_eq!(cache_state(&response), None, "{path}");
        }
    }
}

#[tokio::test]
async fn every_html_route_still_sends_a_policy_matching_its_nonce_when_cached() {
    let app = spawn_app().await;

    for path in ["/", "/roadmaps/backend", "/embed/backend", "/account"] {
        for _ in 0..2 {
            let response = app.get(path).await;
            assert_eq!(response.status(), 200, "{path}");
            let nonce = header_nonce(&response);
            let html = response.text().await.unwrap();
            assert!(html.contains(&format!(r#"nonce="{nonce}""#)), "{path}");
        }
    }
}

#[tokio::test]
async fn guest_pages_do_not_touch_the_database() {
    let app = spawn_app().await;
    let state = AppState::load(&app.config).await.unwrap();
    let db = state.db.clone();
    let application = Application::with_state("127.0.0.1:0".parse().unwrap(), state)
        .await
        .unwrap();
    let address = format!("http://{}", application.local_addr());
    tokio::spawn(application.run_until_stopped());
    db.close().await;
    let client = test_client();

    for path in [
        "/",
        "/roadmaps/backend",
        "/roadmaps/backend?node=docker",
        "/embed/backend",
        "/account",
        "/api/roadmaps/backend",
    ] {
        let response = client.get(format!("{address}{path}")).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path} without a database");
    }
    // The database is really gone: what needs it fails.
    let response = client
        .get(format!("{address}/api/auth/session"))
        .header(
            "cookie",
            format!(
                "{}={}",
                server::http::cookies::SESSION,
                server::accounts::new_token().unwrap()
            ),
        )
        .send()
        .await
        .unwrap();
    assert!(response.status().is_server_error(), "{}", response.status());
}

async fn get(app: &crate::helpers::TestApp, path: &str, headers: &[(&str, &str)]) -> Response {
    let mut request = app.client.get(format!("{}{path}", app.address));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

/// Asks until the background compression has made the variant (the first asks are answered
/// compressed on the fly, without `Content-Length`).
async fn precompressed(
    app: &crate::helpers::TestApp,
    path: &str,
    encoding: &'static str,
) -> Response {
    for _ in 0..600 {
        let response = get(app, path, &[("accept-encoding", encoding)]).await;
        let etag = response.headers()[header::ETAG]
            .to_str()
            .unwrap()
            .to_owned();
        if etag.ends_with("-br\"") || etag.ends_with("-gz\"") {
            return response;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{path} never served a stored {encoding} variant");
}

fn brotli_decode(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn gzip_decode(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[tokio::test]
async fn roadmap_json_is_precompressed_with_an_etag_per_encoding_and_304s() {
    let app = spawn_app().await;
    let plain = get(&app, "/api/roadmaps/backend", &[]).await;
    assert_eq!(plain.status(), 200);
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    assert_eq!(plain.headers()[header::VARY], "accept-encoding");
    let plain_etag = plain.headers()[header::ETAG].to_str().unwrap().to_owned();
    let json = plain.bytes().await.unwrap();

    let br = precompressed(&app, "/api/roadmaps/backend", "br").await;
    assert_eq!(br.headers()[header::CONTENT_ENCODING], "br");
    let br_etag = br.headers()[header::ETAG].to_str().unwrap().to_owned();
    assert_eq!(brotli_decode(&br.bytes().await.unwrap()), json);

    let gz = precompressed(&app, "/api/roadmaps/backend", "gzip").await;
    assert_eq!(gz.headers()[header::CONTENT_ENCODING], "gzip");
    assert_eq!(gzip_decode(&gz.bytes().await.unwrap()), json);

    assert_ne!(plain_etag, br_etag);
    for etag in [&plain_etag, &br_etag] {
        let response = get(
            &app,
            "/api/roadmaps/backend",
            &[("if-none-match", etag), ("accept-encoding", "br")],
        )
        .await;
        assert_eq!(response.status(), 304);
        assert!(response.bytes().await.unwrap().is_empty());
    }
}

/// A site folder with a small client build in it.
fn small_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(
        pkg.join("trailmap.js"),
        "export default function init() {}\n".repeat(50),
    )
    .unwrap();
    std::fs::write(pkg.join("trailmap_bg.wasm"), vec![7u8; 4096]).unwrap();
    std::fs::write(pkg.join("trailmap.css"), "body { color: red }\n".repeat(50)).unwrap();
    std::fs::copy(
        workspace_path("public/favicon.ico"),
        dir.path().join("favicon.ico"),
    )
    .unwrap();
    dir
}

/// The `href` of the first element matching `start` (e.g. `<link rel="stylesheet"`).
fn href_after(html: &str, start: &str) -> String {
    let at = html.find(start).unwrap_or_else(|| panic!("no {start}"));
    let rest = &html[at..];
    let href = rest.find("href=\"").unwrap() + "href=\"".len();
    let end = rest[href..].find('"').unwrap();
    rest[href..href + end].to_owned()
}

#[tokio::test]
async fn pages_load_hashed_assets_that_are_immutable_and_precompressed() {
    let site = small_site();
    let app = spawn_app_with(|config| config.site_root = site.path().to_owned()).await;

    let html = app.get("/").await.text().await.unwrap();
    let css = href_after(&html, r#"<link rel="stylesheet""#);
    let js = href_after(&html, r#"<link rel="modulepreload""#);
    let wasm = href_after(&html, r#"<link rel="preload""#);

    for (url, unhashed) in [
        (&css, "/pkg/trailmap.css"),
        (&js, "/pkg/trailmap.js"),
        (&wasm, "/pkg/trailmap_bg.wasm"),
    ] {
        assert!(
            url.starts_with("/pkg/trailmap.") && url != unhashed,
            "{url}"
        );
        let hashed = get(&app, url, &[]).await;
        assert_eq!(hashed.status(), 200, "{url}");
        assert_eq!(
            hashed.headers()[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        let bytes = hashed.bytes().await.unwrap();
        assert_eq!(
            bytes,
            std::fs::read(site.path().join(&unhashed[1..])).unwrap()
        );

        let plain = get(&app, unhashed, &[]).await;
        assert_eq!(plain.status(), 200, "{unhashed}");
        assert_eq!(plain.headers()[header::CACHE_CONTROL], "no-cache");
        let etag = plain.headers()[header::ETAG].to_str().unwrap().to_owned();
        let revalidated = get(&app, unhashed, &[("if-none-match", &etag)]).await;
        assert_eq!(revalidated.status(), 304);
    }
    assert!(
        js.ends_with(".js") && wasm.ends_with("_bg.wasm") && css.ends_with(".css"),
        "{js} {wasm} {css}"
    );

    let br = precompressed(&app, &js, "br").await;
    assert_eq!(br.headers()[header::CONTENT_ENCODING], "br");
    assert_eq!(br.headers()[header::VARY], "accept-encoding");
    assert_eq!(
        brotli_decode(&br.bytes().await.unwrap()),
        std::fs::read(site.path().join("pkg/trailmap.js")).unwrap()
    );

    // The service worker precaches exactly these names.
    let worker = app.get("/sw.js").await.text().await.unwrap();
    for url in [&js, &wasm, &css] {
        assert!(worker.contains(&format!("\"{url}\"")), "{url} in {worker}");
    }
}

#[tokio::test]
async fn cached_pages_are_served_gzipped_with_their_own_nonce() {
    let app = spawn_app().await;
    let plain = get(&app, "/roadmaps/backend", &[]).await;
    let plain_nonce = header_nonce(&plain);
    let plain_html = plain.text().await.unwrap().replace(&plain_nonce, "NONCE");

    // Until the page's pieces are deflated the router compresses it on the fly (chunked, no
    // length); then the assembled member comes, with its length.
    let mut assembled = None;
    for _ in 0..600 {
        let response = get(&app, "/roadmaps/backend", &[("accept-encoding", "gzip")]).await;
        if response.content_length().is_some()
            && response.headers().get(header::CONTENT_ENCODING).is_some()
        {
            assembled = Some(response);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let response = assembled.expect("an assembled gzip page");
    assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
    assert_eq!(cache_state(&response).as_deref(), Some("hit"));
    let nonce = header_nonce(&response);
    assert_ne!(nonce, plain_nonce);
    let html = String::from_utf8(gzip_decode(&response.bytes().await.unwrap())).unwrap();
    assert!(html.contains(&format!(r#"nonce="{nonce}""#)));
    assert_eq!(html.replace(&nonce, "NONCE"), plain_html);
}

#[tokio::test]
async fn queries_a_page_does_not_read_are_rendered_but_never_kept() {
    let app = spawn_app().await;

    for path in [
        "/roadmaps/backend?utm=abc",
        "/roadmaps/backend?node=dns&utm=abc",
        "/roadmaps/backend?n%6Fde=dns",
        "/?utm=abc",
        "/embed/backend?theme=dark&utm=abc",
        "/embed/backend?expand=02",
    ] {
        for _ in 0..2 {
            let response = app.get(path).await;
            assert_eq!(response.status(), 200, "{path}");
            assert_eq!(cache_state(&response).as_deref(), Some("bypass"), "{path}");
        }
    }
    // The queries the site itself writes are kept.
    for path in [
        "/roadmaps/backend?node=dns",
        "/embed/backend?theme=dark&expand=2",
    ] {
        assert_eq!(cache_state(&app.get(path).await).as_deref(), Some("miss"));
        assert_eq!(cache_state(&app.get(path).await).as_deref(), Some("hit"));
    }
}

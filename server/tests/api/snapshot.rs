use crate::helpers::spawn_app;

#[tokio::test]
async fn svg_snapshot_is_a_cacheable_svg_document() {
    let app = spawn_app().await;

    let response = app.get("/roadmaps/backend.svg").await;

    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "image/svg+xml");
    assert_eq!(headers["cache-control"], "public, max-age=3600");
    assert!(headers.contains_key("etag"));
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'"));
    assert!(!csp.contains("script-src"));
    let svg = response.text().await.unwrap();
    let document = roxmltree::Document::parse(&svg).expect("well-formed XML");
    assert_eq!(document.root_element().tag_name().name(), "svg");
    // A title may wrap onto several lines (one `tspan` each): read each text element whole.
    let texts: Vec<String> = document
        .descendants()
        .filter(|node| node.has_tag_name("text"))
        .map(|text| {
            text.descendants()
                .filter(|node| node.is_text())
                .filter_map(|node| node.text())
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    assert!(
        texts.iter().any(|t| t == "Web fundamentals & HTTP"),
        "{texts:?}"
    );
}

#[tokio::test]
async fn svg_snapshot_follows_expand_and_theme() {
    let app = spawn_app().await;

    let collapsed = app
        .get("/roadmaps/backend.svg?expand=0")
        .await
        .text()
        .await
        .unwrap();
    let all = app
        .get("/roadmaps/backend.svg?expand=all&theme=dark")
        .await
        .text()
        .await
        .unwrap();

    assert!(!collapsed.contains(">DNS<"));
    assert!(all.contains(">PostgreSQL<"));
    assert!(all.contains("#12161c"), "dark background");
    assert!(all.len() > collapsed.len());
}

#[tokio::test]
async fn svg_snapshot_answers_304_to_a_matching_etag() {
    let app = spawn_app().await;
    let first = app.get("/roadmaps/backend.svg?theme=dark").await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();

    let second = app
        .get_with("/roadmaps/backend.svg?theme=dark", "if-none-match", &etag)
        .await;
    let other_theme = app
        .get_with("/roadmaps/backend.svg?theme=light", "if-none-match", &etag)
        .await;

    assert_eq!(second.status(), 304);
    assert!(second.bytes().await.unwrap().is_empty());
    assert_eq!(other_theme.status(), 200);
}

#[tokio::test]
async fn svg_snapshot_of_an_unknown_roadmap_is_a_json_404() {
    let app = spawn_app().await;

    let response = app.get("/roadmaps/nope.svg").await;

    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "not_found");
}

#[tokio::test]
async fn svg_snapshot_rejects_bad_options_with_json_400() {
    let app = spawn_app().await;

    for query in ["expand=99", "expand=two", "theme=blue", "theme=auto"] {
        let response = app.get(&format!("/roadmaps/backend.svg?{query}")).await;

        assert_eq!(response.status(), 400, "{query}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"], "bad_request", "{query}");
        assert!(!body["message"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
async fn map_page_still_renders_beside_the_svg_route() {
    let app = spawn_app().await;

    let response = app.get("/roadmaps/backend").await;

    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
}

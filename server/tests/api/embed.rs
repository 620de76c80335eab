use crate::helpers::{spawn_app, spawn_app_with};

fn csp(response: &reqwest::Response) -> String {
    response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn embed_page_renders_the_map_without_site_chrome() {
    let app = spawn_app().await;

    let response = app.get("/embed/backend").await;

    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"class="embed-page""#));
    assert!(html.contains(r#"role="tree""#));
    assert!(html.contains(r#"id="node-dns""#));
    assert!(!html.contains(r#"class="site-header""#), "no site header");
    assert!(html.contains(r#"target="_blank""#) && html.contains(r#"rel="noopener""#));
    assert!(html.contains("Open in Trailmap"));
    assert!(
        html.contains(r#"href="/embed/backend?node=dns""#),
        "topic links stay inside the embed"
    );
}

#[tokio::test]
async fn embed_page_applies_its_options() {
    let app = spawn_app().await;

    let html = app
        .get("/embed/backend?theme=dark&height=480&expand=2&node=postgresql&progress=0")
        .await
        .text()
        .await
        .unwrap();

    assert!(html.contains(r#"data-theme="dark""#));
    assert!(html.contains("height:480px") || html.contains("height: 480px"));
    assert!(html.contains(r#"data-progress="false""#));
    assert!(html.contains(r#"id="topic-title">PostgreSQL<"#));
    assert!(
        html.contains(r#"id="node-http-methods""#),
        "level 2 is shown"
    );
    assert!(
        html.contains("/embed/backend?theme=dark&amp;expand=2&amp;height=480&amp;progress=0"),
        "the close link keeps the options"
    );
}

#[tokio::test]
async fn embed_page_with_bad_options_is_a_400_page_naming_each_problem() {
    let app = spawn_app().await;

    let response = app
        .get("/embed/backend?theme=pink&height=50&progress=yes")
        .await;

    assert_eq!(response.status(), 400);
    let html = response.text().await.unwrap();
    assert!(html.contains("not valid"));
    assert!(html.contains("theme must be"));
    assert!(html.contains("height must be"));
    assert!(html.contains("progress must be"));
}

#[tokio::test]
async fn embed_page_with_an_unknown_node_is_a_400() {
    let app = spawn_app().await;

    let response = app.get("/embed/backend?node=no-such-topic").await;

    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("no-such-topic"));
}

#[tokio::test]
async fn embed_of_an_unknown_roadmap_is_a_404() {
    let app = spawn_app().await;

    let response = app.get("/embed/nope").await;

    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn embeds_may_be_framed_by_any_site_and_other_pages_by_none() {
    let app = spawn_app().await;

    let embed = app.get("/embed/backend").await;
    let map = app.get("/roadmaps/backend").await;
    let catalog = app.get("/").await;

    assert!(csp(&embed).contains("frame-ancestors *"));
    assert!(
        csp(&embed).contains("'nonce-"),
        "scripts still need the nonce"
    );
    assert!(csp(&map).contains("frame-ancestors 'none'"));
    assert!(csp(&catalog).contains("frame-ancestors 'none'"));
}

#[tokio::test]
async fn embeds_may_be_framed_only_by_configured_origins() {
    let app = spawn_app_with(|config| {
        config.embed_origins = vec![
            "https://blog.example".into(),
            "http://localhost:4000".into(),
        ];
    })
    .await;

    let embed = app.get("/embed/backend").await;
    let map = app.get("/roadmaps/backend").await;

    assert!(
        csp(&embed).contains("frame-ancestors 'self' https://blog.example http://localhost:4000")
    );
    assert!(csp(&map).contains("frame-ancestors 'none'"));
}

#[tokio::test]
async fn embeds_neither_read_nor_set_cookies() {
    let app = spawn_app().await;

    let response = app
        .get_with("/embed/backend", "cookie", "trailmap_session=secret")
        .await;

    assert_eq!(response.status(), 200);
    assert!(response.headers().get("set-cookie").is_none());
}

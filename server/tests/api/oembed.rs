use crate::helpers::{spawn_app, spawn_app_with, TestApp};

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn oembed(app: &TestApp, page_url: &str, extra: &str) -> reqwest::Response {
    app.get(&format!("/oembed?url={}{extra}", encode(page_url)))
        .await
}

#[tokio::test]
async fn oembed_describes_a_map_page_as_a_rich_iframe() {
    let app = spawn_app().await;
    let page = format!("{}/roadmaps/backend", app.address);

    let response = oembed(&app, &page, "&format=json").await;

    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["version"], "1.0");
    assert_eq!(body["type"], "rich");
    assert_eq!(body["provider_name"], "Trailmap");
    assert_eq!(body["provider_url"], format!("{}/", app.address));
    assert_eq!(body["title"], "Backend Developer");
    assert_eq!(body["width"], 800);
    assert_eq!(body["height"], 600);
    let html = body["html"].as_str().unwrap();
    assert!(html.starts_with("<iframe "));
    assert!(html.contains(&format!(
        r#"src="{}/embed/backend?height=600""#,
        app.address
    )));
    assert!(html.contains(r#"width="800" height="600""#));
}

#[tokio::test]
async fn oembed_respects_maxwidth_and_maxheight_and_keeps_the_node() {
    let app = spawn_app().await;
    let page = format!("{}/roadmaps/backend?node=redis", app.address);

    let body: serde_json::Value = oembed(&app, &page, "&maxwidth=320&maxheight=400")
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(body["width"], 320);
    assert_eq!(body["height"], 400);
    let html = body["html"].as_str().unwrap();
    assert!(
        html.contains("/embed/backend?height=400&amp;node=redis"),
        "{html}"
    );
    assert!(html.contains(r#"width="320" height="400""#));
}

#[tokio::test]
async fn oembed_of_an_unknown_roadmap_is_a_404() {
    let app = spawn_app().await;
    let page = format!("{}/roadmaps/no-such-map", app.address);

    let response = oembed(&app, &page, "").await;

    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "not_found");
}

#[tokio::test]
async fn oembed_refuses_other_sites_other_pages_and_malformed_urls() {
    let app = spawn_app().await;

    for page in [
        "https://evil.example/roadmaps/backend".to_owned(),
        format!("{}/", app.address),
        format!("{}/embed/backend", app.address),
        "/roadmaps/backend".to_owned(),
        "not a url".to_owned(),
    ] {
        let response = oembed(&app, &page, "").await;

        assert_eq!(response.status(), 400, "{page}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"], "bad_request", "{page}");
    }
}

#[tokio::test]
async fn oembed_without_url_or_with_a_bad_limit_is_a_400() {
    let app = spawn_app().await;
    let page = format!("{}/roadmaps/backend", app.address);

    let missing = app.get("/oembed?format=json").await;
    let bad_width = oembed(&app, &page, "&maxwidth=wide").await;
    let zero_height = oembed(&app, &page, "&maxheight=0").await;

    for response in [missing, bad_width, zero_height] {
        assert_eq!(response.status(), 400);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"], "bad_request");
    }
}

#[tokio::test]
async fn oembed_in_xml_is_not_implemented() {
    let app = spawn_app().await;
    let page = format!("{}/roadmaps/backend", app.address);

    let response = oembed(&app, &page, "&format=xml").await;

    assert_eq!(response.status(), 501);
}

#[tokio::test]
async fn oembed_checks_the_configured_public_url_instead_of_the_host() {
    let app = spawn_app_with(|config| {
        config.public_url = Some("https://trailmap.example".into());
    })
    .await;

    let ours = oembed(&app, "https://trailmap.example/roadmaps/backend", "").await;
    let by_host = oembed(&app, &format!("{}/roadmaps/backend", app.address), "").await;

    assert_eq!(ours.status(), 200);
    let body: serde_json::Value = ours.json().await.unwrap();
    assert!(body["html"]
        .as_str()
        .unwrap()
        .contains(r#"src="https://trailmap.example/embed/backend"#));
    assert_eq!(by_host.status(), 400);
}

#[tokio::test]
async fn map_page_advertises_its_oembed_endpoint() {
    let app = spawn_app().await;

    let html = app.get("/roadmaps/backend").await.text().await.unwrap();

    let expected = format!(
        r#"href="/oembed?url={}""#,
        encode(&format!("{}/roadmaps/backend", app.address))
    );
    assert!(html.contains(r#"type="application/json+oembed""#));
    assert!(html.contains(&expected), "no {expected} in the page");
}

//! What a map page fetches on demand instead of carrying: topic details, every topic at once
//! (for the service worker), the search words; and the map page itself without topic text.

use serde_json::Value;

use crate::helpers::spawn_app;

const DNS_TEXT: &str = "The Domain Name System translates human-friendly names";

async fn json(app: &crate::helpers::TestApp, path: &str) -> Value {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_topic_under_the_current_version_is_immutable_and_revalidates_otherwise() {
    let app = spawn_app().await;
    let version = json(&app, "/api/roadmaps/backend/topics").await["version"]
        .as_str()
        .unwrap()
        .to_owned();

    let current = app
        .get(&format!("/api/roadmaps/backend/topics/dns?v={version}"))
        .await;

    assert_eq!(current.status(), 200);
    assert_eq!(
        current.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let etag = current.headers()["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"'), "a strong ETag: {etag}");
    let details: Value = current.json().await.unwrap();
    assert_eq!(details["id"], "dns");
    assert!(details["html"].as_str().unwrap().contains(DNS_TEXT));
    assert_eq!(details["resources"][0]["kind"], "official");
    assert!(details["tips"]
        .as_array()
        .is_some_and(|tips| !tips.is_empty()));

    let again = app
        .get_with(
            &format!("/api/roadmaps/backend/topics/dns?v={version}"),
            "if-none-match",
            &etag,
        )
        .await;
    assert_eq!(again.status(), 304);

    for stale in ["", "?v=0000000000000000"] {
        let response = app
            .get(&format!("/api/roadmaps/backend/topics/dns{stale}"))
            .await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["cache-control"], "no-cache", "{stale}");
    }
}

#[tokio::test]
async fn unknown_topics_and_roadmaps_are_json_404s() {
    let app = spawn_app().await;
    for path in [
        "/api/roadmaps/backend/topics/no-such-topic",
        "/api/roadmaps/nope/topics/dns",
        "/api/roadmaps/nope/topics",
        "/api/roadmaps/nope/search-words",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "not_found", "{path}");
        assert!(body["message"].is_string());
    }
}

#[tokio::test]
async fn every_topic_at_once_holds_each_nodes_details_as_the_roadmap_api_has_them() {
    let app = spawn_app().await;
    let roadmap = json(&app, "/api/roadmaps/backend").await;
    let all = json(&app, "/api/roadmaps/backend/topics").await;

    let nodes = roadmap["nodes"].as_array().unwrap();
    let topics = all["topics"].as_array().unwrap();
    assert_eq!(topics.len(), nodes.len());
    for (topic, node) in topics.iter().zip(nodes) {
        assert_eq!(topic["id"], node["id"]);
        for field in ["html", "resources", "tips", "see"] {
            assert_eq!(topic[field], node[field], "{} {field}", node["id"]);
        }
        let one = json(
            &app,
            &format!(
                "/api/roadmaps/backend/topics/{}",
                node["id"].as_str().unwrap()
            ),
        )
        .await;
        assert_eq!(&one, topic);
    }
}

#[tokio::test]
async fn search_words_cover_every_node_under_the_same_version() {
    let app = spawn_app().await;
    let all = json(&app, "/api/roadmaps/backend/topics").await;
    let words = json(&app, "/api/roadmaps/backend/search-words").await;
    let roadmap = json(&app, "/api/roadmaps/backend").await;

    assert_eq!(words["version"], all["version"]);
    let words = words["words"].as_array().unwrap();
    assert_eq!(words.len(), roadmap["nodes"].as_array().unwrap().len());
    let dns = roadmap["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .position(|node| node["id"] == "dns")
        .unwrap();
    let dns_words: Vec<&str> = words[dns].as_str().unwrap().split(' ').collect();
    assert!(dns_words.contains(&"authoritative"), "{dns_words:?}");
}

#[tokio::test]
async fn the_map_page_carries_the_outline_but_no_topic_text_unless_a_topic_is_open() {
    let app = spawn_app().await;
    let roadmap_json = app.get("/api/roadmaps/backend").await.text().await.unwrap();

    let page = app.get("/roadmaps/backend").await.text().await.unwrap();
    let with_dns = app
        .get("/roadmaps/backend?node=dns")
        .await
        .text()
        .await
        .unwrap();

    assert!(!page.contains(DNS_TEXT));
    // Every topic is still listed (the outline, for readers without JavaScript).
    for title in ["DNS", "PostgreSQL", "Helm", "Apache Kafka"] {
        assert!(page.contains(&format!(">{title}<")), "{title}");
    }
    // It was larger than the whole roadmap's JSON while it carried every topic's text.
    assert!(
        page.len() * 2 < roadmap_json.len(),
        "page {} B, roadmap JSON {} B",
        page.len(),
        roadmap_json.len()
    );
    // An open topic's text is in the server's HTML (and once more in the hydration data).
    assert!(with_dns.contains(DNS_TEXT));
    assert!(!with_dns.contains("PostgreSQL is an open-source"));
}

use crate::helpers::spawn_app;

#[tokio::test]
async fn roadmap_list_has_the_backend_summary() {
    let app = spawn_app().await;

    let response = app.get("/api/roadmaps").await;

    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("etag"));
    assert!(response.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age"));
    let list: serde_json::Value = response.json().await.unwrap();
    let backend = list
        .as_array()
        .unwrap()
        .iter()
        .find(|roadmap| roadmap["slug"] == "backend")
        .expect("backend is listed");
    assert_eq!(backend["stage_count"], 13);
    assert_eq!(backend["title"], "Backend Developer");
    let devops = list
        .as_array()
        .unwrap()
        .iter()
        .find(|roadmap| roadmap["slug"] == "devops")
        .expect("devops is listed");
    assert_eq!(devops["title"], "DevOps & Deployment");
    assert_eq!(devops["stage_count"], 7);
}

#[tokio::test]
async fn roadmap_detail_has_tree_text_and_resources() {
    let app = spawn_app().await;

    let roadmap: serde_json::Value = app.get("/api/roadmaps/backend").await.json().await.unwrap();

    assert_eq!(roadmap["stages"].as_array().unwrap().len(), 13);
    let nodes = roadmap["nodes"].as_array().unwrap();
    assert!(nodes.len() >= 150, "only {} nodes", nodes.len());
    let postgres = nodes
        .iter()
        .find(|node| node["id"] == "postgresql")
        .unwrap();
    assert_eq!(postgres["parent"], "relational-databases");
    assert!(!postgres["html"].as_str().unwrap().is_empty());
    assert!(!postgres["resources"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn unknown_roadmap_is_a_json_404() {
    let app = spawn_app().await;

    let response = app.get("/api/roadmaps/nope").await;

    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "not_found");
    assert!(body["message"].as_str().unwrap().contains("nope"));
}

#[tokio::test]
async fn unknown_api_path_is_a_json_404() {
    let app = spawn_app().await;

    let response = app.get("/api/nothing-here").await;

    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "not_found");
}

#[tokio::test]
async fn matching_etag_gets_304_without_a_body() {
    let app = spawn_app().await;
    let first = app.get("/api/roadmaps/backend").await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();

    let second = app
        .get_with("/api/roadmaps/backend", "if-none-match", &etag)
        .await;

    assert_eq!(second.status(), 304);
    assert_eq!(second.headers()["etag"].to_str().unwrap(), etag);
    assert!(second.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn stale_etag_gets_the_full_body() {
    let app = spawn_app().await;

    let response = app
        .get_with("/api/roadmaps/backend", "if-none-match", "\"stale\"")
        .await;

    assert_eq!(response.status(), 200);
}

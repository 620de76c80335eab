use crate::helpers::spawn_app;

const BACKEND_STAGES: [&str; 13] = [
    "Web fundamentals &amp; HTTP",
    "Choose your language",
    "Databases &amp; SQL",
    "REST API design &amp; frameworks",
    "Authentication &amp; authorization",
    "Caching strategies",
    "Message queues &amp; async processing",
    "Microservices &amp; API design patterns",
    "Testing backend systems",
    "Observability &amp; logging",
    "Docker &amp; cloud deployment",
    "Security best practices",
    "Capstone — production backend service",
];

#[tokio::test]
async fn catalog_page_lists_the_backend_roadmap() {
    let app = spawn_app().await;

    let response = app.get("/").await;

    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("Backend Developer"));
    assert!(html.contains(r#"href="/roadmaps/backend""#));
    // The figure the stages add up to (checked by the content validator).
    assert!(html.contains("6–9 months"));
}

#[tokio::test]
async fn map_page_server_renders_every_stage_in_order_with_links() {
    let app = spawn_app().await;

    let response = app.get("/roadmaps/backend").await;

    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    let mut from = 0;
    for stage in BACKEND_STAGES {
        let at = html[from..]
            .find(stage)
            .unwrap_or_else(|| panic!("stage {stage:?} missing or out of order"));
        from += at + stage.len();
    }
    assert!(html.contains(r#"href="/roadmaps/backend?node=postgresql""#));
    assert!(
        html.contains(r#"<link rel="modulepreload" href="/pkg/trailmap."#),
        "the page preloads the client's glue (under the build's name, hashed once a client build exists)"
    );
    // The first paint waits for the whole page (no half-parsed layout that moves).
    assert!(html.contains(r##"<link rel="expect" href="#page-end" blocking="render">"##));
    let marker = html
        .find(r#"<div id="page-end" hidden>"#)
        .expect("the end marker");
    assert!(marker > html.find("</main>").expect("the page's main"));
}

#[tokio::test]
async fn map_page_renders_the_selected_topic_panel_on_the_server() {
    let app = spawn_app().await;

    let html = app
        .get("/roadmaps/backend?node=postgresql")
        .await
        .text()
        .await
        .unwrap();

    assert!(html.contains(r#"class="topic-panel""#));
    assert!(html.contains(r#"id="topic-title">PostgreSQL<"#));
    assert!(html.contains("badge-official"));
}

#[tokio::test]
async fn topic_panel_links_to_the_same_topic_in_another_roadmap() {
    let app = spawn_app().await;

    let html = app
        .get("/roadmaps/backend?node=docker")
        .await
        .text()
        .await
        .unwrap();

    assert!(html.contains("In other roadmaps"), "{html}");
    assert!(html.contains(r#"href="/roadmaps/devops?node=docker""#));
    assert!(
        html.contains("Docker — DevOps &amp; Deployment")
            || html.contains("Docker — DevOps & Deployment")
    );
    let devops = app.get("/roadmaps/devops?node=docker").await;
    assert_eq!(devops.status(), 200);
}

#[tokio::test]
async fn unknown_roadmap_page_is_a_404() {
    let app = spawn_app().await;

    let response = app.get("/roadmaps/no-such-roadmap").await;

    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("Page not found"));
}

#[tokio::test]
async fn unknown_path_is_a_404_page() {
    let app = spawn_app().await;

    let response = app.get("/definitely/not/here").await;

    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn healthz_answers_ok() {
    let app = spawn_app().await;

    let response = app.get("/healthz").await;

    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn html_is_compressed_when_the_client_accepts_it() {
    let app = spawn_app().await;

    let response = app
        .get_with("/roadmaps/backend", "accept-encoding", "br")
        .await;

    assert_eq!(response.headers()["content-encoding"], "br");
}

#[tokio::test]
async fn pages_send_a_nonce_csp_that_matches_their_scripts() {
    let app = spawn_app().await;

    let response = app.get("/roadmaps/backend").await;

    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("'wasm-unsafe-eval'"));
    assert!(csp.contains("frame-ancestors 'none'"));
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("the policy names a nonce");
    assert!(nonce.len() >= 16);
    let html = response.text().await.unwrap();
    assert!(html.contains(&format!("nonce=\"{nonce}\"")));

    let again = app.get("/roadmaps/backend").await;
    let next = again.headers()["content-security-policy"].to_str().unwrap();
    assert!(!next.contains(nonce), "every response gets a fresh nonce");
}

#[tokio::test]
async fn every_html_route_sends_the_full_security_policy() {
    let app = spawn_app().await;

    let routes = [
        ("/", false),
        ("/roadmaps/backend", false),
        ("/roadmaps/backend?node=dns&view=0,0,1", false),
        ("/roadmaps/devops", false),
        ("/account", false),
        ("/nope", false),
        ("/roadmaps/nope", false),
        ("/embed/backend", true),
        ("/embed/backend?theme=pink", true),
    ];
    for (path, is_embed) in routes {
        let response = app.get(path).await;
        let headers = response.headers().clone();
        let csp = headers["content-security-policy"].to_str().unwrap();
        for directive in [
            "'strict-dynamic'",
            "'wasm-unsafe-eval'",
            "object-src 'none'",
            "base-uri 'none'",
            "worker-src 'self'",
        ] {
            assert!(
                csp.contains(directive),
                "{path}: {directive} missing in {csp}"
            );
        }
        assert!(
            csp.contains("script-src 'nonce-"),
            "{path}: no nonce in {csp}"
        );
        let framing = if is_embed {
            "frame-ancestors *"
        } else {
            "frame-ancestors 'none'"
        };
        assert!(csp.contains(framing), "{path}: {framing} missing in {csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(
            headers["referrer-policy"], "strict-origin-when-cross-origin",
            "{path}"
        );
        let html = response.text().await.unwrap();
        assert!(
            html.starts_with("<!DOCTYPE html>"),
            "{path} is an HTML page"
        );
    }
}

#[tokio::test]
async fn the_service_worker_is_served_uncached_with_its_build_version() {
    let app = spawn_app().await;

    let response = app.get("/sw.js").await;

    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-cache");
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    let script = response.text().await.unwrap();
    assert!(!script.contains("__VERSION__") && !script.contains("__PRECACHE__"));
    assert!(script.contains("const CACHE = \"trailmap-\" + VERSION;"));
}

#[tokio::test]
async fn every_response_says_nosniff() {
    let app = spawn_app().await;

    for path in ["/", "/api/roadmaps", "/healthz", "/nope"] {
        let response = app.get(path).await;
        assert_eq!(
            response.headers()["x-content-type-options"],
            "nosniff",
            "{path}"
        );
    }
}

#[tokio::test]
async fn map_page_server_renders_the_viewport_from_the_url() {
    let app = spawn_app().await;

    let html = app
        .get("/roadmaps/backend?view=10,20,1.5")
        .await
        .text()
        .await
        .unwrap();

    assert!(
        html.contains("translate(10px, 20px) scale(1.5)"),
        "the canvas starts at the linked view"
    );
}

#[tokio::test]
async fn map_page_server_renders_the_first_level_of_every_stage_as_tree_items() {
    let app = spawn_app().await;

    let html = app.get("/roadmaps/backend").await.text().await.unwrap();

    assert!(html.contains(r#"role="tree""#));
    assert_eq!(html.matches(r#"role="treeitem""#).count() >= 13 + 80, true);
    assert!(
        html.contains(r#"id="node-dns""#),
        "first-level topics are on the map"
    );
    assert!(
        !html.contains(r#"id="node-http-methods""#),
        "deeper topics start collapsed"
    );
    assert!(
        html.contains(r#"id="outline-http-methods""#),
        "the outline lists every topic"
    );
}

/// The opening tag of the element whose `id` is `id`.
fn tag_with_id<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!(r#"id="{id}""#))
        .unwrap_or_else(|| panic!("no element #{id}"));
    let start = html[..at].rfind('<').unwrap();
    let end = at + html[at..].find('>').unwrap();
    &html[start..=end]
}

#[tokio::test]
async fn map_page_tree_items_carry_real_aria_structure_and_a_name_said_once() {
    let app = spawn_app().await;

    let html = app.get("/roadmaps/backend").await.text().await.unwrap();

    assert!(!html.contains("attr:aria"), "no literal `attr:` attributes");
    let stage = tag_with_id(&html, "node-web-fundamentals");
    for wanted in [
        r#"aria-level="1""#,
        r#"aria-posinset="1""#,
        r#"aria-setsize="13""#,
        r#"aria-label="Web fundamentals &amp; HTTP""#,
    ] {
        assert!(stage.contains(wanted), "{wanted} missing in {stage}");
    }
    let topic = tag_with_id(&html, "node-what-is-backend");
    for wanted in [
        r#"aria-level="2""#,
        r#"aria-posinset="1""#,
        r#"aria-label="What backend development is""#,
    ] {
        assert!(topic.contains(wanted), "{wanted} missing in {topic}");
    }
    assert!(topic.contains(r#"aria-setsize=""#), "{topic}");
}

/// Building a router while another serves pages never stalls a page. leptos suspends for ever
/// every resource whose first poll falls while any thread generates a route list (a
/// process-wide flag, leptos#4773); the integration tests build a router per test, two tests
/// at a time, and one CI run waited 85 minutes on a 404 page rendered during such a window.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_render_while_another_router_is_built() {
    use std::sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    };
    let app = spawn_app().await;
    let state = server::AppState::load(&app.config).await.unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let builder = std::thread::spawn({
        let stop = stop.clone();
        move || {
            let mut built = 0;
            while !stop.load(Ordering::Relaxed) {
                drop(server::router(state.clone()));
                built += 1;
            }
            built
        }
    });
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap();

    let mut stalled = Vec::new();
    for n in 0..200 {
        let path = format!("/roadmaps/no-such-roadmap-{n}");
        match client.get(format!("{}{path}", app.address)).send().await {
            Ok(response) => assert_eq!(response.status(), 404, "{path}"),
            Err(error) if error.is_timeout() => stalled.push(path),
            Err(error) => panic!("{path}: {error}"),
        }
        if stalled.len() >= 3 {
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    let built = builder.join().unwrap();

    assert!(built > 0, "no router was built meanwhile");
    assert!(
        stalled.is_empty(),
        "stalled pages: {stalled:?} ({built} routers built)"
    );
}

//! `GET /api/openapi.json`: the document lists exactly the JSON API the router answers, and
//! real responses validate against the schemas it declares for them.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, Browser, TestApp};

/// Every JSON API operation the router serves. The router registers these through
/// `utoipa_axum::routes!` from the handlers' `#[utoipa::path]`; this list is checked against
/// both the document and the running server, so a route added, dropped or documented with
/// the wrong method fails one side or the other.
const OPERATIONS: [(&str, &str); 18] = [
    ("get", "/api/roadmaps"),
    ("get", "/api/roadmaps/{slug}"),
    ("get", "/api/roadmaps/{slug}/topics"),
    ("get", "/api/roadmaps/{slug}/topics/{id}"),
    ("get", "/api/roadmaps/{slug}/search-words"),
    ("post", "/api/auth/signup"),
    ("post", "/api/auth/signin"),
    ("post", "/api/auth/signout"),
    ("get", "/api/auth/me"),
    ("get", "/api/auth/session"),
    ("get", "/api/auth/csrf"),
    ("post", "/api/sync/{slug}/push"),
    ("get", "/api/sync/{slug}/pull"),
    ("get", "/api/shares/{slug}"),
    ("put", "/api/shares/{slug}"),
    ("delete", "/api/shares/{slug}"),
    ("post", "/api/shares/{slug}/regenerate"),
    ("get", "/api/shared/{token}"),
];

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

async fn document(app: &TestApp) -> Value {
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    response.json().await.expect("the document is JSON")
}

/// The documented operations, as (method, path) pairs.
fn documented(document: &Value) -> Vec<(String, String)> {
    let mut operations: Vec<_> = document["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(|method| item.get(**method).is_some())
                .map(|method| (method.to_string(), path.clone()))
        })
        .collect();
    operations.sort();
    operations
}

/// A validator for the schema of `method path`'s `status` response (or its request body when
/// `status` is `None`), resolving `$ref`s inside the whole document.
fn validator(
    document: &Value,
    method: &str,
    path: &str,
    status: Option<u16>,
) -> jsonschema::Validator {
    let operation = &document["paths"][path][method];
    let content = match status {
        Some(status) => &operation["responses"][status.to_string()]["content"],
        None => &operation["requestBody"]["content"],
    };
    let schema = content["application/json"]["schema"]
        .as_object()
        .unwrap_or_else(|| panic!("{method} {path} {status:?} declares a JSON schema"));
    // The document's own keys (`openapi`, `info`, `paths`, `components`) are not JSON Schema
    // keywords, so the schema can sit at its root and `#/components/schemas/…` resolves.
    let mut root = document.clone();
    for (keyword, value) in schema {
        root[keyword] = value.clone();
    }
    jsonschema::validator_for(&root).expect("a valid JSON Schema")
}

fn assert_valid(validator: &jsonschema::Validator, instance: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:?}\n{instance}");
}

fn concrete(path: &str) -> String {
    path.trim_start_matches("/api")
        .replace("{slug}", "backend")
        .replace("{token}", "0123456789abcdef0123456789abcdef")
        .replace("{id}", "dns")
}

#[tokio::test]
async fn openapi_document_is_openapi_3_and_cacheable() {
    let app = spawn_app().await;

    let response = app.get("/api/openapi.json").await;

    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    assert!(response.headers()["cache-control"]
        .to_str()
        .unwrap()
        .starts_with("public"));
    let document: Value = response.json().await.unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(document["info"]["title"], "Trailmap API");
    let again = app
        .get_with("/api/openapi.json", "if-none-match", &etag)
        .await;
    assert_eq!(again.status(), 304);
}

#[tokio::test]
async fn openapi_lists_exactly_the_json_routes_the_router_answers() {
    let app = spawn_app().await;
    let document = document(&app).await;

    let mut expected: Vec<_> = OPERATIONS
        .iter()
        .map(|(method, path)| (method.to_string(), path.to_string()))
        .collect();
    expected.sort();
    assert_eq!(documented(&document), expected);

    // Each documented operation is routed: not the API's "no such endpoint" 404 nor a 405;
    // every other method on its path is a 405.
    // With a CSRF token, so state-changing methods get past the CSRF check to the router.
    let mut guest = app.browser();
    let token = guest.csrf_token().await;
    for (method, path) in OPERATIONS {
        for other in METHODS {
            let request = guest
                .request(
                    Method::from_bytes(other.to_uppercase().as_bytes()).unwrap(),
                    &format!("/api{}", concrete(path)),
                )
                .header("x-csrf-token", &token);
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let body = response.text().await.unwrap();
            if other == method {
                assert_ne!(status, 405, "{other} {path}");
                assert!(
                    !body.contains("no such API endpoint"),
                    "{other} {path}: {body}"
                );
            } else if documented(&document).contains(&(other.to_owned(), path.to_owned())) {
                continue;
            } else {
                assert_eq!(status, 405, "{other} {path} is not documented: {body}");
            }
        }
    }
}

#[tokio::test]
async fn openapi_documents_errors_security_and_the_csrf_header() {
    let app = spawn_app().await;
    let document = document(&app).await;

    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(schemes["session_cookie"]["in"], "cookie");
    assert_eq!(schemes["session_cookie"]["name"], "trailmap_session");
    assert_eq!(schemes["csrf_token"]["in"], "header");
    assert_eq!(schemes["csrf_token"]["name"], "X-CSRF-Token");
    let error = &document["components"]["schemas"]["ErrorBody"];
    assert_eq!(error["required"], json!(["error", "message"]));

    let mut operation_ids: Vec<_> = OPERATIONS
        .iter()
        .map(|(method, path)| {
            document["paths"][path][method]["operationId"]
                .as_str()
                .unwrap()
        })
        .collect();
    operation_ids.sort_unstable();
    operation_ids.dedup();
    assert_eq!(
        operation_ids.len(),
        OPERATIONS.len(),
        "operation ids are unique"
    );
    for (method, path) in OPERATIONS {
        let operation = &document["paths"][path][method];
        let responses = operation["responses"].as_object().unwrap();
        for (status, response) in responses {
            if status.starts_with('4') || status.starts_with('5') {
                assert_eq!(
                    response["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{method} {path} {status}"
                );
            }
        }
        if method == "post" {
            let csrf = operation["security"]
                .as_array()
                .unwrap()
                .iter()
                .all(|requirement| requirement.get("csrf_token").is_some());
            assert!(csrf, "{method} {path} must require the CSRF header");
            assert!(responses.contains_key("403"), "{method} {path}");
        }
    }
    for (path, statuses) in [
        (
            "/api/auth/signup",
            &["201", "400", "409", "413", "415", "429", "503"][..],
        ),
        ("/api/auth/signin", &["200", "401", "429", "503"][..]),
        ("/api/auth/me", &["200", "401"][..]),
        ("/api/roadmaps/{slug}", &["200", "304", "404"][..]),
        (
            "/api/roadmaps/{slug}/topics/{id}",
            &["200", "304", "404"][..],
        ),
        ("/api/roadmaps/{slug}/topics", &["200", "304", "404"][..]),
        (
            "/api/roadmaps/{slug}/search-words",
            &["200", "304", "404"][..],
        ),
        (
            "/api/sync/{slug}/push",
            &["200", "400", "401", "403", "404", "409", "413", "422"][..],
        ),
        ("/api/sync/{slug}/pull", &["200", "400", "401", "404"][..]),
    ] {
        let operation = document["paths"][path]
            .as_object()
            .and_then(|item| item.values().next())
            .unwrap();
        for status in statuses {
            assert!(
                operation["responses"].get(*status).is_some(),
                "{path} documents {status}"
            );
        }
    }
}

fn now_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

async fn json_of(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status(), status);
    response.json().await.unwrap()
}

#[tokio::test]
async fn real_responses_validate_against_their_documented_schemas() {
    let app = spawn_app().await;
    let document = document(&app).await;
    let check = |method: &str, path: &str, status: u16, body: &Value| {
        let validator = validator(&document, method, path, Some(status));
        assert_valid(&validator, body, &format!("{method} {path} {status}"));
    };

    let list = json_of(app.get("/api/roadmaps").await, 200).await;
    check("get", "/api/roadmaps", 200, &list);
    let roadmap = json_of(app.get("/api/roadmaps/backend").await, 200).await;
    check("get", "/api/roadmaps/{slug}", 200, &roadmap);
    let missing = json_of(app.get("/api/roadmaps/nope").await, 404).await;
    check("get", "/api/roadmaps/{slug}", 404, &missing);
    let topic = json_of(app.get("/api/roadmaps/backend/topics/dns").await, 200).await;
    check("get", "/api/roadmaps/{slug}/topics/{id}", 200, &topic);
    let no_topic = json_of(app.get("/api/roadmaps/backend/topics/nope").await, 404).await;
    check("get", "/api/roadmaps/{slug}/topics/{id}", 404, &no_topic);
    let topics = json_of(app.get("/api/roadmaps/backend/topics").await, 200).await;
    check("get", "/api/roadmaps/{slug}/topics", 200, &topics);
    let words = json_of(app.get("/api/roadmaps/backend/search-words").await, 200).await;
    check("get", "/api/roadmaps/{slug}/search-words", 200, &words);
    let topic_schema = validator(
        &document,
        "get",
        "/api/roadmaps/{slug}/topics/{id}",
        Some(200),
    );
    let mut broken = topic.clone();
    broken["html"] = json!(null);
    assert!(!topic_schema.is_valid(&broken));

    let mut browser: Browser = app.browser();
    let guest = json_of(browser.get("/api/auth/session").await, 200).await;
    check("get", "/api/auth/session", 200, &guest);
    let csrf = json_of(browser.get("/api/auth/csrf").await, 200).await;
    check("get", "/api/auth/csrf", 200, &csrf);
    let signed_out = json_of(browser.get("/api/auth/me").await, 401).await;
    check("get", "/api/auth/me", 401, &signed_out);
    let account = json_of(browser.signup("ada", crate::helpers::PASSWORD).await, 201).await;
    check("post", "/api/auth/signup", 201, &account);
    let session = json_of(browser.get("/api/auth/session").await, 200).await;
    assert_eq!(session["username"], "ada");
    check("get", "/api/auth/session", 200, &session);

    let push = json!({
        "device": "device-a1",
        "mutations": [{
            "id": 1, "topic": "dns", "status": "done",
            "stamp": { "millis": now_millis(), "counter": 0, "device": "device-a1" },
        }],
    });
    let request = validator(&document, "post", "/api/sync/{slug}/push", None);
    assert_valid(&request, &push, "push request");
    let pushed = json_of(browser.push("backend", &push).await, 200).await;
    check("post", "/api/sync/{slug}/push", 200, &pushed);
    let pulled = browser.pull("backend", 0).await;
    assert_eq!(pulled["entries"][0]["topic"], "dns");
    check("get", "/api/sync/{slug}/pull", 200, &pulled);
    let mut gap = push.clone();
    gap["mutations"][0]["id"] = json!(5);
    let conflict = json_of(browser.push("backend", &gap).await, 409).await;
    check("post", "/api/sync/{slug}/push", 409, &conflict);

    // The schemas are not vacuous: wrong shapes are refused.
    let roadmap_schema = validator(&document, "get", "/api/roadmaps/{slug}", Some(200));
    let mut broken = roadmap.clone();
    broken["nodes"][0]["id"] = json!(7);
    assert!(!roadmap_schema.is_valid(&broken));
    assert!(!roadmap_schema.is_valid(&json!({})));
    let pull_schema = validator(&document, "get", "/api/sync/{slug}/pull", Some(200));
    let mut broken = pulled.clone();
    broken["entries"][0]["status"] = json!("finished");
    assert!(!pull_schema.is_valid(&broken));
    let error_schema = validator(&document, "get", "/api/roadmaps/{slug}", Some(404));
    assert!(!error_schema.is_valid(&json!({ "error": "not_found" })));
    let session_schema = validator(&document, "get", "/api/auth/session", Some(200));
    assert!(
        !session_schema.is_valid(&json!({})),
        "`username` is always sent"
    );
}

//! The XSS corpus: a roadmap whose every authored field carries script-injection payloads
//! (end2end/fixtures/xss, shared with the browser test end2end/tests/xss.spec.ts), plus hostile
//! query strings and paths. Each page is parsed as a browser would (html5ever) and must contain
//! no element, attribute or URL the payloads tried to create: every payload ends up as text.

use scraper::{Html, Selector};

use crate::helpers::{spawn_app_with, workspace_path, TestApp};

async fn corpus_app() -> TestApp {
    spawn_app_with(|config| config.roadmaps = workspace_path("end2end/fixtures/xss")).await
}

/// Hostile text put in query values and paths (percent-encoded when sent).
const PAYLOADS: [&str; 4] = [
    "\"><script>window.__xss='query'</script>",
    "<img src=x onerror=\"window.__xss='query-img'\">",
    "javascript:window.__xss='query-url'",
    "</title><svg onload=\"window.__xss='query-svg'\">",
];

fn encoded(raw: &str) -> String {
    url::form_urlencoded::byte_serialize(raw.as_bytes()).collect()
}

/// Everything a payload could have turned into markup, checked on the parsed document.
fn assert_inert(path: &str, html: &str, nonce: Option<&str>) {
    let document = Html::parse_document(html);
    let all = Selector::parse("*").unwrap();
    for element in document.select(&all) {
        let name = element.value().name();
        assert!(
            !matches!(name, "iframe" | "object" | "embed" | "math")
                && !(name == "img" && element.value().attr("src") == Some("x")),
            "{path}: a <{name}> element came from authored or query text"
        );
        for (attribute, value) in element.value().attrs() {
            assert!(
                !attribute.starts_with("on"),
                "{path}: <{name} {attribute}=…> is an event handler"
            );
            if matches!(
                attribute,
                "href" | "src" | "action" | "formaction" | "srcdoc"
            ) {
                let scheme = value.trim_start().to_ascii_lowercase();
                // The one data: URL the app writes itself: the progress export download.
                let export = name == "a"
                    && element.value().attr("download").is_some()
                    && scheme.starts_with("data:application/json");
                assert!(
                    !scheme.starts_with("javascript:") && (!scheme.starts_with("data:") || export),
                    "{path}: <{name} {attribute}={value:?}>"
                );
            }
        }
    }
    for script in document.select(&Selector::parse("script").unwrap()) {
        let text: String = script.text().collect();
        assert!(
            !text.contains("window.__xss") || text.contains("\\u003c"),
            "{path}: a payload runs as a script: {text:.120}"
        );
        if let Some(nonce) = nonce {
            assert_eq!(
                script.value().attr("nonce"),
                Some(nonce),
                "{path}: a script without the response's nonce: {text:.120}"
            );
        }
    }
    let title: String = document
        .select(&Selector::parse("title").unwrap())
        .flat_map(|title| title.text())
        .collect();
    assert!(
        !title.contains("<title")
            && document
                .select(&Selector::parse("head title").unwrap())
                .count()
                <= 1,
        "{path}: the <title> was broken out of: {title:?}"
    );
}

fn nonce_of(response: &reqwest::Response) -> Option<String> {
    let csp = response
        .headers()
        .get("content-security-policy")?
        .to_str()
        .ok()?;
    let start = csp.find("'nonce-")? + "'nonce-".len();
    let end = csp[start..].find('\'')? + start;
    Some(csp[start..end].to_owned())
}

async fn fetch(app: &TestApp, path: &str) -> (u16, String, Option<String>) {
    let response = app.get(path).await;
    let status = response.status().as_u16();
    let nonce = nonce_of(&response);
    (status, response.text().await.unwrap(), nonce)
}

#[tokio::test]
async fn authored_payloads_render_as_text_on_every_page() {
    let app = corpus_app().await;

    for path in [
        "/",
        "/roadmaps/xss",
        "/roadmaps/xss?node=payload-stage",
        "/roadmaps/xss?node=payload-topic",
        "/roadmaps/xss?node=payload-second",
        "/embed/xss",
        "/embed/xss?node=payload-topic",
        "/account",
    ] {
        let (status, html, nonce) = fetch(&app, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(nonce.is_some(), "{path}: no CSP nonce");
        assert_inert(path, &html, nonce.as_deref());
    }

    // The payloads are still there, as visible text: escaped, not dropped.
    let (_, html, _) = fetch(&app, "/roadmaps/xss?node=payload-topic").await;
    let document = Html::parse_document(&html);
    let text: String = document.root_element().text().collect();
    assert!(text.contains("<script>window.__xss='text-script'</script>"));
    assert!(text.contains("Topic \"><img src=x onerror=\"window.__xss='topic-title'\">"));
    let title: String = document
        .select(&Selector::parse("title").unwrap())
        .flat_map(|title| title.text())
        .collect();
    assert!(
        title.contains("</title><script>window.__xss='title-breakout'</script> corpus roadmap"),
        "the title shows the authored text: {title:?}"
    );
}

#[tokio::test]
async fn hostile_query_strings_and_paths_are_escaped_or_refused() {
    let app = corpus_app().await;

    for payload in PAYLOADS {
        let value = encoded(payload);
        for path in [
            format!("/roadmaps/xss?node={value}"),
            format!("/roadmaps/xss?view={value}"),
            format!("/roadmaps/{value}"),
            format!("/embed/xss?node={value}"),
            format!("/embed/xss?theme={value}&height={value}&progress={value}"),
            format!("/{value}"),
        ] {
            let (status, html, nonce) = fetch(&app, &path).await;
            assert!(matches!(status, 200 | 400 | 404), "{path}: status {status}");
            assert_inert(&path, &html, nonce.as_deref());
        }
    }
}

#[tokio::test]
async fn svg_export_and_oembed_escape_authored_text() {
    let app = corpus_app().await;

    let svg = app.get("/roadmaps/xss.svg").await.text().await.unwrap();
    let document = roxmltree::Document::parse(&svg).expect("the SVG is well-formed XML");
    for node in document.descendants().filter(|node| node.is_element()) {
        let name = node.tag_name().name();
        assert!(
            !matches!(name, "script" | "foreignObject" | "iframe" | "img"),
            "the SVG holds a <{name}>"
        );
        for attribute in node.attributes() {
            assert!(
                !attribute.name().starts_with("on"),
                "the SVG holds an event handler {}",
                attribute.name()
            );
        }
    }
    let title = document
        .descendants()
        .find(|node| node.has_tag_name("title"))
        .and_then(|node| node.text())
        .expect("the SVG has a title");
    assert!(title.contains("</title><script>window.__xss='title-breakout'</script> corpus"));

    let address = app.address.clone();
    let oembed: serde_json::Value = app
        .get(&format!(
            "/oembed?url={}",
            encoded(&format!("{address}/roadmaps/xss"))
        ))
        .await
        .json()
        .await
        .unwrap();
    let snippet = oembed["html"].as_str().expect("an html snippet");
    let fragment = Html::parse_fragment(snippet);
    let elements: Vec<_> = fragment
        .select(&Selector::parse("*").unwrap())
        .map(|element| element.value().name().to_owned())
        .collect();
    assert_eq!(elements, ["html", "iframe"], "only the iframe: {snippet}");
}

use std::{
    collections::HashMap,
    net::IpAddr,
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use reqwest::{Method, RequestBuilder, Response};
use serde_json::{json, Value};
use server::{config::Config, telemetry, AppState, Application};
use tempfile::TempDir;

pub struct TestApp {
    pub address: String,
    /// The separate metrics listener (`http://127.0.0.1:port`), when `metrics_addr` is set.
    pub metrics_address: Option<String>,
    pub client: reqwest::Client,
    pub config: Config,
    /// Holds the database folder for as long as the app (and its restarts) live.
    _db_dir: Arc<TempDir>,
}

impl TestApp {
    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("the request reaches the server")
    }

    pub async fn get_with(&self, path: &str, header: &str, value: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.address))
            .header(header, value)
            .send()
            .await
            .expect("the request reaches the server")
    }

    /// A browser with its own cookie jar.
    pub fn browser(&self) -> Browser {
        Browser {
            address: self.address.clone(),
            client: self.client.clone(),
            cookies: HashMap::new(),
        }
    }

    /// A browser whose connections come from `ip` (any 127.x.y.z reaches the loopback
    /// server), standing for another person as far as per-address limits go.
    pub fn browser_from(&self, ip: IpAddr) -> Browser {
        Browser {
            client: client_from(ip),
            ..self.browser()
        }
    }

    /// Starts a second server on the same database file (as after a restart).
    pub async fn restart(&self) -> TestApp {
        start(self.config.clone(), self._db_dir.clone()).await
    }
}

/// How long a test waits for any one answer or for a server to start. Far above what any of
/// them takes: a request past it is a hang, and the test fails saying so instead of holding
/// the run until CI's own limit.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// The tests' HTTP client: no cookie jar, and a deadline on every request.
pub fn test_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(DEADLINE)
        .build()
        .expect("a client")
}

/// A client whose connections come from `ip` (any 127.x.y.z reaches a loopback server).
pub fn client_from(ip: IpAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip)
        .timeout(DEADLINE)
        .build()
        .expect("a client")
}

pub fn workspace_path(relative: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).join(relative)
}

/// Starts the real server on a free port with the bundled roadmaps and a fresh SQLite file.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like `spawn_app`, with the configuration changed first.
pub async fn spawn_app_with(change: impl FnOnce(&mut Config)) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        telemetry::init("debug");
    }
    let dir = Arc::new(TempDir::new().expect("a temporary folder"));
    let mut config = test_config(fresh_database_url(&dir.path().join("db")).await);
    change(&mut config);
    start(config, dir).await
}

/// The tests' configuration: a free port, the bundled roadmaps, `database_url`, defaults.
pub fn test_config(database_url: String) -> Config {
    Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        roadmaps: workspace_path("roadmaps"),
        site_root: workspace_path("target/site"),
        database_url,
        secure_cookies: false,
        public_url: None,
        embed_origins: Vec::new(),
        metrics_addr: None,
        trusted_proxies: Vec::new(),
        limits: Default::default(),
    }
}

/// A new, empty database: a SQLite file in `dir` (a folder not created yet: the server must
/// create it), or, when `TRAILMAP_TEST_POSTGRES_URL` names a PostgreSQL server, a new database
/// there (left behind afterwards: point it at a throwaway server).
pub async fn fresh_database_url(dir: &Path) -> String {
    match std::env::var("TRAILMAP_TEST_POSTGRES_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            crate::postgres::fresh_postgres_database(&admin_url).await
        }
        _ => format!("sqlite://{}?mode=rwc", dir.join("trailmap.db").display()),
    }
}

async fn start(config: Config, dir: Arc<TempDir>) -> TestApp {
    let state = tokio::time::timeout(DEADLINE, AppState::load(&config))
        .await
        .expect("the database opens and migrates within the deadline")
        .expect("the bundled roadmaps and the database load");
    let application = Application::with_state(config.addr, state)
        .await
        .expect("binds a free port")
        .with_metrics_listener(config.metrics_addr)
        .await
        .expect("binds a free port for metrics");
    let address = format!("http://{}", application.local_addr());
    let metrics_address = application
        .metrics_addr()
        .map(|addr| format!("http://{addr}"));
    tokio::spawn(application.run_until_stopped());
    TestApp {
        address,
        metrics_address,
        client: test_client(),
        config,
        _db_dir: dir,
    }
}

/// A client that keeps cookies like a browser and sends the CSRF header like our front end.
pub struct Browser {
    pub address: String,
    pub client: reqwest::Client,
    pub cookies: HashMap<String, String>,
}

impl Browser {
    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// A request carrying this browser's cookies and nothing else.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let request = self
            .client
            .request(method, format!("{}{path}", self.address));
        if self.cookies.is_empty() {
            request
        } else {
            request.header("cookie", self.cookie_header())
        }
    }

    /// Sends the request and keeps the cookies it sets.
    pub async fn send(&mut self, request: RequestBuilder) -> Response {
        let response = request
            .send()
            .await
            .expect("the request reaches the server");
        for set in response.headers().get_all("set-cookie") {
            let set = set.to_str().unwrap();
            let (pair, attributes) = set.split_once(';').unwrap_or((set, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        response
    }

    pub async fn get(&mut self, path: &str) -> Response {
        let request = self.request(Method::GET, path);
        self.send(request).await
    }

    /// Makes sure the browser holds a CSRF cookie; returns the token.
    pub async fn csrf_token(&mut self) -> String {
        if let Some(token) = self.cookies.get("trailmap_csrf") {
            return token.clone();
        }
        let response = self.get("/api/auth/csrf").await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    /// POSTs JSON the way the front end does: cookies plus `X-CSRF-Token`.
    pub async fn post_json(&mut self, path: &str, body: &Value) -> Response {
        let token = self.csrf_token().await;
        let request = self
            .request(Method::POST, path)
            .header("x-csrf-token", token)
            .json(body);
        self.send(request).await
    }

    pub async fn signup(&mut self, username: &str, password: &str) -> Response {
        self.post_json(
            "/api/auth/signup",
            &json!({ "username": username, "password": password }),
        )
        .await
    }

    pub async fn signin(&mut self, username: &str, password: &str) -> Response {
        self.post_json(
            "/api/auth/signin",
            &json!({ "username": username, "password": password }),
        )
        .await
    }

    /// Signs up a fresh account and stays signed in.
    pub async fn signed_up(mut self, username: &str) -> Self {
        let response = self.signup(username, PASSWORD).await;
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        self
    }

    pub async fn push(&mut self, slug: &str, body: &Value) -> Response {
        self.post_json(&format!("/api/sync/{slug}/push"), body)
            .await
    }

    /// Pulls and returns the body, asserting a 200.
    pub async fn pull(&mut self, slug: &str, since: u64) -> Value {
        let response = self
            .get(&format!("/api/sync/{slug}/pull?since={since}"))
            .await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }
}

pub const PASSWORD: &str = "correct horse battery";

/// The JSON error body, asserting its status and code.
pub async fn error_of(response: Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.expect("a JSON error body");
    assert_eq!(body["error"], code, "{body}");
    assert!(body["message"].is_string(), "{body}");
    body
}

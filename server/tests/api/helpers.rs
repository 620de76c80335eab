use std::path::PathBuf;

use server::{config::Config, telemetry, AppState, Application};

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
}

impl TestApp {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("the request reaches the server")
    }

    pub async fn get_with(&self, path: &str, header: &str, value: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .header(header, value)
            .send()
            .await
            .expect("the request reaches the server")
    }
}

pub fn workspace_path(relative: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).join(relative)
}

/// Starts the real server on a free port with the bundled roadmaps.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like `spawn_app`, with the configuration changed first.
pub async fn spawn_app_with(change: impl FnOnce(&mut Config)) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        telemetry::init("debug");
    }
    let mut config = Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        roadmaps: workspace_path("roadmaps"),
        site_root: workspace_path("target/site"),
        public_url: None,
        embed_origins: Vec::new(),
    };
    change(&mut config);
    let state = AppState::load(&config).expect("the bundled roadmaps load");
    let application = Application::with_state(config.addr, state)
        .await
        .expect("binds a free port");
    let address = format!("http://{}", application.local_addr());
    tokio::spawn(application.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
    }
}

//! Start-up: the state every request shares, loaded and checked once (`AppState::load`), and
//! the `Application` that binds a listener (port 0 allowed, for tests) and serves the router
//! (`crate::routes`) until a shutdown signal. Also `server check`'s content check.

use std::{net::SocketAddr, path::Path};

use app::csp::{EmbedAncestors, FrameAncestors};
use axum::{extract::FromRef, Router};
use leptos::prelude::*;
use tokio::net::TcpListener;
use trailmap_core::{catalog::Catalog, content::ContentError};

use crate::{
    accounts,
    accounts::CsrfKey,
    config::Config,
    connections,
    delivery::{assets, page_cache, page_keys::PageQueries, service_worker::ServiceWorkerScript},
    http::{cookies::CookiePolicy, csrf::CsrfGuard, roadmaps, topics},
    metrics::{self, Metrics},
    routes::router,
    store::{self, Db},
};

/// Everything a request may need; cheap to clone.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub catalog: Catalog,
    pub roadmap_bodies: roadmaps::RoadmapBodies,
    /// Topic details and search words, which map pages fetch on demand.
    pub topic_bodies: topics::TopicBodies,
    pub db: Db,
    pub cookie_policy: CookiePolicy,
    /// Checks and makes CSRF tokens (signed for the session, with the key all processes on the
    /// database share).
    pub csrf: CsrfGuard,
    pub limiter: accounts::LoginLimiter,
    /// Where password hashes are computed: a few threads, a short queue, then 503.
    pub hashing: accounts::HashingPool,
    pub site: Site,
    pub service_worker: ServiceWorkerScript,
    /// Recorded only when metrics are served (`Config::metrics_addr`).
    pub metrics: Option<Metrics>,
    pub page_cache: page_cache::PageCache,
    pub assets: assets::SiteAssets,
    /// Timeouts and caps of the listener serving this state (see `connections`).
    pub connection_limits: connections::ConnectionLimits,
}

/// Where the site lives and who may frame its embeds (from `Config`).
#[derive(Clone, Debug, Default)]
pub struct Site {
    /// The configured public origin, if any (`https://trailmap.example`).
    pub public_url: Option<String>,
    pub embed_ancestors: EmbedAncestors,
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("the roadmap content has {} error(s):\n{}", .0.len(), render_content_errors(.0))]
    Content(Vec<ContentError>),
    #[error("could not serialise the roadmaps: {0}")]
    Serialise(#[from] serde_json::Error),
    #[error("{0}")]
    Database(#[from] store::DbError),
    #[error("could not read the Leptos configuration: {0}")]
    Leptos(String),
    #[error("could not read or make the CSRF key: {0}")]
    CsrfKey(String),
    #[error("metrics need the state to record them: load it with `metrics_addr` set")]
    MetricsNotRecorded,
    #[error("could not listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

pub fn render_content_errors(errors: &[ContentError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl AppState {
    /// Loads and validates the roadmaps, opens and migrates the database; refuses to build a
    /// half-working state.
    pub async fn load(config: &Config) -> Result<Self, StartupError> {
        let roadmaps = trailmap_core::content::load_catalog(&config.roadmaps)
            .map_err(StartupError::Content)?;
        let catalog = Catalog::new(roadmaps);
        let roadmap_bodies = roadmaps::RoadmapBodies::new(&catalog)?;
        let topic_bodies = topics::TopicBodies::new(&catalog)?;
        let db = store::connect(&config.database_url).await?;
        match store::sessions::delete_expired(&db, store::unix_now()).await {
            Ok(0) => {}
            Ok(count) => tracing::info!(count, "deleted expired sessions"),
            Err(error) => tracing::warn!(%error, "could not delete expired sessions"),
        }
        let page_cache = page_cache::PageCache::new(
            page_cache::Limits::default(),
            config.public_url.is_some(),
            PageQueries::new(catalog.clone()),
        );
        let csrf = CsrfGuard {
            policy: CookiePolicy {
                secure_always: config.secure_cookies,
            },
            key: csrf_key(&db).await?,
        };
        let limiter = accounts::LoginLimiter::new(db.clone(), &config.limits);
        let hashing = accounts::HashingPool::per_core();
        let metrics = config
            .metrics_addr
            .map(|_| Metrics::new().watching_hashing(hashing.stats()));
        let mut leptos_options = leptos_options(config)?;
        let assets = assets::SiteAssets::load(
            &config.site_root,
            &leptos_options.site_pkg_dir,
            &leptos_options.output_name,
        );
        if let Some(name) = assets.hashed_name() {
            leptos_options.output_name = name.into();
        }
        Ok(Self {
            leptos_options,
            catalog,
            roadmap_bodies,
            topic_bodies,
            db,
            cookie_policy: csrf.policy,
            csrf,
            limiter,
            hashing,
            page_cache,
            service_worker: ServiceWorkerScript::new(&config.site_root, &assets),
            assets,
            site: Site {
                public_url: config.public_url.clone(),
                embed_ancestors: EmbedAncestors(FrameAncestors::for_embeds(&config.embed_origins)),
            },
            metrics,
            connection_limits: connections::ConnectionLimits::new(
                &config.limits,
                &config.trusted_proxies,
            ),
        })
    }
}

/// The key CSRF tokens are signed with: the database's, made now if it has none.
async fn csrf_key(db: &Db) -> Result<CsrfKey, StartupError> {
    let fresh =
        CsrfKey::generate_hex().map_err(|error| StartupError::CsrfKey(error.to_string()))?;
    let stored = store::secrets::get_or_create(db, "csrf", &fresh)
        .await
        .map_err(|error| StartupError::CsrfKey(error.to_string()))?;
    CsrfKey::from_hex(&stored)
        .ok_or_else(|| StartupError::CsrfKey("the stored key is not 32 bytes of hex".into()))
}

/// Leptos's options from the environment cargo-leptos sets, with our defaults where it is
/// not set (running the bare binary, or tests).
fn leptos_options(config: &Config) -> Result<LeptosOptions, StartupError> {
    if std::env::var_os("LEPTOS_OUTPUT_NAME").is_none() {
        std::env::set_var("LEPTOS_OUTPUT_NAME", "trailmap");
    }
    let mut options = get_configuration(None)
        .map_err(|error| StartupError::Leptos(error.to_string()))?
        .leptos_options;
    options.site_addr = config.addr;
    options.site_root = config.site_root.to_string_lossy().as_ref().into();
    Ok(options)
}

/// A bound, not yet serving, server.
pub struct Application {
    listener: TcpListener,
    router: Router,
    connection_limits: connections::ConnectionLimits,
    /// What the metrics listener would report, if one is bound.
    metrics: Option<(Metrics, Db)>,
    /// The separate `/metrics` listener (`Config::metrics_addr`).
    metrics_listener: Option<TcpListener>,
}

impl Application {
    pub async fn build(config: &Config) -> Result<Self, StartupError> {
        let state = AppState::load(config).await?;
        // The best compression of the client's files, before the first visitor asks for them.
        let assets = state.assets.clone();
        let started = std::time::Instant::now();
        let _ = tokio::task::spawn_blocking(move || assets.compress_missing_now()).await;
        tracing::debug!(elapsed = ?started.elapsed(), "client assets compressed");
        Self::with_state(config.addr, state)
            .await?
            .with_metrics_listener(config.metrics_addr)
            .await
    }

    pub async fn with_state(addr: SocketAddr, state: AppState) -> Result<Self, StartupError> {
        let listener = bind(addr).await?;
        let metrics = state
            .metrics
            .clone()
            .map(|metrics| (metrics, state.db.clone()));
        Ok(Self {
            listener,
            connection_limits: state.connection_limits.clone(),
            router: router(state),
            metrics,
            metrics_listener: None,
        })
    }

    /// Also serves `GET /metrics` on `addr` (none: no metrics listener). The state must have
    /// been loaded with `metrics_addr` set, so that it records them.
    pub async fn with_metrics_listener(
        mut self,
        addr: Option<SocketAddr>,
    ) -> Result<Self, StartupError> {
        let Some(addr) = addr else {
            return Ok(self);
        };
        if self.metrics.is_none() {
            return Err(StartupError::MetricsNotRecorded);
        }
        self.metrics_listener = Some(bind(addr).await?);
        Ok(self)
    }

    /// The metrics listener's address, when there is one.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener
            .as_ref()
            .and_then(|listener| listener.local_addr().ok())
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until SIGTERM or Ctrl-C, letting requests in flight finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        // The metrics listener lives as long as the main one, and no longer.
        let metrics = match (self.metrics_listener, self.metrics) {
            (Some(listener), Some((metrics, db))) => {
                let router = metrics::router(metrics, db);
                Some(tokio::spawn(async move {
                    if let Err(error) = axum::serve(listener, router).await {
                        tracing::error!(%error, "the metrics listener stopped");
                    }
                }))
            }
            _ => None,
        };
        // The peer address reaches handlers as `ConnectInfo` (per-address rate limits).
        let served = connections::serve(
            self.listener,
            self.router,
            self.connection_limits,
            shutdown_signal(),
        )
        .await;
        if let Some(metrics) = metrics {
            metrics.abort();
        }
        served
    }
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, StartupError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| StartupError::Bind { addr, source })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// `server check DIR`: every content problem, one per line as `file:line: message`, or, when
/// there is none, each roadmap's totals (nodes, stages, estimates, resources by type, topics
/// under the resource minimum). Warnings are printed either way and never fail the check.
/// Returns whether all is well.
pub fn check_content(dir: &Path) -> bool {
    match trailmap_core::content::load_catalog_checked(dir) {
        Ok(checked) => {
            for warning in &checked.warnings {
                eprintln!("warning: {warning}");
            }
            for roadmap in &checked.roadmaps {
                println!("{}", trailmap_core::content::summarize(roadmap));
            }
            if !checked.warnings.is_empty() {
                eprintln!("{} warning(s) in {}", checked.warnings.len(), dir.display());
            }
            true
        }
        Err(errors) => {
            for error in &errors {
                eprintln!("{error}");
            }
            eprintln!("{} error(s) in {}", errors.len(), dir.display());
            false
        }
    }
}

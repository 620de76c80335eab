//! The server's configuration: one typed struct from flags and environment, with defaults
//! that let `cargo leptos serve` (or the bare binary) run with no setup at all.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "server",
    about = "Trailmap: interactive learning roadmaps",
    version
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub config: Config,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the app (the default when no command is given).
    Serve,
    /// Validate the roadmap content folder and print every problem as file:line: message.
    Check {
        /// Folder holding one sub-folder per roadmap.
        #[arg(default_value = "roadmaps")]
        dir: PathBuf,
    },
}

#[derive(Clone, Debug, Args)]
pub struct Config {
    /// Address to listen on. Port 0 picks a free port.
    #[arg(
        long,
        env = "LEPTOS_SITE_ADDR",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub addr: SocketAddr,

    /// Folder of roadmap content (one sub-folder per roadmap), validated at start-up.
    #[arg(
        long,
        env = "TRAILMAP_ROADMAPS",
        default_value = "roadmaps",
        global = true
    )]
    pub roadmaps: PathBuf,

    /// Folder of the built site (wasm, JS, CSS, public files) that cargo-leptos writes.
    #[arg(
        long,
        env = "LEPTOS_SITE_ROOT",
        default_value = "target/site",
        global = true
    )]
    pub site_root: PathBuf,

    /// Database for accounts and synced progress. SQLite by default (the file and its folder
    /// are created when missing); a `postgres://` URL uses PostgreSQL instead.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/trailmap.db?mode=rwc",
        global = true
    )]
    pub database_url: String,

    /// Mark cookies `Secure` on every response, not only on requests a proxy marked
    /// `X-Forwarded-Proto: https`. Set it whenever the site is served over HTTPS.
    #[arg(long, env = "TRAILMAP_SECURE_COOKIES", global = true)]
    pub secure_cookies: bool,

    /// The site's public origin (`https://trailmap.example`): oEmbed recognises its own map
    /// pages by it and writes absolute embed URLs with it. Unset: the request's Host header.
    #[arg(long, env = "TRAILMAP_PUBLIC_URL", value_parser = parse_public_url, global = true)]
    pub public_url: Option<String>,

    /// Origins allowed to frame the embed pages (`/embed/…`), comma-separated
    /// (`https://blog.example,https://*.docs.example`). None listed: any site may. Every other
    /// page refuses to be framed.
    #[arg(
        long,
        env = "TRAILMAP_EMBED_ORIGINS",
        value_delimiter = ',',
        value_parser = app::csp::parse_origin,
        global = true
    )]
    pub embed_origins: Vec<String>,

    /// Serve Prometheus metrics at `GET /metrics` on this separate address (`127.0.0.1:9090`;
    /// keep it private: it is not authenticated). Unset: no metrics are recorded or served.
    #[arg(long, env = "TRAILMAP_METRICS_ADDR", global = true)]
    pub metrics_addr: Option<SocketAddr>,

    /// Abuse limits (each with a safe default).
    #[command(flatten)]
    pub limits: Limits,
}

/// How much one client, and all of them together, may ask of the server. Each limit is
/// documented with what answers past it in the README's *Security* section.
#[derive(Clone, Debug, Args)]
pub struct Limits {
    /// Sign-ups allowed per client address per hour (409 `username_taken` answers count too,
    /// so names cannot be enumerated faster). Past it: 429 with `Retry-After`.
    #[arg(long, env = "TRAILMAP_SIGNUPS_PER_IP", default_value_t = Limits::default().signups_per_ip, global = true)]
    pub signups_per_ip: usize,

    /// Sign-ups allowed per hour from everyone together. Past it: 429 with `Retry-After`.
    #[arg(long, env = "TRAILMAP_SIGNUPS_PER_HOUR", default_value_t = Limits::default().signups_per_hour, global = true)]
    pub signups_per_hour: usize,

    /// Seconds a client has to send a request head once the connection waits for one (also
    /// how long an idle kept-alive connection stays open). Past it the connection is closed.
    #[arg(long, env = "TRAILMAP_HEADER_TIMEOUT_SECS", default_value_t = Limits::default().header_timeout_secs, global = true)]
    pub header_timeout_secs: u64,

    /// Seconds a client has to send a whole request body. Past it: 408 and the connection is
    /// closed.
    #[arg(long, env = "TRAILMAP_BODY_TIMEOUT_SECS", default_value_t = Limits::default().body_timeout_secs, global = true)]
    pub body_timeout_secs: u64,

    /// Connections held at once. Unset: what the file-descriptor limit leaves room for (the soft
    /// limit is first raised to the hard one), at most 4,096. Past it a new connection is
    /// closed at once.
    #[arg(long, env = "TRAILMAP_MAX_CONNECTIONS", global = true)]
    pub max_connections: Option<usize>,

    /// Connections held at once from one peer address. Past it a new connection is closed at
    /// once.
    #[arg(long, env = "TRAILMAP_MAX_CONNECTIONS_PER_IP", default_value_t = Limits::default().max_connections_per_ip, global = true)]
    pub max_connections_per_ip: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            signups_per_ip: 20,
            signups_per_hour: 1000,
            header_timeout_secs: 10,
            body_timeout_secs: 30,
            max_connections: None,
            max_connections_per_ip: 64,
        }
    }
}

/// A public URL is an origin: scheme, host and port, no path.
fn parse_public_url(raw: &str) -> Result<String, String> {
    let url = url::Url::parse(raw.trim()).map_err(|error| format!("`{raw}`: {error}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(format!("`{raw}` is not an http(s) URL"));
    }
    if url.path() != "/" || url.query().is_some() {
        return Err(format!("`{raw}` must be an origin only, with no path"));
    }
    Ok(url.origin().ascii_serialization())
}

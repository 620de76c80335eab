//! Prometheus metrics, kept in process and written in the text exposition format (0.0.4) by
//! hand: a few counters and one histogram do not need a metrics framework.
//!
//! Exposure is opt-in: with `--metrics-addr` (`TRAILMAP_METRICS_ADDR`) set, `GET /metrics` is
//! answered on that separate listener only (bind it to localhost or a private interface);
//! without it nothing is recorded and the public router has no `/metrics` at all.
//!
//! Request series are labelled by the route *template* axum matched (`/api/sync/{slug}/push`),
//! never the raw path, so label cardinality is bounded by the router; requests no route
//! matched (static files, 404s) share the label `fallback`. The hot path takes a read lock on
//! the route table and a short per-route mutex.
//!
//! Names:
//! - `trailmap_http_requests_total{route,method,status}`: answered requests.
//! - `trailmap_http_request_duration_seconds{route,method}`: histogram of the time until the
//!   response head is ready (a streamed body is not included).
//! - `trailmap_sync_pushes_total`: pushes accepted (200), retries included.
//! - `trailmap_sync_mutations_applied_total`: pushed mutations that changed the stored entry.
//! - `trailmap_sync_conflicts_total{kind}`: `superseded`, a new pushed mutation that lost last
//!   writer wins to a stored entry with a newer (or equal) stamp; `gap`, a push refused with
//!   409 because its mutation ids do not follow on from the last applied one.
//! - `trailmap_active_sessions`: unexpired sessions in the database, counted at scrape time.
//! - `trailmap_password_hash_queue_depth`: requests waiting for a password hashing thread.
//! - `trailmap_password_hashes_running`: password hashes being computed.
//! - `trailmap_password_hash_rejections_total`: requests answered 503 because no hashing
//!   thread was free in time.
//! - `trailmap_password_hashes_total`: password hashes and checks computed.

use std::{
    collections::HashMap,
    fmt::Write as _,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, OnceLock, PoisonError, RwLock,
    },
    time::{Duration, Instant},
};

use axum::{
    extract::{MatchedPath, Request, State},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

use crate::{
    accounts::HashingStats,
    store::{self, Db},
};

/// Upper bounds of the latency buckets, in seconds (Prometheus's defaults).
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The label of requests no route matched.
const FALLBACK_ROUTE: &str = "fallback";

/// The process's metrics; cheap to clone (one shared registry).
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    inner: Arc<Registry>,
}

#[derive(Debug, Default)]
struct Registry {
    routes: RwLock<HashMap<Box<str>, Arc<Mutex<RouteSeries>>>>,
    pushes: AtomicU64,
    mutations_applied: AtomicU64,
    superseded: AtomicU64,
    gaps: AtomicU64,
    hashing: OnceLock<Arc<HashingStats>>,
}

/// Everything recorded for one route template.
#[derive(Debug, Default)]
struct RouteSeries {
    counts: HashMap<(&'static str, u16), u64>,
    latency: HashMap<&'static str, Histogram>,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Histogram {
    /// Observations per bucket (not cumulative); the last one is `+Inf`.
    buckets: [u64; BUCKETS.len() + 1],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        let bucket = BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(BUCKETS.len());
        self.buckets[bucket] += 1;
        self.sum += seconds;
        self.count += 1;
    }
}

/// What a push did, for the sync counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PushCounts {
    pub applied: u64,
    pub superseded: u64,
}

impl Metrics {
    pub fn new() -> Self {
        Self::default()
    }

    /// Also reports the password hashing pool's queue.
    pub fn watching_hashing(self, stats: Arc<HashingStats>) -> Self {
        let _ = self.inner.hashing.set(stats);
        self
    }

    /// Records one answered request.
    pub fn observe_request(&self, route: &str, method: &Method, status: u16, elapsed: Duration) {
        let method = method_label(method);
        let series = self.series(route);
        let mut series = series.lock().unwrap_or_else(PoisonError::into_inner);
        *series.counts.entry((method, status)).or_default() += 1;
        series
            .latency
            .entry(method)
            .or_default()
            .observe(elapsed.as_secs_f64());
    }

    fn series(&self, route: &str) -> Arc<Mutex<RouteSeries>> {
        let routes = &self.inner.routes;
        if let Some(series) = routes
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(route)
        {
            return series.clone();
        }
        routes
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(route.into())
            .or_default()
            .clone()
    }

    /// An accepted push (a retry too).
    pub fn record_push(&self, counts: PushCounts) {
        self.inner.pushes.fetch_add(1, Ordering::Relaxed);
        self.inner
            .mutations_applied
            .fetch_add(counts.applied, Ordering::Relaxed);
        self.inner
            .superseded
            .fetch_add(counts.superseded, Ordering::Relaxed);
    }

    /// A push refused because its mutation ids leave a gap (409).
    pub fn record_gap(&self) {
        self.inner.gaps.fetch_add(1, Ordering::Relaxed);
    }

    /// Everything in the text exposition format; `active_sessions` is read by the caller.
    pub fn render(&self, active_sessions: u64) -> String {
        let mut out = String::with_capacity(4096);
        let routes = self
            .inner
            .routes
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let mut names: Vec<_> = routes.keys().collect();
        names.sort();
        let snapshot: Vec<(&str, RouteSnapshot)> = names
            .into_iter()
            .map(|route| {
                let series = routes[route].lock().unwrap_or_else(PoisonError::into_inner);
                let mut counts: Vec<_> = series.counts.iter().map(|(k, v)| (*k, *v)).collect();
                counts.sort_unstable();
                let mut latency: Vec<_> = series
                    .latency
                    .iter()
                    .map(|(method, histogram)| (*method, histogram.clone()))
                    .collect();
                latency.sort_unstable_by_key(|(method, _)| *method);
                (&**route, RouteSnapshot { counts, latency })
            })
            .collect();

        header(
            &mut out,
            "trailmap_http_requests_total",
            "counter",
            "HTTP requests answered, by matched route template, method and status.",
        );
        for (route, snapshot) in &snapshot {
            for ((method, status), count) in &snapshot.counts {
                let _ = writeln!(
                    out,
                    "trailmap_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {count}",
                    escape(route)
                );
            }
        }

        header(
            &mut out,
            "trailmap_http_request_duration_seconds",
            "histogram",
            "Time until the response head is ready, by matched route template and method.",
        );
        for (route, snapshot) in &snapshot {
            let route = escape(route);
            for (method, histogram) in &snapshot.latency {
                let name = "trailmap_http_request_duration_seconds";
                let labels = format!("route=\"{route}\",method=\"{method}\"");
                let mut cumulative = 0;
                for (bound, count) in BUCKETS.iter().zip(&histogram.buckets) {
                    cumulative += count;
                    let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{bound}\"}} {cumulative}");
                }
                let _ = writeln!(
                    out,
                    "{name}_bucket{{{labels},le=\"+Inf\"}} {}",
                    histogram.count
                );
                let _ = writeln!(out, "{name}_sum{{{labels}}} {}", histogram.sum);
                let _ = writeln!(out, "{name}_count{{{labels}}} {}", histogram.count);
            }
        }
        drop(routes);

        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        header(
            &mut out,
            "trailmap_sync_pushes_total",
            "counter",
            "Sync pushes accepted (retries included).",
        );
        let _ = writeln!(
            out,
            "trailmap_sync_pushes_total {}",
            load(&self.inner.pushes)
        );
        header(
            &mut out,
            "trailmap_sync_mutations_applied_total",
            "counter",
            "Pushed mutations that changed the stored entry.",
        );
        let _ = writeln!(
            out,
            "trailmap_sync_mutations_applied_total {}",
            load(&self.inner.mutations_applied)
        );
        header(
            &mut out,
            "trailmap_sync_conflicts_total",
            "counter",
            "Sync conflicts: superseded = a new pushed mutation lost last-writer-wins to a newer \
             stored entry; gap = a push refused with 409 for non-consecutive mutation ids.",
        );
        let _ = writeln!(
            out,
            "trailmap_sync_conflicts_total{{kind=\"superseded\"}} {}",
            load(&self.inner.superseded)
        );
        let _ = writeln!(
            out,
            "trailmap_sync_conflicts_total{{kind=\"gap\"}} {}",
            load(&self.inner.gaps)
        );
        header(
            &mut out,
            "trailmap_active_sessions",
            "gauge",
            "Unexpired sign-in sessions in the database, counted at scrape time.",
        );
        let _ = writeln!(out, "trailmap_active_sessions {active_sessions}");
        if let Some(hashing) = self.inner.hashing.get() {
            render_hashing(&mut out, hashing);
        }
        out
    }
}

fn render_hashing(out: &mut String, hashing: &HashingStats) {
    let series: [(&str, &str, &str, u64); 4] = [
        (
            "trailmap_password_hash_queue_depth",
            "gauge",
            "Requests waiting for a password hashing thread.",
            hashing.waiting() as u64,
        ),
        (
            "trailmap_password_hashes_running",
            "gauge",
            "Password hashes being computed.",
            hashing.running() as u64,
        ),
        (
            "trailmap_password_hash_rejections_total",
            "counter",
            "Requests answered 503 because no password hashing thread was free in time.",
            hashing.refused(),
        ),
        (
            "trailmap_password_hashes_total",
            "counter",
            "Password hashes and checks computed.",
            hashing.completed(),
        ),
    ];
    for (name, kind, help, value) in series {
        header(out, name, kind, help);
        let _ = writeln!(out, "{name} {value}");
    }
}

struct RouteSnapshot {
    counts: Vec<((&'static str, u16), u64)>,
    latency: Vec<(&'static str, Histogram)>,
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// Label values escape `\`, `"` and newlines.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Methods outside the standard set share one label, so clients cannot mint series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Middleware on the public router: counts and times every request by matched route.
pub async fn track_requests(
    State(metrics): State<Metrics>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request.extensions().get::<MatchedPath>().cloned();
    let response = next.run(request).await;
    let route = route.as_ref().map_or(FALLBACK_ROUTE, MatchedPath::as_str);
    metrics.observe_request(
        route,
        &method,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// The separate metrics listener's router: `GET /metrics`, nothing else.
pub fn router(metrics: Metrics, db: Db) -> Router {
    Router::new().route(
        "/metrics",
        get(move || {
            let (metrics, db) = (metrics.clone(), db.clone());
            async move { scrape(&metrics, &db).await }
        }),
    )
}

async fn scrape(metrics: &Metrics, db: &Db) -> Response {
    let active = match store::sessions::count_active(db, store::unix_now()).await {
        Ok(count) => count,
        Err(error) => {
            tracing::error!(%error, "could not count sessions for /metrics");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "the session store is not answering\n",
            )
                .into_response();
        }
    };
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        metrics.render(active),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample<'a>(text: &'a str, series: &str) -> Option<&'a str> {
        text.lines()
            .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
    }

    #[test]
    fn requests_are_counted_by_route_method_and_status_with_cumulative_buckets() {
        let metrics = Metrics::new();
        let route = "/api/roadmaps/{slug}";
        metrics.observe_request(route, &Method::GET, 200, Duration::from_millis(3));
        metrics.observe_request(route, &Method::GET, 200, Duration::from_millis(30));
        metrics.observe_request(route, &Method::GET, 404, Duration::from_secs(20));
        let text = metrics.render(2);

        let labels = r#"route="/api/roadmaps/{slug}",method="GET""#;
        assert_eq!(
            sample(
                &text,
                &format!("trailmap_http_requests_total{{{labels},status=\"200\"}}")
            ),
            Some("2")
        );
        assert_eq!(
            sample(
                &text,
                &format!("trailmap_http_requests_total{{{labels},status=\"404\"}}")
            ),
            Some("1")
        );
        let bucket = |le: &str| {
            sample(
                &text,
                &format!("trailmap_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}}"),
            )
        };
        assert_eq!(bucket("0.005"), Some("1"));
        assert_eq!(bucket("0.05"), Some("2"));
        assert_eq!(bucket("10"), Some("2"));
        assert_eq!(bucket("+Inf"), Some("3"));
        assert_eq!(
            sample(
                &text,
                &format!("trailmap_http_request_duration_seconds_count{{{labels}}}")
            ),
            Some("3")
        );
        assert_eq!(sample(&text, "trailmap_active_sessions"), Some("2"));
    }

    #[test]
    fn sync_counters_add_up_and_unknown_methods_share_a_label() {
        let metrics = Metrics::new();
        metrics.record_push(PushCounts {
            applied: 3,
            superseded: 1,
        });
        metrics.record_push(PushCounts {
            applied: 0,
            superseded: 2,
        });
        metrics.record_gap();
        let odd = Method::from_bytes(b"BREW").unwrap();
        metrics.observe_request("fallback", &odd, 405, Duration::ZERO);
        let text = metrics.render(0);

        assert_eq!(sample(&text, "trailmap_sync_pushes_total"), Some("2"));
        assert_eq!(
            sample(&text, "trailmap_sync_mutations_applied_total"),
            Some("3")
        );
        assert_eq!(
            sample(&text, r#"trailmap_sync_conflicts_total{kind="superseded"}"#),
            Some("3")
        );
        assert_eq!(
            sample(&text, r#"trailmap_sync_conflicts_total{kind="gap"}"#),
            Some("1")
        );
        assert!(text.contains(r#"route="fallback",method="other",status="405""#));
        assert!(!text.contains("BREW"));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}

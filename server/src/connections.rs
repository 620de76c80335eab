//! The listener: accepts connections and serves HTTP/1.1 on them, within limits that keep one
//! client from making the server unreachable for everyone else.
//!
//! `axum::serve` has no timeouts and no caps: 100 half-sent request heads and 100 bodies
//! trickling a byte every 2 s were all still held after 45 s, and ~1,100 of them ran the
//! process out of file descriptors (`/healthz` timed out). So this loop, built on hyper's own
//! connection builder:
//! - gives a request head `header_timeout` to arrive (hyper's `header_read_timeout`, which
//!   runs whenever the connection waits for a head: so it is also the idle keep-alive timeout);
//! - gives a request body `body_timeout` in all (`DeadlineBody`): the handler reading it gets an
//!   error, answered `408 request_timeout`, and the connection is closed;
//! - holds at most `max_connections` connections, and `max_connections_per_ip` from one peer
//!   address; a connection past either is closed at once, before a byte is read;
//! - survives running out of file descriptors: the accept error is logged once per back-off
//!   and accepting pauses (10 ms doubling to 1 s) while connections close;
//! - stops accepting on shutdown and gives open connections `SHUTDOWN_GRACE` to finish.
//!
//! HTTP/1.1 only: TLS and HTTP/2 are the reverse proxy's job (hyper's protocol detection reads
//! the first bytes of a connection with no timeout at all).

use std::{
    collections::HashMap,
    future::Future,
    net::IpAddr,
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
    time::Duration,
};

use axum::{
    body::{Body, Bytes},
    extract::ConnectInfo,
    Router,
};
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
};
use tokio::{
    net::TcpListener,
    sync::{OwnedSemaphorePermit, Semaphore},
    time::Sleep,
};
use tower::ServiceExt;

use crate::config::Limits;

/// How long open connections may take to finish once shutdown starts.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// Connections held at most when no cap is configured.
const DEFAULT_MAX_CONNECTIONS: usize = 4096;

/// The connection limits of one listener.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub max_connections: usize,
    pub max_connections_per_ip: usize,
}

impl ConnectionLimits {
    pub fn new(limits: &Limits) -> Self {
        Self {
            header_timeout: Duration::from_secs(limits.header_timeout_secs.max(1)),
            body_timeout: Duration::from_secs(limits.body_timeout_secs.max(1)),
            max_connections: limits
                .max_connections
                .unwrap_or_else(|| {
                    raise_descriptor_limit().map_or(DEFAULT_MAX_CONNECTIONS, |room| {
                        room.min(DEFAULT_MAX_CONNECTIONS)
                    })
                })
                .max(1),
            max_connections_per_ip: limits.max_connections_per_ip.max(1),
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let all = Arc::new(Semaphore::new(limits.max_connections));
    let per_ip = PerIp::default();
    let graceful = GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let mut backoff = Backoff::default();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => {
                backoff.reset();
                accepted
            }
            Err(error) => {
                if let Some(pause) = backoff.after(&error) {
                    tokio::time::sleep(pause).await;
                }
                continue;
            }
        };
        let Some(slot) = Slot::take(&all, &per_ip, peer.ip(), limits.max_connections_per_ip) else {
            // Over a cap: closed before a byte is read.
            drop(stream);
            continue;
        };
        // The router as hyper calls it: each request with its peer address and a deadline
        // on its body.
        let router = router.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let mut request =
                request.map(|body| Body::new(DeadlineBody::new(body, limits.body_timeout)));
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request)
        });
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // Errors here are the client's (a reset, a timeout): nothing to report.
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open {SHUTDOWN_GRACE:?} after shutdown began");
    }
    Ok(())
}

/// Raises this process's soft file-descriptor limit to its hard limit, and says how many
/// connections that leaves room for (`None` when the limit cannot be read).
pub fn raise_descriptor_limit() -> Option<usize> {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit and setrlimit only read and write the struct passed to them.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
                return None;
            }
            if limit.rlim_cur < limit.rlim_max {
                let raised = libc::rlimit {
                    rlim_cur: limit.rlim_max.min(1 << 20),
                    rlim_max: limit.rlim_max,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                    limit = raised;
                }
            }
        }
        // Kept free for the database, files and the metrics listener: an eighth, at least 32.
        let total = limit.rlim_cur as u64;
        let room = total.saturating_sub((total / 8).max(32));
        Some(room.max(1) as usize)
    }
    #[cfg(not(unix))]
    None
}

/// How many connections each peer address holds now.
#[derive(Clone, Debug, Default)]
struct PerIp(Arc<Mutex<HashMap<IpAddr, usize>>>);

/// A connection's place under both caps, given back when it closes.
struct Slot {
    _permit: OwnedSemaphorePermit,
    per_ip: PerIp,
    ip: IpAddr,
}

impl Slot {
    fn take(all: &Arc<Semaphore>, per_ip: &PerIp, ip: IpAddr, max_per_ip: usize) -> Option<Self> {
        let permit = all.clone().try_acquire_owned().ok()?;
        {
            let mut counts = per_ip.0.lock().unwrap_or_else(|poison| poison.into_inner());
            let count = counts.entry(ip).or_default();
            if *count >= max_per_ip {
                return None;
            }
            *count += 1;
        }
        Some(Self {
            _permit: permit,
            per_ip: per_ip.clone(),
            ip,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self
            .per_ip
            .0
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if let Some(count) = counts.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.ip);
            }
        }
    }
}

/// Pauses of the accept loop after errors that mean "out of resources".
#[derive(Debug, Default)]
struct Backoff {
    pause: Option<Duration>,
}

impl Backoff {
    const FIRST: Duration = Duration::from_millis(10);
    const LONGEST: Duration = Duration::from_secs(1);

    fn reset(&mut self) {
        if self.pause.take().is_some() {
            tracing::info!("accepting connections again");
        }
    }

    /// How long to pause after `error` (`None`: the error was one connection's, go on).
    fn after(&mut self, error: &std::io::Error) -> Option<Duration> {
        if is_connection_error(error) {
            return None;
        }
        let pause = match self.pause {
            None => Self::FIRST,
            Some(pause) => (pause * 2).min(Self::LONGEST),
        };
        // Logged when the pause grows, so at most a few lines per episode.
        if self.pause != Some(pause) {
            tracing::warn!(%error, ?pause, "cannot accept connections; pausing");
        }
        self.pause = Some(pause);
        Some(pause)
    }
}

/// Errors about one connection (it was reset before we took it), not about the listener.
fn is_connection_error(error: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(
        error.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    )
}

/// A request body that fails once its deadline passes, however it trickles.
pub struct DeadlineBody<B> {
    inner: B,
    deadline: Pin<Box<Sleep>>,
}

impl<B> DeadlineBody<B> {
    pub fn new(inner: B, within: Duration) -> Self {
        Self {
            inner,
            deadline: Box::pin(tokio::time::sleep(within)),
        }
    }
}

/// The error of a body whose deadline passed.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
pub struct BodyTimeout;

impl<B> HttpBody for DeadlineBody<B>
where
    B: HttpBody<Data = Bytes> + Unpin,
    B::Error: Into<axum::BoxError>,
{
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|frame| frame.map_err(Into::into)));
        }
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyTimeout)))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Whether `error`, or anything that caused it, is a body deadline passing.
pub fn is_body_timeout(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if error.is::<BodyTimeout>() {
            return true;
        }
        cause = error.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt;

    use super::*;

    #[test]
    fn the_per_address_cap_holds_and_closing_frees_a_place() {
        let all = Arc::new(Semaphore::new(10));
        let per_ip = PerIp::default();
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        let other: IpAddr = "203.0.113.8".parse().unwrap();
        let first = Slot::take(&all, &per_ip, ip, 2).unwrap();
        let _second = Slot::take(&all, &per_ip, ip, 2).unwrap();
        assert!(Slot::take(&all, &per_ip, ip, 2).is_none());
        assert!(Slot::take(&all, &per_ip, other, 2).is_some());
        drop(first);
        assert!(Slot::take(&all, &per_ip, ip, 2).is_some());
        assert_eq!(
            all.available_permits(),
            9,
            "only `_second` still holds a place"
        );
    }

    #[test]
    fn the_total_cap_holds() {
        let all = Arc::new(Semaphore::new(2));
        let per_ip = PerIp::default();
        let slots: Vec<_> = (1..=2u8)
            .map(|n| Slot::take(&all, &per_ip, IpAddr::from([10, 0, 0, n]), 5).unwrap())
            .collect();
        assert!(Slot::take(&all, &per_ip, IpAddr::from([10, 0, 0, 3]), 5).is_none());
        drop(slots);
        assert!(per_ip.0.lock().unwrap().is_empty());
    }

    #[test]
    fn backoff_doubles_to_a_second_and_ignores_one_connections_errors() {
        let mut backoff = Backoff::default();
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert_eq!(backoff.after(&reset), None);
        let emfile = std::io::Error::from_raw_os_error(24);
        let pauses: Vec<_> = (0..10).filter_map(|_| backoff.after(&emfile)).collect();
        assert_eq!(pauses[0], Duration::from_millis(10));
        assert_eq!(pauses[1], Duration::from_millis(20));
        assert_eq!(*pauses.last().unwrap(), Duration::from_secs(1));
        backoff.reset();
        assert_eq!(backoff.after(&emfile), Some(Duration::from_millis(10)));
    }

    /// A body whose next byte never comes.
    struct Stalled;

    impl HttpBody for Stalled {
        type Data = Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            Poll::Pending
        }
    }

    #[tokio::test]
    async fn a_body_past_its_deadline_fails_as_a_timeout() {
        let body = DeadlineBody::new(Stalled, Duration::from_millis(20));

        let error = body.collect().await.unwrap_err();

        assert!(is_body_timeout(&*error), "{error}");
        let wrapped = axum::Error::new(error);
        assert!(is_body_timeout(&wrapped));
    }
}

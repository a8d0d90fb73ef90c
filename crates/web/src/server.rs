//! The accept loop: hyper connections with bounds, so no client can hold the server.
//!
//! Each accepted connection (TCP_NODELAY, at most [`ServerLimits::max_connections`] at a time —
//! beyond that new connections wait in the listen backlog) is served by hyper's auto builder
//! (HTTP/1.1 and HTTP/2) under a small watchdog that sees its bytes move:
//!
//! - a request whose head is not complete [`ServerLimits::header_timeout`] after its first byte
//!   arrived (slowloris, a half-sent request line) closes the connection;
//! - a connection with no request in flight and no bytes moving for
//!   [`ServerLimits::idle_timeout`] (keep-alive) is closed;
//! - a request is answered within [`ServerLimits::request_timeout`] (408 otherwise, body
//!   included, so an upload must arrive within it), and a request body that sends nothing for
//!   `idle_timeout` fails.
//!
//! On shutdown the listener is dropped (new connections are refused at once), connections with
//! no request in flight are closed, requests in flight may finish for
//! [`ServerLimits::shutdown_grace`], then whatever is left is closed and `serve` returns.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tower::{ServiceBuilder, ServiceExt};
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

use crate::router::router;
use crate::state::App;

/// The bounds the server holds every client to; the binary fills them from its configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    /// How long a request's head (request line and headers) may take to arrive, from its first
    /// byte.
    pub header_timeout: Duration,
    /// How long one request may take, its body included.
    pub request_timeout: Duration,
    /// How long a keep-alive connection may wait for its next request, and a request body may
    /// send nothing.
    pub idle_timeout: Duration,
    /// How many connections are served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// How long requests in flight may go on after shutdown was asked for.
    pub shutdown_grace: Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(300),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Serves the site on `listener` with [`ServerLimits::default`] until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    serve_with(listener, app, shutdown, ServerLimits::default()).await
}

/// Serves the site on `listener` until `shutdown` completes, holding clients to `limits`; then
/// stops accepting, lets requests in flight finish within the grace period and returns.
pub async fn serve_with(
    listener: TcpListener,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
    limits: ServerLimits,
) -> io::Result<()> {
    let router = router(app);
    let stack = ServiceBuilder::new()
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
        .layer(RequestBodyTimeoutLayer::new(limits.idle_timeout))
        .service(router);
    let mut builder = Builder::new(TokioExecutor::new());
    // The header clock is the watchdog's (it starts at a request's first byte, not while a
    // keep-alive connection waits), so hyper's own is off.
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(None);
    builder.http2().timer(TokioTimer::new());
    let builder = Arc::new(builder);
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let (stopping_tx, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);

    loop {
        // A free slot first: beyond the bound, connections wait in the backlog.
        let permit = tokio::select! {
            () = &mut shutdown => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let (tcp, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    drop(permit);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        // Pages are small: send them without waiting for Nagle.
        let _ = tcp.set_nodelay(true);
        let activity = Arc::new(Activity::new());
        let io = TokioIo::new(Watched {
            inner: tcp,
            activity: Arc::clone(&activity),
        });
        let stack = stack.clone();
        let counted = Arc::clone(&activity);
        let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
            // With the peer's address: sign-in throttling counts failures per client address.
            req.extensions_mut().insert(ConnectInfo(peer));
            let guard = counted.begin_request();
            let answer = stack.clone().oneshot(req);
            async move {
                let res = answer.await;
                drop(guard);
                res
            }
        });
        let conn = builder
            .serve_connection_with_upgrades(io, service)
            .into_owned();
        let conn = graceful.watch(conn);
        let stopping = stopping.clone();
        connections.spawn(async move {
            let _permit = permit;
            tokio::select! {
                served = conn => {
                    if let Err(e) = served {
                        tracing::debug!(%peer, error = %e, "connection ended with an error");
                    }
                }
                why = activity.watchdog(limits, stopping) => {
                    tracing::debug!(%peer, why, "connection closed");
                }
            }
        });
    }

    // Stop accepting: the listener is closed, so new connections are refused, not queued.
    drop(listener);
    let _ = stopping_tx.send(true);
    let open = connections.len();
    if open > 0 {
        tracing::info!(
            connections = open,
            grace_secs = limits.shutdown_grace.as_secs(),
            "finishing requests in flight"
        );
    }
    let finished = tokio::time::timeout(limits.shutdown_grace, async {
        graceful.shutdown().await;
        while connections.join_next().await.is_some() {}
    })
    .await;
    if finished.is_err() {
        tracing::warn!(
            connections = connections.len(),
            "the grace period is over: closing the connections still open"
        );
    }
    connections.shutdown().await;
    Ok(())
}

/// What the watchdog knows about one connection: milliseconds since `base`.
#[derive(Debug)]
struct Activity {
    base: Instant,
    /// The last time bytes moved, or a request ended.
    last_io: AtomicU64,
    /// When the first byte of a request not yet handed to the router arrived, plus one; 0 for
    /// none.
    head_started: AtomicU64,
    in_flight: AtomicUsize,
}

impl Activity {
    fn new() -> Self {
        Self {
            base: Instant::now(),
            last_io: AtomicU64::new(0),
            head_started: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.base.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn read(&self, bytes: usize) {
        if bytes == 0 {
            return;
        }
        let now = self.now();
        self.last_io.store(now, Ordering::Relaxed);
        if self.in_flight.load(Ordering::Acquire) == 0 {
            let _ =
                self.head_started
                    .compare_exchange(0, now + 1, Ordering::AcqRel, Ordering::Relaxed);
        }
    }

    fn wrote(&self) {
        self.last_io.store(self.now(), Ordering::Relaxed);
    }

    fn begin_request(self: &Arc<Self>) -> RequestGuard {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.head_started.store(0, Ordering::Release);
        RequestGuard(Arc::clone(self))
    }

    /// Resolves when the connection should be closed, saying why.
    async fn watchdog(
        &self,
        limits: ServerLimits,
        mut stopping: watch::Receiver<bool>,
    ) -> &'static str {
        let header = u64::try_from(limits.header_timeout.as_millis()).unwrap_or(u64::MAX);
        let idle = u64::try_from(limits.idle_timeout.as_millis()).unwrap_or(u64::MAX);
        let tick = (limits.header_timeout.min(limits.idle_timeout) / 4)
            .clamp(Duration::from_millis(10), Duration::from_secs(1));
        let mut ticks = tokio::time::interval(tick);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                changed = stopping.changed() => {
                    if changed.is_err() {
                        return "shutting down";
                    }
                }
            }
            if self.in_flight.load(Ordering::Acquire) > 0 {
                continue;
            }
            if *stopping.borrow() {
                return "shutting down";
            }
            let now = self.now();
            let head = self.head_started.load(Ordering::Acquire);
            if head > 0 {
                if now.saturating_sub(head - 1) >= header {
                    return "the request head did not arrive in time";
                }
            } else if now.saturating_sub(self.last_io.load(Ordering::Relaxed)) >= idle {
                return "idle";
            }
        }
    }
}

/// A request in flight; dropping it marks the end.
struct RequestGuard(Arc<Activity>);

impl Drop for RequestGuard {
    fn drop(&mut self) {
        self.0.wrote();
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A TCP stream that tells its [`Activity`] when bytes move.
#[derive(Debug)]
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            self.activity.read(buf.filled().len() - before);
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = polled
            && n > 0
        {
            self.activity.wrote();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if let Poll::Ready(Ok(n)) = polled
            && n > 0
        {
            self.activity.wrote();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

//! The HTTP listener: `GET /metrics` on a thread of its own.
//!
//! The listener runs on a dedicated thread with a single-threaded tokio runtime, so scrapes are
//! answered even when the application's runtime is saturated or blocked, and
//! [`install_exporter`](crate::install_exporter) works from a plain `fn main`.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, ALLOW, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::exporter::Shared;

/// Content type of the text exposition format.
const EXPOSITION_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// How long a client may take to send its request headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// How long stopping waits for scrapes in flight.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

pub(crate) struct ServerConfig {
    pub upkeep_interval: Duration,
}

/// A running listener.
pub(crate) struct Server {
    local_addr: SocketAddr,
    stop: watch::Sender<bool>,
    thread: JoinHandle<()>,
}

impl Server {
    pub(crate) fn start(
        listener: std::net::TcpListener,
        shared: Arc<Shared>,
        config: ServerConfig,
    ) -> std::io::Result<Self> {
        let local_addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (stop, stopped) = watch::channel(false);
        let thread = std::thread::Builder::new()
            .name("metrics-exporter".into())
            .spawn(move || runtime.block_on(serve(listener, shared, config, stopped)))?;
        Ok(Self {
            local_addr,
            stop,
            thread,
        })
    }

    pub(crate) fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting, lets scrapes in flight finish (bounded), and joins the thread.
    pub(crate) fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.thread.join();
    }
}

async fn serve(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    config: ServerConfig,
    mut stopped: watch::Receiver<bool>,
) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(_) => return,
    };
    let mut upkeep = tokio::time::interval(config.upkeep_interval);
    upkeep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stopped.changed() => break,
            _ = upkeep.tick() => shared.run_upkeep(),
            accepted = listener.accept() => {
                // Accept errors (e.g. too many open files) are transient; keep serving.
                let Ok((stream, _peer)) = accepted else { continue };
                let shared = shared.clone();
                let mut stopped = stopped.clone();
                connections.spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let shared = shared.clone();
                        async move { Ok::<_, Infallible>(respond(&shared, &request)) }
                    });
                    let connection = hyper::server::conn::http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(HEADER_TIMEOUT)
                        .serve_connection(TokioIo::new(stream), service);
                    tokio::pin!(connection);
                    tokio::select! {
                        _ = connection.as_mut() => {}
                        _ = stopped.changed() => {
                            connection.as_mut().graceful_shutdown();
                            let _ = connection.await;
                        }
                    }
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
}

fn respond(shared: &Shared, request: &Request<Incoming>) -> Response<Full<Bytes>> {
    match (request.uri().path(), request.method()) {
        ("/metrics", &Method::GET | &Method::HEAD) => {
            let body = shared.render();
            let mut response = Response::new(Full::new(Bytes::from(body)));
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static(EXPOSITION_CONTENT_TYPE),
            );
            response
        }
        ("/health", &Method::GET | &Method::HEAD) => health(),
        ("/metrics" | "/health", _) => {
            let mut response = text(
                StatusCode::METHOD_NOT_ALLOWED,
                "method not allowed: use GET\n",
            );
            response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
            response
        }
        _ => text(
            StatusCode::NOT_FOUND,
            "not found: metrics are served at /metrics, health at /health\n",
        ),
    }
}

/// `{"status":"healthy","components":{"db":"healthy"}}`; 503 when any component is unhealthy.
fn health() -> Response<Full<Bytes>> {
    let components = crate::health::components();
    let healthy = components.values().all(|healthy| *healthy);
    let word = |healthy: bool| if healthy { "healthy" } else { "unhealthy" };
    let body = serde_json::json!({
        "status": word(healthy),
        "components": components.iter().map(|(name, ok)| (name.clone(), word(*ok).into())).collect::<serde_json::Map<_, _>>(),
    });
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn text(status: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

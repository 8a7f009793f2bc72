//! The HTTP listener's routes: the exposition, `/health` and `/catalog`.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, ALLOW, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::watch;

use crate::exporter::Shared;

/// How long a client may take to send its request headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves one connection until it closes, or gracefully once the exporter stops.
pub(crate) async fn serve_connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    mut stopped: watch::Receiver<bool>,
) {
    let service = hyper::service::service_fn(move |request| {
        let shared = shared.clone();
        async move { Ok::<_, Infallible>(respond_or_500(&shared, peer, &request)) }
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
}

/// [`respond`], with a panic on the way (a bug) answered `500` instead of ending the
/// connection without a word; the panic itself is on stderr, from the panic hook.
fn respond_or_500(
    shared: &Shared,
    peer: SocketAddr,
    request: &Request<Incoming>,
) -> Response<Full<Bytes>> {
    std::panic::catch_unwind(AssertUnwindSafe(|| respond(shared, peer, request))).unwrap_or_else(
        |_| {
            text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error: the exporter panicked while answering; its message is on the program's stderr\n".to_owned(),
            )
        },
    )
}

fn respond(
    shared: &Shared,
    peer: SocketAddr,
    request: &Request<Incoming>,
) -> Response<Full<Bytes>> {
    if !shared.allows(peer.ip()) {
        return text(
            StatusCode::FORBIDDEN,
            format!("forbidden: {} may not scrape this exporter\n", peer.ip()),
        );
    }
    let path = request.uri().path();
    let readable = matches!(*request.method(), Method::GET | Method::HEAD);
    if path == shared.metrics_path && readable {
        let accept = request
            .headers()
            .get(hyper::header::ACCEPT)
            .and_then(|value| value.to_str().ok());
        let format = crate::exposition::Format::negotiate(accept);
        return body(
            StatusCode::OK,
            format.content_type(),
            shared.render_bytes(format),
        );
    }
    match path {
        "/health" if readable => health(),
        "/catalog" if readable => {
            let catalog = crate::catalog::catalog_json(&shared.render.prefix);
            body(StatusCode::OK, "application/json", catalog.to_string())
        }
        "/health" | "/catalog" => method_not_allowed(),
        _ if path == shared.metrics_path => method_not_allowed(),
        _ => text(
            StatusCode::NOT_FOUND,
            format!(
                "not found: metrics are served at {}, health at /health, the catalog at /catalog\n",
                shared.metrics_path
            ),
        ),
    }
}

/// `{"status":"healthy","components":{"db":"healthy"}}`; 503 when any component is unhealthy.
fn health() -> Response<Full<Bytes>> {
    let components = crate::health::components();
    let healthy = components.values().all(|healthy| *healthy);
    let word = |healthy: bool| if healthy { "healthy" } else { "unhealthy" };
    let json = serde_json::json!({
        "status": word(healthy),
        "components": components
            .iter()
            .map(|(name, ok)| (name.clone(), word(*ok).into()))
            .collect::<serde_json::Map<_, _>>(),
    });
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    body(status, "application/json", json.to_string())
}

fn method_not_allowed() -> Response<Full<Bytes>> {
    let mut response = text(
        StatusCode::METHOD_NOT_ALLOWED,
        "method not allowed: use GET\n".to_owned(),
    );
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
    response
}

fn text(status: StatusCode, message: String) -> Response<Full<Bytes>> {
    body(status, "text/plain; charset=utf-8", message)
}

fn body(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

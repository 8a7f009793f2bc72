//! Serving the exposition from an application's own axum server instead of the exporter's
//! listener: `build()` installs the recorder without a listener, and the handle renders.
//!
//! ```text
//! cargo run --example axum_app -- 127.0.0.1:3000
//! curl -s localhost:3000/metrics | grep function_calls_total
//! ```

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use axum::Router;
use metrics_runtime::{monitored, Exporter, MetricsHandle};

/// An instrumented handler of the application.
#[monitored]
async fn hello() -> &'static str {
    "hello\n"
}

/// The application's router, with `/metrics` mounted next to its own routes.
pub fn router(metrics: MetricsHandle) -> Router {
    Router::new()
        .route("/", get(hello))
        // The three lines that serve the exposition:
        .route(
            "/metrics",
            get(|State(metrics): State<MetricsHandle>| async move {
                (
                    [(CONTENT_TYPE, MetricsHandle::CONTENT_TYPE)],
                    metrics.render(),
                )
            }),
        )
        .with_state(metrics)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    let exporter = Exporter::builder().build()?;
    let listener = tokio::net::TcpListener::bind(&address).await?;
    println!(
        "App on http://{}/ , metrics on http://{0}/metrics",
        listener.local_addr()?
    );
    axum::serve(listener, router(exporter.handle())).await?;
    Ok(())
}

//! The exposition mounted in an existing axum app (the `axum_app` example), scraped over HTTP.

#[allow(dead_code)]
#[path = "../examples/axum_app.rs"]
mod axum_app;

use metrics_runtime::Exporter;
use metrics_toolkit::{expect_value, get, promtool_check_metrics};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_apps_own_router_serves_metrics() {
    let exporter = Exporter::builder()
        .process_metrics(false)
        .host_metrics(false)
        .build()
        .unwrap();
    assert_eq!(
        exporter.local_addr(),
        None,
        "build() starts no listener of its own"
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let serve = axum::serve(listener, axum_app::router(exporter.handle()));
    let server = tokio::spawn(async move { serve.await });

    let responses = tokio::task::spawn_blocking(move || {
        let hello: Vec<_> = (0..3).map(|_| get(address, "/")).collect();
        (hello, get(address, "/metrics"))
    })
    .await
    .unwrap();
    let (hello, metrics) = responses;
    assert!(hello.iter().all(|r| r.status == 200 && r.body == "hello\n"));
    assert_eq!(metrics.status, 200);
    assert_eq!(
        metrics.content_type.as_deref(),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let ok = [
        ("function", "hello"),
        ("module", "axum_app::axum_app"),
        ("status", "ok"),
    ];
    assert_eq!(
        expect_value(&metrics.body, "function_calls_total", &ok),
        3.0
    );
    promtool_check_metrics(&metrics.body);
    server.abort();
}

//! A push gateway that is down: pushes fail, are counted in `metrics_push_failures_total`, and
//! neither the program nor its shutdown is held up.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use metrics_runtime::Exporter;
use metrics_toolkit::value;

#[test]
fn failed_pushes_are_counted_and_shutdown_still_returns() {
    // A port nobody listens on: connections are refused at once.
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let exporter = Exporter::builder()
        .push_gateway(
            format!("http://{closed}/metrics/job/offline"),
            Duration::from_millis(100),
        )
        .process_metrics(false)
        .host_metrics(false)
        .build()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let failures = value(&exporter.render(), "metrics_push_failures_total", &[]).unwrap_or(0.0);
        if failures >= 3.0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "pushes to a closed port were not counted as failures: {failures}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let text = exporter.render();
    assert!(
        text.contains("# TYPE metrics_push_failures_total counter\n"),
        "{text}"
    );
    exporter.shutdown();
}

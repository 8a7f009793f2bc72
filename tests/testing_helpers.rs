//! The `testing` helpers users call in their own tests: no HTTP, exact deltas, and handles
//! cached before `install()` rebound after it.

use metrics_runtime::testing::{self, Snapshot};
use metrics_runtime::{monitored, LabelValue};

#[derive(Clone, Copy, LabelValue)]
enum Kind {
    Small,
    Large,
}

#[monitored(labels(kind = kind))]
fn resize(kind: Kind, fail: bool) -> Result<(), std::fmt::Error> {
    let _ = matches!(kind, Kind::Large);
    if fail {
        Err(std::fmt::Error)
    } else {
        Ok(())
    }
}

#[monitored]
async fn notify() {}

#[tokio::test]
async fn snapshots_count_exactly_and_survive_early_calls() {
    // Called before install: the call site caches no-op handles, then rebinds.
    let _ = resize(Kind::Small, false);
    testing::install().unwrap();
    testing::install().unwrap(); // idempotent

    let ((), delta) = testing::capture(|| {
        let _ = resize(Kind::Small, false);
        let _ = resize(Kind::Small, true);
        let _ = resize(Kind::Large, false);
    });
    let small = |status| {
        [
            ("function", "resize"),
            ("kind", "small"),
            ("status", status),
        ]
    };
    assert_eq!(delta.counter("function_calls_total", &small("ok")), 1);
    assert_eq!(delta.counter("function_calls_total", &small("error")), 1);
    assert_eq!(
        delta.counter("function_calls_total", &[("function", "resize")]),
        3,
        "summed over kind and status"
    );
    assert_eq!(
        delta.counter(
            "function_errors_total",
            &[("function", "resize"), ("error_type", "Error")]
        ),
        1
    );
    assert_eq!(
        delta.histogram_count("function_call_duration_seconds", &[("function", "resize")]),
        3
    );
    assert!(
        delta.histogram_sum("function_call_duration_seconds", &[("function", "resize")]) >= 0.0
    );
    assert_eq!(
        delta.gauge("function_calls_in_flight", &[("function", "resize")]),
        Some(0.0)
    );
    assert_eq!(delta.gauge("no_such_gauge", &[]), None);
    assert_eq!(
        delta.counter("function_calls_total", &[("function", "nobody")]),
        0
    );

    let ((), delta) = testing::capture_async(notify()).await;
    assert_eq!(
        delta.counter(
            "function_calls_total",
            &[("function", "notify"), ("status", "ok")]
        ),
        1
    );

    // Absolute values since install: the call before install was not recorded.
    let now = Snapshot::take();
    assert_eq!(now.counter("function_calls_total", &small("ok")), 1);
}

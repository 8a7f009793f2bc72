//! Objectives declared on functions (`objective = CONST` and inline), read back from a real
//! scrape: each call of a function with an objective also counts in the objective's series,
//! summed over the functions that share it; `error` and `panic` are errors, `cancelled` counts
//! in nothing, the latency SLI counts the calls within the threshold; the targets are gauges
//! with the ratios the user wrote. A function without an objective adds no objective series.

use std::time::Duration;

use futures::FutureExt as _;
use metrics_runtime::{monitored, tool_call, Objective};
use metrics_toolkit::{expect_value, promtool_check_metrics, scrape, value};

const CHECKOUT: Objective = Objective::new("test_checkout")
    .success(99.0)
    .latency(0.5, 90.0);

#[monitored(objective = CHECKOUT)]
fn charge(fail: bool, sleep: Duration) -> Result<(), std::io::Error> {
    std::thread::sleep(sleep);
    match fail {
        true => Err(std::io::ErrorKind::TimedOut.into()),
        false => Ok(()),
    }
}

#[monitored(objective = CHECKOUT)]
async fn refund(forever: bool) {
    if forever {
        std::future::pending::<()>().await;
    }
}

#[tool_call(tool = "test_search", objective(name = "test_search", success = 99.5))]
fn search(fail: bool) {
    assert!(!fail, "search failed");
}

#[monitored]
fn without_objective() {}

#[test]
fn calls_count_into_their_objective() {
    metrics_toolkit::address();
    let fast = Duration::ZERO;
    for _ in 0..3 {
        charge(false, fast).unwrap();
    }
    charge(true, fast).unwrap_err();
    // Over the 0.5 s threshold: a call, not a good one for latency.
    charge(false, Duration::from_millis(600)).unwrap();
    assert_eq!(refund(false).now_or_never(), Some(()));
    // Dropped before it completes: cancelled, in no objective series.
    assert_eq!(refund(true).now_or_never(), None);
    search(false);
    search(false);
    assert!(std::panic::catch_unwind(|| search(true)).is_err());
    without_objective();

    let text = scrape();
    let checkout = [("objective", "test_checkout")];
    assert_eq!(expect_value(&text, "objective_calls_total", &checkout), 6.0);
    assert_eq!(
        expect_value(&text, "objective_errors_total", &checkout),
        1.0
    );
    assert_eq!(
        expect_value(&text, "objective_latency_good_total", &checkout),
        5.0
    );
    let target = |objective: &str, sli: &str| {
        value(
            &text,
            "objective_target_ratio",
            &[("objective", objective), ("sli", sli)],
        )
    };
    assert_eq!(target("test_checkout", "success"), Some(0.99));
    assert_eq!(target("test_checkout", "latency"), Some(0.9));
    assert_eq!(
        expect_value(&text, "objective_latency_threshold_seconds", &checkout),
        0.5
    );

    let search = [("objective", "test_search")];
    assert_eq!(expect_value(&text, "objective_calls_total", &search), 3.0);
    assert_eq!(expect_value(&text, "objective_errors_total", &search), 1.0);
    assert_eq!(target("test_search", "success"), Some(0.995));
    assert_eq!(target("test_search", "latency"), None, "no latency target");
    assert_eq!(value(&text, "objective_latency_good_total", &search), None);

    // Only the two objectives exist: a function without one adds nothing.
    let objectives: std::collections::BTreeSet<&str> = text
        .lines()
        .filter(|line| line.starts_with("objective_"))
        .filter_map(|line| line.split("objective=\"").nth(1)?.split('"').next())
        .collect();
    assert_eq!(
        objectives.into_iter().collect::<Vec<_>>(),
        ["test_checkout", "test_search"]
    );
    promtool_check_metrics(&text);
}

//! `#[monitored]` end to end: instrumented functions called for real, the exporter scraped
//! over HTTP, exact values asserted.

use std::time::Duration;

use metrics_runtime::{monitored, ErrorLabel};
use metrics_toolkit::{expect_value, promtool_check_metrics, samples, scrape, value};

#[derive(Debug, ErrorLabel)]
enum FetchError {
    Timeout,
    #[allow(dead_code)]
    RateLimited {
        retry_after: u64,
    },
}

#[monitored]
fn parse_number(text: &str) -> Result<u32, std::num::ParseIntError> {
    text.parse()
}

#[monitored]
async fn fetch(fail: bool) -> Result<&'static str, FetchError> {
    tokio::task::yield_now().await;
    if fail {
        Err(FetchError::Timeout)
    } else {
        Ok("page")
    }
}

#[monitored]
fn explode(n: u32) -> u32 {
    if n > 0 {
        panic!("boom {n}");
    }
    n
}

#[monitored]
async fn never_finishes() {
    std::future::pending::<()>().await
}

#[monitored]
fn parse_for_help(text: &str) -> Result<u32, std::num::ParseIntError> {
    text.parse()
}

#[monitored]
fn default_buckets(x: u32) -> u32 {
    x + 1
}

#[monitored]
fn read_config(path: &str) -> std::io::Result<String> {
    std::fs::read_to_string(path)
}

#[monitored]
fn concurrent_work(i: u64) -> u64 {
    i * 2
}

#[monitored(buckets = [0.001, 0.05, 1.0])]
fn sleepy(millis: u64) {
    std::thread::sleep(Duration::from_millis(millis));
}

fn labels(function: &str) -> Vec<(&str, &str)> {
    vec![("function", function), ("module", "monitored")]
}

fn calls(text: &str, function: &str, status: &str) -> f64 {
    let mut labels = labels(function);
    labels.push(("status", status));
    expect_value(text, "function_calls_total", &labels)
}

#[test]
fn sync_results_count_ok_and_error_with_type_name() {
    metrics_toolkit::exporter();
    for text in ["1", "2", "x", "3", "-"] {
        let _ = parse_number(text);
    }
    let text = scrape();
    assert_eq!(calls(&text, "parse_number", "ok"), 3.0);
    assert_eq!(calls(&text, "parse_number", "error"), 2.0);
    assert_eq!(calls(&text, "parse_number", "panic"), 0.0);
    let mut error_labels = labels("parse_number");
    error_labels.push(("error_type", "ParseIntError"));
    assert_eq!(
        expect_value(&text, "function_errors_total", &error_labels),
        2.0
    );
    assert_eq!(
        expect_value(&text, "function_calls_in_flight", &labels("parse_number")),
        0.0
    );
    assert_eq!(
        expect_value(
            &text,
            "function_call_duration_seconds_count",
            &labels("parse_number")
        ),
        5.0
    );
}

#[test]
fn io_errors_are_labelled_by_kind() {
    metrics_toolkit::exporter();
    assert!(read_config("/definitely/not/here").is_err());
    let text = scrape();
    let mut error_labels = labels("read_config");
    error_labels.push(("error_type", "not_found"));
    assert_eq!(
        expect_value(&text, "function_errors_total", &error_labels),
        1.0
    );
}

#[tokio::test]
async fn async_errors_use_the_variant_name() {
    metrics_toolkit::exporter();
    for fail in [false, true, true, false, false] {
        let _ = fetch(fail).await;
    }
    let text = scrape();
    assert_eq!(calls(&text, "fetch", "ok"), 3.0);
    assert_eq!(calls(&text, "fetch", "error"), 2.0);
    let mut error_labels = labels("fetch");
    error_labels.push(("error_type", "timeout"));
    assert_eq!(
        expect_value(&text, "function_errors_total", &error_labels),
        2.0
    );
}

#[test]
fn panics_are_counted_and_leave_nothing_in_flight() {
    metrics_toolkit::exporter();
    for n in [1, 0, 2] {
        let _ = std::panic::catch_unwind(|| explode(n));
    }
    let text = scrape();
    assert_eq!(calls(&text, "explode", "panic"), 2.0);
    assert_eq!(calls(&text, "explode", "ok"), 1.0);
    assert_eq!(
        expect_value(&text, "function_calls_in_flight", &labels("explode")),
        0.0
    );
}

#[tokio::test]
async fn a_dropped_future_is_cancelled() {
    metrics_toolkit::exporter();
    for _ in 0..3 {
        let timed_out = tokio::time::timeout(Duration::from_millis(5), never_finishes()).await;
        assert!(timed_out.is_err());
    }
    let text = scrape();
    assert_eq!(calls(&text, "never_finishes", "cancelled"), 3.0);
    assert_eq!(calls(&text, "never_finishes", "ok"), 0.0);
    assert_eq!(
        expect_value(&text, "function_calls_in_flight", &labels("never_finishes")),
        0.0
    );
}

#[test]
fn concurrent_calls_from_many_threads_are_all_counted() {
    metrics_toolkit::exporter();
    const THREADS: u64 = 8;
    const CALLS: u64 = 5_000;
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            std::thread::spawn(move || {
                (0..CALLS)
                    .map(|i| concurrent_work(t * CALLS + i))
                    .sum::<u64>()
            })
        })
        .collect();
    let total: u64 = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(total, (0..THREADS * CALLS).sum::<u64>() * 2);
    let text = scrape();
    assert_eq!(
        calls(&text, "concurrent_work", "ok"),
        (THREADS * CALLS) as f64
    );
    assert_eq!(
        expect_value(
            &text,
            "function_call_duration_seconds_count",
            &labels("concurrent_work")
        ),
        (THREADS * CALLS) as f64
    );
    assert_eq!(
        expect_value(
            &text,
            "function_calls_in_flight",
            &labels("concurrent_work")
        ),
        0.0
    );
}

#[test]
fn histogram_buckets_are_cumulative_with_the_attribute_bounds() {
    metrics_toolkit::exporter();
    for millis in [0, 0, 10, 10, 10] {
        sleepy(millis);
    }
    let text = scrape();
    let bucket = |le: &str| {
        let mut l = labels("sleepy");
        l.push(("le", le));
        expect_value(&text, "function_call_duration_seconds_bucket", &l)
    };
    // Three calls sleep 10 ms, so they are never in the 1 ms bucket; how long the two calls
    // without a sleep take depends on the machine, so only bounds are asserted for them.
    let fast = bucket("0.001");
    assert!(
        fast <= 2.0,
        "only the two calls without a sleep can be under 1 ms: {fast}"
    );
    let buckets = [fast, bucket("0.05"), bucket("1"), bucket("+Inf")];
    assert!(
        buckets.windows(2).all(|pair| pair[0] <= pair[1]),
        "cumulative: {buckets:?}"
    );
    assert_eq!(bucket("+Inf"), 5.0);
    assert_eq!(
        expect_value(
            &text,
            "function_call_duration_seconds_count",
            &labels("sleepy")
        ),
        5.0
    );
    // The attribute's bounds replace the defaults.
    assert_eq!(
        value(
            &text,
            "function_call_duration_seconds_bucket",
            &[("function", "sleepy"), ("le", "0.005")]
        ),
        None
    );
    let sum = expect_value(
        &text,
        "function_call_duration_seconds_sum",
        &labels("sleepy"),
    );
    assert!(sum >= 0.03, "three 10 ms sleeps take at least 30 ms: {sum}");
}

#[test]
fn default_buckets_are_the_documented_ones() {
    metrics_toolkit::exporter();
    assert_eq!(default_buckets(7), 8);
    let text = scrape();
    let les: Vec<String> = samples(&text)
        .into_iter()
        .filter(|s| {
            s.name == "function_call_duration_seconds_bucket"
                && s.labels["function"] == "default_buckets"
        })
        .map(|s| s.labels["le"].clone())
        .collect();
    assert_eq!(
        les,
        ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"]
    );
}

#[test]
fn every_family_has_help_and_type_and_promtool_accepts_the_exposition() {
    metrics_toolkit::exporter();
    let _ = parse_for_help("1");
    let _ = parse_for_help("x");
    let text = scrape();
    for family in [
        "function_calls_total",
        "function_call_duration_seconds",
        "function_errors_total",
        "function_calls_in_flight",
    ] {
        assert!(
            text.contains(&format!("# HELP {family} ")),
            "no HELP for {family}"
        );
        assert!(
            text.contains(&format!("# TYPE {family} ")),
            "no TYPE for {family}"
        );
    }
    assert!(text.contains("# TYPE function_call_duration_seconds histogram\n"));
    promtool_check_metrics(&text);
}

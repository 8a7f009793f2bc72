//! With a prefix, the names this crate prints are the prefixed ones: another `metrics` user
//! may print the unprefixed `function_calls_total`, and is refused the prefixed one.

use metrics_runtime::{monitored, Exporter};
use metrics_toolkit::{get, promtool_check_metrics, samples};

#[monitored]
fn prefixed_work() -> u32 {
    7
}

#[test]
fn foreign_names_are_compared_with_the_printed_prefixed_names() {
    let exporter = Exporter::builder()
        .listen_address("127.0.0.1:0")
        .prefix("shop_")
        .process_metrics(false)
        .host_metrics(false)
        .install()
        .expect("the exporter installs on a free loopback port");
    let address = exporter.local_addr().expect("a listener");

    assert_eq!(prefixed_work(), 7);
    metrics::describe_counter!("function_calls_total", "Calls counted by another library.");
    metrics::counter!("function_calls_total", "origin" => "foreign").increment(5);
    metrics::counter!("shop_function_calls_total", "origin" => "foreign").increment(9);
    metrics::histogram!("shop_function_call_duration_seconds_count").record(1.0);

    let response = get(address, "/metrics");
    assert_eq!(response.status, 200);
    let text = response.body;
    let samples = samples(&text);
    let values = |name: &str, labels: &[(&str, &str)]| {
        samples
            .iter()
            .filter(|s| {
                s.name == name
                    && labels
                        .iter()
                        .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
            })
            .map(|s| s.value)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        values(
            "shop_function_calls_total",
            &[("function", "prefixed_work"), ("status", "ok")]
        ),
        [1.0]
    );
    // The unprefixed name is free, so the other user's counter prints there.
    assert_eq!(
        values("function_calls_total", &[("origin", "foreign")]),
        [5.0]
    );
    // The prefixed one and a sample name of the prefixed histogram are this crate's.
    assert_eq!(
        values("shop_function_calls_total", &[("origin", "foreign")]),
        [] as [f64; 0]
    );
    assert!(
        !text.contains("# TYPE shop_function_call_duration_seconds_count"),
        "{text}"
    );
    assert_eq!(
        values(
            "shop_metrics_runtime_foreign_series_dropped_total",
            &[("reason", "metrics_runtime_family")]
        ),
        [2.0],
        "{text}"
    );
    assert!(
        text.contains("# HELP function_calls_total Calls counted by another library.\n"),
        "{text}"
    );
    assert!(
        text.contains("# HELP shop_function_calls_total Calls of functions instrumented"),
        "{text}"
    );
    promtool_check_metrics(&text);
}

//! `/metrics` answers each client in the format it asks for: OpenMetrics 1.0 for Prometheus'
//! scrape header, the text format for curl, browsers and anything else. The OpenMetrics body
//! is read back by Python's `prometheus_client` OpenMetrics parser, label values with quotes,
//! backslashes, newlines and non-ASCII intact; the text body passes promtool.

use metrics_runtime::{monitored, Counter, Format, Metrics};
use metrics_toolkit::{get_accepting, promtool_check_metrics, python_samples, PROMETHEUS_ACCEPT};

const CURL_ACCEPT: &str = "*/*";
const BROWSER_ACCEPT: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

/// A label value with every character the formats escape, and some they do not.
const HOSTILE: &str = "quote \" backslash \\ newline \n end, é ✓";

#[monitored]
fn negotiated_work() -> Result<(), std::io::Error> {
    Ok(())
}

#[derive(Metrics)]
struct Negotiation {
    /// Pages "served", by nobody in particular.
    pages_served_total: Counter,
}

static METRICS: Negotiation = Negotiation::new();

/// `GET /metrics` with `accept`: the content type and the body.
fn scrape_with(accept: Option<&str>) -> (String, String) {
    let response = get_accepting(metrics_toolkit::address(), "/metrics", accept);
    assert_eq!(response.status, 200);
    (response.content_type.unwrap_or_default(), response.body)
}

#[test]
fn each_client_gets_the_format_it_asks_for() {
    metrics_toolkit::exporter();
    negotiated_work().unwrap();
    negotiated_work().unwrap();
    METRICS.pages_served_total.increment_by(3);
    metrics::describe_counter!("negotiated_jobs_total", "Jobs \"done\", by label.");
    metrics::counter!("negotiated_jobs_total", "label" => HOSTILE).increment(5);
    // A counter without `_total`: `unknown` in OpenMetrics, under the same series name.
    metrics::counter!("negotiated_legacy_count").increment(2);
    // A counter and a gauge whose OpenMetrics family names would be one: the counter stays
    // `unknown` under its text name.
    metrics::describe_counter!("negotiated_queue_total", "Items queued.");
    metrics::counter!("negotiated_queue_total").increment(7);
    metrics::describe_gauge!("negotiated_queue", "Items waiting.");
    metrics::gauge!("negotiated_queue").set(1.0);

    let (content_type, text) = scrape_with(Some(PROMETHEUS_ACCEPT));
    assert_eq!(
        content_type,
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    assert!(text.ends_with("# EOF\n"), "{text}");
    assert!(text.contains("# TYPE function_calls counter\n"), "{text}");
    assert!(
        text.contains("# UNIT function_call_duration_seconds seconds\n"),
        "{text}"
    );

    if let Some(samples) = python_samples(&text, true) {
        let find = |name: &str, labels: serde_json::Value| {
            samples
                .iter()
                .find(|s| s["name"] == name && s["labels"] == labels)
                .unwrap_or_else(|| panic!("no {name} {labels} in\n{text}"))
                .clone()
        };
        let calls = find(
            "function_calls_total",
            serde_json::json!({"function": "negotiated_work", "module": "openmetrics", "status": "ok"}),
        );
        assert_eq!(calls["value"], 2.0);
        assert_eq!(calls["family"], "function_calls");
        assert_eq!(calls["type"], "counter");
        let hostile = find(
            "negotiated_jobs_total",
            serde_json::json!({ "label": HOSTILE }),
        );
        assert_eq!(hostile["value"], 5.0);
        assert_eq!(hostile["help"], "Jobs \"done\", by label.");
        let typed = find("pages_served_total", serde_json::json!({}));
        assert_eq!(typed["value"], 3.0);
        assert_eq!(typed["help"], "Pages \"served\", by nobody in particular.");
        let legacy = find("negotiated_legacy_count", serde_json::json!({}));
        assert_eq!(
            (legacy["type"].as_str(), legacy["value"].as_f64()),
            (Some("unknown"), Some(2.0))
        );
        let queued = find("negotiated_queue_total", serde_json::json!({}));
        assert_eq!(
            (queued["type"].as_str(), queued["value"].as_f64()),
            (Some("unknown"), Some(7.0))
        );
        let waiting = find("negotiated_queue", serde_json::json!({}));
        assert_eq!(
            (waiting["type"].as_str(), waiting["value"].as_f64()),
            (Some("gauge"), Some(1.0))
        );
        let duration = find(
            "function_call_duration_seconds_count",
            serde_json::json!({"function": "negotiated_work", "module": "openmetrics"}),
        );
        assert_eq!(
            (duration["unit"].as_str(), duration["value"].as_f64()),
            (Some("seconds"), Some(2.0))
        );
    }

    for accept in [
        Some(CURL_ACCEPT),
        Some(BROWSER_ACCEPT),
        Some("application/json"),
        None,
    ] {
        let (content_type, text) = scrape_with(accept);
        assert_eq!(
            content_type, "text/plain; version=0.0.4; charset=utf-8",
            "{accept:?}"
        );
        assert!(!text.contains("# EOF"), "{accept:?}");
        assert!(
            text.contains("# TYPE function_calls_total counter\n"),
            "{accept:?}"
        );
        // promtool lints the other user's counter without `_total`, rightly: leave it out.
        let conventional: String = text
            .lines()
            .filter(|line| !line.contains("negotiated_legacy_count"))
            .map(|line| format!("{line}\n"))
            .collect();
        promtool_check_metrics(&conventional);
    }

    // The handle renders both, with the same negotiation.
    let handle = metrics_toolkit::exporter().handle();
    let format = Format::negotiate(Some(PROMETHEUS_ACCEPT));
    assert!(handle.render_as(format).ends_with("# EOF\n"));
    assert_eq!(format.content_type(), Format::OpenMetrics.content_type());
}

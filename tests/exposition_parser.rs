//! Label values with quotes, backslashes, newlines and non-ASCII text round-trip unchanged
//! through a real exposition parser: Python's `prometheus_client`, which Prometheus' own
//! client library uses, reading a real scrape.

use std::io::Write;
use std::process::{Command, Stdio};

use metrics_runtime::monitored;
use metrics_toolkit::{promtool_check_metrics, required_in_ci, scrape};

const AWKWARD: &str = "quote \" backslash \\ newline \n tab \t ünïcödé 🚀 end";

#[monitored(labels(note = "quote \" backslash \\ newline \n tab \t ünïcödé 🚀 end", source = source))]
fn awkward(source: &'static str) {}

/// Parses an exposition with prometheus_client and prints one JSON object per sample.
const PARSER: &str = r#"
import json, sys
from prometheus_client.parser import text_string_to_metric_families
for family in text_string_to_metric_families(sys.stdin.read()):
    for sample in family.samples:
        print(json.dumps({"name": sample.name, "labels": sample.labels, "value": sample.value}))
"#;

#[test]
fn awkward_label_values_round_trip_through_prometheus_client() {
    metrics_toolkit::exporter();
    awkward("cli \"quoted\"\\path");
    awkward("cli \"quoted\"\\path");
    let text = scrape();
    promtool_check_metrics(&text);

    let has_parser = Command::new("python3")
        .args(["-c", "import prometheus_client"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !has_parser {
        required_in_ci("python3 with prometheus_client (pip install prometheus-client)");
        return;
    }
    let mut child = Command::new("python3")
        .args(["-c", PARSER])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "prometheus_client could not parse the exposition:\n{text}"
    );
    let samples: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    // prometheus_client names counter samples with their `_total` suffix.
    let calls = samples
        .iter()
        .find(|s| {
            s["name"] == "function_calls_total"
                && s["labels"]["function"] == "awkward"
                && s["labels"]["status"] == "ok"
        })
        .expect("the series parses");
    assert_eq!(calls["labels"]["note"], AWKWARD);
    assert_eq!(calls["labels"]["source"], "cli \"quoted\"\\path");
    assert_eq!(calls["value"], 2.0);
}

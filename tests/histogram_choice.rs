//! `histogram = classic | native | both` on the attributes, under an exporter whose default is
//! classic only (`native_histograms(false)`): each function gets the buckets it chose, in a real
//! protobuf scrape decoded by Python's `protobuf` and in a text scrape checked by promtool. A
//! native-only function shows its count and sum in the text formats, and its label
//! combinations not used yet are empty native histograms, not classic ones. Typed histograms
//! choose with `#[metric(histogram = ...)]`; a native one needs no bounds, whatever it measures.

use metrics_runtime::{monitored, tool_call, Exporter, Histogram, LabelValue, Metrics};
use metrics_toolkit::{
    get_accepting, get_bytes_accepting, pb_family, pb_int, pb_series, promtool_check_metrics,
    python_protobuf_families, PROMETHEUS_NATIVE_ACCEPT,
};
use serde_json::Value;

#[monitored]
fn by_default() {}

#[monitored(histogram = classic, buckets = [0.5, 1.0])]
fn classic_only() {}

#[monitored(histogram = native)]
fn native_only() {}

#[monitored(histogram = both)]
fn both_kinds() {}

#[derive(Clone, Copy, LabelValue)]
enum Mode {
    Fast,
    Slow,
}

#[monitored(histogram = native, labels(mode = mode))]
fn native_by_mode(mode: Mode) {
    let _ = mode;
}

#[tool_call(tool = "lookup", histogram = "native")]
fn lookup_tool() {}

#[derive(Metrics)]
#[metrics(prefix = "choice")]
struct Typed {
    /// Sizes of uploads, in bytes: no bounds to guess.
    #[metric(histogram = native)]
    upload_bytes: Histogram,
    /// Cache lookups, in seconds.
    #[metric(histogram = classic)]
    lookup_seconds: Histogram,
}

static TYPED: Typed = Typed::new();

/// The series of the decoded family `family` with label `label` set to `value`.
fn series<'a>(families: &'a [Value], family: &str, label: &str, value: &str) -> &'a Value {
    pb_series(pb_family(families, family), label, value)
}

#[test]
fn each_function_gets_the_buckets_it_chose() {
    let exporter = Exporter::builder()
        .listen_address("127.0.0.1:0")
        .native_histograms(false)
        .install()
        .expect("the exporter installs");
    let address = exporter.local_addr().expect("a listener");
    for call in [
        by_default,
        classic_only,
        native_only,
        both_kinds,
        lookup_tool,
    ] {
        call();
        call();
    }
    native_by_mode(Mode::Fast);
    for bytes in [512.0, 4096.0, 1e6] {
        TYPED.upload_bytes.observe(bytes);
        TYPED.lookup_seconds.observe(bytes / 1e7);
    }

    let (status, _, body) = get_bytes_accepting(address, "/metrics", PROMETHEUS_NATIVE_ACCEPT);
    assert_eq!(status, 200);
    if let Some(families) = python_protobuf_families(&body) {
        let duration = "function_call_duration_seconds";
        let histogram =
            |function: &str| series(&families, duration, "function", function)["histogram"].clone();
        for (function, classic, native) in [
            ("by_default", 11, false),
            ("classic_only", 2, false),
            ("native_only", 0, true),
            ("both_kinds", 11, true),
        ] {
            let histogram = histogram(function);
            assert_eq!(pb_int(&histogram["sample_count"]), 2, "{function}");
            let buckets = histogram["bucket"].as_array().map_or(0, Vec::len);
            assert_eq!(
                buckets, classic,
                "classic buckets of {function}: {histogram:#}"
            );
            assert_eq!(
                !histogram["schema"].is_null(),
                native,
                "native buckets of {function}: {histogram:#}"
            );
            if native {
                // Every call in a native bucket (or the zero bucket).
                let in_buckets: i64 = histogram["positive_delta"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .scan(0i64, |count, delta| {
                        *count += pb_int(delta);
                        Some(*count)
                    })
                    .sum::<i64>()
                    + pb_int(&histogram["zero_count"]);
                assert_eq!(in_buckets, 2, "{function}: {histogram:#}");
            }
        }
        let tool = &series(
            &families,
            "mcp_tool_call_duration_seconds",
            "tool",
            "lookup",
        )["histogram"];
        assert!(
            tool["bucket"].is_null() && !tool["schema"].is_null(),
            "{tool:#}"
        );

        // The combination not used yet: an empty native histogram, no classic buckets.
        let slow = &series(&families, duration, "mode", "slow")["histogram"];
        assert_eq!(pb_int(&slow["sample_count"]), 0);
        assert!(slow["bucket"].is_null(), "{slow:#}");
        assert_eq!(slow["schema"], 3, "{slow:#}");
        let fast = &series(&families, duration, "mode", "fast")["histogram"];
        assert_eq!(pb_int(&fast["sample_count"]), 1);

        let typed = |name: &str| {
            families
                .iter()
                .find(|f| f["name"] == name)
                .unwrap_or_else(|| panic!("no {name}"))["metric"][0]["histogram"]
                .clone()
        };
        let upload = typed("choice_upload_bytes");
        assert_eq!(pb_int(&upload["sample_count"]), 3);
        assert_eq!(upload["sample_sum"], 1_004_608.0);
        assert!(
            upload["bucket"].is_null() && upload["schema"] == 3,
            "{upload:#}"
        );
        let lookup = typed("choice_lookup_seconds");
        assert_eq!(lookup["bucket"].as_array().map(Vec::len), Some(11));
        assert!(lookup["schema"].is_null(), "{lookup:#}");
    }

    // The text format: a native-only histogram is its `+Inf` bucket, sum and count.
    let text = get_accepting(address, "/metrics", None).body;
    let lines_of = |function: &str| -> Vec<&str> {
        text.lines()
            .filter(|line| line.starts_with("function_call_duration_seconds"))
            .filter(|line| line.contains(&format!("function=\"{function}\"")))
            .collect()
    };
    let native = lines_of("native_only");
    assert_eq!(native.len(), 3, "{native:#?}");
    assert!(
        native[0].starts_with("function_call_duration_seconds_bucket{")
            && native[0].contains("le=\"+Inf\"} 2")
    );
    assert_eq!(
        lines_of("classic_only").len(),
        5,
        "two bounds, +Inf, sum, count"
    );
    assert_eq!(lines_of("both_kinds").len(), 14);
    let upload: Vec<&str> = text
        .lines()
        .filter(|line| line.starts_with("choice_upload_bytes"))
        .collect();
    assert_eq!(
        upload,
        [
            "choice_upload_bytes_bucket{le=\"+Inf\"} 3",
            "choice_upload_bytes_sum 1004608",
            "choice_upload_bytes_count 3"
        ]
    );
    promtool_check_metrics(&text);
    exporter.shutdown();
}

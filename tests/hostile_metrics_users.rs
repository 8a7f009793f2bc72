//! Other `metrics` users in the process write whatever they like: `#[autometrics]` (which also
//! writes `function_calls_total`, with dotted label names), dotted, dashed, empty and colliding
//! names, the names of this crate's families with other label sets or another kind, multi-line
//! and conflicting HELP texts, label values with quotes, backslashes and control characters.
//! After each, `/metrics` is scraped over HTTP and must stay a valid exposition (promtool,
//! Python's `prometheus_client`, one `# TYPE` per family, valid label names), and the series of
//! this crate's functions must hold exactly the calls they made.
//!
//! The tests share the process' exporter and run one at a time (`SERIAL`), so each reads exact
//! changes of `metrics_runtime_foreign_series_dropped_total`.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_runtime::{monitored, set_health, tool_call};
use metrics_toolkit::{
    expect_value, promtool_check_metrics, python_samples, run_python_parser, samples, scrape, value,
};

const DROPPED: &str = "metrics_runtime_foreign_series_dropped_total";
const MODULE: &str = module_path!();

static SERIAL: Mutex<()> = Mutex::new(());

/// Runs the tests of this file one after another, with the exporter installed.
fn serial() -> MutexGuard<'static, ()> {
    let guard = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    metrics_toolkit::exporter();
    guard
}

/// Refused registrations for `reason` so far.
fn dropped(text: &str, reason: &str) -> f64 {
    value(text, DROPPED, &[("reason", reason)]).unwrap_or(0.0)
}

/// One family as `prometheus_client` parsed it.
#[derive(Debug, serde::Deserialize)]
struct PyFamily {
    name: String,
    help: String,
    samples: Vec<PySample>,
}

#[derive(Debug, serde::Deserialize)]
struct PySample {
    name: String,
    labels: BTreeMap<String, String>,
    value: String,
}

/// Parses with prometheus_client, one JSON object per family. The text is decoded from bytes:
/// `sys.stdin.read()` would translate a carriage return inside a label value (valid in the
/// format) into a line feed.
const PARSER: &str = r#"
import json, sys
from prometheus_client.parser import text_string_to_metric_families
text = sys.stdin.buffer.read().decode("utf-8")
for family in text_string_to_metric_families(text):
    print(json.dumps({
        "name": family.name,
        "help": family.documentation,
        "samples": [
            {"name": s.name, "labels": s.labels, "value": repr(s.value)}
            for s in family.samples
        ],
    }))
"#;

/// The exposition as Python's `prometheus_client` reads it; `None` when it is not installed
/// (outside CI). Panics when it cannot parse the text.
fn python_families(text: &str) -> Option<Vec<PyFamily>> {
    run_python_parser(PARSER, text).map(|printed| {
        printed
            .lines()
            .map(|line| serde_json::from_str(line).expect("one JSON object per family"))
            .collect()
    })
}

/// The value of the one sample named `name` with exactly `labels`, as Python parsed it.
fn python_value(families: &[PyFamily], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let wanted: BTreeMap<String, String> = labels
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let matching: Vec<&PySample> = families
        .iter()
        .flat_map(|family| &family.samples)
        .filter(|sample| sample.name == name && sample.labels == wanted)
        .collect();
    assert!(matching.len() <= 1, "{matching:#?}");
    matching
        .first()
        .map(|sample| sample.value.parse().expect("a float"))
}

/// What every scrape must satisfy, whatever other users wrote: promtool accepts it, Python's
/// parser reads it, no family has two `# TYPE` lines, every label name is valid and not
/// reserved. Returns Python's reading when available.
fn check(text: &str) -> Option<Vec<PyFamily>> {
    let mut types = BTreeMap::<&str, usize>::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let name = rest.split(' ').next().unwrap_or_default();
            *types.entry(name).or_default() += 1;
        }
    }
    let twice: Vec<_> = types.iter().filter(|(_, count)| **count > 1).collect();
    assert!(
        twice.is_empty(),
        "families with more than one # TYPE line: {twice:?}\n{text}"
    );
    assert!(!types.contains_key(""), "a family without a name:\n{text}");
    for sample in samples(text) {
        for label in sample.labels.keys() {
            let mut chars = label.chars();
            let valid = chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !label.starts_with("__");
            assert!(valid, "invalid label name {label:?} on {sample:?}");
        }
    }
    promtool_check_metrics(text);
    openmetrics_parses();
    python_families(text)
}

/// The OpenMetrics exposition of the same moment is read by Python's OpenMetrics parser,
/// which is stricter than the text format's.
fn openmetrics_parses() {
    let text = metrics_toolkit::exporter()
        .handle()
        .render_as(metrics_runtime::Format::OpenMetrics);
    python_samples(&text, true);
}

/// The lines of the exposition that start with `prefix`.
fn lines_starting<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.lines()
        .filter(|line| line.starts_with(prefix))
        .collect()
}

#[monitored]
fn hostile_mine() -> Result<u32, std::io::Error> {
    Ok(1)
}

#[autometrics::autometrics(track_concurrency)]
fn hostile_theirs() -> Result<u32, std::io::Error> {
    Ok(2)
}

#[test]
fn autometrics_beside_monitored() {
    let _serial = serial();
    let before = scrape();
    for _ in 0..3 {
        hostile_mine().unwrap();
    }
    for _ in 0..5 {
        hostile_theirs().unwrap();
    }
    let text = scrape();
    let python = check(&text);

    let mine = [("function", "hostile_mine"), ("status", "ok")];
    assert_eq!(expect_value(&text, "function_calls_total", &mine), 3.0);
    let ours = [
        "function_calls_total",
        "function_call_duration_seconds_count",
        "function_errors_total",
        "function_calls_in_flight",
    ];
    let theirs_in_ours: Vec<_> = samples(&text)
        .into_iter()
        .filter(|s| {
            ours.contains(&s.name.as_str())
                && s.labels.get("function").map(String::as_str) == Some("hostile_theirs")
        })
        .collect();
    assert!(
        theirs_in_ours.is_empty(),
        "autometrics' series in this crate's families: {theirs_in_ours:#?}"
    );
    assert!(
        lines_starting(&text, "# HELP function_calls_total ")[0].starts_with(
            "# HELP function_calls_total Calls of functions instrumented with #[monitored]"
        ),
        "{text}"
    );
    // Autometrics keeps the families that are not this crate's, with dotted names sanitised.
    let theirs = [("function", "hostile_theirs")];
    assert_eq!(
        expect_value(&text, "function_calls_duration_seconds_count", &theirs),
        5.0
    );
    assert_eq!(
        expect_value(&text, "function_calls_concurrent", &theirs),
        0.0
    );
    // Refused: `function_calls_total` on each of the 5 calls, `build_info` once.
    assert_eq!(
        dropped(&text, "metrics_runtime_family") - dropped(&before, "metrics_runtime_family"),
        6.0
    );
    if let Some(python) = python {
        assert_eq!(
            python_value(
                &python,
                "function_calls_total",
                &[
                    ("function", "hostile_mine"),
                    ("module", MODULE),
                    ("status", "ok")
                ]
            ),
            Some(3.0)
        );
    }
}

#[test]
fn dotted_dashed_empty_and_aliasing_metric_names() {
    let _serial = serial();
    let before = scrape();
    describe_counter!(
        "hostile.dotted.requests_total",
        "Requests, named with dots."
    );
    for _ in 0..3 {
        counter!("hostile.dotted.requests_total", "route" => "a").increment(1);
    }
    for _ in 0..2 {
        counter!("hostile_dotted_requests_total", "route" => "a").increment(1);
    }
    describe_gauge!("hostile-dashed:queue_depth", "A dash and a colon.");
    gauge!("hostile-dashed:queue_depth").set(7.0);
    describe_counter!(
        "9hostile_zähler_total",
        "A digit first, a letter outside ASCII."
    );
    counter!("9hostile_zähler_total").increment(1);
    // Sanitised, this is the name of a family of this crate.
    describe_counter!("function.calls.total", "Not ours.");
    counter!("function.calls.total", "function" => "hostile_alias", "module" => MODULE, "status" => "ok")
        .increment(4);
    describe_counter!("", "Nameless.");
    counter!("").increment(1);
    let text = scrape();
    check(&text);

    let route = [("route", "a")];
    assert_eq!(
        expect_value(&text, "hostile_dotted_requests_total", &route),
        5.0,
        "both spellings are one series"
    );
    assert_eq!(
        lines_starting(&text, "# TYPE hostile_dotted_requests_total ").len(),
        1
    );
    assert_eq!(expect_value(&text, "hostile_dashed_queue_depth", &[]), 7.0);
    assert_eq!(expect_value(&text, "_hostile_z_hler_total", &[]), 1.0);
    assert_eq!(
        lines_starting(&text, "# TYPE function_calls_total ").len(),
        1
    );
    assert_eq!(
        value(
            &text,
            "function_calls_total",
            &[("function", "hostile_alias")]
        ),
        None
    );
    assert!(lines_starting(&text, "# TYPE  ").is_empty(), "{text}");
    assert!(lines_starting(&text, "# HELP  ").is_empty(), "{text}");
    assert!(lines_starting(&text, " ").is_empty(), "{text}");
    assert_eq!(
        dropped(&text, "metrics_runtime_family") - dropped(&before, "metrics_runtime_family"),
        1.0
    );
    assert_eq!(
        dropped(&text, "empty_name") - dropped(&before, "empty_name"),
        1.0
    );
}

#[test]
fn invalid_empty_reserved_and_colliding_label_names() {
    let _serial = serial();
    let before = scrape();
    describe_counter!(
        "hostile_labels_total",
        "Label names Prometheus does not allow."
    );
    for _ in 0..4 {
        counter!(
            "hostile_labels_total",
            "service.name" => "svc",
            "caller-function" => "main",
            "9th" => "n",
            "__reserved" => "r",
            "ünï" => "u"
        )
        .increment(1);
    }
    describe_counter!(
        "hostile_collide_total",
        "Two label names, one once sanitised."
    );
    for _ in 0..2 {
        counter!("hostile_collide_total", "a_b" => "2", "a.b" => "1").increment(1);
    }
    describe_counter!("hostile_empty_label_total", "A label without a name.");
    counter!("hostile_empty_label_total", "" => "x").increment(1);
    describe_histogram!("hostile_le_seconds", "A histogram with its own `le`.");
    histogram!("hostile_le_seconds", "le" => "0.5").record(0.1);
    let text = scrape();
    let python = check(&text);

    let sanitised = [
        ("service_name", "svc"),
        ("caller_function", "main"),
        ("_th", "n"),
        ("_reserved", "r"),
        ("_n_", "u"),
    ];
    assert_eq!(expect_value(&text, "hostile_labels_total", &sanitised), 4.0);
    // The values of colliding names, joined in the order of the original names.
    assert_eq!(
        expect_value(&text, "hostile_collide_total", &[("a_b", "1;2")]),
        2.0
    );
    assert_eq!(value(&text, "hostile_empty_label_total", &[]), None);
    assert!(
        lines_starting(&text, "hostile_le_seconds").is_empty(),
        "{text}"
    );
    assert_eq!(
        dropped(&text, "invalid_label") - dropped(&before, "invalid_label"),
        2.0
    );
    if let Some(python) = python {
        assert_eq!(
            python_value(&python, "hostile_labels_total", &sanitised),
            Some(4.0)
        );
    }
}

#[monitored]
fn hostile_exact() {}

#[tool_call(server = "hostile")]
fn hostile_tool() {}

#[test]
fn our_family_names_with_other_label_sets() {
    let _serial = serial();
    let before = scrape();
    hostile_exact();
    hostile_exact();
    hostile_tool();
    set_health("hostile_db", true);

    // Exactly the labels of `hostile_exact`'s series, then others.
    counter!("function_calls_total", "function" => "hostile_exact", "module" => MODULE, "status" => "ok")
        .increment(100);
    counter!("function_calls_total", "team" => "x").increment(1);
    histogram!("function_call_duration_seconds", "function" => "hostile_exact", "module" => MODULE)
        .record(1.0);
    counter!("function_call_duration_seconds_count", "function" => "hostile_exact").increment(7);
    counter!("function_errors_total", "function" => "hostile_exact", "error_type" => "x")
        .increment(1);
    gauge!("function_calls_in_flight", "function" => "hostile_exact", "module" => MODULE).set(5.0);
    counter!("mcp_tool_calls_total", "server" => "hostile", "tool" => "hostile_tool", "status" => "ok")
        .increment(10);
    gauge!("service_health", "component" => "hostile_db").set(0.0);
    gauge!("build_info", "name" => "evil", "version" => "0").set(1.0);
    gauge!("process_threads").set(-1.0);
    gauge!("host_memory_total_bytes").set(-1.0);
    let text = scrape();
    check(&text);

    let exact = [("function", "hostile_exact")];
    let ok = [("function", "hostile_exact"), ("status", "ok")];
    assert_eq!(expect_value(&text, "function_calls_total", &ok), 2.0);
    assert_eq!(value(&text, "function_calls_total", &[("team", "x")]), None);
    assert_eq!(
        expect_value(&text, "function_call_duration_seconds_count", &exact),
        2.0
    );
    assert_eq!(
        value(
            &text,
            "function_errors_total",
            &[("function", "hostile_exact"), ("error_type", "x")]
        ),
        None
    );
    assert_eq!(expect_value(&text, "function_calls_in_flight", &exact), 0.0);
    let tool = [("tool", "hostile_tool"), ("status", "ok")];
    assert_eq!(expect_value(&text, "mcp_tool_calls_total", &tool), 1.0);
    assert_eq!(
        expect_value(&text, "service_health", &[("component", "hostile_db")]),
        1.0
    );
    assert_eq!(value(&text, "build_info", &[("name", "evil")]), None);
    assert_eq!(
        expect_value(
            &text,
            "build_info",
            &[
                ("name", env!("CARGO_PKG_NAME")),
                ("version", env!("CARGO_PKG_VERSION"))
            ]
        ),
        1.0
    );
    assert!(expect_value(&text, "process_threads", &[]) >= 1.0);
    assert!(expect_value(&text, "host_memory_total_bytes", &[]) > 0.0);
    assert_eq!(
        dropped(&text, "metrics_runtime_family") - dropped(&before, "metrics_runtime_family"),
        11.0
    );
}

#[test]
fn conflicting_kinds() {
    let _serial = serial();
    let before = scrape();
    describe_counter!(
        "hostile_kind_total",
        "A counter, then a gauge, then a histogram."
    );
    counter!("hostile_kind_total").increment(2);
    gauge!("hostile_kind_total").set(9.0);
    histogram!("hostile_kind_total").record(1.0);
    describe_histogram!(
        "hostile_latency_seconds",
        "A histogram, then a counter of its `_count`."
    );
    for _ in 0..3 {
        histogram!("hostile_latency_seconds").record(0.2);
    }
    counter!("hostile_latency_seconds_count").increment(1);
    // This crate's families with another kind.
    gauge!("function_calls_total", "function" => "hostile_kind").set(1.0);
    counter!("function_calls_in_flight", "function" => "hostile_kind").increment(1);
    counter!("service_health", "component" => "hostile_kind_db").increment(1);
    set_health("hostile_kind_db", true);
    let text = scrape();
    check(&text);

    assert_eq!(
        lines_starting(&text, "# TYPE hostile_kind_total "),
        ["# TYPE hostile_kind_total counter"]
    );
    assert_eq!(expect_value(&text, "hostile_kind_total", &[]), 2.0);
    assert_eq!(
        lines_starting(&text, "# TYPE hostile_latency_seconds"),
        ["# TYPE hostile_latency_seconds histogram"]
    );
    assert_eq!(
        expect_value(&text, "hostile_latency_seconds_count", &[]),
        3.0
    );
    let kind = [("function", "hostile_kind")];
    assert_eq!(value(&text, "function_calls_total", &kind), None);
    assert_eq!(value(&text, "function_calls_in_flight", &kind), None);
    assert_eq!(
        lines_starting(&text, "# TYPE service_health "),
        ["# TYPE service_health gauge"]
    );
    assert_eq!(
        expect_value(&text, "service_health", &[("component", "hostile_kind_db")]),
        1.0
    );
    assert_eq!(
        dropped(&text, "kind_conflict") - dropped(&before, "kind_conflict"),
        3.0
    );
    assert_eq!(
        dropped(&text, "metrics_runtime_family") - dropped(&before, "metrics_runtime_family"),
        3.0
    );
}

const HELP: &str = "First line\nsecond line, a backslash \\ and two \\\\, a \"quote\"";

#[test]
fn multi_line_and_conflicting_help_texts() {
    let _serial = serial();
    describe_counter!("hostile_help_total", HELP);
    describe_counter!("hostile.help.total", "A conflicting description.");
    counter!("hostile_help_total").increment(1);
    counter!("hostile.help.total").increment(1);
    describe_counter!("function_calls_total", "Hijacked\nhelp.");
    describe_gauge!("service_health", "Hijacked help.");
    set_health("hostile_help_db", true);
    let text = scrape();
    let python = check(&text);

    assert_eq!(
        lines_starting(&text, "# HELP hostile_help_total "),
        ["# HELP hostile_help_total First line\\nsecond line, a backslash \\\\ and two \\\\\\\\, a \"quote\""]
    );
    assert_eq!(expect_value(&text, "hostile_help_total", &[]), 2.0);
    let ours = lines_starting(&text, "# HELP function_calls_total ");
    assert_eq!(ours.len(), 1);
    assert!(!ours[0].contains("Hijacked"), "{text}");
    assert_eq!(
        lines_starting(&text, "# HELP service_health "),
        ["# HELP service_health Health of the components this service depends on: 1 healthy, 0 unhealthy."]
    );
    if let Some(python) = python {
        let family = python
            .iter()
            .find(|family| family.name == "hostile_help")
            .expect("prometheus_client reads the family");
        assert_eq!(family.help, HELP);
    }
}

const AWKWARD: &str = "quote \" backslash \\ two \\\\ newline \n cr \r tab \t nul \0 bom \u{feff} \
    replacement \u{fffd} separator \u{2028} emoji 🚀 end \\";

#[test]
fn awkward_label_values() {
    let _serial = serial();
    describe_counter!(
        "hostile_values_total",
        "Label values with everything in them."
    );
    for _ in 0..2 {
        counter!("hostile_values_total", "v" => AWKWARD).increment(1);
    }
    for _ in 0..3 {
        counter!("hostile_values_total", "v" => "a\\\\b").increment(1);
    }
    counter!("hostile_values_total", "v" => "a\\b").increment(1);
    let module = "hostile\\mod\"ule";
    let function = "fn\nname\r🚀";
    for _ in 0..2 {
        metrics_runtime::track(module, function).ok();
    }
    let text = scrape();
    let python = check(&text);

    assert_eq!(
        expect_value(&text, "hostile_values_total", &[("v", AWKWARD)]),
        2.0
    );
    assert_eq!(
        expect_value(&text, "hostile_values_total", &[("v", "a\\\\b")]),
        3.0
    );
    assert_eq!(
        expect_value(&text, "hostile_values_total", &[("v", "a\\b")]),
        1.0
    );
    let tracked = [("module", module), ("function", function), ("status", "ok")];
    assert_eq!(expect_value(&text, "function_calls_total", &tracked), 2.0);
    if let Some(python) = python {
        for (v, count) in [(AWKWARD, 2.0), ("a\\\\b", 3.0), ("a\\b", 1.0)] {
            assert_eq!(
                python_value(&python, "hostile_values_total", &[("v", v)]),
                Some(count),
                "{v:?}"
            );
        }
        assert_eq!(
            python_value(&python, "function_calls_total", &tracked),
            Some(2.0)
        );
    }
}

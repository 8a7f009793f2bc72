//! Exemplars from real OpenTelemetry traces (`tracing` + `tracing-opentelemetry` + the
//! OpenTelemetry SDK), read back from a real scrape by Python's `prometheus_client`
//! OpenMetrics parser: the bucket a call fell into, and the failure counters, carry that call's
//! trace and span IDs; calls outside a span carry none; the text format never has any. The
//! protobuf format, read by Python's `protobuf`, carries the same exemplars.

use std::net::SocketAddr;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use metrics_runtime::{monitored, Exporter};
use metrics_toolkit::{
    get_accepting, get_bytes_accepting, promtool_check_metrics, python_protobuf_families,
    python_samples, PROMETHEUS_ACCEPT, PROMETHEUS_NATIVE_ACCEPT,
};
use opentelemetry::trace::{TraceContextExt as _, TracerProvider as _};
use serde_json::Value;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::layer::SubscriberExt as _;

/// Trace and span ID of a span, as exemplars spell them.
#[derive(Clone, Debug, PartialEq)]
struct Ids {
    trace_id: String,
    span_id: String,
}

fn ids_of(span: &tracing::Span) -> Ids {
    let context = span.context();
    let span = context.span();
    let span_context = span.span_context();
    assert!(
        span_context.is_valid(),
        "the span has an OpenTelemetry context"
    );
    Ids {
        trace_id: span_context.trace_id().to_string(),
        span_id: span_context.span_id().to_string(),
    }
}

fn current_ids() -> Ids {
    ids_of(&tracing::Span::current())
}

/// The exporter (a try for an exemplar on every call) and an OpenTelemetry tracing subscriber.
fn setup() -> SocketAddr {
    static ADDRESS: OnceLock<SocketAddr> = OnceLock::new();
    *ADDRESS.get_or_init(|| {
        let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
        let subscriber = tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("exemplars-test")));
        tracing::subscriber::set_global_default(subscriber).expect("the first subscriber");
        let exporter = Exporter::builder()
            .listen_address("127.0.0.1:0")
            .exemplar_interval(Duration::ZERO)
            .install()
            .expect("the exporter installs");
        let address = exporter.local_addr().expect("a listener");
        std::mem::forget(exporter);
        address
    })
}

/// Every sample of an OpenMetrics scrape, as `prometheus_client` reads it.
fn scrape_openmetrics(address: SocketAddr) -> Option<Vec<Value>> {
    let response = get_accepting(address, "/metrics", Some(PROMETHEUS_ACCEPT));
    assert_eq!(response.status, 200);
    python_samples(&response.body, true)
}

/// The samples of `function`'s series named `name`.
fn samples_of<'a>(samples: &'a [Value], name: &str, function: &str) -> Vec<&'a Value> {
    samples
        .iter()
        .filter(|sample| sample["name"] == name && sample["labels"]["function"] == function)
        .collect()
}

/// The only bucket of `function`'s duration histogram with an exemplar, after one call: its
/// `le`, and the exemplar's IDs. The exemplar's value is the call's duration, the histogram's
/// sum, and lies in that bucket.
fn only_bucket_exemplar(samples: &[Value], function: &str) -> (String, Ids) {
    let sum = samples_of(samples, "function_call_duration_seconds_sum", function);
    assert_eq!(sum.len(), 1, "one series of `{function}`");
    let sum = sum[0]["value"].as_f64().unwrap();
    let buckets = samples_of(samples, "function_call_duration_seconds_bucket", function);
    let with: Vec<&&Value> = buckets
        .iter()
        .filter(|bucket| !bucket["exemplar"].is_null())
        .collect();
    assert_eq!(
        with.len(),
        1,
        "one bucket of `{function}` has an exemplar: {buckets:#?}"
    );
    let bucket = with[0];
    let exemplar = &bucket["exemplar"];
    assert_eq!(
        exemplar["value"].as_f64().unwrap(),
        sum,
        "the call's duration"
    );
    let le = bucket["labels"]["le"].as_str().unwrap().to_owned();
    let upper: f64 = if le == "+Inf" {
        f64::INFINITY
    } else {
        le.parse().unwrap()
    };
    assert!(sum <= upper, "{sum} in le={le}");
    // The bucket below does not hold it: its cumulative count is one less.
    let at = buckets
        .iter()
        .position(|b| std::ptr::eq(*b, *bucket))
        .unwrap();
    assert_eq!(bucket["value"].as_f64(), Some(1.0));
    if at > 0 {
        assert_eq!(
            buckets[at - 1]["value"].as_f64(),
            Some(0.0),
            "first bucket with the call"
        );
    }
    let labels = exemplar["labels"].as_object().unwrap();
    assert_eq!(labels.len(), 2, "trace_id and span_id: {labels:?}");
    let timestamp = exemplar["timestamp"].as_f64().expect("a timestamp");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!(
        (0.0..120.0).contains(&(now - timestamp)),
        "{timestamp} vs {now}"
    );
    (
        le,
        Ids {
            trace_id: labels["trace_id"].as_str().unwrap().to_owned(),
            span_id: labels["span_id"].as_str().unwrap().to_owned(),
        },
    )
}

fn status_exemplar(samples: &[Value], function: &str, status: &str) -> Option<(f64, Ids)> {
    let sample = samples
        .iter()
        .find(|s| {
            s["name"] == "function_calls_total"
                && s["labels"]["function"] == function
                && s["labels"]["status"] == status
        })
        .unwrap_or_else(|| panic!("no {status} series of `{function}`"));
    let exemplar = &sample["exemplar"];
    if exemplar.is_null() {
        return None;
    }
    Some((
        exemplar["value"].as_f64().unwrap(),
        Ids {
            trace_id: exemplar["labels"]["trace_id"].as_str().unwrap().to_owned(),
            span_id: exemplar["labels"]["span_id"].as_str().unwrap().to_owned(),
        },
    ))
}

// `#[monitored]` above `#[tracing::instrument]`: the call is measured inside its own span.
#[monitored]
#[tracing::instrument]
fn measured_inside_own_span() -> Ids {
    current_ids()
}

// The other order: measured around the span, so inside the caller's.
#[tracing::instrument]
#[monitored]
fn measured_around_own_span() -> Ids {
    current_ids()
}

#[monitored]
fn outside_any_span() {}

#[test]
fn the_bucket_of_a_call_keeps_the_trace_of_its_own_span() {
    let address = setup();
    let ids = measured_inside_own_span();
    let Some(samples) = scrape_openmetrics(address) else {
        return;
    };
    let (le, exemplar) = only_bucket_exemplar(&samples, "measured_inside_own_span");
    assert_eq!(exemplar, ids, "the function's own span, in bucket le={le}");
}

#[test]
fn measured_around_the_span_the_exemplar_is_the_callers_span() {
    let address = setup();
    let caller = tracing::info_span!("caller");
    let (inner, outer) = caller.in_scope(|| (measured_around_own_span(), current_ids()));
    assert_eq!(inner.trace_id, outer.trace_id, "one trace");
    assert_ne!(inner.span_id, outer.span_id);
    let Some(samples) = scrape_openmetrics(address) else {
        return;
    };
    let (_, exemplar) = only_bucket_exemplar(&samples, "measured_around_own_span");
    assert_eq!(exemplar, outer, "the caller's span");
}

#[test]
fn calls_outside_a_span_keep_no_exemplar() {
    let address = setup();
    outside_any_span();
    let Some(samples) = scrape_openmetrics(address) else {
        return;
    };
    let buckets = samples_of(
        &samples,
        "function_call_duration_seconds_bucket",
        "outside_any_span",
    );
    assert!(!buckets.is_empty());
    assert!(
        buckets.iter().all(|b| b["exemplar"].is_null()),
        "{buckets:#?}"
    );
    assert_eq!(status_exemplar(&samples, "outside_any_span", "ok"), None);
}

#[monitored]
#[tracing::instrument]
fn fails(ids: &Mutex<Option<Ids>>) -> Result<(), std::io::Error> {
    *ids.lock().unwrap() = Some(current_ids());
    Err(std::io::Error::other("refused"))
}

#[monitored]
#[tracing::instrument(skip(ids))]
fn panics(ids: &Mutex<Option<Ids>>) {
    *ids.lock().unwrap() = Some(current_ids());
    panic!("on purpose");
}

#[test]
fn failure_counters_keep_the_last_failing_calls_trace() {
    let address = setup();
    let first = Mutex::new(None);
    let last = Mutex::new(None);
    fails(&first).unwrap_err();
    fails(&last).unwrap_err();
    let paniced = Mutex::new(None);
    std::panic::catch_unwind(|| panics(&paniced)).unwrap_err();
    let Some(samples) = scrape_openmetrics(address) else {
        return;
    };
    let last = last.into_inner().unwrap().unwrap();
    assert_ne!(first.into_inner().unwrap().unwrap(), last);
    assert_eq!(
        status_exemplar(&samples, "fails", "error"),
        Some((1.0, last))
    );
    assert_eq!(status_exemplar(&samples, "fails", "ok"), None);
    assert_eq!(
        status_exemplar(&samples, "panics", "panic"),
        Some((1.0, paniced.into_inner().unwrap().unwrap()))
    );
}

#[monitored]
#[tracing::instrument]
async fn hops_threads() -> Ids {
    for _ in 0..4 {
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    current_ids()
}

#[monitored]
async fn hops_threads_without_span() {
    for _ in 0..4 {
        tokio::task::yield_now().await;
    }
}

#[test]
fn futures_that_move_between_threads_keep_their_span() {
    let address = setup();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let ids = runtime.block_on(async {
        tokio::spawn(hops_threads_without_span()).await.unwrap();
        tokio::spawn(hops_threads()).await.unwrap()
    });
    let Some(samples) = scrape_openmetrics(address) else {
        return;
    };
    let (_, exemplar) = only_bucket_exemplar(&samples, "hops_threads");
    assert_eq!(exemplar, ids);
    let untraced = samples_of(
        &samples,
        "function_call_duration_seconds_bucket",
        "hops_threads_without_span",
    );
    assert!(!untraced.is_empty());
    assert!(untraced.iter().all(|b| b["exemplar"].is_null()));
}

#[test]
fn the_text_format_has_no_exemplars() {
    let address = setup();
    tracing::info_span!("text").in_scope(measured_inside_own_span);
    let text = get_accepting(address, "/metrics", None).body;
    assert!(!text.contains(" # {"), "{text}");
    promtool_check_metrics(&text);
    let openmetrics = get_accepting(address, "/metrics", Some(PROMETHEUS_ACCEPT)).body;
    assert!(openmetrics.contains(" # {trace_id=\""), "{openmetrics}");
}

#[derive(Clone, Copy, metrics_runtime::LabelValue)]
enum Provider {
    Anthropic,
    Local,
}

#[derive(Clone, Copy, metrics_runtime::LabelSet)]
struct LlmCall {
    provider: Provider,
}

#[derive(metrics_runtime::Metrics)]
#[metrics(prefix = "exemplar_test")]
struct LlmMetrics {
    /// LLM calls, by provider.
    llm_calls_total: metrics_runtime::Counter<LlmCall>,
    /// LLM calls seen through the protobuf format.
    protobuf_calls_total: metrics_runtime::Counter<LlmCall>,
    /// LLM call latency, in seconds.
    #[metric(buckets = [0.1, 1.0, 10.0])]
    llm_call_seconds: metrics_runtime::Histogram<LlmCall>,
}

static LLM: LlmMetrics = LlmMetrics::new();

#[test]
fn typed_metrics_keep_the_exemplars_they_are_given() {
    let address = setup();
    let span = tracing::info_span!("llm request");
    let ids = ids_of(&span);
    let traced = span.in_scope(|| metrics_runtime::ExemplarLabels::current().unwrap());
    let mut request = metrics_runtime::ExemplarLabels::new();
    request.push("request_id", "req \"42\" ✓").unwrap();
    let anthropic = LlmCall {
        provider: Provider::Anthropic,
    };
    LLM.llm_calls_total
        .with(anthropic)
        .increment_with_exemplar(2, &traced);
    LLM.llm_call_seconds
        .with(anthropic)
        .observe_with_exemplar(0.5, &request);
    LLM.llm_call_seconds
        .with(LlmCall {
            provider: Provider::Local,
        })
        .observe_with_exemplar(0.05, &metrics_runtime::ExemplarLabels::new());
    let Some(samples) = scrape_openmetrics(address) else {
        return;
    };
    let find = |name: &str, provider: &str, le: Option<&str>| {
        samples
            .iter()
            .find(|s| {
                s["name"] == name
                    && s["labels"]["provider"] == provider
                    && le.is_none_or(|le| s["labels"]["le"] == le)
            })
            .unwrap_or_else(|| panic!("no {name} {provider} {le:?}"))
            .clone()
    };
    let calls = find("exemplar_test_llm_calls_total", "anthropic", None);
    assert_eq!(calls["value"].as_f64(), Some(2.0));
    assert_eq!(calls["exemplar"]["value"].as_f64(), Some(2.0));
    assert_eq!(
        calls["exemplar"]["labels"]["trace_id"],
        ids.trace_id.as_str()
    );
    assert_eq!(calls["exemplar"]["labels"]["span_id"], ids.span_id.as_str());
    for (le, exemplar) in [("0.1", false), ("1", true), ("10", false), ("+Inf", false)] {
        let bucket = find(
            "exemplar_test_llm_call_seconds_bucket",
            "anthropic",
            Some(le),
        );
        assert_eq!(!bucket["exemplar"].is_null(), exemplar, "le={le}: {bucket}");
    }
    let bucket = find(
        "exemplar_test_llm_call_seconds_bucket",
        "anthropic",
        Some("1"),
    );
    assert_eq!(bucket["exemplar"]["value"].as_f64(), Some(0.5));
    assert_eq!(bucket["exemplar"]["labels"]["request_id"], "req \"42\" ✓");
    let local = find(
        "exemplar_test_llm_call_seconds_bucket",
        "local",
        Some("0.1"),
    );
    assert_eq!(local["value"].as_f64(), Some(1.0));
    assert!(local["exemplar"].is_null(), "empty labels keep nothing");
    assert!(find("exemplar_test_llm_calls_total", "local", None)["exemplar"].is_null());
}

#[monitored]
#[tracing::instrument]
fn traced_for_protobuf() -> Ids {
    current_ids()
}

/// A protobuf message's labels (`LabelPair`s, as Python's JSON mapping writes them) by name.
fn label<'a>(labels: &'a Value, name: &str) -> &'a Value {
    labels
        .as_array()
        .into_iter()
        .flatten()
        .find(|pair| pair["name"] == name)
        .map_or(&Value::Null, |pair| &pair["value"])
}

#[test]
fn the_protobuf_format_carries_the_same_exemplars() {
    let address = setup();
    let ids = traced_for_protobuf();
    let mut request = metrics_runtime::ExemplarLabels::new();
    request.push("request_id", "pb \"7\" ✓").unwrap();
    LLM.protobuf_calls_total
        .with(LlmCall {
            provider: Provider::Local,
        })
        .increment_with_exemplar(3, &request);
    let (status, _, body) = get_bytes_accepting(address, "/metrics", PROMETHEUS_NATIVE_ACCEPT);
    assert_eq!(status, 200);
    let Some(families) = python_protobuf_families(&body) else {
        return;
    };
    let family = |name: &str| {
        families
            .iter()
            .find(|family| family["name"] == name)
            .unwrap_or_else(|| panic!("no family {name}"))
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    // A `google.protobuf.Timestamp`, which the JSON mapping writes in RFC 3339.
    let timestamp = |exemplar: &Value| {
        let text = exemplar["timestamp"].as_str().expect("a timestamp");
        let time = chrono::DateTime::parse_from_rfc3339(text).expect("RFC 3339");
        time.timestamp() as f64 + f64::from(time.timestamp_subsec_nanos()) / 1e9
    };

    // The call's bucket: its exemplar is the call's duration, the histogram's sum, with the
    // call's own span.
    let series = family("function_call_duration_seconds")["metric"]
        .as_array()
        .unwrap()
        .iter()
        .find(|metric| label(&metric["label"], "function") == "traced_for_protobuf")
        .expect("the function's series");
    let histogram = &series["histogram"];
    let with: Vec<&Value> = histogram["bucket"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|bucket| !bucket["exemplar"].is_null())
        .collect();
    assert_eq!(with.len(), 1, "one bucket has an exemplar: {histogram:#}");
    let exemplar = &with[0]["exemplar"];
    assert_eq!(exemplar["value"].as_f64(), histogram["sample_sum"].as_f64());
    assert!(exemplar["value"].as_f64().unwrap() <= with[0]["upper_bound"].as_f64().unwrap());
    assert_eq!(label(&exemplar["label"], "trace_id"), ids.trace_id.as_str());
    assert_eq!(label(&exemplar["label"], "span_id"), ids.span_id.as_str());
    assert!((now - timestamp(exemplar)).abs() < 60.0, "{exemplar}");

    // A typed counter's given exemplar.
    let counter = family("exemplar_test_protobuf_calls_total")["metric"]
        .as_array()
        .unwrap()
        .iter()
        .find(|metric| label(&metric["label"], "provider") == "local")
        .expect("the local series")["counter"]
        .clone();
    assert_eq!(counter["value"].as_f64(), Some(3.0));
    assert_eq!(counter["exemplar"]["value"].as_f64(), Some(3.0));
    assert_eq!(
        label(&counter["exemplar"]["label"], "request_id"),
        "pb \"7\" ✓"
    );
    assert!((now - timestamp(&counter["exemplar"])).abs() < 60.0);
}

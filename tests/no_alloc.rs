//! No heap allocation on the hot path once a call site has made its first call: a counting
//! global allocator watches the calling thread while instrumented functions run.

use metrics_runtime::{
    monitored, tool_call, Counter, ErrorLabel, Gauge, Histogram, LabelSet, LabelValue, Metrics,
};
use metrics_toolkit::{allocations_during, CountingAllocator};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// The tests of this file one at a time: the exemplar test turns exemplars on for the whole
/// process, and a series' first try makes its slot headers.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// This file's exporter, with classic buckets only: a native histogram makes a slab page the
/// first time a call's duration lands in a new range of its keys, which a slow call can do at
/// any time (tests/no_alloc_native.rs covers native histograms with known values).
fn exporter() {
    static EXPORTER: std::sync::OnceLock<metrics_runtime::Exporter> = std::sync::OnceLock::new();
    EXPORTER.get_or_init(|| {
        metrics_runtime::Exporter::builder()
            .listen_address("127.0.0.1:0")
            .native_histograms(false)
            .install()
            .expect("the exporter installs")
    });
}

#[derive(Clone, Copy, LabelValue)]
enum Tier {
    Free,
    Paid,
}

#[derive(Debug, ErrorLabel)]
enum StoreError {
    Full,
    Locked,
}

#[monitored]
fn sync_call(x: u64) -> u64 {
    x + 1
}

#[monitored(labels(tier = tier))]
fn labelled(tier: Tier, fail: u8) -> Result<(), StoreError> {
    let _ = matches!(tier, Tier::Paid);
    match fail {
        1 => Err(StoreError::Full),
        2 => Err(StoreError::Locked),
        _ => Ok(()),
    }
}

#[monitored]
fn parse(text: &str) -> Result<u32, std::num::ParseIntError> {
    text.parse()
}

#[monitored]
async fn async_call(x: u64) -> u64 {
    x * 2
}

#[tool_call]
async fn tool(x: u64) -> Result<u64, std::io::Error> {
    if x.is_multiple_of(2) {
        Ok(x)
    } else {
        Err(std::io::ErrorKind::TimedOut.into())
    }
}

#[derive(Clone, Copy, LabelValue)]
enum Outcome {
    Hit,
    Miss,
}

#[derive(Clone, Copy, LabelSet)]
struct Lookup {
    tier: Tier,
    outcome: Outcome,
}

#[derive(Metrics)]
struct Typed {
    /// Lookups by tier and outcome.
    lookups_total: Counter<Lookup>,
    /// Operations running now.
    running_operations: Gauge<Lookup>,
    /// Lookup latency.
    lookup_duration_seconds: Histogram<Lookup>,
}

static TYPED: Typed = Typed::new();

fn typed_updates(i: u64) {
    let lookup = Lookup {
        tier: if i.is_multiple_of(2) {
            Tier::Free
        } else {
            Tier::Paid
        },
        outcome: if i.is_multiple_of(3) {
            Outcome::Hit
        } else {
            Outcome::Miss
        },
    };
    TYPED.lookups_total.with(lookup).increment();
    let _running = TYPED.running_operations.with(lookup).track();
    TYPED.running_operations.with(lookup).set(i as f64);
    TYPED
        .lookup_duration_seconds
        .with(lookup)
        .observe(0.001 * i as f64);
}

fn poll_ready<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let waker = std::task::Waker::noop();
    match future
        .as_mut()
        .poll(&mut std::task::Context::from_waker(waker))
    {
        std::task::Poll::Ready(out) => out,
        std::task::Poll::Pending => unreachable!(),
    }
}

fn every_path(i: u64) {
    std::hint::black_box(sync_call(i));
    let tier = if i.is_multiple_of(2) {
        Tier::Free
    } else {
        Tier::Paid
    };
    let _ = std::hint::black_box(labelled(tier, (i % 3) as u8));
    let _ = std::hint::black_box(parse(if i.is_multiple_of(2) { "7" } else { "x" }));
    std::hint::black_box(poll_ready(async_call(i)));
    let _ = std::hint::black_box(poll_ready(tool(i)));
    typed_updates(i);
}

#[test]
fn instrumented_calls_do_not_allocate_after_the_first() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    exporter();
    // First calls: handles are registered, every error type met once.
    for i in 0..6 {
        every_path(i);
    }
    let allocations = allocations_during(|| {
        for i in 0..10_000 {
            every_path(i);
        }
    });
    assert_eq!(
        allocations, 0,
        "allocations in 10 000 rounds of instrumented calls"
    );

    // The count is real: an allocation in the loop is seen.
    assert_eq!(
        allocations_during(|| drop(std::hint::black_box(Box::new(1u8)))),
        1
    );
}

// One bound far above any call: every call lands in the same bucket, so warming up makes every
// exemplar the loop will take.
#[monitored(buckets = [3600.0])]
fn traced_sync(x: u64) -> u64 {
    x + 1
}

#[monitored(buckets = [3600.0], labels(tier = tier))]
fn traced_labelled(tier: Tier, fail: u8) -> Result<(), StoreError> {
    let _ = matches!(tier, Tier::Paid);
    match fail {
        1 => Err(StoreError::Full),
        2 => Err(StoreError::Locked),
        _ => Ok(()),
    }
}

#[monitored(buckets = [3600.0])]
async fn traced_async(x: u64) -> u64 {
    x * 2
}

fn every_traced_path(i: u64) {
    std::hint::black_box(traced_sync(i));
    let tier = if i.is_multiple_of(2) {
        Tier::Free
    } else {
        Tier::Paid
    };
    let _ = std::hint::black_box(traced_labelled(tier, (i % 3) as u8));
    std::hint::black_box(poll_ready(traced_async(i)));
}

/// With an exemplar taken on every call, inside a sampled OpenTelemetry span: still nothing
/// allocated per call once the span's context and the series' exemplars exist.
#[test]
fn exemplars_taken_on_every_call_do_not_allocate() {
    use opentelemetry::trace::TracerProvider as _;
    use tracing_subscriber::layer::SubscriberExt as _;
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    exporter();
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("no-alloc")));
    let _default = tracing::subscriber::set_default(subscriber);
    metrics_runtime::__private::set_exemplar_source(
        Some(metrics_runtime::ExemplarLabels::from_current_span),
        std::time::Duration::ZERO,
    );
    let span = tracing::info_span!("request");
    let _entered = span.enter();
    assert!(metrics_runtime::ExemplarLabels::from_current_span().is_some());
    for i in 0..6 {
        every_traced_path(i);
    }
    let allocations = allocations_during(|| {
        for i in 0..10_000 {
            every_traced_path(i);
        }
    });
    assert_eq!(
        allocations, 0,
        "allocations in 10 000 rounds of instrumented calls, each taking an exemplar"
    );
}

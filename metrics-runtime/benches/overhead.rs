//! Per-call cost of instrumentation. Every case wraps the same small function and every case
//! runs in the same process and run, so ratios between cases are meaningful on a noisy
//! machine. `benches/bench-report` turns the results into one table.
//!
//! Groups:
//! - `per_call`: one thread calling;
//! - `contended`: one thread per core calling the same instrumented function at once, time per
//!   call of one thread (the wall time of `iters` calls made by every thread in parallel);
//! - `render`: the exposition with 1,000 and 10,000 series.

use std::future::Future;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use metrics::{counter, gauge, histogram};
use metrics_runtime::{monitored, tool_call, Exporter, LabelValue};

#[inline(never)]
fn work(x: u64) -> u64 {
    x.wrapping_mul(31).rotate_left(7)
}

#[inline(never)]
fn bare(x: u64) -> u64 {
    work(x)
}

static FLOOR_CALLS: AtomicU64 = AtomicU64::new(0);

/// The physical floor of "count and time a call": one relaxed add and two clock reads.
#[inline(never)]
fn floor(x: u64) -> u64 {
    let start = Instant::now();
    let out = work(x);
    FLOOR_CALLS.fetch_add(1, Ordering::Relaxed);
    black_box(start.elapsed());
    out
}

/// The four metrics written by hand with the facade's macros, labels on every call.
#[inline(never)]
fn handwritten_facade(x: u64) -> u64 {
    let labels = [("function", "work"), ("module", "bench")];
    gauge!("hand_calls_in_flight", &labels).increment(1.0);
    let start = Instant::now();
    let out = work(x);
    histogram!("hand_call_duration_seconds", &labels).record(start.elapsed().as_secs_f64());
    counter!("hand_calls_total", "function" => "work", "module" => "bench", "status" => "ok")
        .increment(1);
    gauge!("hand_calls_in_flight", &labels).decrement(1.0);
    out
}

/// The four metrics through facade handles registered once: the best the facade allows.
struct CachedHandles {
    in_flight: metrics::Gauge,
    duration: metrics::Histogram,
    calls: metrics::Counter,
}

impl CachedHandles {
    fn new() -> Self {
        let labels = [("function", "work"), ("module", "bench")];
        Self {
            in_flight: gauge!("cached_calls_in_flight", &labels),
            duration: histogram!("cached_call_duration_seconds", &labels),
            calls: counter!("cached_calls_total", "function" => "work", "module" => "bench", "status" => "ok"),
        }
    }

    #[inline(never)]
    fn call(&self, x: u64) -> u64 {
        self.in_flight.increment(1.0);
        let start = Instant::now();
        let out = work(x);
        self.duration.record(start.elapsed().as_secs_f64());
        self.calls.increment(1);
        self.in_flight.decrement(1.0);
        out
    }
}

#[monitored]
#[inline(never)]
fn monitored_sync(x: u64) -> u64 {
    work(x)
}

/// The same function with an objective: three more adds and a compare per call.
#[monitored(objective(name = "bench", success = 99.9, latency = 0.25, latency_target = 99))]
#[inline(never)]
fn monitored_objective(x: u64) -> u64 {
    work(x)
}

#[monitored]
async fn monitored_async(x: u64) -> u64 {
    work(x)
}

#[derive(Clone, Copy, LabelValue)]
enum Region {
    EuWest,
    UsEast,
    AsiaPacific,
}

#[monitored(labels(region = region))]
#[inline(never)]
fn monitored_dynamic_labels(region: Region, x: u64) -> u64 {
    work(x)
}

#[tool_call(server = "bench")]
async fn tool_call_async(x: u64) -> u64 {
    work(x)
}

#[autometrics::autometrics]
#[inline(never)]
fn autometrics_plain(x: u64) -> u64 {
    work(x)
}

#[autometrics::autometrics(track_concurrency)]
#[inline(never)]
fn autometrics_concurrency(x: u64) -> u64 {
    work(x)
}

/// Polls a future that completes on its first poll.
#[inline]
fn run_ready<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(out) => out,
        Poll::Pending => unreachable!("the benchmarked futures do not await"),
    }
}

const REGIONS: [Region; 3] = [Region::EuWest, Region::UsEast, Region::AsiaPacific];

/// A benchmarked call, as a function of the iteration number.
type Case = Arc<dyn Fn(u64) -> u64 + Send + Sync>;

/// Every case, by name.
fn cases() -> Vec<(&'static str, Case)> {
    let cached = Arc::new(CachedHandles::new());
    vec![
        ("bare", Arc::new(bare)),
        ("floor", Arc::new(floor)),
        ("handwritten_facade", Arc::new(handwritten_facade)),
        ("cached_handles", Arc::new(move |x| cached.call(x))),
        ("monitored_sync", Arc::new(monitored_sync)),
        ("monitored_objective", Arc::new(monitored_objective)),
        (
            "monitored_async",
            Arc::new(|x| run_ready(monitored_async(x))),
        ),
        (
            "monitored_dynamic_labels",
            Arc::new(|x| monitored_dynamic_labels(REGIONS[(x % 3) as usize], x)),
        ),
        (
            "tool_call_async",
            Arc::new(|x| run_ready(tool_call_async(x))),
        ),
        ("autometrics", Arc::new(autometrics_plain)),
        ("autometrics_concurrency", Arc::new(autometrics_concurrency)),
    ]
}

fn per_call(c: &mut Criterion) {
    let mut group = c.benchmark_group("per_call");
    for (name, case) in cases() {
        group.bench_function(name, |b| {
            let mut x = 0u64;
            b.iter(|| {
                x = x.wrapping_add(1);
                case(black_box(x))
            })
        });
    }
    group.finish();
}

fn contended(c: &mut Criterion) {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut group = c.benchmark_group("contended");
    group.measurement_time(Duration::from_secs(4));
    for (name, case) in cases() {
        group.bench_with_input(
            BenchmarkId::new(name, format!("{threads}_threads")),
            &threads,
            |b, &threads| {
                b.iter_custom(|iters| {
                    let start = Arc::new(Barrier::new(threads + 1));
                    let workers: Vec<_> = (0..threads)
                        .map(|t| {
                            let (start, case) = (start.clone(), case.clone());
                            std::thread::spawn(move || {
                                start.wait();
                                let began = Instant::now();
                                for i in 0..iters {
                                    black_box(case(black_box(i ^ t as u64)));
                                }
                                began.elapsed()
                            })
                        })
                        .collect();
                    start.wait();
                    // Per call of one thread while all of them call: the slowest thread's time.
                    workers
                        .into_iter()
                        .map(|w| w.join().unwrap())
                        .max()
                        .unwrap()
                })
            },
        );
    }
    group.finish();
}

/// A label value set big enough to make `n` series of one function's families.
#[monitored(labels(shard = shard))]
fn sharded(shard: &'static str) {}

/// Lines of an exposition, comments aside.
fn lines(text: &str) -> usize {
    text.lines().filter(|l| !l.starts_with('#')).count()
}

fn render(c: &mut Criterion, exporter: &Exporter) {
    let mut group = c.benchmark_group("render");
    // Each combination of `sharded` makes 4 status counters, 1 in-flight gauge and a histogram
    // of 14 lines (11 buckets, +Inf, _sum, _count): 19 lines.
    let mut made: Vec<&'static str> = Vec::new();
    for target in [1_000usize, 10_000, 100_000] {
        while made.len() * 19 < target {
            let shard: &'static str = Box::leak(format!("s{}", made.len()).into_boxed_str());
            sharded(shard);
            made.push(shard);
        }
        let series = lines(&exporter.render());
        group.bench_function(BenchmarkId::new("series", target), |b| {
            b.iter(|| exporter.render().len())
        });
        eprintln!("render/series/{target}: {series} lines in the exposition");
    }
    // The same 100,000 lines as OpenMetrics, what Prometheus asks for.
    let handle = exporter.handle();
    group.bench_function(BenchmarkId::new("openmetrics", 100_000), |b| {
        b.iter(|| handle.render_as(metrics_runtime::Format::OpenMetrics).len())
    });
    // And in the protobuf format, native histograms included: what Prometheus asks for with
    // native histograms on.
    group.bench_function(BenchmarkId::new("protobuf", 100_000), |b| {
        b.iter(|| handle.render_bytes(metrics_runtime::Format::Protobuf).len())
    });

    // The same lines held by metrics-exporter-prometheus alone, which this crate would
    // otherwise use for its families.
    let fallback = metrics_exporter_prometheus::PrometheusBuilder::new()
        .set_buckets(metrics_runtime::DEFAULT_BUCKETS)
        .expect("valid buckets")
        .build_recorder();
    static METADATA: metrics::Metadata<'static> =
        metrics::Metadata::new("bench", metrics::Level::INFO, None);
    for shard in &made {
        let labels = |extra: Option<(&'static str, &'static str)>| {
            let mut labels = vec![
                metrics::Label::new("function", "sharded"),
                metrics::Label::new("module", "overhead"),
                metrics::Label::new("shard", *shard),
            ];
            labels.extend(extra.map(|(k, v)| metrics::Label::new(k, v)));
            labels
        };
        use metrics::Recorder;
        for status in ["ok", "error", "panic", "cancelled"] {
            let key =
                metrics::Key::from_parts("function_calls_total", labels(Some(("status", status))));
            fallback.register_counter(&key, &METADATA).increment(1);
        }
        let key = metrics::Key::from_parts("function_call_duration_seconds", labels(None));
        fallback.register_histogram(&key, &METADATA).record(0.001);
        let key = metrics::Key::from_parts("function_calls_in_flight", labels(None));
        fallback.register_gauge(&key, &METADATA).set(0.0);
    }
    let handle = fallback.handle();
    eprintln!(
        "render/exporter/100000: {} lines in metrics-exporter-prometheus' exposition",
        lines(&handle.render())
    );
    group.bench_function(BenchmarkId::new("exporter", 100_000), |b| {
        b.iter(|| handle.render().len())
    });

    // Every series written from as many threads as there are shards: the reader sums them all.
    let threads = 32;
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| made.iter().for_each(|shard| sharded(shard)));
        }
    });
    group.bench_function(BenchmarkId::new("series_every_shard", 100_000), |b| {
        b.iter(|| exporter.render().len())
    });
    group.finish();
}

#[derive(Clone, Copy, metrics_runtime::LabelValue)]
#[allow(dead_code)] // the cases use one combination
enum CacheType {
    Llm,
    Embeddings,
    Tools,
}

#[derive(Clone, Copy, metrics_runtime::LabelValue)]
#[allow(dead_code)] // the cases use one combination
enum CacheResult {
    Hit,
    Miss,
}

#[derive(Clone, Copy, metrics_runtime::LabelSet)]
struct CacheLookup {
    cache_type: CacheType,
    result: CacheResult,
}

#[derive(metrics_runtime::Metrics)]
struct TypedBench {
    /// Cache lookups by cache and result.
    typed_lookups_total: metrics_runtime::Counter<CacheLookup>,
    /// Batches.
    typed_batches_total: metrics_runtime::Counter,
}

static TYPED: TypedBench = TypedBench::new();

/// prometheus-client's labels for the same counter.
#[derive(Clone, Debug, Hash, PartialEq, Eq, prometheus_client::encoding::EncodeLabelSet)]
struct ClientLookup {
    cache_type: ClientCache,
    result: ClientResult,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, prometheus_client::encoding::EncodeLabelValue)]
#[allow(dead_code)] // the cases use one combination
enum ClientCache {
    Llm,
    Embeddings,
    Tools,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, prometheus_client::encoding::EncodeLabelValue)]
#[allow(dead_code)] // the cases use one combination
enum ClientResult {
    Hit,
    Miss,
}

/// One update of a counter with two enum labels, as each library makes it, the labels passed
/// through `black_box` so that none is folded at compile time.
fn typed(c: &mut Criterion) {
    let mut group = c.benchmark_group("typed");
    let lookup = CacheLookup {
        cache_type: CacheType::Embeddings,
        result: CacheResult::Miss,
    };
    group.bench_function("counter_two_labels", |b| {
        b.iter(|| {
            TYPED
                .typed_lookups_total
                .with(black_box(lookup))
                .increment()
        })
    });
    group.bench_function("counter_unlabelled", |b| {
        b.iter(|| TYPED.typed_batches_total.increment())
    });
    group.bench_function("facade_counter_with_labels", |b| {
        b.iter(|| {
            counter!("facade_lookups_total", "cache_type" => black_box("embeddings"), "result" => black_box("miss"))
                .increment(1)
        })
    });
    let cached = counter!("cached_lookups_total", "cache_type" => "embeddings", "result" => "miss");
    group.bench_function("cached_facade_handle", |b| {
        b.iter(|| black_box(&cached).increment(1))
    });
    let family = prometheus_client::metrics::family::Family::<
        ClientLookup,
        prometheus_client::metrics::counter::Counter,
    >::default();
    let labels = ClientLookup {
        cache_type: ClientCache::Embeddings,
        result: ClientResult::Miss,
    };
    group.bench_function("prometheus_client_family", |b| {
        b.iter(|| family.get_or_create(black_box(&labels)).inc())
    });
    group.finish();
}

/// Recording one observation into classic buckets (the 11 default bounds) and into native
/// buckets (schema 3), on 64 durations spread log-uniformly from 10 us to 10 s.
fn histogram(c: &mut Criterion) {
    let mut group = c.benchmark_group("histogram");
    let values: Vec<f64> = (0..64)
        .map(|i| 1e-5 * 10f64.powf(6.0 * f64::from(i) / 63.0))
        .collect();
    let histograms =
        metrics_runtime::__private::BenchHistograms::new(metrics_runtime::DEFAULT_BUCKETS);
    for value in &values {
        histograms.record_classic(*value);
        histograms.record_native(*value);
    }
    let mut at = 0usize;
    group.bench_function("classic", |b| {
        b.iter(|| {
            at = (at + 1) & 63;
            histograms.record_classic(black_box(values[at]))
        })
    });
    group.bench_function("native", |b| {
        b.iter(|| {
            at = (at + 1) & 63;
            histograms.record_native(black_box(values[at]))
        })
    });
    group.finish();
}

fn all(c: &mut Criterion) {
    // 64 cores' worth of shards (32), so that the render case with every shard written reads
    // as many as a large host has; one thread still writes one shard.
    metrics_runtime::__private::emulate_cores(64);
    // `OVERHEAD_NATIVE=0` measures with classic buckets only.
    let native = std::env::var("OVERHEAD_NATIVE").map_or(true, |value| value != "0");
    let exporter = Exporter::builder()
        .process_metrics(false)
        .host_metrics(false)
        .native_histograms(native)
        .build()
        .expect("the recorder installs");
    per_call(c);
    contended(c);
    typed(c);
    histogram(c);
    render(c, &exporter);
}

criterion_group!(benches, all);
criterion_main!(benches);

//! Heap per instrumented function and per call site with 1,024 label combinations, at emulated
//! core counts, next to `metrics-exporter-prometheus` holding the same series.
//!
//! `cargo bench -p metrics-runtime --bench memory` runs one child process per core count (the
//! shard count is fixed per process) and prints one line per count; `benches/bench-report`
//! puts them in its table. A counting global allocator measures live heap bytes.
//!
//! The call sites are made here as the attribute makes them, minus the link-time catalog entry,
//! so that they register when first called, after the exporter is installed, and the heap they
//! add can be told from the exporter's own.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Instant;

use metrics::{Key, Label, Level, Metadata, Recorder};
use metrics_runtime::__private::{
    dynamic_label, emulate_cores, CallSite, FamilyNames, HistogramBuckets, SiteInfo, SiteKind,
};
use metrics_runtime::{Exporter, LabelValue};

struct CountingAllocator;

static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE_BYTES.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn live() -> isize {
    LIVE_BYTES.load(Ordering::Relaxed)
}

/// Functions per measurement: enough that pages and maps amortise as they do in a service.
const FUNCTIONS: usize = 300;
const CORE_COUNTS: [usize; 3] = [2, 16, 64];

macro_rules! thirty_two {
    ($name:ident) => {
        #[derive(Clone, Copy, LabelValue)]
        #[allow(dead_code)]
        enum $name {
            V0,
            V1,
            V2,
            V3,
            V4,
            V5,
            V6,
            V7,
            V8,
            V9,
            V10,
            V11,
            V12,
            V13,
            V14,
            V15,
            V16,
            V17,
            V18,
            V19,
            V20,
            V21,
            V22,
            V23,
            V24,
            V25,
            V26,
            V27,
            V28,
            V29,
            V30,
            V31,
        }
    };
}
thirty_two!(Region);
thirty_two!(Model);

fn leak<T>(value: T) -> &'static T {
    Box::leak(Box::new(value))
}

/// A call site as `#[monitored]` makes it for `fn {name}()` in module `bench`.
fn site(name: String, dynamic_labels: &'static [&'static str]) -> &'static CallSite {
    site_with(name, dynamic_labels, None)
}

/// The same, with `histogram = ...`.
fn site_with(
    name: String,
    dynamic_labels: &'static [&'static str],
    histogram: Option<HistogramBuckets>,
) -> &'static CallSite {
    let name: &'static str = Box::leak(name.into_boxed_str());
    let labels: &'static [(&'static str, &'static str)] =
        Box::leak(Box::new([("function", name), ("module", "bench")]));
    leak(CallSite::new(leak(SiteInfo {
        kind: SiteKind::Monitored,
        families: FamilyNames {
            calls: "function_calls_total",
            duration: "function_call_duration_seconds",
            errors: "function_errors_total",
            in_flight: "function_calls_in_flight",
        },
        named: false,
        function: name,
        module: "bench",
        file: file!(),
        line: line!(),
        labels,
        dynamic_labels,
        buckets: None,
        histogram,
        objective: None,
    })))
}

/// Heap added by `FUNCTIONS` sites on their first call from each of `writers` threads.
fn per_function(prefix: &str, writers: usize) -> f64 {
    per_function_with(prefix, writers, None)
}

/// The same, with `histogram = ...`.
fn per_function_with(prefix: &str, writers: usize, histogram: Option<HistogramBuckets>) -> f64 {
    let sites: Vec<&'static CallSite> = (0..FUNCTIONS)
        .map(|index| site_with(format!("{prefix}{index}"), &[], histogram))
        .collect();
    let before = live();
    std::thread::scope(|scope| {
        for _ in 0..writers {
            scope.spawn(|| {
                for site in &sites {
                    site.enter().ok();
                }
            });
        }
    });
    (live() - before) as f64 / FUNCTIONS as f64
}

/// The same six series per function held by `metrics-exporter-prometheus`.
fn exporter_per_function() -> f64 {
    static METADATA: Metadata<'static> = Metadata::new("bench", Level::INFO, None);
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let before = live();
    let mut handles = Vec::with_capacity(FUNCTIONS * 6);
    for index in 0..FUNCTIONS {
        let labels = vec![
            Label::new("function", format!("exporter{index}")),
            Label::new("module", "bench"),
        ];
        let key = |name: &'static str, extra: Option<(&'static str, &'static str)>| {
            let mut labels = labels.clone();
            labels.extend(extra.map(|(k, v)| Label::new(k, v)));
            Key::from_parts(name, labels)
        };
        for status in ["ok", "error", "panic", "cancelled"] {
            let counter = recorder.register_counter(
                &key("function_calls_total", Some(("status", status))),
                &METADATA,
            );
            counter.increment(1);
        }
        let histogram =
            recorder.register_histogram(&key("function_call_duration_seconds", None), &METADATA);
        histogram.record(0.001);
        let gauge = recorder.register_gauge(&key("function_calls_in_flight", None), &METADATA);
        gauge.increment(1.0);
        gauge.decrement(1.0);
        handles.push((histogram, gauge));
    }
    let bytes = (live() - before) as f64 / FUNCTIONS as f64;
    drop(handles);
    drop(recorder);
    bytes
}

/// Heap and time of the first call of a site whose two labels give 32 x 32 combinations.
fn combinations_site() -> (f64, f64) {
    let site = site("combinations".into(), &["region", "model"]);
    let before = live();
    let start = Instant::now();
    site.enter_with(&[dynamic_label(&Region::V3), dynamic_label(&Model::V7)])
        .ok();
    let elapsed = start.elapsed();
    ((live() - before) as f64, elapsed.as_secs_f64())
}

fn child(cores: usize) {
    emulate_cores(cores);
    let shards = (cores * 2).next_power_of_two().clamp(2, 32);
    let _exporter = Exporter::builder()
        .process_metrics(false)
        .host_metrics(false)
        .build()
        .expect("the exporter installs");
    // Warm up the maps and the first pages, as a running service has them.
    per_function("warm", 1);
    let one_writer = per_function("single", 1);
    let every_shard = per_function("shared", shards);
    let exporter = exporter_per_function();
    let (combination_bytes, combination_seconds) = combinations_site();
    // `#[monitored(histogram = classic | native)]`.
    let choices = [HistogramBuckets::Classic, HistogramBuckets::Native].map(|choice| {
        let prefix = format!("{choice:?}").to_lowercase();
        (
            per_function_with(&format!("{prefix}_single"), 1, Some(choice)),
            per_function_with(&format!("{prefix}_shared"), shards, Some(choice)),
        )
    });
    println!(
        "histograms cores={cores} shards={shards} classic_one_writer_bytes={:.0} \
         classic_every_shard_bytes={:.0} native_one_writer_bytes={:.0} native_every_shard_bytes={:.0}",
        choices[0].0, choices[0].1, choices[1].0, choices[1].1
    );
    // With the `exemplars` feature: the same sites with a source set, each function's
    // first call taking an exemplar (its slots are made then).
    #[cfg(feature = "exemplars")]
    {
        fn traced() -> Option<metrics_runtime::ExemplarLabels> {
            Some(metrics_runtime::ExemplarLabels::trace(u128::MAX, u64::MAX))
        }
        metrics_runtime::__private::set_exemplar_source(Some(traced), std::time::Duration::ZERO);
        let with_exemplars = per_function("exemplar", 1);
        println!(
            "exemplars cores={cores} shards={shards} function_without_source_bytes={one_writer:.0} \
             function_with_exemplars_bytes={with_exemplars:.0}"
        );
    }
    println!(
        "memory cores={cores} shards={shards} function_one_writer_bytes={one_writer:.0} \
         function_every_shard_bytes={every_shard:.0} exporter_function_bytes={exporter:.0} \
         site_1024_bytes={combination_bytes:.0} site_1024_first_call_ms={:.3}",
        combination_seconds * 1000.0
    );
}

fn main() {
    if let Ok(cores) = std::env::var("MEMORY_BENCH_CORES") {
        child(cores.parse().expect("MEMORY_BENCH_CORES is a number"));
        return;
    }
    // Under `cargo bench`, arguments such as `--bench` are passed: ignore them.
    let exe = std::env::current_exe().expect("the benchmark knows its path");
    for cores in CORE_COUNTS {
        let output = std::process::Command::new(&exe)
            .env("MEMORY_BENCH_CORES", cores.to_string())
            .output()
            .expect("the benchmark runs itself");
        print!("{}", String::from_utf8_lossy(&output.stdout));
        if !output.status.success() {
            eprintln!("{}", String::from_utf8_lossy(&output.stderr));
            std::process::exit(1);
        }
    }
}

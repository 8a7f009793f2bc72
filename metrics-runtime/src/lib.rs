//! Prometheus instrumentation for async Rust services and MCP servers.
//!
//! Put [`#[monitored]`](monitored) on a function (or [`#[tool_call]`](tool_call) on an MCP tool
//! handler), call [`install_exporter()`](fn@install_exporter) once at startup, and `GET /metrics` serves how often the
//! function ran, how long it took and how it failed:
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `function_calls_total` | counter | `function`, `module`, `status` (`ok`, `error`, `panic`, `cancelled`) |
//! | `function_call_duration_seconds` | histogram | `function`, `module` |
//! | `function_errors_total` | counter | `function`, `module`, `error_type` |
//! | `function_calls_in_flight` | gauge | `function`, `module` |
//!
//! ```no_run
//! use metrics_runtime::{install_exporter, monitored};
//!
//! #[monitored]
//! async fn handle(order: u64) -> Result<u64, std::io::Error> {
//!     Ok(order * 2)
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let _exporter = install_exporter()?; // serves http://0.0.0.0:9000/metrics
//!     handle(21).await?;
//!     Ok(())
//! }
//! ```
//!
//! The recorded values go through the [`metrics`] facade: this crate installs a recorder that
//! stores its own families in sharded atomics and passes every other metric of the process to
//! `metrics-exporter-prometheus`, so other crates using `metrics` keep working.

#![warn(missing_docs)]

mod background;
mod callsite;
mod catalog;
mod collectors;
mod error;
#[cfg(feature = "exemplars")]
mod exemplars;
mod exporter;
mod exposition;
mod families;
mod health;
mod http;
mod labels;
mod objectives;
pub mod outcome;
mod push;
mod recorder;
mod registry;
mod sanitize;
mod storage;
pub mod testing;
mod track;

pub use callsite::{rebind_call_sites, CallGuard};
pub use catalog::{catalog, CatalogEntry};
pub use error::Error;
#[cfg(feature = "exemplars")]
pub use exemplars::{ExemplarLabels, ExemplarSource};
pub use exporter::{
    install_exporter, Exporter, ExporterBuilder, MetricsHandle, ADDRESS_ENV, DEFAULT_ADDRESS,
};
pub use exposition::Format;
pub use families::{
    metric_families, CallbackGauge, Counter, CounterSeries, FamilyEntry, FixedLabelValue, Gauge,
    GaugeGuard, GaugeSeries, Histogram, HistogramSeries, HistogramTimer, LabelSet, LabelValues,
    RegisteredValue, ValueSet, MAX_FAMILY_SERIES, MAX_SET_CAPACITY, OTHER,
};
pub use health::{health, set_health, HEALTH_FAMILY};
pub use labels::{ErrorFlag, ErrorLabel, LabelValue};
pub use objectives::Objective;
pub use registry::{SchemaConflict, DEFAULT_BUCKETS};
pub use track::track;

/// Records calls, duration, errors and in-flight calls of a function.
///
/// Works on `async fn` and `fn`, free functions and methods (inherent, trait impls, `async fn`
/// in traits, `#[async_trait]`), generic functions and `unsafe fn`. Arguments:
///
/// - `name = "jobs"`: the family prefix, `jobs_calls_total` etc. instead of `function_...`;
/// - `labels(key = "value", key = argument)`: static labels, and labels from arguments whose
///   type implements [`LabelValue`];
/// - `buckets = [0.01, 0.1, 1.0]`: histogram bounds in seconds;
/// - `histogram = classic | native | both`: which buckets the duration histogram keeps; by
///   default both, or classic only under
///   [`native_histograms(false)`](crate::ExporterBuilder::native_histograms). `native` keeps
///   no classic buckets (the text formats show the count and sum) and takes no `buckets`;
///   `classic` spares the native buckets' memory (see the README's numbers);
/// - `crate = "path"`: where this crate is, if the dependency is renamed.
///
/// ```
/// use metrics_runtime::monitored;
///
/// #[monitored(histogram = native)]
/// fn render_page() {}
///
/// #[monitored(labels(queue = "emails"), buckets = [0.01, 0.1, 1.0])]
/// fn send(to: &str) -> Result<(), std::io::Error> {
///     if to.contains('@') {
///         Ok(())
///     } else {
///         Err(std::io::ErrorKind::InvalidInput.into())
///     }
/// }
///
/// assert!(send("a@example.com").is_ok());
/// assert!(send("nobody").is_err()); // counted with error_type="invalid_input"
/// ```
pub use metrics_macros::monitored;

/// Records calls, duration, errors and in-flight calls of an MCP tool handler.
///
/// Families `mcp_tool_calls_total`, `mcp_tool_call_duration_seconds`, `mcp_tool_errors_total`
/// and `mcp_tool_calls_in_flight`, labelled `server` and `tool`. `tool = "..."` overrides the
/// tool name (default: the function name), `server = "..."` the server (default: the package
/// name). Takes `labels(...)`, `buckets`, `histogram` and `crate` like [`monitored`].
///
/// ```
/// use metrics_runtime::tool_call;
///
/// #[tool_call(server = "files")]
/// async fn read_file(path: String) -> Result<String, std::io::Error> {
///     Ok(format!("contents of {path}"))
/// }
/// # let _ = read_file(String::new());
/// ```
pub use metrics_macros::tool_call;

/// Derives [`LabelValue`] for a fieldless enum.
pub use metrics_macros::LabelValue;

/// Derives [`ErrorLabel`] for an error enum or struct.
pub use metrics_macros::ErrorLabel;

/// Derives [`LabelSet`] for a struct whose fields are label values.
///
/// Each field is a label named after it (`#[label(rename = "...")]` picks another name), of a
/// type with a fixed list of values: a fieldless enum with `#[derive(LabelValue)]`, a `bool`,
/// or a [`RegisteredValue`] with `#[label(values = SET)]` naming a `static` [`ValueSet`].
/// `String`, `&str`, numbers and ids are refused at compile time, as are the label names
/// Prometheus reserves (`le`, `quantile`, `job`, `instance`, `__*`).
///
/// ```
/// use metrics_runtime::{LabelSet, LabelValue, RegisteredValue, ValueSet};
///
/// static STORES: ValueSet = ValueSet::new("store", 64);
///
/// #[derive(Clone, Copy, LabelValue)]
/// enum EventType { Created, Updated }
///
/// #[derive(Clone, Copy, LabelSet)]
/// struct Event {
///     event_type: EventType,
///     #[label(values = STORES)]
///     store_id: RegisteredValue,
/// }
/// # let _ = Event { event_type: EventType::Created, store_id: STORES.other() };
/// ```
pub use metrics_macros::LabelSet;

/// Declares a group of typed metrics once, checked at compile time.
///
/// Each field is a [`Counter`], [`Gauge`], [`Histogram`] or [`CallbackGauge`], generic over
/// a [`LabelSet`] (nothing for no labels), named after the field with the group's
/// `#[metrics(prefix = "...")]`, described by its doc comment (required: it is the HELP text).
/// Per field, `#[metric(name = "...")]` overrides the name, `#[metric(buckets = [...])]`
/// sets a histogram's bounds and `#[metric(histogram = classic | native | both)]` which
/// buckets it keeps (as `#[monitored]`'s `histogram`; a native-only histogram needs no bounds).
///
/// Names follow Prometheus' conventions or the build fails: counters end in `_total`, gauges
/// do not, durations are `_seconds`, base units only. Every label combination is exported at
/// zero from install, the families are listed in `/catalog`, and a name declared twice, or
/// also by an instrumented function, is an install [`Error::TypedConflict`] naming both places.
///
/// The derive adds `const fn new()`; keep the group in a `static`.
///
/// ```
/// use metrics_runtime::{Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics};
///
/// #[derive(Clone, Copy, LabelValue)]
/// enum CacheType { Llm, Embeddings }
///
/// #[derive(Clone, Copy, LabelValue)]
/// enum CacheResult { Hit, Miss }
///
/// #[derive(Clone, Copy, LabelSet)]
/// struct CacheLookup { cache_type: CacheType, result: CacheResult }
///
/// #[derive(Metrics)]
/// #[metrics(prefix = "hub")]
/// struct HubMetrics {
///     /// Cache lookups by cache and result.
///     cache_lookups_total: Counter<CacheLookup>,
///     /// Operations running now.
///     active_operations: Gauge,
///     /// LLM call latency.
///     #[metric(buckets = [0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0])]
///     llm_call_duration_seconds: Histogram,
/// }
///
/// static METRICS: HubMetrics = HubMetrics::new();
///
/// METRICS
///     .cache_lookups_total
///     .with(CacheLookup { cache_type: CacheType::Llm, result: CacheResult::Hit })
///     .increment();
/// let _active = METRICS.active_operations.track();
/// METRICS.llm_call_duration_seconds.observe(1.7);
/// ```
pub use metrics_macros::Metrics;

/// The README's code blocks, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

/// What the attributes' expansion refers to. Not a public API: it changes without notice.
#[doc(hidden)]
pub mod __private {
    pub use crate::callsite::{
        dynamic_label, CallGuard, CallSite, FamilyNames, HistogramBuckets, SiteInfo, SiteKind,
        SiteRef, Watched,
    };
    pub use crate::families::{
        fixed_index, fixed_len, fixed_values, Family, FamilyInfo, FamilyRef, TypedKind,
    };
    pub use crate::labels::{ErrorLabel, LabelValue};
    pub use crate::objectives::objective_fits;
    pub use crate::storage::emulate_cores;
    pub use inventory;

    /// A classic and a native histogram on the crate's storage, recorded separately, for the
    /// benchmark that compares their cost in one run.
    pub struct BenchHistograms {
        bounds: &'static [f64],
        classic: usize,
        native: crate::storage::native::NativeHistogram,
    }

    impl BenchHistograms {
        /// Both, the classic one with `bounds`, the native one at the default schema.
        pub fn new(bounds: &'static [f64]) -> Self {
            let layout = crate::storage::native::layout();
            Self {
                bounds,
                classic: crate::storage::block::allocate_histograms(bounds.len(), 1),
                native: crate::storage::native::NativeHistogram::new(layout),
            }
        }

        /// Records into the classic buckets.
        #[inline]
        pub fn record_classic(&self, value: f64) {
            crate::storage::block::record(self.classic, self.bounds, value);
        }

        /// Records into the native buckets.
        #[inline]
        pub fn record_native(&self, value: f64) {
            self.native.record(value);
        }
    }

    /// Sets the exemplar source and interval after install, for the benchmark's cases that
    /// compare them in one run.
    #[cfg(feature = "exemplars")]
    pub fn set_exemplar_source(
        source: Option<crate::ExemplarSource>,
        interval: std::time::Duration,
    ) {
        crate::exemplars::set_source(source, interval);
    }

    /// Gives a closure its return type before its body is checked, so `?` in the body converts
    /// into the function's error type.
    #[inline(always)]
    pub fn call_sync<T, F: FnOnce() -> T>(body: F) -> T {
        body()
    }

    /// Gives an `async` block its output type before its body is checked, as [`call_sync`].
    #[inline(always)]
    pub fn typed_future<T, F: core::future::Future<Output = T>>(body: F) -> F {
        body
    }
}

//! Call sites: what `#[monitored]` and `#[tool_call]` put in a `static` next to each function,
//! the handles they cache, and the guard that records one call.
//!
//! A call site registers its handles with the current `metrics` recorder once and keeps them;
//! the hot path neither hashes nor allocates. Handles made while no recorder was installed are
//! no-ops forever (a trap of the facade), so a site remembers the recorder epoch it bound at
//! and binds again after [`install`](crate::ExporterBuilder::install) bumps it.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll};

use metrics::{Counter, Gauge, Histogram, Key, Label, Level, Metadata, SharedString, Unit};

use crate::labels::LabelValue;
use crate::outcome::{short_type_name, ErrorType, Outcome, Status};
use crate::registry::{PendingCombinations, REGISTRY};

/// The `metrics` target of every handle a call site registers; the recorder of this crate
/// stores handles with this target in its own sharded storage.
pub(crate) const SITE_TARGET: &str = "metrics_runtime::site";

/// The target of handles whose series have labels taken from arguments.
pub(crate) const DYNAMIC_SITE_TARGET: &str = "metrics_runtime::site::dynamic";

static SITE_METADATA: Metadata<'static> = Metadata::new(SITE_TARGET, Level::INFO, None);
static DYNAMIC_SITE_METADATA: Metadata<'static> =
    Metadata::new(DYNAMIC_SITE_TARGET, Level::INFO, None);

/// Bumped whenever a recorder is installed; call sites bound at an older epoch bind again.
static RECORDER_EPOCH: AtomicU64 = AtomicU64::new(1);

/// Makes every call site register its handles again with the current recorder.
///
/// The exporter of this crate does this when it is installed. Call it yourself after installing
/// another `metrics` recorder with `metrics::set_global_recorder`, so that functions which ran
/// before that stop writing to the no-op recorder.
///
/// ```
/// metrics_runtime::rebind_call_sites();
/// ```
pub fn rebind_call_sites() {
    RECORDER_EPOCH.fetch_add(1, Ordering::Release);
}

/// Which attribute made a call site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SiteKind {
    /// `#[monitored]`.
    Monitored,
    /// `#[tool_call]`.
    ToolCall,
    /// A block measured with `track()`.
    Track,
}

impl SiteKind {
    /// The name used in `/catalog`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SiteKind::Monitored => "monitored",
            SiteKind::ToolCall => "tool_call",
            SiteKind::Track => "track",
        }
    }
}

/// The four metric names of one family.
#[derive(Debug)]
pub struct FamilyNames {
    /// Counter of calls by `status`.
    pub calls: &'static str,
    /// Histogram of call durations in seconds.
    pub duration: &'static str,
    /// Counter of failed calls by `error_type`.
    pub errors: &'static str,
    /// Gauge of calls running now.
    pub in_flight: &'static str,
}

/// What the attribute knows about an instrumented function at compile time.
#[derive(Debug)]
pub struct SiteInfo {
    /// Which attribute.
    pub kind: SiteKind,
    /// Metric names.
    pub families: FamilyNames,
    /// Whether the family was named with `name = "..."`: then every function of it must
    /// declare the same label names and buckets.
    pub named: bool,
    /// The function's name.
    pub function: &'static str,
    /// `module_path!()` of the function.
    pub module: &'static str,
    /// `file!()` of the attribute.
    pub file: &'static str,
    /// `line!()` of the attribute.
    pub line: u32,
    /// Labels with values fixed at compile time: `function`/`module` or `server`/`tool`, then
    /// the static `labels(...)`.
    pub labels: &'static [(&'static str, &'static str)],
    /// Names of the labels whose values come from arguments, in order.
    pub dynamic_labels: &'static [&'static str],
    /// Histogram bounds from `buckets = [...]`.
    pub buckets: Option<&'static [f64]>,
    /// `histogram = classic | native | both`.
    pub histogram: Option<HistogramBuckets>,
    /// `objective = ...`.
    pub objective: Option<&'static crate::Objective>,
}

/// Which buckets a call site's duration histogram has (`histogram = ...` of the attributes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistogramBuckets {
    /// Classic buckets only, in every format.
    Classic,
    /// Native buckets only (over the protobuf format); the text formats show the count and
    /// the sum.
    Native,
    /// Both: classic buckets in every format, native ones over protobuf.
    Both,
}

impl SiteInfo {
    /// `module::function (file:line)`, how errors name a site.
    pub fn location(&self) -> String {
        format!(
            "`{}::{}` ({}:{})",
            self.module, self.function, self.file, self.line
        )
    }

    /// Label names of the duration histogram and in-flight gauge, in order.
    pub fn label_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.labels
            .iter()
            .map(|(name, _)| *name)
            .chain(self.dynamic_labels.iter().copied())
    }

    fn describe(&self) {
        let (calls, duration, errors, in_flight) = match self.kind {
            SiteKind::Monitored | SiteKind::Track => (
                "Calls of functions instrumented with #[monitored], by outcome: ok, error (returned Err or an error result), panic, cancelled (future dropped before completion).",
                "Duration of calls of functions instrumented with #[monitored], in seconds.",
                "Failed calls of functions instrumented with #[monitored], by bounded error type.",
                "Calls of functions instrumented with #[monitored] running now.",
            ),
            SiteKind::ToolCall => (
                "MCP tool calls, by outcome: ok, error (returned Err or a result flagged is_error), panic, cancelled (future dropped before completion).",
                "Duration of MCP tool calls, in seconds.",
                "Failed MCP tool calls, by bounded error type.",
                "MCP tool calls running now.",
            ),
        };
        let names = &self.families;
        if self.objective.is_some() {
            for (name, help) in crate::objectives::FAMILIES {
                crate::registry::REGISTRY.describe_standard(name, help);
            }
        }
        if crate::exporter::installed() {
            // Straight to the registry: through the recorder, an unprefixed family name
            // could not be told from another user's series of that name.
            for (name, help) in [
                (names.calls, calls),
                (names.duration, duration),
                (names.errors, errors),
                (names.in_flight, in_flight),
            ] {
                crate::registry::REGISTRY.describe_site_family(name, help);
            }
            return;
        }
        metrics::with_recorder(|recorder| {
            recorder.describe_counter(names.calls.into(), None, SharedString::const_str(calls));
            recorder.describe_histogram(
                names.duration.into(),
                Some(Unit::Seconds),
                SharedString::const_str(duration),
            );
            recorder.describe_counter(names.errors.into(), None, SharedString::const_str(errors));
            recorder.describe_gauge(
                names.in_flight.into(),
                None,
                SharedString::const_str(in_flight),
            );
        });
    }
}

/// A label whose value comes from an argument, as the call passes it.
#[derive(Clone, Copy, Debug)]
pub struct DynamicLabel {
    values: Option<&'static [&'static str]>,
    index: usize,
    value: &'static str,
}

/// Reads a dynamic label from an argument; the bound is where unbounded types are refused.
#[inline]
pub fn dynamic_label<T: LabelValue>(value: &T) -> DynamicLabel {
    DynamicLabel {
        values: T::label_values(),
        index: value.label_index(),
        value: value.label_value(),
    }
}

/// The handles of one series set: one combination of label values.
pub(crate) struct SeriesHandles {
    calls: [Counter; 4],
    duration: Histogram,
    in_flight: Gauge,
    errors: ErrorCounters,
    /// The series of the site's objective, if it has one.
    objective: Option<ObjectiveHandles>,
    #[cfg(feature = "exemplars")]
    exemplars: SeriesExemplars,
}

/// The counters a call of a function with an objective also goes up in.
struct ObjectiveHandles {
    calls: Counter,
    errors: Counter,
    /// The latency threshold and the counter of calls within it.
    latency_good: Option<(f64, Counter)>,
}

impl ObjectiveHandles {
    /// The objective's series: its counters, and its targets set.
    fn register(
        objective: &'static crate::Objective,
        recorder: &dyn metrics::Recorder,
        metadata: &'static Metadata<'static>,
    ) -> Self {
        use crate::objectives::{CALLS, ERRORS, LATENCY_GOOD, TARGET, THRESHOLD};
        let key = |name: &'static str, sli: Option<&'static str>| {
            let mut labels = vec![Label::from_static_parts("objective", objective.name())];
            labels.extend(sli.map(|sli| Label::from_static_parts("sli", sli)));
            Key::from_parts(name, labels)
        };
        if let Some(ratio) = objective.success_ratio() {
            recorder
                .register_gauge(&key(TARGET, Some("success")), metadata)
                .set(ratio);
        }
        let latency_good = objective.latency_ratio().map(|(threshold, ratio)| {
            recorder
                .register_gauge(&key(TARGET, Some("latency")), metadata)
                .set(ratio);
            recorder
                .register_gauge(&key(THRESHOLD, None), metadata)
                .set(threshold);
            (
                threshold,
                recorder.register_counter(&key(LATENCY_GOOD, None), metadata),
            )
        });
        Self {
            calls: recorder.register_counter(&key(CALLS, None), metadata),
            errors: recorder.register_counter(&key(ERRORS, None), metadata),
            latency_good,
        }
    }

    #[inline]
    fn record(&self, status: Status, seconds: f64) {
        if status == Status::Cancelled {
            return;
        }
        self.calls.increment(1);
        if matches!(status, Status::Error | Status::Panic) {
            self.errors.increment(1);
        }
        if let Some((threshold, good)) = &self.latency_good {
            if seconds <= *threshold {
                good.increment(1);
            }
        }
    }
}

/// The series of this crate's storage behind the handles, which keep exemplars; empty under
/// another recorder.
#[cfg(feature = "exemplars")]
struct SeriesExemplars {
    duration: Option<Arc<crate::storage::BucketHistogram>>,
    /// The `error` and `panic` counters, by status index.
    failures: [Option<Arc<crate::storage::ShardedCounter>>; 4],
}

#[cfg(feature = "exemplars")]
impl SeriesExemplars {
    fn find(duration: &Key, calls: &[Key; 4], expirable: bool) -> Self {
        if !crate::exporter::installed() {
            return Self {
                duration: None,
                failures: Default::default(),
            };
        }
        Self {
            duration: REGISTRY.histogram(duration, expirable),
            failures: Status::ALL.map(|status| match status {
                Status::Error | Status::Panic => {
                    REGISTRY.counter(&calls[status.index()], expirable)
                }
                Status::Ok | Status::Cancelled => None,
            }),
        }
    }
}

impl SeriesHandles {
    fn register(info: &'static SiteInfo, dynamic: &[(&'static str, &'static str)]) -> Self {
        let labels: Vec<Label> = info
            .labels
            .iter()
            .chain(dynamic.iter())
            .map(|&(name, value)| Label::from_static_parts(name, value))
            .collect();
        let key = |name: &'static str, extra: Option<Label>| {
            let mut labels = labels.clone();
            labels.extend(extra);
            Key::from_parts(name, labels)
        };
        let metadata = if dynamic.is_empty() {
            &SITE_METADATA
        } else {
            &DYNAMIC_SITE_METADATA
        };
        let calls = Status::ALL.map(|status| {
            key(
                info.families.calls,
                Some(Label::from_static_parts("status", status.as_str())),
            )
        });
        let duration = key(info.families.duration, None);
        let histogram = crate::registry::SiteHistogram::of(info);
        let chosen = histogram.bounds.is_some() || histogram.buckets.is_some();
        if chosen {
            REGISTRY.set_site_histogram(&duration, histogram);
        }
        let handles = metrics::with_recorder(|recorder| SeriesHandles {
            calls: calls
                .each_ref()
                .map(|key| recorder.register_counter(key, metadata)),
            duration: recorder.register_histogram(&duration, metadata),
            in_flight: recorder.register_gauge(&key(info.families.in_flight, None), metadata),
            errors: ErrorCounters::new(key(info.families.errors, None), metadata),
            objective: info
                .objective
                .map(|objective| ObjectiveHandles::register(objective, recorder, &SITE_METADATA)),
            #[cfg(feature = "exemplars")]
            exemplars: SeriesExemplars::find(&duration, &calls, !dynamic.is_empty()),
        });
        if chosen {
            REGISTRY.clear_site_histogram(&duration);
        }
        handles
    }
}

/// Counters of one series set's errors, one per `error_type` met so far. The first few live in
/// slots read without a lock; error types are few per function, the rest share a mutex.
struct ErrorCounters {
    key: Key,
    metadata: &'static Metadata<'static>,
    slots: [OnceLock<(ErrorType, Counter)>; 4],
    overflow: Mutex<Vec<(ErrorType, Counter)>>,
}

impl ErrorCounters {
    fn new(key: Key, metadata: &'static Metadata<'static>) -> Self {
        Self {
            key,
            metadata,
            slots: Default::default(),
            overflow: Mutex::new(Vec::new()),
        }
    }

    fn register(&self, error_type: ErrorType) -> Counter {
        let value: SharedString = match error_type {
            ErrorType::Label(label) => label.into(),
            ErrorType::TypeName(name) => short_type_name(name).into(),
        };
        let key = self
            .key
            .with_extra_labels(vec![Label::new("error_type", value)]);
        metrics::with_recorder(|recorder| recorder.register_counter(&key, self.metadata))
    }

    fn increment(&self, error_type: ErrorType) {
        for slot in &self.slots {
            let (kind, counter) = slot.get_or_init(|| (error_type, self.register(error_type)));
            if same_error_type(*kind, error_type) {
                return counter.increment(1);
            }
        }
        let mut overflow = self.overflow.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, counter)) = overflow
            .iter()
            .find(|(kind, _)| same_error_type(*kind, error_type))
        {
            return counter.increment(1);
        }
        let counter = self.register(error_type);
        counter.increment(1);
        overflow.push((error_type, counter));
    }
}

fn same_error_type(a: ErrorType, b: ErrorType) -> bool {
    match (a, b) {
        (ErrorType::Label(a), ErrorType::Label(b))
        | (ErrorType::TypeName(a), ErrorType::TypeName(b)) => std::ptr::eq(a, b) || a == b,
        _ => false,
    }
}

/// Combinations of dynamic label values exported at zero before their first use, when the
/// product of the value sets is at most this. Every combination registers on its first use.
const ZERO_COMBINATIONS: usize = 1024;

/// Largest product of value sets indexed by an array; beyond it, a map.
const MAX_INDEXED_COMBINATIONS: usize = 1 << 16;

/// The handles a call site bound at one recorder epoch. Never freed: guards in flight may hold
/// references to it, and a site binds at most once per installed recorder.
struct Bound {
    epoch: u64,
    /// Value sets of the dynamic labels when all are listed, for array indexing.
    value_sets: Option<Box<[&'static [&'static str]]>>,
    /// The series of a site without dynamic labels.
    plain: OnceLock<SeriesHandles>,
    /// One entry per combination of dynamic label values, registered on first use.
    indexed: Box<[OnceLock<&'static SeriesHandles>]>,
    /// What the exposition shows at zero until a combination is used.
    zeros: Option<Arc<PendingCombinations>>,
    /// Combinations keyed by their values, for label types with open value sets.
    by_values: Mutex<HashMap<Box<[&'static str]>, &'static SeriesHandles>>,
}

/// The `static` each instrumented function holds.
pub struct CallSite {
    info: &'static SiteInfo,
    bound: AtomicPtr<Bound>,
    binding: Mutex<()>,
}

impl CallSite {
    /// A call site that binds on its first call.
    pub const fn new(info: &'static SiteInfo) -> Self {
        Self {
            info,
            bound: AtomicPtr::new(std::ptr::null_mut()),
            binding: Mutex::new(()),
        }
    }

    /// What the attribute recorded about the function.
    pub fn info(&self) -> &'static SiteInfo {
        self.info
    }

    /// Starts a call of a function without dynamic labels.
    #[inline]
    pub fn enter(&'static self) -> CallGuard {
        let bound = self.current(&[]);
        CallGuard::start(
            bound
                .plain
                .get_or_init(|| SeriesHandles::register(self.info, &[])),
        )
    }

    /// Starts a call with the values of the dynamic labels, in the order of
    /// [`SiteInfo::dynamic_labels`].
    #[inline]
    pub fn enter_with(&'static self, labels: &[DynamicLabel]) -> CallGuard {
        let bound = self.current(labels);
        CallGuard::start(self.series(bound, labels))
    }

    /// Measures a future as one call of a function without dynamic labels; the call starts at
    /// its first poll.
    #[inline]
    pub fn watch<F, C>(&'static self, future: F, classify: C) -> Watched<F, C>
    where
        F: Future,
        C: FnOnce(&F::Output) -> Outcome,
    {
        let bound = self.current(&[]);
        let series = bound
            .plain
            .get_or_init(|| SeriesHandles::register(self.info, &[]));
        Watched {
            future,
            series,
            state: WatchState::NotStarted,
            classify: Some(classify),
        }
    }

    /// As [`watch`](Self::watch), with the values of the dynamic labels, read when the future
    /// is made.
    #[inline]
    pub fn watch_with<F, C>(
        &'static self,
        labels: &[DynamicLabel],
        future: F,
        classify: C,
    ) -> Watched<F, C>
    where
        F: Future,
        C: FnOnce(&F::Output) -> Outcome,
    {
        let bound = self.current(labels);
        Watched {
            future,
            series: self.series(bound, labels),
            state: WatchState::NotStarted,
            classify: Some(classify),
        }
    }

    /// Measures the future that `build` returns, for a function that builds its future with
    /// statements of its own (early `return`s, a named future, `.boxed()`). A panic in `build` is
    /// counted as a `panic` of the call; otherwise the call starts at the future's first poll.
    #[inline]
    pub fn watch_built<F, B, C>(&'static self, build: B, classify: C) -> Watched<F, C>
    where
        B: FnOnce() -> F,
        F: Future,
        C: FnOnce(&F::Output) -> Outcome,
    {
        let series = self
            .current(&[])
            .plain
            .get_or_init(|| SeriesHandles::register(self.info, &[]));
        Watched::built(series, build, classify)
    }

    /// As [`watch_built`](Self::watch_built), with the values of the dynamic labels.
    #[inline]
    pub fn watch_built_with<F, B, C>(
        &'static self,
        labels: &[DynamicLabel],
        build: B,
        classify: C,
    ) -> Watched<F, C>
    where
        B: FnOnce() -> F,
        F: Future,
        C: FnOnce(&F::Output) -> Outcome,
    {
        let bound = self.current(labels);
        Watched::built(self.series(bound, labels), build, classify)
    }

    /// Registers the site's series now, so that they read zero before the first call. Sites
    /// with dynamic labels learn their value sets from their first call and register then.
    pub(crate) fn preregister(&'static self) {
        if self.info.dynamic_labels.is_empty() {
            let bound = self.current(&[]);
            bound
                .plain
                .get_or_init(|| SeriesHandles::register(self.info, &[]));
        }
    }

    #[inline]
    fn current(&'static self, labels: &[DynamicLabel]) -> &'static Bound {
        let bound = self.bound.load(Ordering::Acquire);
        // SAFETY: a non-null pointer comes from `Box::leak` in `bind` and is never freed.
        match unsafe { bound.as_ref() } {
            Some(bound) if bound.epoch == RECORDER_EPOCH.load(Ordering::Acquire) => bound,
            _ => self.bind(labels),
        }
    }

    #[cold]
    fn bind(&'static self, labels: &[DynamicLabel]) -> &'static Bound {
        let _binding = self.binding.lock().unwrap_or_else(PoisonError::into_inner);
        let epoch = RECORDER_EPOCH.load(Ordering::Acquire);
        // SAFETY: as in `current`.
        if let Some(bound) = unsafe { self.bound.load(Ordering::Acquire).as_ref() } {
            if bound.epoch == epoch {
                return bound;
            }
        }
        self.info.describe();
        let value_sets: Option<Box<[_]>> = labels.iter().map(|label| label.values).collect();
        let combinations = match &value_sets {
            Some(sets) => sets
                .iter()
                .try_fold(1usize, |product, set| product.checked_mul(set.len())),
            None => None,
        }
        .filter(|&product| product > 0 && product <= MAX_INDEXED_COMBINATIONS);
        let value_sets = value_sets.filter(|_| combinations.is_some());
        let bound: &'static Bound = Box::leak(Box::new(Bound {
            epoch,
            plain: OnceLock::new(),
            indexed: (0..combinations.unwrap_or(0))
                .map(|_| OnceLock::new())
                .collect(),
            zeros: match (&value_sets, combinations) {
                (Some(sets), Some(count)) if count <= ZERO_COMBINATIONS && !sets.is_empty() => {
                    Some(REGISTRY.zero_combinations(self.info, sets))
                }
                _ => None,
            },
            value_sets,
            by_values: Mutex::new(HashMap::new()),
        }));
        self.bound
            .store(bound as *const Bound as *mut Bound, Ordering::Release);
        bound
    }

    #[cold]
    fn register_combination(
        &self,
        zeros: Option<&PendingCombinations>,
        sets: &[&'static [&'static str]],
        index: usize,
    ) -> &'static SeriesHandles {
        if let Some(zeros) = zeros.filter(|_| crate::exporter::installed()) {
            // Before registering: a scrape in between shows neither, never both.
            zeros.mark_used(index);
        }
        let values = PendingCombinations::values_of(sets, index);
        Box::leak(Box::new(self.register_values(&values)))
    }

    fn register_values(&self, values: &[&'static str]) -> SeriesHandles {
        let pairs: Vec<_> = self
            .info
            .dynamic_labels
            .iter()
            .copied()
            .zip(values.iter().copied())
            .collect();
        SeriesHandles::register(self.info, &pairs)
    }

    #[inline]
    fn series(&self, bound: &'static Bound, labels: &[DynamicLabel]) -> &'static SeriesHandles {
        if let Some(sets) = &bound.value_sets {
            // The same function may pass other label types in another monomorphization.
            let mut index = 0usize;
            let mut matches = sets.len() == labels.len();
            for (label, set) in labels.iter().zip(sets.iter()) {
                // A hand-written `LabelValue` may give an index outside its value list.
                matches &= label.index < set.len()
                    && label
                        .values
                        .is_some_and(|values| std::ptr::eq(values, *set));
                index = index.wrapping_mul(set.len()).wrapping_add(label.index);
            }
            if matches && index < bound.indexed.len() {
                return bound.indexed[index].get_or_init(|| {
                    self.register_combination(bound.zeros.as_deref(), sets, index)
                });
            }
        }
        self.series_by_values(bound, labels)
    }

    #[cold]
    fn series_by_values(
        &self,
        bound: &'static Bound,
        labels: &[DynamicLabel],
    ) -> &'static SeriesHandles {
        let values: Box<[&'static str]> = labels.iter().map(|label| label.value).collect();
        let mut map = bound
            .by_values
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(series) = map.get(&values) {
            return series;
        }
        let series: &'static SeriesHandles = Box::leak(Box::new(self.register_values(&values)));
        map.insert(values, series);
        series
    }
}

/// Records one call: in flight from its start, then counted and timed when it ends.
///
/// [`finish`](CallGuard::finish) records the returned value's outcome. A guard dropped without
/// it records `panic` when the thread is panicking (the guard lives in the function's frame, so
/// unwinding drops it) and `cancelled` otherwise. The in-flight gauge goes back down in every
/// case. Futures are measured by [`Watched`], which tells a panic that unwound through the
/// call's own `poll` from a pending call dropped while another one panics.
///
/// ```
/// let guard = metrics_runtime::track("billing", "reconcile");
/// let reconciled: Result<usize, std::io::Error> = Ok(12);
/// guard.finish(metrics_runtime::classify!(&reconciled));
///
/// metrics_runtime::track("billing", "reconcile").error("ledger_locked");
/// ```
#[must_use = "a call is recorded when its guard finishes or drops"]
pub struct CallGuard {
    series: &'static SeriesHandles,
    start: quanta::Instant,
    finished: bool,
    /// Whether a drop while the thread panics means this call panicked. Not for futures: a
    /// pending future dropped while a sibling's panic unwinds was cancelled.
    drop_while_panicking_is_panic: bool,
}

impl CallGuard {
    #[inline]
    fn start(series: &'static SeriesHandles) -> Self {
        series.in_flight.increment(1.0);
        Self {
            series,
            start: quanta::Instant::now(),
            finished: false,
            drop_while_panicking_is_panic: true,
        }
    }

    /// Ends the call with the outcome of its returned value.
    #[inline]
    pub fn finish(mut self, outcome: Outcome) {
        self.finished = true;
        let status = match outcome {
            Outcome::Ok => Status::Ok,
            Outcome::Error(error_type) => {
                self.series.errors.increment(error_type);
                Status::Error
            }
        };
        self.record(status);
    }

    /// Ends the call as `ok`.
    pub fn ok(self) {
        self.finish(Outcome::Ok);
    }

    /// Ends the call as `error` with this `error_type`.
    pub fn error(self, error_type: &'static str) {
        self.finish(Outcome::Error(ErrorType::Label(error_type)));
    }

    /// The call goes on in a future, which starts a guard of its own when first polled.
    #[inline]
    fn handed_to_future(mut self) {
        self.finished = true;
        self.series.in_flight.decrement(1.0);
    }

    #[inline]
    fn panicked(mut self) {
        self.finished = true;
        self.record(Status::Panic);
    }

    #[inline]
    fn record(&self, status: Status) {
        let seconds = quanta::Instant::now()
            .saturating_duration_since(self.start)
            .as_secs_f64();
        #[cfg(feature = "exemplars")]
        match &self.series.exemplars.duration {
            Some(duration) => duration.record_with_exemplar(seconds),
            None => self.series.duration.record(seconds),
        }
        #[cfg(not(feature = "exemplars"))]
        self.series.duration.record(seconds);
        self.series.calls[status.index()].increment(1);
        if let Some(objective) = &self.series.objective {
            objective.record(status, seconds);
        }
        #[cfg(feature = "exemplars")]
        if let Some(failures) = &self.series.exemplars.failures[status.index()] {
            failures.exemplar.offer(1.0);
        }
        self.series.in_flight.decrement(1.0);
    }
}

impl Drop for CallGuard {
    #[inline]
    fn drop(&mut self) {
        if !self.finished {
            self.record(
                if self.drop_while_panicking_is_panic && std::thread::panicking() {
                    Status::Panic
                } else {
                    Status::Cancelled
                },
            );
        }
    }
}

pin_project_lite::pin_project! {
    /// A future measured as one call: in flight from its first poll, `panic` if a panic
    /// unwinds through its own `poll`, `cancelled` if it is dropped before it completes, and
    /// otherwise the outcome its classifier gives for the output.
    ///
    /// What `#[monitored]` and `#[tool_call]` wrap an `async fn` body, or a returned
    /// `async` block, in. The classifier is a closure written where the output type is known,
    /// so [`classify!`](crate::classify) can see it.
    #[must_use = "futures do nothing unless polled"]
    pub struct Watched<F, C> {
        #[pin]
        future: F,
        series: &'static SeriesHandles,
        state: WatchState,
        classify: Option<C>,
    }
}

enum WatchState {
    NotStarted,
    Running(CallGuard),
    Done,
}

/// Records `panic` for the running call if dropped armed, which happens only while a panic
/// unwinds through the inner `poll`.
struct UnwindSentinel<'a> {
    state: &'a mut WatchState,
    armed: bool,
}

impl Drop for UnwindSentinel<'_> {
    fn drop(&mut self) {
        if self.armed {
            if let WatchState::Running(guard) = std::mem::replace(self.state, WatchState::Done) {
                guard.panicked();
            }
        }
    }
}

impl<F: Future, C> Watched<F, C> {
    #[inline]
    fn built(series: &'static SeriesHandles, build: impl FnOnce() -> F, classify: C) -> Self {
        // In flight while the future is built; dropped by a panic of `build`, it counts `panic`.
        let guard = CallGuard::start(series);
        let future = build();
        guard.handed_to_future();
        Watched {
            future,
            series,
            state: WatchState::NotStarted,
            classify: Some(classify),
        }
    }
}

impl<F, C> Future for Watched<F, C>
where
    F: Future,
    C: FnOnce(&F::Output) -> Outcome,
{
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        if let WatchState::NotStarted = this.state {
            let mut guard = CallGuard::start(this.series);
            guard.drop_while_panicking_is_panic = false;
            *this.state = WatchState::Running(guard);
        }
        let mut sentinel = UnwindSentinel {
            state: this.state,
            armed: true,
        };
        let poll = this.future.poll(cx);
        sentinel.armed = false;
        let Poll::Ready(output) = poll else {
            return Poll::Pending;
        };
        if let (WatchState::Running(guard), Some(classify)) = (
            std::mem::replace(sentinel.state, WatchState::Done),
            this.classify.take(),
        ) {
            guard.finish(classify(&output));
        }
        Poll::Ready(output)
    }
}

/// A call site in the catalog, gathered at link time.
pub struct SiteRef(pub &'static CallSite);

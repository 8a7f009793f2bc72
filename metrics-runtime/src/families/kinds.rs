//! The typed metric kinds a `#[derive(Metrics)]` struct holds, and their series handles.

use std::marker::PhantomData;
use std::sync::Arc;

use super::{Block, Family};
use crate::families::labels::LabelSet;
use crate::storage::block;

/// A counter of a typed family: one series per label combination, all exported at zero from
/// install. See [`Metrics`](crate::Metrics) for how to declare one.
///
/// ```
/// use metrics_runtime::{Counter, LabelSet, LabelValue, Metrics};
///
/// #[derive(Clone, Copy, LabelValue)]
/// enum Channel { Slack, Email }
///
/// #[derive(Clone, Copy, LabelSet)]
/// struct Notification { channel: Channel, delivered: bool }
///
/// #[derive(Metrics)]
/// struct Notifier {
///     /// Notifications sent, by channel and whether they were delivered.
///     notifications_sent_total: Counter<Notification>,
///     /// Notification batches flushed.
///     batches_total: Counter,
/// }
///
/// static METRICS: Notifier = Notifier::new();
///
/// METRICS.notifications_sent_total.with(Notification { channel: Channel::Email, delivered: true }).increment();
/// METRICS.batches_total.increment();
/// ```
pub struct Counter<L: LabelSet = ()> {
    family: &'static Family,
    labels: PhantomData<fn(L)>,
}

impl<L: LabelSet> Counter<L> {
    #[doc(hidden)]
    pub const fn from_family(family: &'static Family) -> Self {
        Self {
            family,
            labels: PhantomData,
        }
    }

    /// The series of one label combination; keep it to skip the index computation.
    #[inline]
    pub fn with(&self, labels: L) -> CounterSeries {
        CounterSeries {
            word: self.family.series_word(labels.index()),
        }
    }
}

impl Counter<()> {
    /// Adds one.
    #[inline]
    pub fn increment(&self) {
        self.with(()).increment();
    }

    /// Adds `n`.
    #[inline]
    pub fn increment_by(&self, n: u64) {
        self.with(()).increment_by(n);
    }
}

/// One series of a [`Counter`].
#[derive(Clone, Copy, Debug)]
pub struct CounterSeries {
    word: Option<usize>,
}

impl CounterSeries {
    /// Adds one.
    #[inline]
    pub fn increment(&self) {
        self.increment_by(1);
    }

    /// Adds `n`.
    #[inline]
    pub fn increment_by(&self, n: u64) {
        if let Some(word) = self.word {
            block::add(word, n);
        }
    }

    /// Adds `n`, and keeps `exemplar` as the series' exemplar (shown in the OpenMetrics
    /// exposition). Empty labels keep none.
    ///
    /// ```
    /// use metrics_runtime::{Counter, ExemplarLabels, Metrics};
    ///
    /// #[derive(Metrics)]
    /// struct Billing {
    ///     /// Invoices sent.
    ///     invoices_sent_total: Counter,
    /// }
    /// static METRICS: Billing = Billing::new();
    ///
    /// // The current trace with the `opentelemetry` feature, or your exporter's source.
    /// let exemplar = ExemplarLabels::current().unwrap_or_default();
    /// METRICS.invoices_sent_total.with(()).increment_with_exemplar(1, &exemplar);
    /// ```
    #[cfg(feature = "exemplars")]
    pub fn increment_with_exemplar(&self, n: u64, exemplar: &crate::ExemplarLabels) {
        if let Some(word) = self.word {
            block::add(word, n);
            crate::exemplars::give(word, exemplar, n as f64);
        }
    }
}

/// A gauge of a typed family: set, raised and lowered, or held up while an operation runs
/// with [`GaugeSeries::track`].
///
/// ```
/// use metrics_runtime::{Gauge, Metrics};
///
/// #[derive(Metrics)]
/// struct Hub {
///     /// Operations running now.
///     active_operations: Gauge,
///     /// Rules currently active.
///     rules_active: Gauge,
/// }
///
/// static METRICS: Hub = Hub::new();
///
/// METRICS.rules_active.set(12.0);
/// let _running = METRICS.active_operations.track(); // 1 until dropped
/// ```
pub struct Gauge<L: LabelSet = ()> {
    family: &'static Family,
    labels: PhantomData<fn(L)>,
}

impl<L: LabelSet> Gauge<L> {
    #[doc(hidden)]
    pub const fn from_family(family: &'static Family) -> Self {
        Self {
            family,
            labels: PhantomData,
        }
    }

    /// The series of one label combination.
    #[inline]
    pub fn with(&self, labels: L) -> GaugeSeries {
        let index = labels.index();
        GaugeSeries {
            block: self.family.block().filter(|block| index < block.series),
            index,
        }
    }
}

impl Gauge<()> {
    /// Sets the value.
    pub fn set(&self, value: f64) {
        self.with(()).set(value);
    }

    /// Adds `delta`.
    #[inline]
    pub fn increment(&self, delta: f64) {
        self.with(()).increment(delta);
    }

    /// Subtracts `delta`.
    #[inline]
    pub fn decrement(&self, delta: f64) {
        self.with(()).decrement(delta);
    }

    /// Adds one now and subtracts it when the guard drops.
    #[inline]
    pub fn track(&self) -> GaugeGuard {
        self.with(()).track()
    }
}

/// One series of a [`Gauge`].
#[derive(Clone, Copy)]
pub struct GaugeSeries {
    block: Option<&'static Block>,
    index: usize,
}

impl GaugeSeries {
    /// Sets the value.
    pub fn set(&self, value: f64) {
        if let Some(block) = self.block {
            block.set_gauge(self.index, value);
        }
    }

    /// Adds `delta`.
    #[inline]
    pub fn increment(&self, delta: f64) {
        if let Some(block) = self.block {
            block.add_gauge(self.index, delta);
        }
    }

    /// Subtracts `delta`.
    #[inline]
    pub fn decrement(&self, delta: f64) {
        self.increment(-delta);
    }

    /// Adds one now and subtracts it when the guard drops, however the scope ends.
    #[inline]
    pub fn track(&self) -> GaugeGuard {
        self.increment(1.0);
        GaugeGuard { series: *self }
    }
}

/// Holds a gauge one higher while it lives; see [`GaugeSeries::track`].
#[must_use = "the gauge goes back down when the guard drops"]
pub struct GaugeGuard {
    series: GaugeSeries,
}

impl Drop for GaugeGuard {
    fn drop(&mut self) {
        self.series.decrement(1.0);
    }
}

/// A histogram of a typed family, with the buckets given in `#[metric(buckets = [...])]`
/// (the crate's default duration buckets otherwise).
///
/// ```
/// use metrics_runtime::{Histogram, Metrics};
///
/// #[derive(Metrics)]
/// struct Llm {
///     /// LLM call latency.
///     #[metric(buckets = [0.1, 0.5, 1.0, 2.5, 5.0, 10.0])]
///     llm_call_duration_seconds: Histogram,
/// }
///
/// static METRICS: Llm = Llm::new();
///
/// METRICS.llm_call_duration_seconds.observe(0.42);
/// let _timer = METRICS.llm_call_duration_seconds.start_timer(); // records on drop
/// ```
pub struct Histogram<L: LabelSet = ()> {
    family: &'static Family,
    labels: PhantomData<fn(L)>,
}

impl<L: LabelSet> Histogram<L> {
    #[doc(hidden)]
    pub const fn from_family(family: &'static Family) -> Self {
        Self {
            family,
            labels: PhantomData,
        }
    }

    /// The series of one label combination.
    #[inline]
    pub fn with(&self, labels: L) -> HistogramSeries {
        let index = labels.index();
        HistogramSeries {
            first: self.family.series_word(index),
            bounds: self.family.info.buckets,
            native: self.family.native_series(index),
        }
    }
}

impl Histogram<()> {
    /// Records one observation.
    #[inline]
    pub fn observe(&self, value: f64) {
        self.with(()).observe(value);
    }

    /// Starts a timer that records the elapsed seconds when it drops.
    #[inline]
    pub fn start_timer(&self) -> HistogramTimer {
        self.with(()).start_timer()
    }
}

/// One series of a [`Histogram`].
#[derive(Clone, Copy, Debug)]
pub struct HistogramSeries {
    first: Option<usize>,
    bounds: &'static [f64],
    native: Option<(usize, &'static crate::storage::native::NativeLayout)>,
}

impl HistogramSeries {
    /// Records one observation.
    #[inline]
    pub fn observe(&self, value: f64) {
        if let Some(first) = self.first {
            block::record(first, self.bounds, value);
        }
        if let Some((first, layout)) = self.native {
            crate::storage::native::record(first, layout, value);
        }
    }

    /// Records one observation, and keeps `exemplar` as the exemplar of the bucket it falls
    /// into (shown in the OpenMetrics exposition). Empty labels keep none.
    ///
    /// ```
    /// use metrics_runtime::{ExemplarLabels, Histogram, Metrics};
    ///
    /// #[derive(Metrics)]
    /// struct Llm {
    ///     /// Time to the first token, in seconds.
    ///     first_token_seconds: Histogram,
    /// }
    /// static METRICS: Llm = Llm::new();
    ///
    /// let mut exemplar = ExemplarLabels::new();
    /// exemplar.push("request_id", "r-81f3")?;
    /// METRICS.first_token_seconds.with(()).observe_with_exemplar(0.42, &exemplar);
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    #[cfg(feature = "exemplars")]
    pub fn observe_with_exemplar(&self, value: f64, exemplar: &crate::ExemplarLabels) {
        if let Some(first) = self.first {
            let bucket = block::record(first, self.bounds, value);
            crate::exemplars::give(first + bucket, exemplar, value);
        }
        if let Some((first, layout)) = self.native {
            crate::storage::native::record(first, layout, value);
        }
    }

    /// Starts a timer that records the elapsed seconds when it drops.
    #[inline]
    pub fn start_timer(&self) -> HistogramTimer {
        HistogramTimer {
            series: *self,
            start: quanta::Instant::now(),
        }
    }
}

/// Records the seconds since [`HistogramSeries::start_timer`] when it drops.
#[must_use = "the duration is recorded when the timer drops"]
pub struct HistogramTimer {
    series: HistogramSeries,
    start: quanta::Instant,
}

impl HistogramTimer {
    /// Records now, and returns the seconds recorded.
    pub fn stop(self) -> f64 {
        let seconds = self.start.elapsed().as_secs_f64();
        self.series.observe(seconds);
        // Recorded: the drop must not record again. The timer owns no heap memory.
        std::mem::forget(self);
        seconds
    }
}

impl Drop for HistogramTimer {
    fn drop(&mut self) {
        self.series.observe(self.start.elapsed().as_secs_f64());
    }
}

/// A gauge computed when Prometheus scrapes, from a callback: for values that live elsewhere
/// (pages used today from a database, connections of a pool).
///
/// Callbacks run on a thread of their own. One that takes more than 250 ms, panics or returns
/// a non-finite value leaves its series out of that scrape and is counted in
/// `metrics_runtime_callback_failures_total{family, reason}`; the scrape itself is never
/// broken or held longer. A callback still running at the next scrape is not started again.
///
/// ```
/// use metrics_runtime::{CallbackGauge, Metrics};
///
/// #[derive(Metrics)]
/// struct Quota {
///     /// Pages used today.
///     daily_pages_used: CallbackGauge,
/// }
///
/// static METRICS: Quota = Quota::new();
///
/// METRICS.daily_pages_used.set_callback(|| 42.0);
/// ```
pub struct CallbackGauge<L: LabelSet = ()> {
    family: &'static Family,
    labels: PhantomData<fn(L)>,
}

impl<L: LabelSet> CallbackGauge<L> {
    #[doc(hidden)]
    pub const fn from_family(family: &'static Family) -> Self {
        Self {
            family,
            labels: PhantomData,
        }
    }

    /// Computes the series of `labels` with `callback` at each scrape, replacing an earlier
    /// callback of that series.
    pub fn set_callback_with(&self, labels: L, callback: impl Fn() -> f64 + Send + Sync + 'static) {
        if let Some(block) = self.family.block() {
            block.set_callback(labels.index(), Arc::new(callback));
        }
    }
}

impl CallbackGauge<()> {
    /// Computes the value with `callback` at each scrape.
    pub fn set_callback(&self, callback: impl Fn() -> f64 + Send + Sync + 'static) {
        self.set_callback_with((), callback);
    }
}

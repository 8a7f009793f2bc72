//! Asserting metrics in your own tests, without an HTTP round trip.
//!
//! ```
//! use metrics_runtime::{monitored, testing};
//!
//! #[monitored]
//! fn charge(cents: u64) -> Result<u64, std::io::Error> {
//!     if cents == 0 {
//!         return Err(std::io::ErrorKind::InvalidInput.into());
//!     }
//!     Ok(cents)
//! }
//!
//! testing::install().unwrap();
//! let ((), delta) = testing::capture(|| {
//!     let _ = charge(100);
//!     let _ = charge(0);
//! });
//! let by = |status| [("function", "charge"), ("status", status)];
//! assert_eq!(delta.counter("function_calls_total", &by("ok")), 1);
//! assert_eq!(delta.counter("function_calls_total", &by("error")), 1);
//! assert_eq!(delta.counter("function_errors_total", &[("function", "charge"), ("error_type", "invalid_input")]), 1);
//! assert_eq!(delta.histogram_count("function_call_duration_seconds", &[("function", "charge")]), 2);
//! ```
//!
//! How this fits the handle caching of the attributes: every instrumented function registers
//! its handles once, with the recorder installed at the time, and keeps them. `install()`
//! installs this crate's recorder (the same one the exporter installs), so handles registered
//! before are registered again on their next call, and from then on every call lands in the
//! crate's own storage, which [`Snapshot::take`] reads directly. A recorder set with
//! `metrics::with_local_recorder` would not see calls through cached handles; that is why these
//! helpers read the storage instead of swapping recorders.
//!
//! Tests of one binary run in parallel and share the process' metrics. [`capture`] reports
//! the change over its closure, which is exact as long as no other test calls the same
//! functions at the same time; give such tests their own functions or labels, or run them
//! with `--test-threads=1`.

use std::future::Future;

use crate::error::Error;
use crate::exporter::{installed, Exporter};
use crate::registry::{SeriesValue, Value, REGISTRY};

/// Installs this crate's recorder without a listener or collectors, if no exporter of this
/// crate is installed yet. Call it at the start of each test that reads metrics.
///
/// # Errors
///
/// [`Error::OtherRecorder`] when another crate's recorder is installed in the process.
pub fn install() -> Result<(), Error> {
    static EXPORTER: std::sync::OnceLock<Exporter> = std::sync::OnceLock::new();
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _serialized = LOCK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if installed() {
        return Ok(());
    }
    let exporter = Exporter::builder()
        .process_metrics(false)
        .host_metrics(false)
        .build()?;
    let _ = EXPORTER.set(exporter);
    Ok(())
}

/// The values of every series of this crate's families at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    series: Vec<SeriesValue>,
}

impl Snapshot {
    /// Reads every series now.
    pub fn take() -> Snapshot {
        Snapshot {
            series: REGISTRY.values(),
        }
    }

    fn matching<'a>(
        &'a self,
        name: &'a str,
        labels: &'a [(&str, &str)],
    ) -> impl Iterator<Item = &'a Value> + 'a {
        self.series
            .iter()
            .filter(move |series| {
                series.name == name
                    && labels.iter().all(|(key, value)| {
                        series.labels.iter().any(|(k, v)| k == key && v == value)
                    })
            })
            .map(|series| &series.value)
    }

    /// The sum of the counters named `name` whose labels include `labels` (0 when none).
    pub fn counter(&self, name: &str, labels: &[(&str, &str)]) -> u64 {
        self.counter_value(name, labels).round() as u64
    }

    /// Like [`counter`](Self::counter), for counters holding fractions (CPU seconds).
    pub fn counter_value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.matching(name, labels)
            .map(|value| {
                if let Value::Counter(v) = value {
                    *v
                } else {
                    0.0
                }
            })
            .sum()
    }

    /// The sum of the gauges named `name` whose labels include `labels`, `None` when there is
    /// no such gauge.
    pub fn gauge(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let gauges: Vec<f64> = self
            .matching(name, labels)
            .filter_map(|value| {
                if let Value::Gauge(v) = value {
                    Some(*v)
                } else {
                    None
                }
            })
            .collect();
        (!gauges.is_empty()).then(|| gauges.iter().sum())
    }

    /// How many observations the matching histograms hold.
    pub fn histogram_count(&self, name: &str, labels: &[(&str, &str)]) -> u64 {
        self.matching(name, labels)
            .map(|value| {
                if let Value::Histogram(h) = value {
                    h.count()
                } else {
                    0
                }
            })
            .sum()
    }

    /// The sum of the observations of the matching histograms.
    pub fn histogram_sum(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.matching(name, labels)
            .map(|value| {
                if let Value::Histogram(h) = value {
                    h.sum
                } else {
                    0.0
                }
            })
            .sum()
    }

    /// What changed since `earlier`: counters and histograms as differences, gauges as they
    /// are now.
    pub fn since(&self, earlier: &Snapshot) -> Snapshot {
        let before = |series: &SeriesValue| {
            earlier
                .series
                .iter()
                .find(|old| old.name == series.name && old.labels == series.labels)
                .map(|old| &old.value)
        };
        let series = self
            .series
            .iter()
            .map(|series| {
                let value = match (&series.value, before(series)) {
                    (Value::Counter(now), Some(Value::Counter(then))) => Value::Counter(now - then),
                    (Value::Histogram(now), Some(Value::Histogram(then))) => {
                        let mut delta = now.clone();
                        delta
                            .cumulative
                            .iter_mut()
                            .zip(&then.cumulative)
                            .for_each(|(n, t)| *n -= t);
                        delta.sum -= then.sum;
                        Value::Histogram(delta)
                    }
                    (value, _) => value.clone(),
                };
                SeriesValue {
                    value,
                    ..series.clone()
                }
            })
            .collect();
        Snapshot { series }
    }
}

/// Runs `work` and returns its value with the change of every series over the run.
pub fn capture<T>(work: impl FnOnce() -> T) -> (T, Snapshot) {
    let before = Snapshot::take();
    let value = work();
    (value, Snapshot::take().since(&before))
}

/// Awaits `work` and returns its output with the change of every series over the run.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// #[metrics_runtime::monitored]
/// async fn ping() {}
///
/// metrics_runtime::testing::install().unwrap();
/// let ((), delta) = metrics_runtime::testing::capture_async(ping()).await;
/// assert_eq!(delta.counter("function_calls_total", &[("function", "ping"), ("status", "ok")]), 1);
/// # }
/// ```
pub async fn capture_async<T>(work: impl Future<Output = T>) -> (T, Snapshot) {
    let before = Snapshot::take();
    let value = work.await;
    (value, Snapshot::take().since(&before))
}

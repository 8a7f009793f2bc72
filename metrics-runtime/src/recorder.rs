//! The `metrics` recorder this crate installs: a layer over `metrics-exporter-prometheus`.
//!
//! Handles of call sites come from the sharded storage of [`crate::registry`]. Every other
//! metric of the process, from any crate using the `metrics` facade, goes to the Prometheus
//! recorder (the fallback), and the two expositions are rendered one after the other. What
//! other users register is never trusted to fit:
//!
//! - its key is made valid first ([`crate::sanitize`]): names and label names sanitised as the
//!   exporter does, spellings of one series made one key;
//! - a name that this crate's exposition prints (a family of the registry, a reserved one, or a
//!   sample of one of its histograms) is refused: a foreign series there would change the
//!   counts of `#[monitored]` functions or print the family twice;
//! - the first description of a name wins, as it does for this crate's families;
//! - the first kind registered for a name wins: a later registration of the name, or of a name
//!   clashing with its samples, as another kind is refused, since one name has one `# TYPE`.
//!
//! A refused registration gets a handle that records nothing; it is counted in
//! `metrics_runtime_foreign_series_dropped_total{reason}` and reported once per name on stderr.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};

use metrics::{
    Counter, CounterFn, Gauge, Histogram, Key, KeyName, Label, Metadata, Recorder, SharedString,
    Unit,
};
use metrics_exporter_prometheus::{PrometheusHandle, PrometheusRecorder};

use crate::callsite::{DYNAMIC_SITE_TARGET, SITE_TARGET};
use crate::registry::{Kind, Registry, FOREIGN_DROPPED, HISTOGRAM_SUFFIXES, REGISTRY};
use crate::sanitize::{self, Refusal};
use crate::storage::ShardedCounter;

/// Names reported on stderr at most; refusals beyond are still counted.
const MAX_WARNINGS: usize = 32;

pub(crate) struct LayeredRecorder {
    registry: &'static Registry,
    fallback: PrometheusRecorder,
    /// Every name the fallback prints or refused to print, with what is known of it: one
    /// map, so the common registration (a name already admitted or refused) costs one lookup.
    names: RwLock<FastMap<Box<str>, NameState>>,
    /// How many names are in `names` only because they were refused, bounded by
    /// [`MAX_REFUSED_KEPT`].
    refused_kept: AtomicUsize,
    /// Names the fallback has a description of. Its own check (`add_description_if_missing`)
    /// reads a map that only shows writes after the next render publishes them, so of two
    /// descriptions between scrapes the last would win; here the first does.
    described: Mutex<HashSet<String>>,
    refusals: Refusals,
}

impl LayeredRecorder {
    pub(crate) fn new(fallback: PrometheusRecorder) -> Self {
        Self {
            registry: &REGISTRY,
            fallback,
            names: RwLock::new(FastMap::default()),
            refused_kept: AtomicUsize::new(0),
            described: Mutex::new(HashSet::new()),
            refusals: Refusals::new(&REGISTRY),
        }
    }

    pub(crate) fn fallback_handle(&self) -> PrometheusHandle {
        self.fallback.handle()
    }

    /// The key under which the fallback stores another user's series, `None` when refused.
    fn admit<'k>(&self, key: &'k Key, metadata: &Metadata<'_>, kind: Kind) -> Option<Cow<'k, Key>> {
        let admitted = sanitize::foreign_key(key, kind, |name| self.claim(name, kind));
        match admitted {
            Ok(canonical) => Some(canonical),
            Err(refusal) => {
                self.refusals
                    .record(refusal, kind, key.name(), metadata.target());
                None
            }
        }
    }

    /// Lets the family `name` of `kind` print in the fallback's exposition, if no family of
    /// this crate and no other family of the fallback prints any name it would print.
    fn claim(&self, name: &str, kind: Kind) -> Result<(), Refusal> {
        if let Some(known) = self
            .names
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
        {
            if known.printed == Some(Printed::Family(kind)) {
                return Ok(());
            }
            if let Some(refusal) = known.refused[kind_index(kind)] {
                return Err(refusal);
            }
        }
        let decision = self.decide(name, kind);
        if let Err(refusal) = decision {
            // Both refusals are final: this crate's families and the fallback's claims stay.
            // Bounded, so a user minting names cannot grow the map: past the bound, names
            // are checked in full every time.
            let mut names = self.names.write().unwrap_or_else(PoisonError::into_inner);
            let known = match names.get_mut(name) {
                Some(known) => Some(known),
                None if self.refused_kept.load(Ordering::Relaxed) < MAX_REFUSED_KEPT => {
                    self.refused_kept.fetch_add(1, Ordering::Relaxed);
                    Some(names.entry(name.into()).or_default())
                }
                None => None,
            };
            if let Some(known) = known {
                known.refused[kind_index(kind)] = Some(refusal);
            }
        }
        decision
    }

    fn decide(&self, name: &str, kind: Kind) -> Result<(), Refusal> {
        let mut printed = vec![name.to_owned()];
        if kind == Kind::Histogram {
            printed.extend(HISTOGRAM_SUFFIXES.iter().map(|s| format!("{name}{s}")));
        }
        if printed.iter().any(|n| self.registry.takes_name(n)) {
            return Err(Refusal::OwnFamily);
        }
        let mut names = self.names.write().unwrap_or_else(PoisonError::into_inner);
        let known = |n: &str| names.get(n).and_then(|known| known.printed);
        if known(name) == Some(Printed::Family(kind)) {
            return Ok(());
        }
        if printed.iter().any(|n| known(n).is_some()) {
            return Err(Refusal::KindConflict);
        }
        for (i, n) in printed.into_iter().enumerate() {
            names.entry(n.into()).or_default().printed = Some(if i == 0 {
                Printed::Family(kind)
            } else {
                Printed::Sample
            });
        }
        Ok(())
    }

    fn describe(
        &self,
        key: KeyName,
        description: SharedString,
        fallback: impl FnOnce(KeyName, SharedString),
    ) {
        let name = sanitize::metric_name(key.as_str());
        if name.is_empty() {
            return;
        }
        if self.registry.takes_name(&name) {
            self.registry.describe_site_family(&name, &description);
            return;
        }
        {
            let mut described = self
                .described
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if described.contains(name.as_ref()) {
                return;
            }
            described.insert(name.clone().into_owned());
        }
        let key = match name {
            Cow::Borrowed(_) => key,
            Cow::Owned(name) => KeyName::from(name),
        };
        let description = match sanitize::keep_backslashes(&description) {
            Cow::Borrowed(_) => description,
            Cow::Owned(text) => SharedString::from(text),
        };
        fallback(key, description);
    }
}

/// Maps keyed by metric names, read on every registration of another user's series: a fast
/// hash (foldhash, already in the tree through hashbrown) instead of SipHash.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// What the fallback knows of a name.
#[derive(Default)]
struct NameState {
    /// How the fallback prints it, if it does.
    printed: Option<Printed>,
    /// Why it was refused, per kind ([`kind_index`]).
    refused: [Option<Refusal>; 3],
}

/// How a name appears in the fallback's exposition.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Printed {
    /// As the name of a family of this kind.
    Family(Kind),
    /// As a sample of a histogram family (`_bucket`, `_sum`, `_count`).
    Sample,
}

/// How many refused names [`LayeredRecorder::claim`] remembers.
const MAX_REFUSED_KEPT: usize = 4096;

fn kind_index(kind: Kind) -> usize {
    match kind {
        Kind::Counter => 0,
        Kind::Gauge => 1,
        Kind::Histogram => 2,
    }
}

fn is_site(metadata: &Metadata<'_>) -> bool {
    metadata.target() == SITE_TARGET || metadata.target() == DYNAMIC_SITE_TARGET
}

/// Series of call sites with labels taken from arguments may be hidden by the idle timeout.
fn expirable(metadata: &Metadata<'_>) -> bool {
    metadata.target() == DYNAMIC_SITE_TARGET
}

impl Recorder for LayeredRecorder {
    fn describe_counter(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.describe(key, description, |key, description| {
            self.fallback.describe_counter(key, unit, description)
        });
    }

    fn describe_gauge(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.describe(key, description, |key, description| {
            self.fallback.describe_gauge(key, unit, description)
        });
    }

    fn describe_histogram(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.describe(key, description, |key, description| {
            self.fallback.describe_histogram(key, unit, description)
        });
    }

    fn register_counter(&self, key: &Key, metadata: &Metadata<'_>) -> Counter {
        if is_site(metadata) {
            // A name stored here with another kind: refuse rather than render a family twice.
            return self
                .registry
                .counter(key, expirable(metadata))
                .map_or_else(Counter::noop, Counter::from_arc);
        }
        match self.admit(key, metadata, Kind::Counter) {
            Some(key) => self.fallback.register_counter(&key, metadata),
            None => Counter::noop(),
        }
    }

    fn register_gauge(&self, key: &Key, metadata: &Metadata<'_>) -> Gauge {
        if is_site(metadata) {
            return self
                .registry
                .gauge(key, expirable(metadata))
                .map_or_else(Gauge::noop, Gauge::from_arc);
        }
        match self.admit(key, metadata, Kind::Gauge) {
            Some(key) => self.fallback.register_gauge(&key, metadata),
            None => Gauge::noop(),
        }
    }

    fn register_histogram(&self, key: &Key, metadata: &Metadata<'_>) -> Histogram {
        if is_site(metadata) {
            return self
                .registry
                .histogram(key, expirable(metadata))
                .map_or_else(Histogram::noop, Histogram::from_arc);
        }
        match self.admit(key, metadata, Kind::Histogram) {
            Some(key) => self.fallback.register_histogram(&key, metadata),
            None => Histogram::noop(),
        }
    }
}

/// Counting and reporting refused registrations.
struct Refusals {
    registry: &'static Registry,
    /// The counter of each reason, made on the first refusal for it.
    counters: [OnceLock<Option<Arc<ShardedCounter>>>; 4],
    /// Names already reported, with their reasons.
    warned: Mutex<FastMap<String, Vec<Refusal>>>,
}

impl Refusals {
    fn new(registry: &'static Registry) -> Self {
        Self {
            registry,
            counters: Default::default(),
            warned: Mutex::new(FastMap::default()),
        }
    }

    fn record(&self, refusal: Refusal, kind: Kind, name: &str, target: &str) {
        let index = match refusal {
            Refusal::OwnFamily => 0,
            Refusal::KindConflict => 1,
            Refusal::EmptyName => 2,
            Refusal::InvalidLabel => 3,
        };
        let counter = self.counters[index].get_or_init(|| {
            self.registry.describe(
                FOREIGN_DROPPED,
                "Registrations of series of other `metrics` users that metrics-runtime refused, \
                 by reason: their handles record nothing.",
            );
            let reason = vec![Label::new("reason", refusal.as_str())];
            self.registry
                .counter(&Key::from_parts(FOREIGN_DROPPED, reason), false)
        });
        if let Some(counter) = counter {
            counter.increment(1);
        }
        self.warn_once(refusal, kind, name, target);
    }

    fn warn_once(&self, refusal: Refusal, kind: Kind, name: &str, target: &str) {
        let mut warned = self.warned.lock().unwrap_or_else(PoisonError::into_inner);
        let reported: usize = warned.values().map(Vec::len).sum();
        if reported >= MAX_WARNINGS
            || warned
                .get(name)
                .is_some_and(|reasons| reasons.contains(&refusal))
        {
            return;
        }
        warned.entry(name.to_owned()).or_default().push(refusal);
        let last = reported + 1 == MAX_WARNINGS;
        drop(warned);
        let more = if last {
            "; further refused names are counted, not reported"
        } else {
            ""
        };
        // Never panics, unlike `eprintln!`, when stderr is closed.
        let _ = writeln!(
            std::io::stderr(),
            "metrics-runtime: refused the {} {name:?} registered by `{target}`: {}; its handle \
             records nothing (counted in {FOREIGN_DROPPED}{{reason=\"{}\"}}){more}",
            kind.as_str(),
            refusal.explanation(),
            refusal.as_str(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use metrics::Level;
    use metrics_exporter_prometheus::PrometheusBuilder;

    static FOREIGN: Metadata<'static> = Metadata::new("some_crate", Level::INFO, None);

    fn key(name: &'static str, labels: &[(&'static str, &'static str)]) -> Key {
        let labels = labels
            .iter()
            .map(|&(k, v)| Label::from_static_parts(k, v))
            .collect::<Vec<_>>();
        Key::from_parts(name, labels)
    }

    #[test]
    fn the_first_kind_of_a_name_wins_among_other_users() {
        let recorder = LayeredRecorder::new(PrometheusBuilder::new().build_recorder());
        let render = || recorder.fallback_handle().render();
        recorder
            .register_counter(&key("recorder_unit_jobs_total", &[]), &FOREIGN)
            .increment(2);
        recorder
            .register_gauge(&key("recorder_unit_jobs_total", &[]), &FOREIGN)
            .set(9.0);
        recorder
            .register_histogram(&key("recorder.unit.wait", &[]), &FOREIGN)
            .record(1.0);
        recorder
            .register_counter(&key("recorder_unit_wait_count", &[]), &FOREIGN)
            .increment(5);
        let text = render();
        assert_eq!(
            text.matches("# TYPE recorder_unit_jobs_total ").count(),
            1,
            "{text}"
        );
        assert!(text.contains("recorder_unit_jobs_total 2\n"), "{text}");
        assert!(text.contains("# TYPE recorder_unit_wait summary"), "{text}");
        assert!(!text.contains("# TYPE recorder_unit_wait_count"), "{text}");
    }

    #[test]
    fn the_first_description_of_a_name_wins_and_keeps_its_backslashes() {
        let recorder = LayeredRecorder::new(PrometheusBuilder::new().build_recorder());
        let first = SharedString::const_str("two \\\\ backslashes\nnext line");
        recorder.describe_counter("recorder.unit.help_total".into(), None, first);
        let second = SharedString::const_str("second");
        recorder.describe_counter("recorder_unit_help_total".into(), None, second);
        recorder
            .register_counter(&key("recorder_unit_help_total", &[]), &FOREIGN)
            .increment(1);
        let text = recorder.fallback_handle().render();
        assert_eq!(
            text.lines()
                .filter(|line| line.starts_with("# HELP recorder_unit_help_total "))
                .collect::<Vec<_>>(),
            ["# HELP recorder_unit_help_total two \\\\\\\\ backslashes\\nnext line"],
            "{text}"
        );
    }

    #[test]
    fn spellings_of_one_series_are_one_series() {
        let recorder = LayeredRecorder::new(PrometheusBuilder::new().build_recorder());
        recorder
            .register_counter(&key("recorder.unit.calls_total", &[("a.b", "x")]), &FOREIGN)
            .increment(1);
        recorder
            .register_counter(&key("recorder_unit_calls_total", &[("a_b", "x")]), &FOREIGN)
            .increment(2);
        let text = recorder.fallback_handle().render();
        assert!(
            text.contains("recorder_unit_calls_total{a_b=\"x\"} 3\n"),
            "{text}"
        );
    }
}

//! The families this crate stores itself (every family of `#[monitored]` and `#[tool_call]`,
//! and the runtime's own gauges), their schemas, and their rendering in the Prometheus text
//! exposition format.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use metrics::Key;

use crate::callsite::{HistogramBuckets, SiteInfo};
use crate::exposition::{Encoder, HistogramValue, Labels, Number, OwnLabels, WrittenLabels};
use crate::storage::native::{self, NativeLayout, NativeSnapshot};
use crate::storage::{BucketHistogram, ShardedCounter, ShardedGauge, Totals};

/// Histogram bounds used when neither the attribute nor the exporter's builder sets any.
///
/// ```
/// assert_eq!(metrics_runtime::DEFAULT_BUCKETS.first(), Some(&0.005));
/// assert_eq!(metrics_runtime::DEFAULT_BUCKETS.len(), 11);
/// ```
pub const DEFAULT_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Counter,
    Gauge,
    Histogram,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        }
    }
}

/// The sample names a histogram family prints besides its own name.
pub(crate) const HISTOGRAM_SUFFIXES: [&str; 3] = ["_bucket", "_sum", "_count"];

/// The counter of series of other `metrics` users that the recorder refused, by `reason`.
pub(crate) const FOREIGN_DROPPED: &str = "metrics_runtime_foreign_series_dropped_total";

/// Families this crate may create at any moment after install: the default families of
/// `track()` (and `#[monitored]`), `set_health`'s gauge, the push failure counter and the counter
/// of refused series. Other `metrics` users may not take these names even before they exist,
/// since a family they started could not be taken back from the fallback exporter. Families
/// made at install (those of every call site in the catalog, `build_info`, the collectors')
/// are taken by existing.
const RESERVED: &[(&str, Kind)] = &[
    ("function_calls_total", Kind::Counter),
    ("function_call_duration_seconds", Kind::Histogram),
    ("function_errors_total", Kind::Counter),
    ("function_calls_in_flight", Kind::Gauge),
    (crate::health::HEALTH_FAMILY, Kind::Gauge),
    ("metrics_push_failures_total", Kind::Counter),
    (FOREIGN_DROPPED, Kind::Counter),
    (crate::objectives::CALLS, Kind::Counter),
    (crate::objectives::ERRORS, Kind::Counter),
    (crate::objectives::LATENCY_GOOD, Kind::Counter),
    (crate::objectives::TARGET, Kind::Gauge),
    (crate::objectives::THRESHOLD, Kind::Gauge),
];

#[derive(Clone)]
enum Series {
    Counter(Arc<ShardedCounter>),
    Gauge(Arc<ShardedGauge>),
    Histogram(Arc<BucketHistogram>),
}

/// The label names and buckets a family was first declared with, and by which function.
#[derive(Clone, Debug)]
struct Schema {
    label_names: Vec<&'static str>,
    buckets: Option<&'static [f64]>,
    site: String,
}

/// One series and what rendering remembers of it.
struct SeriesEntry {
    series: Series,
    /// Whether an idle timeout may hide it: series of labels taken from arguments.
    expirable: bool,
    /// The value seen at the last render and when it last changed.
    last_change: Mutex<Option<(u64, Instant)>>,
    /// The series' own labels as the exposition formats write them.
    /// Boxed at the first render: a series that is never scraped costs one word for them.
    written_labels: std::sync::OnceLock<Box<WrittenLabels>>,
}

impl SeriesEntry {
    /// A fingerprint of the current value, to notice changes between renders.
    fn fingerprint(&self) -> u64 {
        match &self.series {
            Series::Counter(counter) => counter.value(),
            Series::Gauge(gauge) => gauge.value().to_bits(),
            Series::Histogram(histogram) => {
                let snapshot = histogram.snapshot();
                snapshot.count().rotate_left(32) ^ snapshot.sum.to_bits()
            }
        }
    }

    /// Whether the series is idle past `timeout` at `now`; updates the bookkeeping.
    fn idle(&self, timeout: Option<Duration>, now: Instant) -> bool {
        let Some(timeout) = timeout.filter(|_| self.expirable) else {
            return false;
        };
        let fingerprint = self.fingerprint();
        let mut last = self
            .last_change
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match *last {
            Some((seen, since)) if seen == fingerprint => now.duration_since(since) >= timeout,
            _ => {
                *last = Some((fingerprint, now));
                false
            }
        }
    }
}

/// The label combinations of one call site's enum labels, shown at zero in the exposition
/// until each is first used and registers its own series: a site whose labels allow 1,024
/// combinations costs the series of those it uses, while `rate()` and alerts see them all.
pub(crate) struct PendingCombinations {
    /// The site's labels before the dynamic ones (`function`, `module`, static labels).
    labels: &'static [(&'static str, &'static str)],
    /// Names of the dynamic labels, in order.
    names: &'static [&'static str],
    /// The value set of each dynamic label; combination `i` counts in mixed radix over them.
    sets: Box<[&'static [&'static str]]>,
    histogram: SiteHistogram,
    used: Box<[AtomicBool]>,
    created: Instant,
}

impl PendingCombinations {
    /// The values of combination `index`, the first label the most significant digit.
    pub(crate) fn values_of(
        sets: &[&'static [&'static str]],
        mut index: usize,
    ) -> Vec<&'static str> {
        let mut values = vec![""; sets.len()];
        for (slot, set) in values.iter_mut().zip(sets).rev() {
            *slot = set[index % set.len()];
            index /= set.len();
        }
        values
    }

    /// From now on the combination has series of its own.
    pub(crate) fn mark_used(&self, index: usize) {
        if let Some(used) = self.used.get(index) {
            used.store(true, Ordering::Release);
        }
    }

    /// Combinations still shown at zero, with their values.
    fn unused(&self) -> impl Iterator<Item = Vec<&'static str>> + '_ {
        self.used
            .iter()
            .enumerate()
            .filter(|(_, used)| !used.load(Ordering::Acquire))
            .map(|(index, _)| Self::values_of(&self.sets, index))
    }
}

/// What a call site's attribute chose for its duration histogram.
#[derive(Clone, Copy, Default)]
pub(crate) struct SiteHistogram {
    /// `buckets = [...]`.
    pub bounds: Option<&'static [f64]>,
    /// `histogram = classic | native | both`.
    pub buckets: Option<HistogramBuckets>,
}

impl SiteHistogram {
    pub(crate) fn of(info: &SiteInfo) -> Self {
        Self {
            bounds: info.buckets,
            buckets: info.histogram,
        }
    }
}

/// The zero series a family shows for one site's unused combinations.
struct ZeroSeries {
    combinations: Arc<PendingCombinations>,
    kind: Kind,
    /// Labels after the site's own, one series per entry (`status` of the calls counter).
    extras: &'static [(&'static str, &'static str)],
}

const NO_EXTRAS: &[(&str, &str)] = &[];
const STATUSES: &[(&str, &str)] = &[
    ("status", "ok"),
    ("status", "error"),
    ("status", "panic"),
    ("status", "cancelled"),
];

#[derive(Default)]
struct Family {
    kind: Option<Kind>,
    help: Option<String>,
    schema: Option<Schema>,
    /// A standard name (`process_*`) that a configured prefix leaves alone.
    standard_name: bool,
    /// A family of call sites: descriptions through the recorder may set its HELP.
    site: bool,
    series: BTreeMap<Vec<(String, String)>, SeriesEntry>,
    /// Label combinations of call sites shown at zero until used.
    zeros: Vec<ZeroSeries>,
}

/// A series' labels, as the families key them.
type SeriesLabels = Vec<(String, String)>;

/// One series' value, for the testing helpers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SeriesValue {
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Counter(f64),
    Gauge(f64),
    Histogram(crate::storage::HistogramSnapshot),
}

/// How the exposition is written.
#[derive(Debug, Default, Clone)]
pub(crate) struct RenderOptions {
    /// Prepended to every family name but the standard `process_*` ones.
    pub prefix: String,
    /// Labels added to every series, unless the series has a label of that name.
    pub global_labels: Vec<(String, String)>,
    /// Series of labels taken from arguments whose value has not changed for this long are
    /// left out, until they change again.
    pub idle_timeout: Option<Duration>,
}

/// Bucket configuration chosen by the exporter's builder.
#[derive(Clone, Debug)]
pub(crate) struct BucketConfig {
    pub default: Arc<[f64]>,
    pub per_family: BTreeMap<String, Arc<[f64]>>,
}

impl Default for BucketConfig {
    fn default() -> Self {
        Self {
            default: Arc::from(DEFAULT_BUCKETS),
            per_family: BTreeMap::new(),
        }
    }
}

/// Families stored by this crate.
pub(crate) struct Registry {
    /// The exporter's prefix, set at install.
    prefix: RwLock<String>,
    families: RwLock<BTreeMap<String, Family>>,
    buckets: RwLock<BucketConfig>,
    /// What call sites chose for their histograms (`buckets = [...]`, `histogram = ...`), per series.
    site_histograms: RwLock<HashMap<Key, SiteHistogram>>,
    /// The pending combinations of each call site, by the address of its `SiteInfo`: kept
    /// when the site binds again, as its registered series are.
    zero_sites: Mutex<HashMap<usize, Arc<PendingCombinations>>>,
}

/// The process-wide registry; it exists before any exporter is installed so that call sites
/// can declare their families at any time.
pub(crate) static REGISTRY: LazyLock<Registry> = LazyLock::new(Registry::new);

/// Two functions that declare one family differently, as
/// [`Error::Conflict`](crate::Error::Conflict) reports it at install.
///
/// ```no_run
/// match metrics_runtime::install_exporter() {
///     Err(metrics_runtime::Error::Conflict(conflict)) => {
///         eprintln!("{} vs {}: {}", conflict.first, conflict.second, conflict.detail)
///     }
///     other => drop(other),
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaConflict {
    /// The metric family.
    pub family: String,
    /// The site that declared it first.
    pub first: String,
    /// The site that disagrees.
    pub second: String,
    /// What differs.
    pub detail: String,
}

impl Registry {
    fn new() -> Self {
        Self {
            prefix: RwLock::new(String::new()),
            families: RwLock::new(BTreeMap::new()),
            buckets: RwLock::new(BucketConfig::default()),
            site_histograms: RwLock::new(HashMap::new()),
            zero_sites: Mutex::new(HashMap::new()),
        }
    }

    /// The combinations of a call site's enum labels, shown at zero in its calls, duration and
    /// in-flight families until used.
    pub(crate) fn zero_combinations(
        &self,
        info: &'static SiteInfo,
        sets: &[&'static [&'static str]],
    ) -> Arc<PendingCombinations> {
        let mut families = self
            .families
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let mut sites = self
            .zero_sites
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let site = info as *const SiteInfo as usize;
        if let Some(existing) = sites.get(&site) {
            return existing.clone();
        }
        let count = sets.iter().map(|set| set.len()).product();
        let combinations = Arc::new(PendingCombinations {
            labels: info.labels,
            names: info.dynamic_labels,
            sets: sets.into(),
            histogram: SiteHistogram::of(info),
            used: (0..count).map(|_| AtomicBool::new(false)).collect(),
            created: Instant::now(),
        });
        let names = &info.families;
        for (name, kind, extras) in [
            (names.calls, Kind::Counter, STATUSES),
            (names.duration, Kind::Histogram, NO_EXTRAS),
            (names.in_flight, Kind::Gauge, NO_EXTRAS),
        ] {
            families
                .entry(name.to_owned())
                .or_default()
                .zeros
                .push(ZeroSeries {
                    combinations: combinations.clone(),
                    kind,
                    extras,
                });
        }
        sites.insert(site, combinations.clone());
        combinations
    }

    pub(crate) fn set_buckets(&self, config: BucketConfig) {
        *self.buckets.write().unwrap_or_else(PoisonError::into_inner) = config;
    }

    /// Sets the prefix the exposition puts before the names of this crate's families, before
    /// the recorder is installed: [`Self::takes_name`] compares printed names.
    pub(crate) fn set_prefix(&self, prefix: &str) {
        *self.prefix.write().unwrap_or_else(PoisonError::into_inner) = prefix.to_owned();
    }

    /// Whether the exposition of this registry prints, or may come to print, `printed`: as the
    /// name of a family it stores or reserves, or as a sample of one of its histograms
    /// (`<family>_bucket`, `_sum`, `_count`). A family prints as `<prefix><name>`, a standard
    /// one (`process_*`) as `<name>`.
    pub(crate) fn takes_name(&self, printed: &str) -> bool {
        let prefix = self.prefix.read().unwrap_or_else(PoisonError::into_inner);
        let families = self.families.read().unwrap_or_else(PoisonError::into_inner);
        let prints = |candidate: &str, histogram_only: bool| {
            let of_kind = |family: &Family| !histogram_only || family.kind == Some(Kind::Histogram);
            let standard = families
                .get(candidate)
                .is_some_and(|family| family.standard_name && of_kind(family));
            let prefixed = candidate.strip_prefix(prefix.as_str()).is_some_and(|name| {
                RESERVED.iter().any(|&(reserved, kind)| {
                    reserved == name && (!histogram_only || kind == Kind::Histogram)
                }) || families
                    .get(name)
                    .is_some_and(|family| !family.standard_name && of_kind(family))
                    || crate::families::kind_of(name)
                        .is_some_and(|kind| !histogram_only || kind == Kind::Histogram)
            });
            standard || prefixed
        };
        prints(printed, false)
            || HISTOGRAM_SUFFIXES
                .iter()
                .filter_map(|suffix| printed.strip_suffix(suffix))
                .any(|base| prints(base, true))
    }

    /// Who declares `name` (unprefixed), or a histogram that prints it as a sample, among the
    /// families of call sites and of this crate: for conflicts with typed families.
    pub(crate) fn declared_by(&self, name: &str) -> Option<String> {
        let families = self.families.read().unwrap_or_else(PoisonError::into_inner);
        let owner = |candidate: &str| {
            if RESERVED.iter().any(|(reserved, _)| *reserved == candidate) {
                return Some("metrics-runtime itself".to_owned());
            }
            let family = families.get(candidate)?;
            Some(family.schema.as_ref().map_or_else(
                || "metrics-runtime itself".to_owned(),
                |schema| schema.site.clone(),
            ))
        };
        owner(name).or_else(|| {
            HISTOGRAM_SUFFIXES
                .iter()
                .filter_map(|suffix| name.strip_suffix(suffix))
                .find_map(owner)
        })
    }

    /// Declares the four families of a call site. In a family named with `name = "..."`, the
    /// first site fixes the label names and buckets and later sites must agree; the default
    /// families (`function_*`, `mcp_tool_*`) hold functions with labels and buckets of their
    /// own, which queries tell apart by `function` or `tool`.
    pub(crate) fn declare_site(&self, info: &SiteInfo) -> Result<(), SchemaConflict> {
        let base: Vec<&'static str> = info.label_names().collect();
        let with = |extra: &'static str| base.iter().copied().chain([extra]).collect::<Vec<_>>();
        let names = &info.families;
        let declarations = [
            (names.calls, Kind::Counter, with("status"), None),
            (
                names.duration,
                Kind::Histogram,
                base.clone(),
                Some(info.buckets),
            ),
            (names.errors, Kind::Counter, with("error_type"), None),
            (names.in_flight, Kind::Gauge, base.clone(), None),
        ];
        let mut families = self
            .families
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let mut first_conflict = None;
        for (name, kind, label_names, buckets) in declarations {
            let family = families.entry(name.to_owned()).or_default();
            let declared = Schema {
                label_names,
                buckets: buckets.flatten(),
                site: info.location(),
            };
            let conflict = match (&family.schema, family.kind) {
                (_, Some(existing)) if existing != kind => Some(format!(
                    "it is a {} there and a {} here",
                    existing.as_str(),
                    kind.as_str()
                )),
                (Some(schema), _) if info.named => {
                    compare_schemas(schema, &declared, buckets.is_some())
                }
                (Some(_), _) => None,
                (None, _) => None,
            };
            match conflict {
                Some(detail) if first_conflict.is_none() => {
                    let first = family
                        .schema
                        .as_ref()
                        .map_or_else(|| "another metric".to_owned(), |s| s.site.clone());
                    first_conflict = Some(SchemaConflict {
                        family: name.to_owned(),
                        first,
                        second: declared.site,
                        detail,
                    });
                }
                Some(_) => {}
                None => {
                    family.kind = Some(kind);
                    family.site = true;
                    if info.named {
                        family.schema.get_or_insert(declared);
                    }
                }
            }
        }
        first_conflict.map_or(Ok(()), Err)
    }

    pub(crate) fn counter(&self, key: &Key, expirable: bool) -> Option<Arc<ShardedCounter>> {
        let make = || Series::Counter(Arc::new(ShardedCounter::new()));
        match self.series(key, Kind::Counter, expirable, make)? {
            Series::Counter(counter) => Some(counter),
            _ => None,
        }
    }

    pub(crate) fn gauge(&self, key: &Key, expirable: bool) -> Option<Arc<ShardedGauge>> {
        let make = || Series::Gauge(Arc::new(ShardedGauge::new()));
        match self.series(key, Kind::Gauge, expirable, make)? {
            Series::Gauge(gauge) => Some(gauge),
            _ => None,
        }
    }

    /// A counter whose value is a float set from an outside total (CPU seconds): a counter
    /// family stored in a gauge cell.
    pub(crate) fn float_counter(&self, key: &Key) -> Option<Arc<ShardedGauge>> {
        let make = || Series::Gauge(Arc::new(ShardedGauge::new()));
        match self.series(key, Kind::Counter, false, make)? {
            Series::Gauge(gauge) => Some(gauge),
            _ => None,
        }
    }

    pub(crate) fn histogram(&self, key: &Key, expirable: bool) -> Option<Arc<BucketHistogram>> {
        // The layout is worked out only for a series made now: registering an existing one
        // (a `histogram!` per call) takes no lock beyond the families'.
        let make = || {
            let site = self
                .site_histograms
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .get(key)
                .copied()
                .unwrap_or_default();
            let (bounds, native) = self.histogram_layout(key.name(), site);
            Series::Histogram(Arc::new(BucketHistogram::new(bounds, native)))
        };
        match self.series(key, Kind::Histogram, expirable, make)? {
            Series::Histogram(histogram) => Some(histogram),
            _ => None,
        }
    }

    pub(crate) fn describe(&self, name: &str, help: &str) {
        self.describe_family(name, help, false);
    }

    /// A description that came through the recorder, from a call site or from another
    /// `metrics` user, which cannot be told apart: it may set the HELP of a call sites' family
    /// that has none yet, and nothing else. The families of the runtime itself (`build_info`,
    /// `service_health`, the collectors') keep their own.
    pub(crate) fn describe_site_family(&self, name: &str, help: &str) {
        let mut families = self
            .families
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let prefix = self.prefix.read().unwrap_or_else(PoisonError::into_inner);
        // Call sites describe by the family's name, other users by the printed one.
        let unprefixed = name.strip_prefix(prefix.as_str()).unwrap_or(name);
        let family = match families.contains_key(name) {
            true => families.get_mut(name),
            false => families.get_mut(unprefixed),
        };
        if let Some(family) = family.filter(|family| family.site) {
            family.help.get_or_insert_with(|| help.to_owned());
        }
    }

    /// Marks a family whose name is a Prometheus standard (`process_cpu_seconds_total`): the
    /// configured prefix does not apply to it.
    pub(crate) fn describe_standard(&self, name: &str, help: &str) {
        self.describe_family(name, help, true);
    }

    fn describe_family(&self, name: &str, help: &str, standard_name: bool) {
        let mut families = self
            .families
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let family = families.entry(name.to_owned()).or_default();
        family.help.get_or_insert_with(|| help.to_owned());
        family.standard_name |= standard_name;
    }

    /// The series of `key`, created on first use; `None` when the family holds another kind.
    fn series(
        &self,
        key: &Key,
        kind: Kind,
        expirable: bool,
        make: impl FnOnce() -> Series,
    ) -> Option<Series> {
        let labels: Vec<(String, String)> = key
            .labels()
            .map(|label| (label.key().to_owned(), label.value().to_owned()))
            .collect();
        if let Some(family) = self
            .families
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key.name())
        {
            if family.kind.is_some_and(|existing| existing != kind) {
                return None;
            }
            if let Some(entry) = family.series.get(&labels) {
                return Some(entry.series.clone());
            }
        }
        let mut families = self
            .families
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let family = families.entry(key.name().to_owned()).or_default();
        if *family.kind.get_or_insert(kind) != kind {
            return None;
        }
        let entry = family.series.entry(labels).or_insert_with(|| SeriesEntry {
            series: make(),
            expirable,
            last_change: Mutex::new(None),
            written_labels: std::sync::OnceLock::new(),
        });
        Some(entry.series.clone())
    }

    /// Records what a call site chose for one histogram series, for the registration that
    /// follows; [`clear_site_histogram`](Self::clear_site_histogram) forgets it after.
    pub(crate) fn set_site_histogram(&self, key: &Key, site: SiteHistogram) {
        self.site_histograms
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.clone(), site);
    }

    /// Forgets a call site's choice once its series is registered: keeping it would cost a key
    /// per series.
    pub(crate) fn clear_site_histogram(&self, key: &Key) {
        self.site_histograms
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key);
    }

    /// The classic bounds and the native layout of a histogram series of family `name`
    /// (unprefixed). Classic bounds: none for `histogram = native`, else the builder's
    /// per-family setting, else the call site's `buckets = [...]`, else the builder's default.
    /// Native buckets: as the call site chose, else as the builder set for every histogram.
    fn histogram_layout(
        &self,
        name: &str,
        site: SiteHistogram,
    ) -> (Arc<[f64]>, Option<&'static NativeLayout>) {
        let buckets = site.buckets.unwrap_or(match native::configured() {
            Some(_) => HistogramBuckets::Both,
            None => HistogramBuckets::Classic,
        });
        let bounds = match buckets {
            HistogramBuckets::Native => {
                static NONE: LazyLock<Arc<[f64]>> = LazyLock::new(|| Arc::from([]));
                NONE.clone()
            }
            HistogramBuckets::Classic | HistogramBuckets::Both => {
                let config = self.buckets.read().unwrap_or_else(PoisonError::into_inner);
                match (config.per_family.get(name), site.bounds) {
                    (Some(bounds), _) => bounds.clone(),
                    (None, Some(bounds)) => Arc::from(bounds),
                    (None, None) => config.default.clone(),
                }
            }
        };
        let native = (buckets != HistogramBuckets::Classic).then(native::layout);
        (bounds, native)
    }

    /// Every series and its current value, by family name and labels.
    pub(crate) fn values(&self) -> Vec<SeriesValue> {
        let families = self.families.read().unwrap_or_else(PoisonError::into_inner);
        let mut values = Vec::new();
        for (name, family) in families.iter() {
            for (labels, entry) in &family.series {
                let value = match (&entry.series, family.kind) {
                    (Series::Counter(counter), _) => Value::Counter(counter.value() as f64),
                    (Series::Gauge(gauge), Some(Kind::Counter)) => Value::Counter(gauge.value()),
                    (Series::Gauge(gauge), _) => Value::Gauge(gauge.value()),
                    (Series::Histogram(histogram), _) => Value::Histogram(histogram.snapshot()),
                };
                values.push(SeriesValue {
                    name: name.clone(),
                    labels: labels.clone(),
                    value,
                });
            }
        }
        drop(families);
        values.extend(crate::families::values());
        values
    }

    /// Writes every family with at least one series in the text exposition format.
    #[cfg(test)]
    pub(crate) fn render(&self, out: &mut String, options: &RenderOptions) {
        self.encode(
            &mut crate::exposition::text::TextEncoder::new(out, false),
            options,
        );
    }

    /// Hands every family with at least one series, this crate's typed families included, to
    /// `encoder`.
    pub(crate) fn encode<E: Encoder>(&self, encoder: &mut E, options: &RenderOptions) {
        let totals = crate::storage::Totals::now(E::NATIVE);
        self.encode_families(encoder, options, &totals);
        crate::families::encode(encoder, options, &totals);
    }

    /// The families of call sites, of the exporter and of the collectors.
    fn encode_families<E: Encoder>(
        &self,
        encoder: &mut E,
        options: &RenderOptions,
        totals: &Totals,
    ) {
        let now = Instant::now();
        let families = self.families.read().unwrap_or_else(PoisonError::into_inner);
        // Counts of the histograms shown at zero, as long as the longest bounds.
        let mut zero_counts: Vec<u64> = Vec::new();
        // Native histograms are read into the same buffers, series after series.
        let mut native_buffer = NativeSnapshot::empty(native::layout());
        for (name, family) in families.iter() {
            let Some(kind) = family.kind else { continue };
            // Without an idle timeout every series is live: no list to build.
            let live: Vec<_> = match options.idle_timeout {
                None => Vec::new(),
                Some(_) => family
                    .series
                    .iter()
                    .filter(|(_, entry)| !entry.idle(options.idle_timeout, now))
                    .collect(),
            };
            let any_live = match options.idle_timeout {
                None => !family.series.is_empty(),
                Some(_) => !live.is_empty(),
            };
            // Zeros of unused combinations are as idle as a series that never changes.
            let zeros: Vec<&ZeroSeries> = family
                .zeros
                .iter()
                .filter(|zero| zero.kind == kind)
                .filter(|zero| {
                    options.idle_timeout.is_none_or(|timeout| {
                        now.duration_since(zero.combinations.created) < timeout
                    })
                })
                .collect();
            if !any_live
                && zeros
                    .iter()
                    .all(|zero| zero.combinations.unused().next().is_none())
            {
                continue;
            }
            let prefix = if family.standard_name {
                ""
            } else {
                options.prefix.as_str()
            };
            let unprefixed = name.as_str();
            let name = format!("{prefix}{name}");
            encoder.family(&name, family.help.as_deref(), kind);
            let series: Box<dyn Iterator<Item = (&SeriesLabels, &SeriesEntry)>> =
                match options.idle_timeout {
                    None => Box::new(family.series.iter()),
                    Some(_) => Box::new(live.into_iter()),
                };
            for (own, entry) in series {
                let labels = Labels {
                    globals: &options.global_labels,
                    own: OwnLabels::Owned(own),
                    written: Some(entry.written_labels.get_or_init(Box::default)),
                };
                match &entry.series {
                    Series::Counter(counter) => {
                        #[cfg(feature = "exemplars")]
                        let exemplar = encoder
                            .exemplars()
                            .then(|| counter.exemplar.slot().and_then(|slot| slot.get()))
                            .flatten();
                        #[cfg(not(feature = "exemplars"))]
                        let exemplar = None;
                        let value = Number::Integer(counter.value_in(totals));
                        encoder.counter(&labels, value, exemplar);
                    }
                    Series::Gauge(gauge) if kind == Kind::Counter => {
                        encoder.counter(&labels, Number::Float(gauge.value_in(totals)), None)
                    }
                    Series::Gauge(gauge) => encoder.gauge(&labels, gauge.value_in(totals)),
                    Series::Histogram(histogram) => {
                        // Counts straight from the totals, without a copy; a histogram made
                        // since they were taken is summed from its shards.
                        let made_since;
                        let (counts, sum) = match histogram.counts_in(totals) {
                            Some(found) => found,
                            None => {
                                made_since = histogram.counts();
                                (&made_since.0[..], made_since.1)
                            }
                        };
                        let native = match histogram.native().filter(|_| E::NATIVE) {
                            Some(native) => {
                                native.snapshot_into(&mut native_buffer, Some(totals));
                                Some(&native_buffer)
                            }
                            None => None,
                        };
                        #[cfg(feature = "exemplars")]
                        let exemplars = encoder.exemplars();
                        let exemplar = |_bucket: usize| {
                            #[cfg(feature = "exemplars")]
                            if exemplars {
                                return histogram
                                    .exemplars
                                    .slot(_bucket)
                                    .and_then(|slot| slot.get());
                            }
                            None
                        };
                        let histogram = HistogramValue {
                            bounds: histogram.bounds(),
                            counts,
                            sum,
                            exemplar: &exemplar,
                            native,
                        };
                        encoder.histogram(&labels, &histogram);
                    }
                }
            }
            for zero in zeros {
                let pending = &zero.combinations;
                let (bounds, native) = self.histogram_layout(unprefixed, pending.histogram);
                let native = native.map(NativeSnapshot::empty);
                if zero_counts.len() <= bounds.len() {
                    zero_counts.resize(bounds.len() + 1, 0);
                }
                for values in pending.unused() {
                    let own = pending
                        .labels
                        .iter()
                        .copied()
                        .chain(pending.names.iter().copied().zip(values));
                    let extras: &[(&str, &str)] = if zero.extras.is_empty() {
                        &[("", "")]
                    } else {
                        zero.extras
                    };
                    for &extra in extras {
                        let own: Vec<(&str, &str)> = own
                            .clone()
                            .chain((!extra.0.is_empty()).then_some(extra))
                            .collect();
                        let labels = Labels::new(&options.global_labels, OwnLabels::Borrowed(&own));
                        match zero.kind {
                            Kind::Counter => encoder.counter(&labels, Number::Integer(0), None),
                            Kind::Gauge => encoder.gauge(&labels, 0.0),
                            Kind::Histogram => {
                                let histogram = HistogramValue {
                                    bounds: &bounds,
                                    counts: &zero_counts[..=bounds.len()],
                                    sum: 0.0,
                                    exemplar: &|_| None,
                                    native: native.as_ref(),
                                };
                                encoder.histogram(&labels, &histogram);
                            }
                        }
                    }
                }
            }
        }
    }
}

fn compare_schemas(first: &Schema, second: &Schema, compare_buckets: bool) -> Option<String> {
    if first.label_names != second.label_names {
        return Some(format!(
            "label names differ: [{}] there, [{}] here",
            first.label_names.join(", "),
            second.label_names.join(", ")
        ));
    }
    if compare_buckets && first.buckets != second.buckets {
        let show =
            |b: Option<&[f64]>| b.map_or_else(|| "the default".to_owned(), |b| format!("{b:?}"));
        return Some(format!(
            "buckets differ: {} there, {} here",
            show(first.buckets),
            show(second.buckets)
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exposition::text::{escape_label_value, SampleValue};
    use metrics::{CounterFn, GaugeFn, HistogramFn, Label};

    #[test]
    fn integer_samples_are_written_in_decimal() {
        for value in [0u64, 7, 10, 1_000_001, u64::MAX] {
            let mut out = String::new();
            value.write_to(&mut out);
            assert_eq!(out, value.to_string());
        }
    }

    #[test]
    fn escapes_label_values() {
        assert_eq!(escape_label_value("plain"), "plain");
        assert_eq!(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
    }

    fn site(function: &'static str, buckets: Option<&'static [f64]>) -> SiteInfo {
        use crate::callsite::{FamilyNames, SiteKind};
        SiteInfo {
            kind: SiteKind::Monitored,
            families: FamilyNames {
                calls: "reports_calls_total",
                duration: "reports_call_duration_seconds",
                errors: "reports_errors_total",
                in_flight: "reports_calls_in_flight",
            },
            named: true,
            function,
            module: "app",
            file: "src/app.rs",
            line: 7,
            labels: &[("function", "x"), ("module", "app")],
            dynamic_labels: &[],
            buckets,
            histogram: None,
            objective: None,
        }
    }

    #[test]
    fn a_named_family_must_keep_its_buckets() {
        let registry = Registry::new();
        assert_eq!(
            registry.declare_site(&site("daily", Some(&[1.0, 10.0]))),
            Ok(())
        );
        assert_eq!(
            registry.declare_site(&site("monthly", Some(&[1.0, 10.0]))),
            Ok(())
        );
        let conflict = registry
            .declare_site(&site("weekly", Some(&[1.0, 10.0, 100.0])))
            .unwrap_err();
        assert_eq!(
            conflict,
            SchemaConflict {
                family: "reports_call_duration_seconds".into(),
                first: "`app::daily` (src/app.rs:7)".into(),
                second: "`app::weekly` (src/app.rs:7)".into(),
                detail: "buckets differ: [1.0, 10.0] there, [1.0, 10.0, 100.0] here".into(),
            }
        );
        let conflict = registry.declare_site(&site("yearly", None)).unwrap_err();
        assert_eq!(
            conflict.detail,
            "buckets differ: [1.0, 10.0] there, the default here"
        );
    }

    #[test]
    fn names_taken_are_families_reserved_names_and_histogram_samples() {
        let registry = Registry::new();
        assert_eq!(registry.declare_site(&site("daily", None)), Ok(()));
        registry.describe("build_info", "Ours.");
        for taken in [
            "reports_calls_total",
            "reports_call_duration_seconds",
            "reports_call_duration_seconds_bucket",
            "reports_call_duration_seconds_count",
            "build_info",
            "function_calls_total",
            "function_call_duration_seconds_sum",
            "service_health",
            FOREIGN_DROPPED,
        ] {
            assert!(registry.takes_name(taken), "{taken}");
        }
        for free in [
            "reports_calls_total_count",
            "build_info_count",
            "function_calls_duration_seconds",
            "mcp_tool_calls_total",
        ] {
            assert!(!registry.takes_name(free), "{free}");
        }
    }

    #[test]
    fn names_taken_carry_the_prefix_but_standard_names_do_not() {
        let registry = Registry::new();
        registry.set_prefix("shop_");
        assert_eq!(registry.declare_site(&site("daily", None)), Ok(()));
        registry.describe_standard("process_cpu_seconds_total", "Standard.");
        for taken in [
            "shop_reports_calls_total",
            "shop_reports_call_duration_seconds_bucket",
            "shop_function_calls_total",
            "shop_function_call_duration_seconds_sum",
            "shop_service_health",
            "process_cpu_seconds_total",
        ] {
            assert!(registry.takes_name(taken), "{taken}");
        }
        for free in [
            "reports_calls_total",
            "function_calls_total",
            "function_call_duration_seconds_bucket",
            "shop_process_cpu_seconds_total",
            "shop_reports_calls_total_count",
        ] {
            assert!(!registry.takes_name(free), "{free}");
        }
    }

    #[test]
    fn descriptions_through_the_recorder_reach_call_sites_families_only() {
        let registry = Registry::new();
        assert_eq!(registry.declare_site(&site("daily", None)), Ok(()));
        registry.describe("build_info", "Ours.");
        registry.describe_site_family("build_info", "Theirs.");
        registry.describe_site_family("service_health", "Theirs.");
        registry.describe_site_family("reports_calls_total", "First.");
        registry.describe_site_family("reports_calls_total", "Second.");
        registry
            .gauge(&Key::from_name("build_info"), false)
            .unwrap()
            .set(1.0);
        registry
            .counter(&Key::from_name("reports_calls_total"), false)
            .unwrap();
        let mut out = String::new();
        registry.render(&mut out, &RenderOptions::default());
        assert!(out.contains("# HELP build_info Ours.\n"), "{out}");
        assert!(out.contains("# HELP reports_calls_total First.\n"), "{out}");
        assert!(!out.contains("service_health"), "{out}");
    }

    #[test]
    fn renders_counters_and_histograms() {
        let registry = Registry::new();
        registry.describe("jobs_total", "Jobs done.\nAll of them.");
        let counter = registry
            .counter(
                &Key::from_parts("jobs_total", vec![Label::new("q", "a\"b")]),
                false,
            )
            .unwrap();
        counter.increment(3);
        let histogram = registry
            .histogram(&Key::from_name("wait_seconds"), false)
            .unwrap();
        histogram.record(0.3);
        assert!(
            registry
                .gauge(&Key::from_name("jobs_total"), false)
                .is_none(),
            "kind mismatch is refused"
        );
        let mut out = String::new();
        let options = RenderOptions {
            global_labels: vec![("service".into(), "svc".into())],
            ..RenderOptions::default()
        };
        registry.render(&mut out, &options);
        let expected = "# HELP jobs_total Jobs done.\\nAll of them.\n# TYPE jobs_total counter\n\
            jobs_total{service=\"svc\",q=\"a\\\"b\"} 3\n# TYPE wait_seconds histogram\n";
        assert!(out.starts_with(expected), "{out}");
        assert!(
            out.contains("wait_seconds_bucket{service=\"svc\",le=\"0.25\"} 0\n"),
            "{out}"
        );
        assert!(
            out.contains("wait_seconds_bucket{service=\"svc\",le=\"0.5\"} 1\n"),
            "{out}"
        );
        assert!(
            out.contains("wait_seconds_bucket{service=\"svc\",le=\"+Inf\"} 1\n"),
            "{out}"
        );
        assert!(
            out.contains("wait_seconds_sum{service=\"svc\"} 0.3\n"),
            "{out}"
        );
        assert!(
            out.ends_with("wait_seconds_count{service=\"svc\"} 1\n"),
            "{out}"
        );
    }

    #[test]
    fn histograms_with_other_bounds_keep_their_own_le_values() {
        let registry = Registry::new();
        let fast = Key::from_parts("fast_seconds", vec![Label::new("f", "a")]);
        let slow = Key::from_parts("slow_seconds", vec![Label::new("f", "a")]);
        let bounds = |bounds| SiteHistogram {
            bounds: Some(bounds),
            buckets: None,
        };
        registry.set_site_histogram(&fast, bounds(&[0.1, 1.0]));
        registry.set_site_histogram(&slow, bounds(&[10.0, 60.0, 300.0]));
        registry.histogram(&fast, false).unwrap().record(0.5);
        registry.histogram(&slow, false).unwrap().record(30.0);
        registry
            .histogram(&Key::from_name("default_seconds"), false)
            .unwrap()
            .record(0.02);
        let mut out = String::new();
        registry.render(&mut out, &RenderOptions::default());
        let les = |name: &str| -> Vec<String> {
            out.lines()
                .filter(|line| line.starts_with(&format!("{name}_bucket")))
                .map(|line| {
                    line.split("le=\"")
                        .nth(1)
                        .unwrap()
                        .split('"')
                        .next()
                        .unwrap()
                        .to_owned()
                })
                .collect()
        };
        assert_eq!(
            les("default_seconds"),
            [
                "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10",
                "+Inf"
            ]
        );
        assert_eq!(les("fast_seconds"), ["0.1", "1", "+Inf"]);
        assert_eq!(les("slow_seconds"), ["10", "60", "300", "+Inf"]);
        assert!(
            out.contains("slow_seconds_bucket{f=\"a\",le=\"60\"} 1\n"),
            "{out}"
        );
    }

    #[test]
    fn prefix_spares_standard_names_and_idle_series_are_hidden() {
        let registry = Registry::new();
        registry.describe_standard("process_threads", "Threads.");
        registry
            .gauge(&Key::from_name("process_threads"), false)
            .unwrap()
            .set(4.0);
        let busy = registry
            .counter(
                &Key::from_parts("calls_total", vec![Label::new("r", "a")]),
                true,
            )
            .unwrap();
        registry
            .counter(
                &Key::from_parts("calls_total", vec![Label::new("r", "b")]),
                true,
            )
            .unwrap();
        registry
            .counter(&Key::from_parts("fixed_total", vec![]), false)
            .unwrap();
        let options = RenderOptions {
            prefix: "app_".into(),
            idle_timeout: Some(Duration::from_millis(50)),
            ..RenderOptions::default()
        };
        let render = || {
            let mut out = String::new();
            registry.render(&mut out, &options);
            out
        };
        let first = render();
        assert!(
            first.contains("# TYPE process_threads gauge\nprocess_threads 4\n"),
            "{first}"
        );
        assert!(
            first.contains("app_calls_total{r=\"a\"} 0\napp_calls_total{r=\"b\"} 0\n"),
            "{first}"
        );
        std::thread::sleep(Duration::from_millis(60));
        busy.increment(2);
        let later = render();
        assert!(later.contains("app_calls_total{r=\"a\"} 2\n"), "{later}");
        assert!(
            !later.contains("r=\"b\""),
            "the idle dynamic series is hidden: {later}"
        );
        assert!(
            later.contains("app_fixed_total 0\n"),
            "series without dynamic labels never expire: {later}"
        );
    }
}

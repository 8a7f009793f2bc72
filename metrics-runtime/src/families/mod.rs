//! Typed metric families: groups of counters, gauges and histograms declared once as a struct
//! with `#[derive(Metrics)]`, labelled by `#[derive(LabelSet)]` structs.
//!
//! Every field of such a struct is a [`Family`] static that the derive submits to `inventory`,
//! so the exporter knows every family at install: it checks their names against each other
//! and against the attributes' families, exports every label combination at zero, and lists
//! them in `/catalog`. A family's series are one block of consecutive storage words, indexed
//! by the label set's dense index: recording is an index computation and one add.

mod callbacks;
mod kinds;
mod labels;

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

pub use kinds::{
    CallbackGauge, Counter, CounterSeries, Gauge, GaugeGuard, GaugeSeries, Histogram,
    HistogramSeries, HistogramTimer,
};
pub use labels::{
    fixed_index, fixed_len, fixed_values, FixedLabelValue, LabelSet, LabelValues, RegisteredValue,
    ValueSet, MAX_SET_CAPACITY, OTHER,
};

use crate::exposition::{Encoder, HistogramValue, Labels, Number, OwnLabels};
use crate::registry::{Kind, RenderOptions, SeriesValue, Value};
use crate::storage::native::{NativeLayout, NativeSnapshot};
use crate::storage::{block, HistogramSnapshot, Totals};

/// Most series one typed family may have (the product of its labels' value counts).
pub const MAX_FAMILY_SERIES: usize = 65_536;

/// Self-metric: callbacks of [`CallbackGauge`]s that gave no value.
pub(crate) const CALLBACK_FAILURES: &str = "metrics_runtime_callback_failures_total";
/// Self-metric: values looked up outside their [`ValueSet`].
pub(crate) const SET_OVERFLOW: &str = "metrics_runtime_label_values_overflow_total";

/// What kind of metric a typed family is.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypedKind {
    Counter,
    Gauge,
    Histogram,
    CallbackGauge,
}

impl TypedKind {
    fn kind(self) -> Kind {
        match self {
            Self::Counter => Kind::Counter,
            Self::Gauge | Self::CallbackGauge => Kind::Gauge,
            Self::Histogram => Kind::Histogram,
        }
    }
}

/// A typed family as the derive declares it.
#[doc(hidden)]
pub struct FamilyInfo {
    /// The metric name, with the group's prefix, without the exporter's.
    pub name: &'static str,
    /// The HELP text, from the field's doc comment.
    pub help: &'static str,
    pub kind: TypedKind,
    pub label_names: &'static [&'static str],
    pub label_values: fn() -> Vec<LabelValues>,
    /// Histogram bounds; empty for other kinds and native-only histograms.
    pub buckets: &'static [f64],
    /// `#[metric(histogram = classic | native | both)]`; `None` follows the exporter.
    pub histogram: Option<crate::callsite::HistogramBuckets>,
    /// `Group::field`, for messages.
    pub declared_by: &'static str,
    pub file: &'static str,
    pub line: u32,
}

/// One typed family: its declaration and, from its first update or scrape, its storage.
#[doc(hidden)]
pub struct Family {
    info: FamilyInfo,
    block: OnceLock<Option<Block>>,
}

/// Submitted to `inventory` by the derive, one per field.
#[doc(hidden)]
pub struct FamilyRef(pub &'static Family);

inventory::collect!(FamilyRef);

/// The storage of one family: `series` series, one after the other from word `first`.
pub(crate) struct Block {
    first: usize,
    /// Words per series: 1, or the histogram's bounds plus `+Inf` and the sum.
    stride: usize,
    series: usize,
    lists: Vec<LabelValues>,
    /// Gauges: per series, the part of the value that is not a sum of whole increments.
    fractions: Box<[AtomicU64]>,
    /// Callback gauges: per series, its callback.
    callbacks: Mutex<Vec<Option<Arc<callbacks::Callback>>>>,
    /// Histograms: the native histograms of the same observations, in stripes from their
    /// first word ([`series_first`](crate::storage::native::series_first)), unless native
    /// histograms are off.
    native: Option<(usize, &'static NativeLayout)>,
}

impl Family {
    #[doc(hidden)]
    pub const fn new(info: FamilyInfo) -> Self {
        Self {
            info,
            block: OnceLock::new(),
        }
    }

    /// The family's storage, made on first use; `None` when its labels allow more than
    /// [`MAX_FAMILY_SERIES`] combinations (install reports it).
    #[inline]
    fn block(&'static self) -> Option<&'static Block> {
        self.block.get_or_init(|| self.allocate()).as_ref()
    }

    #[cold]
    fn allocate(&self) -> Option<Block> {
        let lists = (self.info.label_values)();
        let series = series_count(&lists)?;
        let (first, stride) = match self.info.kind {
            TypedKind::Histogram => {
                let bounds = self.info.buckets.len();
                (block::allocate_histograms(bounds, series), bounds + 2)
            }
            TypedKind::Counter | TypedKind::Gauge => (block::allocate(series), 1),
            TypedKind::CallbackGauge => (0, 0),
        };
        let native = match self.info.kind {
            TypedKind::Histogram => {
                use crate::callsite::HistogramBuckets;
                use crate::storage::native;
                let layout = match self.info.histogram {
                    Some(HistogramBuckets::Classic) => None,
                    Some(HistogramBuckets::Native | HistogramBuckets::Both) => {
                        Some(native::layout())
                    }
                    None => native::configured(),
                };
                layout.map(|layout| (native::allocate(layout, series), layout))
            }
            _ => None,
        };
        let fractions = match self.info.kind {
            TypedKind::Gauge => (0..series).map(|_| AtomicU64::new(0)).collect(),
            _ => Box::default(),
        };
        let callbacks = match self.info.kind {
            TypedKind::CallbackGauge => vec![None; series],
            _ => Vec::new(),
        };
        Some(Block {
            first,
            stride,
            series,
            lists,
            fractions,
            callbacks: Mutex::new(callbacks),
            native,
        })
    }

    /// The native histogram of series `index`: its first word and layout.
    #[inline]
    fn native_series(&'static self, index: usize) -> Option<(usize, &'static NativeLayout)> {
        let block = self.block()?;
        let (first, layout) = block.native?;
        (index < block.series).then(|| {
            (
                crate::storage::native::series_first(first, layout, index),
                layout,
            )
        })
    }

    /// The first word of series `index`, `None` when it does not exist.
    #[inline]
    fn series_word(&'static self, index: usize) -> Option<usize> {
        let block = self.block()?;
        (index < block.series).then(|| block.first + index * block.stride)
    }

    /// Every name the family prints: its own, and a histogram's samples.
    fn printed(&self) -> Vec<String> {
        let name = self.info.name;
        match self.info.kind {
            TypedKind::Histogram => ["", "_bucket", "_sum", "_count"]
                .iter()
                .map(|suffix| format!("{name}{suffix}"))
                .collect(),
            _ => vec![name.to_owned()],
        }
    }

    fn location(&self) -> String {
        format!(
            "{} ({}:{})",
            self.info.declared_by, self.info.file, self.info.line
        )
    }
}

/// The product of the labels' value counts, `None` past [`MAX_FAMILY_SERIES`].
fn series_count(lists: &[LabelValues]) -> Option<usize> {
    lists
        .iter()
        .try_fold(1usize, |count, list| count.checked_mul(list.len()))
        .filter(|count| *count <= MAX_FAMILY_SERIES)
}

impl Block {
    fn add_gauge(&self, index: usize, delta: f64) {
        block::add_gauge(self.first + index, &self.fractions[index], delta);
    }

    fn set_gauge(&self, index: usize, value: f64) {
        block::set_gauge(self.first + index, &self.fractions[index], value);
    }

    fn gauge(&self, index: usize, totals: Option<&Totals>) -> f64 {
        block::gauge(self.first + index, &self.fractions[index], totals)
    }

    fn set_callback(&self, index: usize, callback: Arc<callbacks::CallbackFn>) {
        if let Some(slot) = self
            .callbacks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_mut(index)
        {
            *slot = Some(Arc::new(callbacks::Callback::new(callback)));
        }
    }

    /// The label values of series `index`, `None` for a slot of a value set not registered.
    fn labels_of(
        &self,
        names: &[&'static str],
        index: usize,
    ) -> Option<Vec<(&'static str, &'static str)>> {
        let mut rest = index;
        let mut values = vec![("", ""); self.lists.len()];
        for (position, list) in self.lists.iter().enumerate().rev() {
            let len = list.len();
            values[position] = (names[position], list.value(rest % len)?);
            rest /= len;
        }
        Some(values)
    }
}

/// Every typed family linked into the program, sorted by name.
pub(crate) fn all() -> Vec<&'static Family> {
    let mut families: Vec<&'static Family> = inventory::iter::<FamilyRef>
        .into_iter()
        .map(|f| f.0)
        .collect();
    families.sort_by_key(|family| family.info.name);
    families
}

/// The kind of the typed family named `name` (without the exporter's prefix), if any.
pub(crate) fn kind_of(name: &str) -> Option<Kind> {
    inventory::iter::<FamilyRef>
        .into_iter()
        .find(|family| family.0.info.name == name)
        .map(|family| family.0.info.kind.kind())
        .or_else(|| {
            [CALLBACK_FAILURES, SET_OVERFLOW]
                .contains(&name)
                .then_some(Kind::Counter)
        })
}

/// A typed family that cannot be exported as declared: declared twice, or under a name of
/// this crate's own families, or with too many label combinations.
pub(crate) fn check(taken_by: impl Fn(&str) -> Option<String>) -> Result<(), crate::Error> {
    let families = all();
    // Every name a family prints, with the family: a histogram's samples count too.
    let mut printed: std::collections::HashMap<String, &'static Family> =
        std::collections::HashMap::new();
    for family in &families {
        for sample in family.printed() {
            if let Some(first) = printed.insert(sample, family) {
                return Err(crate::Error::TypedConflict(crate::SchemaConflict {
                    family: family.info.name.to_owned(),
                    first: first.location(),
                    second: family.location(),
                    detail: "one name is one family, declared once; keep it in one `#[derive(Metrics)]` group and share that group's `static`, or rename one with `#[metric(name = \"...\")]`".into(),
                }));
            }
        }
    }
    for family in &families {
        let name = family.info.name;
        if let Some(other) = family.printed().iter().find_map(|sample| taken_by(sample)) {
            return Err(crate::Error::TypedConflict(crate::SchemaConflict {
                family: name.to_owned(),
                first: other,
                second: family.location(),
                detail: "one name is one family, and that one belongs to an instrumented function or to this crate; rename the typed metric with `#[metric(name = \"...\")]`".into(),
            }));
        }
        if series_count(&(family.info.label_values)()).is_none() {
            return Err(crate::Error::TooManySeries {
                family: name.to_owned(),
                declared_by: family.location(),
                limit: MAX_FAMILY_SERIES,
            });
        }
    }
    Ok(())
}

/// Hands every typed family, every label combination included, to `encoder`, then the
/// families' own self-metrics.
pub(crate) fn encode<E: Encoder>(encoder: &mut E, options: &RenderOptions, totals: &Totals) {
    let families = all();
    #[cfg(feature = "exemplars")]
    let given = encoder
        .exemplars()
        .then(crate::exemplars::Given::copy)
        .flatten();
    #[cfg(feature = "exemplars")]
    let given_at = |word: usize| given.as_ref().and_then(|given| given.get(word));
    #[cfg(not(feature = "exemplars"))]
    let given_at = |_word: usize| None;
    let computed = callbacks::evaluate(&families);
    // Native histograms are read into the same buffers, series after series.
    let mut native_buffer = NativeSnapshot::empty(crate::storage::native::layout());
    for family in &families {
        let Some(block) = family.block() else {
            continue;
        };
        let info = &family.info;
        let name = format!("{}{}", options.prefix, info.name);
        encoder.family(&name, Some(info.help), info.kind.kind());
        for index in 0..block.series {
            let Some(own) = block.labels_of(info.label_names, index) else {
                continue;
            };
            let labels = Labels::new(&options.global_labels, OwnLabels::Borrowed(&own));
            match info.kind {
                TypedKind::Counter => {
                    let word = block.first + index;
                    let value = Number::Integer(block::total(word, Some(totals)));
                    encoder.counter(&labels, value, given_at(word));
                }
                TypedKind::Gauge => encoder.gauge(&labels, block.gauge(index, Some(totals))),
                TypedKind::CallbackGauge => {
                    if let Some(value) = computed.value(family, index) {
                        encoder.gauge(&labels, value);
                    }
                }
                TypedKind::Histogram => {
                    let first = block.first + index * block.stride;
                    let bounds = info.buckets.len();
                    // A family first written since the totals were taken is read from its
                    // shards.
                    let made_since;
                    let (counts, sum) = match block::histogram_in(first, bounds, totals) {
                        Some(found) => found,
                        None => {
                            made_since = block::histogram(first, bounds);
                            (&made_since.0[..], made_since.1)
                        }
                    };
                    let native = match block.native.filter(|_| E::NATIVE) {
                        Some((native, layout)) => {
                            let first = crate::storage::native::series_first(native, layout, index);
                            native_buffer.read_into(first, layout, Some(totals));
                            Some(&native_buffer)
                        }
                        None => None,
                    };
                    let histogram = HistogramValue {
                        bounds: info.buckets,
                        counts,
                        sum,
                        exemplar: &|bucket| given_at(first + bucket),
                        native,
                    };
                    encoder.histogram(&labels, &histogram);
                }
            }
        }
    }
    encode_self_metrics(encoder, options, &families, &computed);
}

fn encode_self_metrics<E: Encoder>(
    encoder: &mut E,
    options: &RenderOptions,
    families: &[&'static Family],
    computed: &callbacks::Computed,
) {
    let with_callbacks: Vec<_> = families
        .iter()
        .filter(|family| family.info.kind == TypedKind::CallbackGauge)
        .collect();
    if !with_callbacks.is_empty() {
        let name = format!("{}{CALLBACK_FAILURES}", options.prefix);
        encoder.family(&name, Some("Callbacks of gauges computed at scrape time that gave no value, by family and reason: timeout (over 250 ms), panic, not_finite."), Kind::Counter);
        for family in with_callbacks {
            for (reason, count) in computed.failures(family) {
                let own = [("family", family.info.name), ("reason", reason)];
                let labels = Labels::new(&options.global_labels, OwnLabels::Borrowed(&own));
                encoder.counter(&labels, Number::Integer(count), None);
            }
        }
    }
    let overflows = ValueSet::overflows();
    if !overflows.is_empty() {
        let name = format!("{}{SET_OVERFLOW}", options.prefix);
        encoder.family(
            &name,
            Some("Label values looked up outside their registered value set, recorded as `other`."),
            Kind::Counter,
        );
        for (set, count) in overflows {
            let own = [("set", set)];
            let labels = Labels::new(&options.global_labels, OwnLabels::Borrowed(&own));
            encoder.counter(&labels, Number::Integer(count), None);
        }
    }
}

/// Every series of the typed families with its value, for the testing helpers.
pub(crate) fn values() -> Vec<SeriesValue> {
    let mut values = Vec::new();
    for family in all() {
        let Some(block) = family.block() else {
            continue;
        };
        let info = &family.info;
        for index in 0..block.series {
            let Some(labels) = block.labels_of(info.label_names, index) else {
                continue;
            };
            let value = match info.kind {
                TypedKind::Counter => {
                    Value::Counter(block::total(block.first + index, None) as f64)
                }
                TypedKind::Gauge => Value::Gauge(block.gauge(index, None)),
                TypedKind::CallbackGauge => continue,
                TypedKind::Histogram => {
                    let first = block.first + index * block.stride;
                    let (counts, sum) = block::histogram(first, info.buckets.len());
                    Value::Histogram(HistogramSnapshot::from_counts(
                        Arc::from(info.buckets),
                        &counts,
                        sum,
                    ))
                }
            };
            values.push(SeriesValue {
                name: info.name.to_owned(),
                labels: labels
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect(),
                value,
            });
        }
    }
    values
}

/// One typed metric family, as `/catalog` lists it.
///
/// ```
/// use metrics_runtime::{Counter, Metrics};
///
/// #[derive(Metrics)]
/// #[metrics(prefix = "shop")]
/// struct Shop {
///     /// Orders placed.
///     orders_total: Counter,
/// }
///
/// let entry = metrics_runtime::metric_families().into_iter().find(|e| e.name == "shop_orders_total").unwrap();
/// assert_eq!((entry.kind, entry.help), ("counter", "Orders placed."));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FamilyEntry {
    /// The metric name, without the exporter's prefix.
    pub name: &'static str,
    /// `counter`, `gauge` or `histogram`.
    pub kind: &'static str,
    /// The HELP text.
    pub help: &'static str,
    /// Each label's name and values (`other` last for a value set).
    pub labels: Vec<(&'static str, Vec<&'static str>)>,
    /// Histogram bounds.
    pub buckets: Vec<f64>,
    /// The struct and field that declare it, with its place.
    pub declared_by: String,
}

/// Every typed metric family of the program, sorted by name.
pub fn metric_families() -> Vec<FamilyEntry> {
    all()
        .into_iter()
        .map(|family| {
            let info = &family.info;
            let lists = (info.label_values)();
            FamilyEntry {
                name: info.name,
                kind: info.kind.kind().as_str(),
                help: info.help,
                labels: info
                    .label_names
                    .iter()
                    .zip(&lists)
                    .map(|(name, list)| {
                        let values = match list {
                            LabelValues::Fixed(values) => values.to_vec(),
                            LabelValues::Registered(set) => {
                                set.values().iter().copied().chain([OTHER]).collect()
                            }
                        };
                        (*name, values)
                    })
                    .collect(),
                buckets: info.buckets.to_vec(),
                declared_by: family.location(),
            }
        })
        .collect()
}

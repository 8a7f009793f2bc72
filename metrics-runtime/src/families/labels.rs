//! Label sets of typed families: a struct of bounded label values, encoded to a dense index.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{OnceLock, PoisonError, RwLock};

use crate::labels::LabelValue;
use crate::Error;

/// The labels of a typed metric: a struct whose fields are bounded label values, made with
/// `#[derive(LabelSet)]`.
///
/// Each combination of values has a dense index (mixed radix over the fields, in order), so
/// recording is an array index and one add: no hashing, no allocation. `()` is the empty set,
/// for metrics without labels.
///
/// Fields are fieldless enums with `#[derive(LabelValue)]`, `bool`, or a [`RegisteredValue`]
/// of a [`ValueSet`] named with `#[label(values = SET)]`, for values known only at start-up.
///
/// ```
/// use metrics_runtime::{LabelSet, LabelValue};
///
/// #[derive(Clone, Copy, LabelValue)]
/// enum Cache { Llm, Embeddings }
///
/// #[derive(Clone, Copy, LabelValue)]
/// enum Lookup { Hit, Miss }
///
/// #[derive(Clone, Copy, LabelSet)]
/// struct CacheLookup {
///     cache_type: Cache,
///     result: Lookup,
/// }
///
/// use metrics_runtime::LabelSet as _;
/// assert_eq!(CacheLookup::NAMES, ["cache_type", "result"]);
/// assert_eq!(CacheLookup { cache_type: Cache::Embeddings, result: Lookup::Miss }.index(), 3);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a label set",
    label = "a typed metric takes a `#[derive(LabelSet)]` struct, or nothing",
    note = "declare the labels as a struct whose fields are label values, e.g. `#[derive(Clone, Copy, LabelSet)] struct Labels {{ tier: Tier }}`, and write `Counter<Labels>`; for no labels, write `Counter`"
)]
pub trait LabelSet {
    /// The label names, in field order.
    const NAMES: &'static [&'static str];

    /// The values of each label, in field order.
    fn value_lists() -> Vec<LabelValues>;

    /// The index of this combination among all of them: mixed radix over
    /// [`value_lists`](LabelSet::value_lists).
    fn index(&self) -> usize;
}

impl LabelSet for () {
    const NAMES: &'static [&'static str] = &[];

    fn value_lists() -> Vec<LabelValues> {
        Vec::new()
    }

    #[inline]
    fn index(&self) -> usize {
        0
    }
}

/// The values one label of a [`LabelSet`] takes.
#[derive(Clone, Copy)]
pub enum LabelValues {
    /// A fixed list, from a `LabelValue` type.
    Fixed(&'static [&'static str]),
    /// Values registered at start-up, at most the set's capacity, then `other`.
    Registered(&'static ValueSet),
}

impl LabelValues {
    /// How many indices the label takes: the list, or the capacity plus `other`.
    pub fn len(&self) -> usize {
        match self {
            Self::Fixed(values) => values.len(),
            Self::Registered(set) => set.capacity + 1,
        }
    }

    /// Whether the label takes no value at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at `index`, `None` for a slot of a value set not registered (yet).
    pub fn value(&self, index: usize) -> Option<&'static str> {
        match self {
            Self::Fixed(values) => values.get(index).copied(),
            Self::Registered(set) => set.value_at(index),
        }
    }
}

/// The fixed values of a `LabelValue` type, for the derive: listed, or a compile error.
#[doc(hidden)]
pub fn fixed_values<T: FixedLabelValue>() -> LabelValues {
    LabelValues::Fixed(T::label_values().unwrap_or(&[]))
}

/// The index of a field's value, checked against the list its type gives.
#[doc(hidden)]
#[inline]
pub fn fixed_index<T: FixedLabelValue>(value: &T) -> usize {
    value.label_index()
}

/// How many values a field's type lists.
#[doc(hidden)]
#[inline]
pub fn fixed_len<T: FixedLabelValue>() -> usize {
    T::label_values().map_or(1, <[&'static str]>::len)
}

/// A [`LabelValue`] whose values are listed up front, as a field of a [`LabelSet`] needs: a
/// fieldless enum with `#[derive(LabelValue)]` or `bool`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a label of a typed metric: its set of values is not listed up front",
    label = "a label value must come from a small, fixed set",
    note = "every distinct label value creates a time series; a `String`, a number or a `&str` can take any value and would blow up the number of series",
    note = "map the value to a fieldless enum with `#[derive(metrics_runtime::LabelValue)]`, use a `bool`, or, for values known at start-up, a `RegisteredValue` with `#[label(values = SET)]`"
)]
pub trait FixedLabelValue: LabelValue {}

impl FixedLabelValue for bool {}
impl<T: FixedLabelValue> FixedLabelValue for &T {}

/// Label values known only at start-up (agent ids from a configuration file, store ids): a
/// bounded set, registered once, with a hard capacity. Any value outside it is recorded as
/// `other`; lookups of such values ([`ValueSet::get`]) and values of another set put in a
/// field of this one are counted in `metrics_runtime_label_values_overflow_total{set}`, `set`
/// being the name given to [`ValueSet::new`].
///
/// Use a fieldless enum when the values are known when you write the code; use a value set
/// when they come from configuration, and keep its capacity to what the configuration allows.
///
/// ```
/// use metrics_runtime::ValueSet;
///
/// static AGENTS: ValueSet = ValueSet::new("agent", 8);
///
/// AGENTS.register(["planner", "coder"]).unwrap();
/// assert_eq!(AGENTS.get("coder").as_str(), "coder");
/// assert_eq!(AGENTS.get("intruder").as_str(), "other");
/// assert!(AGENTS.register(["again"]).is_err());
/// ```
pub struct ValueSet {
    name: &'static str,
    capacity: usize,
    values: OnceLock<Box<[&'static str]>>,
    /// Lookups of a value outside the set.
    overflow: AtomicU64,
    /// Whether the set is in [`SETS`].
    listed: AtomicBool,
}

/// The value recorded for anything outside a [`ValueSet`].
pub const OTHER: &str = "other";

/// Most values a [`ValueSet`] may hold.
pub const MAX_SET_CAPACITY: usize = 4096;

/// The sets met so far, for the overflow self-metric.
static SETS: RwLock<Vec<&'static ValueSet>> = RwLock::new(Vec::new());

impl ValueSet {
    /// A set named `name` (for messages and the overflow metric) of at most `capacity` values.
    /// A capacity of 0 or above [`MAX_SET_CAPACITY`] fails to compile in a `static`.
    pub const fn new(name: &'static str, capacity: usize) -> Self {
        assert!(
            capacity > 0 && capacity <= MAX_SET_CAPACITY,
            "a ValueSet holds 1 to 4096 values: give `ValueSet::new` a capacity in that range"
        );
        Self {
            name,
            capacity,
            values: OnceLock::new(),
            overflow: AtomicU64::new(0),
            listed: AtomicBool::new(false),
        }
    }

    fn list(&'static self) {
        if !self.listed.swap(true, Ordering::AcqRel) {
            SETS.write()
                .unwrap_or_else(PoisonError::into_inner)
                .push(self);
        }
    }

    /// The set's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The most values it holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Registers the values, once, at start-up. Fails, registering nothing, when the set has
    /// values already, when there are more than its capacity, or when a value is empty,
    /// repeated or `other`.
    pub fn register<I, S>(&'static self, values: I) -> Result<(), Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let invalid = |reason: String| Error::InvalidValueSet {
            set: self.name.to_owned(),
            reason,
        };
        let mut list: Vec<String> = Vec::new();
        for value in values {
            let value = value.into();
            if value.is_empty() {
                return Err(invalid("a value is empty".into()));
            }
            if value == OTHER {
                return Err(invalid(format!(
                    "`{OTHER}` is the value of everything outside the set"
                )));
            }
            if list.contains(&value) {
                return Err(invalid(format!("`{value}` is given twice")));
            }
            list.push(value);
        }
        if list.len() > self.capacity {
            return Err(invalid(format!(
                "{} values are more than its capacity of {}; raise the capacity in `ValueSet::new` if the configuration really allows that many",
                list.len(),
                self.capacity
            )));
        }
        let leaked: Box<[&'static str]> = list
            .into_iter()
            .map(|value| &*Box::leak(value.into_boxed_str()))
            .collect();
        self.values.set(leaked).map_err(|_| {
            invalid("its values are registered already; register them once, at start-up".into())
        })?;
        self.list();
        Ok(())
    }

    /// The registered value `value`, or `other` (counted) when it is not in the set. Look
    /// values up once (at start-up, or when an agent is created) and keep the result: a
    /// lookup compares strings.
    pub fn get(&'static self, value: &str) -> RegisteredValue {
        let index = self
            .values
            .get()
            .and_then(|values| values.iter().position(|known| *known == value));
        match index {
            Some(index) => RegisteredValue { set: self, index },
            None => {
                self.overflowed();
                self.other()
            }
        }
    }

    /// The `other` value of this set, for values known to be outside it (not counted).
    pub fn other(&'static self) -> RegisteredValue {
        RegisteredValue {
            set: self,
            index: self.capacity,
        }
    }

    /// Counts a value recorded as `other` because it is outside the set.
    fn overflowed(&'static self) {
        self.overflow.fetch_add(1, Ordering::Relaxed);
        self.list();
    }

    /// The registered values.
    pub fn values(&self) -> &[&'static str] {
        self.values.get().map_or(&[], |values| values)
    }

    fn value_at(&self, index: usize) -> Option<&'static str> {
        if index == self.capacity {
            return Some(OTHER);
        }
        self.values
            .get()
            .and_then(|values| values.get(index).copied())
    }

    /// Every set with registered values or overflows, with its overflow count.
    pub(crate) fn overflows() -> Vec<(&'static str, u64)> {
        SETS.read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|set| (set.name, set.overflow.load(Ordering::Relaxed)))
            .collect()
    }
}

/// A value of a [`ValueSet`], as [`ValueSet::get`] returns it; a field of a [`LabelSet`]
/// marked `#[label(values = SET)]`.
#[derive(Clone, Copy)]
pub struct RegisteredValue {
    set: &'static ValueSet,
    index: usize,
}

impl RegisteredValue {
    /// The label value.
    pub fn as_str(&self) -> &'static str {
        self.set.value_at(self.index).unwrap_or(OTHER)
    }

    /// Its index in `set`: `other`, counted, when it belongs to another set.
    #[doc(hidden)]
    #[inline]
    pub fn index_in(&self, set: &'static ValueSet) -> usize {
        if std::ptr::eq(self.set, set) {
            self.index
        } else {
            set.overflowed();
            set.capacity
        }
    }
}

impl std::fmt::Debug for RegisteredValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.set.name, self.as_str())
    }
}

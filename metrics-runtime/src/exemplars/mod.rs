//! Exemplars: the trace (or request) behind a sample, kept per histogram bucket and per failure
//! counter, and shown in the OpenMetrics exposition only.
//!
//! Where an exemplar comes from is one function, the *source*: with the `opentelemetry` feature
//! it reads the trace and span IDs of the current `tracing` span
//! ([`ExemplarLabels::from_current_span`]); any program may set its own with
//! [`ExporterBuilder::exemplars`](crate::ExporterBuilder::exemplars), for example to return a
//! request ID.
//!
//! What it costs, and why: a call of an instrumented function asks the source only when the
//! bucket its duration falls into has not tried for an exemplar during the current
//! [`exemplar_interval`](crate::ExporterBuilder::exemplar_interval) (1 s unless set; the
//! exporter's thread starts a new interval by bumping a generation number). Every other call
//! compares its bucket's generation with the current one and goes on: no clock is read. A
//! failed call (`error` or `panic`) always asks, so the failure counters keep the last failing
//! call's trace. Nothing is allocated per call: a series allocates its slot headers (24 bytes a
//! bucket) at its first attempt, and a bucket its exemplar (labels in a fixed buffer of
//! [`ExemplarLabels::MAX_LEN`] bytes) at its first capture.

#[cfg(feature = "opentelemetry")]
mod opentelemetry;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use crate::exposition::text::{escape_label_value, Float};

/// The labels of one exemplar: at most [`MAX_LEN`](Self::MAX_LEN) bytes of names and values
/// together, so always within OpenMetrics' limit of 128 characters, in a fixed buffer (making
/// one allocates nothing).
///
/// ```
/// use metrics_runtime::ExemplarLabels;
///
/// let mut labels = ExemplarLabels::new();
/// labels.push("request_id", "4f1c-22aa")?;
/// assert_eq!(labels.iter().collect::<Vec<_>>(), [("request_id", "4f1c-22aa")]);
/// assert!(labels.push("note", &"x".repeat(200)).is_err());
/// # Ok::<(), metrics_runtime::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ExemplarLabels {
    /// Names and values back to back.
    bytes: [u8; ExemplarLabels::MAX_LEN],
    /// Where each name and each value ends in `bytes`: name, value, name, value...
    ends: [u8; 2 * ExemplarLabels::MAX_PAIRS],
    /// How many names and values `ends` holds.
    parts: u8,
}

impl ExemplarLabels {
    /// Bytes of label names and values together, at most: OpenMetrics allows 128 characters.
    pub const MAX_LEN: usize = 128;
    /// Labels at most.
    pub const MAX_PAIRS: usize = 8;

    /// No labels yet.
    ///
    /// ```
    /// assert!(metrics_runtime::ExemplarLabels::new().is_empty());
    /// ```
    pub const fn new() -> Self {
        Self {
            bytes: [0; Self::MAX_LEN],
            ends: [0; 2 * Self::MAX_PAIRS],
            parts: 0,
        }
    }

    /// The labels OpenTelemetry's tools look for: `trace_id` as 32 and `span_id` as 16
    /// lowercase hexadecimal digits.
    ///
    /// ```
    /// let labels = metrics_runtime::ExemplarLabels::trace(0x4bf92f3577b34da6a3ce929d0e0e4736, 0x00f067aa0ba902b7);
    /// assert_eq!(
    ///     labels.iter().collect::<Vec<_>>(),
    ///     [("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"), ("span_id", "00f067aa0ba902b7")]
    /// );
    /// ```
    pub fn trace(trace_id: u128, span_id: u64) -> Self {
        let mut labels = Self::new();
        labels.push_hex("trace_id", &trace_id.to_be_bytes());
        labels.push_hex("span_id", &span_id.to_be_bytes());
        labels
    }

    /// Adds a label; an [`Error`](crate::Error) when the name is not a valid label name, when
    /// there are [`MAX_PAIRS`](Self::MAX_PAIRS) labels already, or when names and values would
    /// exceed [`MAX_LEN`](Self::MAX_LEN) bytes. The labels stay as they were then.
    ///
    /// ```
    /// let mut labels = metrics_runtime::ExemplarLabels::new();
    /// labels.push("request_id", "r-17")?;
    /// assert!(labels.push("not a name", "x").is_err());
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn push(&mut self, name: &str, value: &str) -> Result<(), crate::Error> {
        let valid_name = !name.is_empty()
            && name.bytes().enumerate().all(|(at, byte)| {
                byte == b'_' || byte.is_ascii_alphabetic() || (at > 0 && byte.is_ascii_digit())
            });
        let refuse = |reason: String| {
            Err(crate::Error::InvalidExemplar {
                name: name.to_owned(),
                reason,
            })
        };
        if !valid_name {
            return refuse("use letters, digits and `_`, not starting with a digit".to_owned());
        }
        if usize::from(self.parts) == 2 * Self::MAX_PAIRS {
            return refuse(format!(
                "an exemplar has {} labels at most",
                Self::MAX_PAIRS
            ));
        }
        let len = self.len() + name.len() + value.len();
        if len > Self::MAX_LEN {
            return refuse(format!(
                "names and values together would be {len} bytes, over the limit of {} (OpenMetrics allows 128 characters); shorten the value",
                Self::MAX_LEN
            ));
        }
        self.append(name.as_bytes());
        self.append(value.as_bytes());
        Ok(())
    }

    /// Whether there are no labels.
    ///
    /// ```
    /// assert!(!metrics_runtime::ExemplarLabels::trace(1, 2).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.parts == 0
    }

    /// The labels, as names and values, in the order they were pushed.
    ///
    /// ```
    /// let labels = metrics_runtime::ExemplarLabels::trace(1, 2);
    /// assert_eq!(labels.iter().count(), 2);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        (0..usize::from(self.parts) / 2)
            .map(move |pair| (self.part(2 * pair), self.part(2 * pair + 1)))
    }

    /// The exemplar labels of the current moment from the source the exporter was built with
    /// ([`ExporterBuilder::exemplars`](crate::ExporterBuilder::exemplars); with the
    /// `opentelemetry` feature and no source of your own,
    /// [`from_current_span`](Self::from_current_span)); `None` without a source, or when the
    /// source has none. For the typed metrics' `*_with_exemplar` methods.
    ///
    /// ```
    /// // No exporter was installed in this example: no source.
    /// # #[cfg(not(feature = "opentelemetry"))]
    /// assert!(metrics_runtime::ExemplarLabels::current().is_none());
    /// ```
    pub fn current() -> Option<Self> {
        source().and_then(|source| source())
    }

    fn len(&self) -> usize {
        match self.parts {
            0 => 0,
            parts => usize::from(self.ends[usize::from(parts) - 1]),
        }
    }

    fn part(&self, index: usize) -> &str {
        let start = match index {
            0 => 0,
            _ => usize::from(self.ends[index - 1]),
        };
        let end = usize::from(self.ends[index]);
        // Only whole `&str`s are appended, so every part is UTF-8 on its own.
        std::str::from_utf8(&self.bytes[start..end]).unwrap_or_default()
    }

    /// Appends one part; the caller has checked room and count.
    fn append(&mut self, part: &[u8]) {
        let start = self.len();
        let end = start + part.len();
        self.bytes[start..end].copy_from_slice(part);
        // `end` is at most MAX_LEN, 128.
        self.ends[usize::from(self.parts)] = end as u8;
        self.parts += 1;
    }

    fn push_hex(&mut self, name: &str, id: &[u8]) {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        self.append(name.as_bytes());
        let start = self.len();
        for (at, byte) in id.iter().enumerate() {
            self.bytes[start + 2 * at] = DIGITS[usize::from(byte >> 4)];
            self.bytes[start + 2 * at + 1] = DIGITS[usize::from(byte & 0xf)];
        }
        self.ends[usize::from(self.parts)] = (start + 2 * id.len()) as u8;
        self.parts += 1;
    }
}

impl Default for ExemplarLabels {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for ExemplarLabels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Where exemplars come from: a function called at the moment of an observation, returning its
/// labels or `None` (no exemplar for this one).
pub type ExemplarSource = fn() -> Option<ExemplarLabels>;

static SOURCE: RwLock<Option<ExemplarSource>> = RwLock::new(None);
/// The current interval's number, for the buckets' one try per interval, in one word with
/// the two other things a call needs to know, so that it reads one: 0 while no source is set
/// ([`OFF`]), [`EVERY_CALL_STATE`] when every call tries.
static GENERATION: AtomicU64 = AtomicU64::new(OFF);
const OFF: u64 = 0;
const EVERY_CALL_STATE: u64 = u64::MAX;

/// The source of exemplars, as the exporter's builder chose it; an `interval` of zero makes
/// every call try. Otherwise the exporter's thread calls [`next_interval`] every `interval`.
pub(crate) fn set_source(source: Option<ExemplarSource>, interval: Duration) {
    // The source first: a call that sees the generation finds it.
    *SOURCE.write().unwrap_or_else(PoisonError::into_inner) = source;
    GENERATION.store(
        match (source.is_some(), interval.is_zero()) {
            (false, _) => OFF,
            (true, true) => EVERY_CALL_STATE,
            (true, false) => 1,
        },
        Ordering::Release,
    );
}

/// Starts a new interval: every bucket may try for an exemplar once more.
pub(crate) fn next_interval() {
    // Only between the two special values: off and every call stay as they are.
    let _ = GENERATION.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |generation| {
        (generation != OFF && generation != EVERY_CALL_STATE)
            .then(|| (generation + 1).clamp(1, EVERY_CALL_STATE - 1))
    });
}

/// The source the exporter uses when the builder was given none.
pub(crate) fn default_source() -> Option<ExemplarSource> {
    #[cfg(feature = "opentelemetry")]
    return Some(ExemplarLabels::from_current_span);
    #[cfg(not(feature = "opentelemetry"))]
    None
}

fn source() -> Option<ExemplarSource> {
    if GENERATION.load(Ordering::Acquire) == OFF {
        return None;
    }
    *SOURCE.read().unwrap_or_else(PoisonError::into_inner)
}

/// One exemplar as captured.
#[derive(Clone, Copy)]
pub(crate) struct Captured {
    pub(crate) labels: ExemplarLabels,
    pub(crate) value: f64,
    /// Seconds since the Unix epoch.
    pub(crate) timestamp: f64,
}

/// The exemplar of one bucket or counter.
#[derive(Default)]
pub(crate) struct ExemplarSlot {
    /// The generation of the last try; 0 before the first.
    tried: AtomicU64,
    /// Made at the first capture: a bucket that never gets an exemplar (calls outside any
    /// span, or never that slow) costs its 24-byte header only.
    captured: OnceLock<Box<Mutex<Captured>>>,
}

impl ExemplarSlot {
    /// Whether this slot tries now: once per `generation`; the winner of a race tries.
    #[inline]
    fn due(&self, generation: u64) -> bool {
        let last = self.tried.load(Ordering::Relaxed);
        last != generation
            && self
                .tried
                .compare_exchange(last, generation, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
    }

    /// Keeps `labels` with `value`; skipped if a scrape or another writer holds the slot.
    fn keep(&self, labels: ExemplarLabels, value: f64) {
        let captured = Captured::now(labels, value);
        let mut made = false;
        let cell = self.captured.get_or_init(|| {
            made = true;
            Box::new(Mutex::new(captured))
        });
        if !made {
            if let Ok(mut slot) = cell.try_lock() {
                *slot = captured;
            }
        }
    }

    /// Asks the source and keeps what it gives.
    fn capture(&self, value: f64) {
        if let Some(labels) = source().and_then(|source| source()) {
            if !labels.is_empty() {
                self.keep(labels, value);
            }
        }
    }

    /// The exemplar the slot holds, if any.
    pub(crate) fn get(&self) -> Option<Captured> {
        let cell = self.captured.get()?;
        let captured = *cell.lock().unwrap_or_else(PoisonError::into_inner);
        Some(captured)
    }
}

impl Captured {
    fn now(labels: ExemplarLabels, value: f64) -> Self {
        let timestamp = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0.0, |since| since.as_secs_f64());
        Self {
            labels,
            value,
            timestamp,
        }
    }

    /// Replaces the line feed that ends `out` with ` # {labels} value timestamp\n`.
    pub(crate) fn end_line(&self, out: &mut String) {
        use std::fmt::Write as _;
        out.pop();
        out.push_str(" # {");
        for (at, (name, value)) in self.labels.iter().enumerate() {
            if at > 0 {
                out.push(',');
            }
            out.push_str(name);
            out.push_str("=\"");
            out.push_str(&escape_label_value(value));
            out.push('"');
        }
        let _ = writeln!(out, "}} {} {:.3}", Float(self.value), self.timestamp);
    }
}

/// Exemplars the program gave typed metrics (`*_with_exemplar`), by the storage word of the
/// counter or histogram bucket. One map for all typed families: such exemplars are given per
/// request, not per inner-loop event; the lock is held for one insert, and a render copies the
/// map rather than hold it.
static GIVEN: Mutex<BTreeMap<usize, Captured>> = Mutex::new(BTreeMap::new());

/// Keeps `labels` for the counter or bucket at `word`; empty labels keep nothing.
pub(crate) fn give(word: usize, labels: &ExemplarLabels, value: f64) {
    if labels.is_empty() {
        return;
    }
    let captured = Captured::now(*labels, value);
    GIVEN
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(word, captured);
}

/// A copy of the exemplars given to typed metrics, for one render; `None` when there are none.
pub(crate) struct Given(BTreeMap<usize, Captured>);

impl Given {
    pub(crate) fn copy() -> Option<Self> {
        let given = GIVEN.lock().unwrap_or_else(PoisonError::into_inner);
        (!given.is_empty()).then(|| Self(given.clone()))
    }

    /// The exemplar given for the counter or bucket at `word`.
    pub(crate) fn get(&self, word: usize) -> Option<Captured> {
        self.0.get(&word).copied()
    }
}

/// The exemplars of one histogram series, one per bucket (`+Inf` last), made at the first
/// attempt.
#[derive(Default)]
pub(crate) struct BucketExemplars {
    slots: OnceLock<Box<[ExemplarSlot]>>,
}

impl BucketExemplars {
    /// After `value` was recorded into `bucket` of `buckets`: tries for an exemplar if a
    /// source is set and the bucket has not tried in this interval.
    #[inline]
    pub(crate) fn offer(&self, buckets: usize, bucket: usize, value: f64) {
        let generation = GENERATION.load(Ordering::Relaxed);
        if generation == OFF {
            return;
        }
        let slots = self
            .slots
            .get_or_init(|| (0..buckets).map(|_| ExemplarSlot::default()).collect());
        if let Some(slot) = slots.get(bucket) {
            if generation == EVERY_CALL_STATE || slot.due(generation) {
                slot.capture(value);
            }
        }
    }

    /// The slot of `bucket`, if any exemplar was tried for.
    pub(crate) fn slot(&self, bucket: usize) -> Option<&ExemplarSlot> {
        self.slots.get()?.get(bucket)
    }
}

/// The exemplar of one counter series, made at the first attempt.
#[derive(Default)]
pub(crate) struct CounterExemplar {
    slot: OnceLock<Box<ExemplarSlot>>,
}

impl CounterExemplar {
    /// After the counter went up by `value`: asks the source every time (failures are rare
    /// enough, and the last one is what an operator looks for).
    #[inline]
    pub(crate) fn offer(&self, value: f64) {
        if GENERATION.load(Ordering::Relaxed) != OFF {
            self.slot.get_or_init(Box::default).capture(value);
        }
    }

    pub(crate) fn slot(&self) -> Option<&ExemplarSlot> {
        self.slot.get().map(|slot| &**slot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_hold_up_to_the_limit_and_refuse_beyond() {
        let mut labels = ExemplarLabels::new();
        labels.push("a", &"v".repeat(127)).unwrap();
        assert_eq!(labels.len(), 128);
        let before = labels;
        assert!(labels.push("b", "").is_err());
        assert_eq!(labels, before);
        let mut many = ExemplarLabels::new();
        for at in 0..ExemplarLabels::MAX_PAIRS {
            many.push(["a", "b", "c", "d", "e", "f", "g", "h"][at], "1")
                .unwrap();
        }
        assert!(many.push("i", "1").is_err());
        assert!(ExemplarLabels::new().push("1a", "x").is_err());
        let mut text = ExemplarLabels::new();
        text.push("name", "é\"\\\n").unwrap();
        assert_eq!(text.iter().collect::<Vec<_>>(), [("name", "é\"\\\n")]);
    }

    #[test]
    fn slot_writes_escaped_labels_value_and_timestamp() {
        let slot = ExemplarSlot::default();
        let mut out = String::from("x_bucket{le=\"1\"} 3\n");
        assert!(slot.get().is_none(), "nothing before a capture");
        let mut labels = ExemplarLabels::new();
        labels.push("request_id", "a\"b\\c\nd").unwrap();
        slot.keep(labels, 0.25);
        slot.get().unwrap().end_line(&mut out);
        let (line, timestamp) = out.strip_suffix('\n').unwrap().rsplit_once(' ').unwrap();
        assert_eq!(
            line,
            "x_bucket{le=\"1\"} 3 # {request_id=\"a\\\"b\\\\c\\nd\"} 0.25"
        );
        let timestamp: f64 = timestamp.parse().unwrap();
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        assert!((now - timestamp).abs() < 60.0, "{timestamp} vs {now}");
    }

    #[test]
    fn a_slot_is_due_once_per_interval() {
        let slot = ExemplarSlot::default();
        assert!(slot.due(1));
        assert!(!slot.due(1));
        assert!(slot.due(2));
        assert!(!slot.due(2));
    }
}

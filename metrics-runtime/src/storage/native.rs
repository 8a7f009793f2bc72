//! Native histograms: exponential buckets at a fixed resolution, stored densely in the slabs
//! like every other word, made sparse (and coarser when too many buckets are populated) only
//! when a scrape asks for them.
//!
//! A bucket's upper bound is `2^(key / 2^schema)`: schema 3 gives 8 buckets per power of two,
//! each about 9% wider than the one below. The key of a value comes from the bits of the `f64`:
//! its binary exponent, and for the fraction `[0.5, 1)` a search in a table of `2^schema`
//! bounds made once. No logarithm per observation.
//!
//! Recording is one `fetch_add` on the calling thread's shard, as for classic buckets: the key
//! range is fixed (magnitudes from [`ZERO_THRESHOLD`] to `2^40`, each sign), so no observation
//! moves buckets around. Words that no observation touched cost nothing: slab pages are made
//! on the first write. When a scrape finds more than the maximum of populated buckets, it
//! halves the resolution until they fit, as client_golang does when it records.

use std::sync::{OnceLock, PoisonError, RwLock};

use super::{allocate_native_words, block, own_slab, Totals};

/// Magnitudes at most this are counted in the zero bucket: 2^-32 (about 0.23 ns as seconds).
pub(crate) const ZERO_THRESHOLD: f64 = 1.0 / 4_294_967_296.0;
/// Binary exponents (of `frexp`, fraction in `[0.5, 1)`) above the zero threshold: `2^-32`
/// exclusive to `2^40` inclusive. Larger magnitudes, infinities included, are counted in the
/// highest bucket.
const MIN_EXPONENT: i32 = -31;
const MAX_EXPONENT: i32 = 40;
/// Finest schema one can record at: 16 buckets per power of two, about 4.4% wide.
pub(crate) const MAX_SCHEMA: i8 = 4;
/// Coarsest schema a scrape may reduce to.
const MIN_SCHEMA: i8 = -4;
/// Schema recorded unless configured: factor 2^(1/8), about 1.09.
pub(crate) const DEFAULT_SCHEMA: i8 = 3;
/// Populated buckets a scrape sends at most, unless configured.
pub(crate) const DEFAULT_MAX_BUCKETS: usize = 160;

/// Word offsets inside a series: the zero bucket, then the keys of positive and then negative
/// values. The count and the sum are the classic histogram's, which records the same
/// observations (a NaN counts there, in `+Inf`, and in no native bucket).
const ZERO: usize = 0;
const KEYS: usize = 1;

/// Where a family's native histograms keep their keys: the schema they record at, and the
/// fraction bounds of that schema.
#[derive(Debug)]
pub(crate) struct NativeLayout {
    schema: i8,
    /// `2^(j / 2^schema) / 2` for `j` in `0..2^schema`: the upper bounds, within one power of
    /// two, of the fraction `frexp` gives; then `+Inf`, so that the lookup needs no check.
    bounds: [f64; (1 << MAX_SCHEMA) + 1],
    /// For each of 256 equal cells of the fraction's range `[0.5, 1)` (the mantissa's top 8
    /// bits), how many bounds lie below the cell: bounds are at least 2% apart, a cell is 0.2%
    /// wide, so one comparison finishes the lookup.
    cells: [u8; 256],
    lowest_key: i32,
    keys_per_sign: usize,
    max_buckets: usize,
}

impl NativeLayout {
    /// Recording at `schema` (clamped to `0..=MAX_SCHEMA`), scrapes sending at most
    /// `max_buckets` populated buckets.
    pub(crate) fn new(schema: i8, max_buckets: usize) -> Self {
        let schema = schema.clamp(0, MAX_SCHEMA);
        let per_octave = 1usize << schema;
        let mut bounds = [f64::INFINITY; (1 << MAX_SCHEMA) + 1];
        for (j, bound) in bounds.iter_mut().take(per_octave).enumerate() {
            *bound = (j as f64 / per_octave as f64).exp2() / 2.0;
        }
        let mut cells = [0u8; 256];
        for (cell, below) in cells.iter_mut().enumerate() {
            let lower_edge = 0.5 + cell as f64 / 512.0;
            *below = bounds[..per_octave]
                .iter()
                .filter(|&&bound| bound < lower_edge)
                .count() as u8;
        }
        Self {
            schema,
            bounds,
            cells,
            lowest_key: ((MIN_EXPONENT - 1) << schema) + 1,
            keys_per_sign: ((MAX_EXPONENT - MIN_EXPONENT + 1) as usize) << schema,
            max_buckets: max_buckets.max(1),
        }
    }

    /// The finest schema whose bucket ratio, `2^(2^-schema)`, is at most `factor`
    /// (client_golang's rule); non-finite or tiny factors give the finest, 2 and more the
    /// coarsest.
    pub(crate) fn from_factor(factor: f64, max_buckets: usize) -> Self {
        let schema = (0..=MAX_SCHEMA)
            .find(|&schema| (-f64::from(schema)).exp2().exp2() <= factor)
            .unwrap_or(MAX_SCHEMA);
        Self::new(schema, max_buckets)
    }

    /// Keys per sign: from `(MIN_EXPONENT - 1) * 2^schema + 1` to `MAX_EXPONENT * 2^schema`.
    fn keys_per_sign(&self) -> usize {
        self.keys_per_sign
    }

    /// Words of one series.
    pub(crate) fn words(&self) -> usize {
        KEYS + 2 * self.keys_per_sign()
    }

    fn lowest_key(&self) -> i32 {
        self.lowest_key
    }

    /// The key of a magnitude above the zero threshold (or NaN, which callers exclude):
    /// the smallest `k` with `magnitude <= 2^(k / 2^schema)`, clamped to the key range.
    #[inline]
    pub(crate) fn key(&self, magnitude: f64) -> i32 {
        let bits = magnitude.to_bits();
        // Normal numbers only: the zero threshold is far above the subnormals.
        let exponent = ((bits >> 52) & 0x7ff) as i32 - 1022;
        if exponent > MAX_EXPONENT {
            return MAX_EXPONENT << self.schema;
        }
        let fraction = f64::from_bits((bits & ((1u64 << 52) - 1)) | (1022u64 << 52));
        let below = self.cells[((bits >> 44) & 0xff) as usize] as usize;
        let within = below as i32 + i32::from(self.bounds[below] < fraction);
        (((exponent - 1) << self.schema) + within).max(self.lowest_key)
    }

    /// The word, relative to a series' first, that `value` is counted in; none for NaN.
    #[inline]
    fn word_of(&self, value: f64) -> Option<usize> {
        let magnitude = value.abs();
        if magnitude.is_nan() {
            return None;
        }
        if magnitude <= ZERO_THRESHOLD {
            return Some(ZERO);
        }
        let index = (self.key(magnitude) - self.lowest_key()) as usize;
        Some(if value > 0.0 {
            KEYS + index
        } else {
            KEYS + self.keys_per_sign() + index
        })
    }
}

/// The layout of native histograms made from now on, as the exporter's builder chose it;
/// `None`: classic buckets only.
static CONFIGURED: RwLock<Option<(bool, &'static NativeLayout)>> = RwLock::new(None);

/// Sets the layout of native histograms made from now on, and whether histograms have them
/// unless their call site says otherwise (the exporter does, at install).
pub(crate) fn configure(by_default: bool, layout: NativeLayout) {
    let layout: &'static NativeLayout = Box::leak(Box::new(layout));
    *CONFIGURED.write().unwrap_or_else(PoisonError::into_inner) = Some((by_default, layout));
}

/// The layout for a native histogram made now: the configured one, or before any
/// configuration the default (schema 3, 160 buckets).
pub(crate) fn layout() -> &'static NativeLayout {
    static DEFAULT: OnceLock<NativeLayout> = OnceLock::new();
    match *CONFIGURED.read().unwrap_or_else(PoisonError::into_inner) {
        Some((_, layout)) => layout,
        None => DEFAULT.get_or_init(|| NativeLayout::new(DEFAULT_SCHEMA, DEFAULT_MAX_BUCKETS)),
    }
}

/// The layout for a histogram made now that does not choose: [`layout`], unless native
/// histograms were turned off by default.
pub(crate) fn configured() -> Option<&'static NativeLayout> {
    let by_default = CONFIGURED
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .is_none_or(|(by_default, _)| by_default);
    by_default.then(layout)
}

/// Series whose words are interleaved: word `o` of series `j` of a stripe is the stripe's
/// `o * STRIPE + j`. Observations of one series crowd into a few neighbouring keys, and the
/// same keys of the stripe's series share slab pages, so a page made for one series' hot keys
/// serves the stripe's other series (with similar values) instead of holding one series' cold
/// keys: a function costs about 250 bytes of native words per shard that writes it, not 2 KB.
pub(crate) const STRIPE: usize = 32;

/// The first word of series `index` of a run of series allocated together at `first`.
pub(crate) fn series_first(first: usize, layout: &NativeLayout, index: usize) -> usize {
    first + (index / STRIPE) * STRIPE * layout.words() + index % STRIPE
}

/// `series` native histograms of `layout` in stripes of [`STRIPE`]; the first word of the
/// first one (see [`series_first`]).
pub(crate) fn allocate(layout: &NativeLayout, series: usize) -> usize {
    allocate_native_words(STRIPE * layout.words() * series.div_ceil(STRIPE))
}

/// Series a call-site chunk holds: [`allocate_one`] takes this many at once, so that the
/// classic words allocated between chunks stay packed in shared pages.
const CHUNK_SERIES: usize = 4 * STRIPE;

/// One series, in the open chunk of its layout: series made one at a time (call sites) fill
/// stripes too.
fn allocate_one(layout: &'static NativeLayout) -> usize {
    /// The chunk being filled: its layout, first word and series taken.
    static OPEN: std::sync::Mutex<Option<(usize, usize, usize)>> = std::sync::Mutex::new(None);
    let mut open = OPEN.lock().unwrap_or_else(PoisonError::into_inner);
    let key = layout as *const NativeLayout as usize;
    match &mut *open {
        Some((owner, first, taken)) if *owner == key && *taken < CHUNK_SERIES => {
            *taken += 1;
            series_first(*first, layout, *taken - 1)
        }
        _ => {
            let first = allocate(layout, CHUNK_SERIES);
            *open = Some((key, first, 1));
            first
        }
    }
}

/// Records `value` into the native histogram whose first word is `first`.
#[inline]
pub(crate) fn record(first: usize, layout: &NativeLayout, value: f64) {
    if let Some(word) = layout.word_of(value) {
        own_slab()
            .word(first + word * STRIPE)
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// One native histogram as a scrape sends it: sparse, at the schema that keeps the populated
/// buckets within the maximum.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NativeSnapshot {
    pub schema: i8,
    pub zero_threshold: f64,
    pub zero_count: u64,
    /// Populated buckets as (key, count), keys ascending.
    pub positive: Vec<(i32, u64)>,
    pub negative: Vec<(i32, u64)>,
}

impl NativeSnapshot {
    /// A native histogram of `layout` without observations.
    pub(crate) fn empty(layout: &NativeLayout) -> Self {
        Self {
            schema: layout.schema,
            zero_threshold: ZERO_THRESHOLD,
            zero_count: 0,
            positive: Vec::new(),
            negative: Vec::new(),
        }
    }

    /// The native histogram at `first`, summed over the shards (from `totals` when it holds
    /// it).
    #[cfg(test)]
    pub(crate) fn read(first: usize, layout: &NativeLayout, totals: Option<&Totals>) -> Self {
        let mut snapshot = Self::empty(layout);
        snapshot.read_into(first, layout, totals);
        snapshot
    }

    /// As [`read`](Self::read), into this snapshot's buffers: a scrape reads thousands.
    pub(crate) fn read_into(
        &mut self,
        first: usize,
        layout: &NativeLayout,
        totals: Option<&Totals>,
    ) {
        let word = |offset: usize| block::total(first + offset * STRIPE, totals);
        let keys = layout.keys_per_sign();
        let lowest = layout.lowest_key();
        // From the pages some shard has, when the totals hold them all: most keys are never
        // written, and a series' keys share their pages with the 31 other series of its stripe.
        let populated = |start: usize, found: &mut Vec<(i32, u64)>| {
            found.clear();
            let base = first + start * STRIPE;
            let end = base + keys * STRIPE;
            let mut keep = |key: usize, count: u64| {
                if count > 0 {
                    found.push((lowest + key as i32, count));
                }
            };
            match totals.and_then(|totals| totals.native_pages(base, end)) {
                Some(pages) => {
                    for (page_start, words) in pages {
                        let from = page_start.max(base);
                        let mut at = from + (STRIPE - (from - base) % STRIPE) % STRIPE;
                        while at < (page_start + words.len()).min(end) {
                            keep((at - base) / STRIPE, words[at - page_start]);
                            at += STRIPE;
                        }
                    }
                }
                // Made after the totals were taken: from the shards.
                None => (0..keys).for_each(|key| keep(key, word(start + key))),
            }
        };
        self.schema = layout.schema;
        self.zero_threshold = ZERO_THRESHOLD;
        self.zero_count = word(ZERO);
        populated(KEYS, &mut self.positive);
        populated(KEYS + keys, &mut self.negative);
        while self.positive.len() + self.negative.len() > layout.max_buckets
            && self.schema > MIN_SCHEMA
        {
            self.halve_resolution();
        }
    }

    /// One schema coarser: bucket `k` becomes `ceil(k / 2)`, which covers `2k - 1` and `2k`.
    fn halve_resolution(&mut self) {
        self.schema -= 1;
        for buckets in [&mut self.positive, &mut self.negative] {
            let mut merged: Vec<(i32, u64)> = Vec::with_capacity(buckets.len() / 2 + 1);
            for &(key, count) in buckets.iter() {
                let key = (key + 1).div_euclid(2);
                match merged.last_mut() {
                    Some((last, total)) if *last == key => *total += count,
                    _ => merged.push((key, count)),
                }
            }
            *buckets = merged;
        }
    }

    /// Buckets as Prometheus' spans: runs of consecutive keys, the first span's offset its
    /// first key, later ones the gap after the previous span.
    pub(crate) fn spans(buckets: &[(i32, u64)]) -> impl Iterator<Item = (i32, u32)> + '_ {
        let mut at = 0;
        let mut next_key = None;
        std::iter::from_fn(move || {
            let &(first, _) = buckets.get(at)?;
            let mut length = 1;
            while buckets
                .get(at + length)
                .is_some_and(|&(key, _)| key == first + length as i32)
            {
                length += 1;
            }
            at += length;
            let offset = next_key.map_or(first, |next| first - next);
            next_key = Some(first + length as i32);
            Some((offset, length as u32))
        })
    }

    /// Bucket counts as Prometheus' deltas: each the difference from the previous one.
    pub(crate) fn deltas(buckets: &[(i32, u64)]) -> impl Iterator<Item = i64> + '_ {
        let mut previous = 0i64;
        buckets.iter().map(move |&(_, count)| {
            let count = count as i64;
            let delta = count.wrapping_sub(previous);
            previous = count;
            delta
        })
    }
}

/// A native histogram series of the recorder's storage.
pub(crate) struct NativeHistogram {
    layout: &'static NativeLayout,
    first: usize,
}

impl NativeHistogram {
    pub(crate) fn new(layout: &'static NativeLayout) -> Self {
        let first = allocate_one(layout);
        Self { layout, first }
    }

    #[inline]
    pub(crate) fn record(&self, value: f64) {
        record(self.first, self.layout, value);
    }

    /// The native histogram summed over the shards (from `totals` when it holds it), into
    /// `snapshot`'s buffers.
    pub(crate) fn snapshot_into(&self, snapshot: &mut NativeSnapshot, totals: Option<&Totals>) {
        snapshot.read_into(self.first, self.layout, totals);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key by its definition, `ceil(log2(v) * 2^schema)`, with a logarithm.
    fn reference_key(magnitude: f64, schema: i8) -> f64 {
        (magnitude.log2() * f64::from(1u32 << schema)).ceil()
    }

    /// A small deterministic generator (xorshift64*), for values across every exponent.
    struct Values(u64);

    impl Iterator for Values {
        type Item = f64;
        fn next(&mut self) -> Option<f64> {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            Some(f64::from_bits(self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)))
        }
    }

    #[test]
    fn keys_match_the_logarithm_on_random_values() {
        for schema in 0..=MAX_SCHEMA {
            let layout = NativeLayout::new(schema, DEFAULT_MAX_BUCKETS);
            let lowest = layout.lowest_key();
            let highest = MAX_EXPONENT << schema;
            let mut checked = 0;
            for value in Values(0x9e37_79b9_7f4a_7c15).take(200_000) {
                let magnitude = value.abs();
                if !magnitude.is_finite() || magnitude <= ZERO_THRESHOLD {
                    continue;
                }
                let key = layout.key(magnitude);
                let expected =
                    reference_key(magnitude, schema).clamp(lowest as f64, highest as f64);
                if key as f64 != expected {
                    // Only where the logarithm itself rounds: within a few ulps of a bound.
                    let bound = (f64::from(key) / f64::from(1u32 << schema)).exp2();
                    let relative = ((magnitude - bound) / bound).abs();
                    assert!(
                        relative < 1e-14,
                        "schema {schema}: {magnitude:e} got key {key}, log2 says {expected}"
                    );
                }
                checked += 1;
            }
            assert!(
                checked > 10_000,
                "schema {schema}: {checked} values in range"
            );
            // Values in the recorded range, as durations are: 1 ns to 1 day.
            for value in Values(7).take(100_000) {
                let magnitude =
                    1e-9 * (86_400e9f64).powf((value.to_bits() >> 11) as f64 / (1u64 << 53) as f64);
                let key = layout.key(magnitude);
                let expected = reference_key(magnitude, schema);
                let bound = (f64::from(key) / f64::from(1u32 << schema)).exp2();
                assert!(
                    key as f64 == expected || ((magnitude - bound) / bound).abs() < 1e-14,
                    "schema {schema}: {magnitude:e} got key {key}, log2 says {expected}"
                );
            }
        }
    }

    #[test]
    fn factors_choose_the_schema_as_client_golang() {
        let schema = |factor| NativeLayout::from_factor(factor, 160).schema;
        assert_eq!(schema(1.1), 3);
        assert_eq!(schema(2.0), 0);
        assert_eq!(schema(4.0), 0);
        assert_eq!(schema(1.5), 1);
        assert_eq!(schema(1.19), 2);
        assert_eq!(schema(1.0906), 3);
        assert_eq!(schema(1.0905), 4, "just under 2^(1/8)");
        assert_eq!(schema(1.05), 4);
        assert_eq!(schema(1.0), 4);
        assert_eq!(schema(f64::NAN), 4);
    }

    #[test]
    fn bounds_are_inclusive_upper_bounds() {
        let layout = NativeLayout::new(3, DEFAULT_MAX_BUCKETS);
        for exponent in -20..20 {
            let power = f64::from(exponent).exp2();
            assert_eq!(layout.key(power), exponent * 8, "2^{exponent}");
            assert_eq!(layout.key(power * (1.0 + 1e-12)), exponent * 8 + 1);
            assert_eq!(layout.key(power * (1.0 - 1e-12)), exponent * 8);
        }
        assert_eq!(layout.key(1.0), 0);
        assert_eq!(layout.key(1.09), 1, "2^(1/8) = 1.0905");
        assert_eq!(layout.key(1.091), 2);
    }

    #[test]
    fn zero_nan_infinities_negatives_and_extremes_have_a_word() {
        let layout = NativeLayout::new(3, DEFAULT_MAX_BUCKETS);
        let keys = layout.keys_per_sign();
        assert_eq!(layout.word_of(0.0), Some(ZERO));
        assert_eq!(layout.word_of(-0.0), Some(ZERO));
        assert_eq!(
            layout.word_of(f64::MIN_POSITIVE / 2.0),
            Some(ZERO),
            "subnormal"
        );
        assert_eq!(layout.word_of(ZERO_THRESHOLD), Some(ZERO));
        assert_eq!(layout.word_of(f64::NAN), None);
        assert_eq!(layout.word_of(ZERO_THRESHOLD * 1.0001), Some(KEYS));
        assert_eq!(layout.word_of(f64::INFINITY), Some(KEYS + keys - 1));
        assert_eq!(layout.word_of(f64::MAX), Some(KEYS + keys - 1));
        assert_eq!(layout.word_of(2f64.powi(40)), Some(KEYS + keys - 1));
        assert_eq!(layout.word_of(f64::NEG_INFINITY), Some(KEYS + 2 * keys - 1));
        assert_eq!(
            layout.word_of(-1.0),
            layout.word_of(1.0).map(|word| word + keys)
        );
        assert!(layout.word_of(-ZERO_THRESHOLD * 2.0) >= Some(KEYS + keys));
        assert_eq!(layout.words(), KEYS + 2 * 72 * 8);
    }

    #[test]
    fn snapshots_count_everything_and_halve_resolution_past_the_maximum() {
        let layout = NativeLayout::new(3, 4);
        let first = allocate(&layout, 1);
        for value in [0.0, 1.0, 1.05, 2.0, 3.0, 5.0, -1.0, f64::NAN] {
            record(first, &layout, value);
        }
        let snapshot = NativeSnapshot::read(first, &layout, None);
        assert_eq!(snapshot.zero_count, 1);
        // At schema 3: keys 0 (1.0), 1 (1.05), 8 (2.0), 13 (3.0), 19 (5.0) and -1 at key 0:
        // six buckets, over 4; schema 2: 0, 1, 4, 7, 10 and 0; schema 1: 0, 1, 2, 4, 5 and 0;
        // schema 0: 0, 1, 2, 3 and 0, five; schema -1 (powers of 4): 0 (1.0), 1 (1.05, 2.0
        // and 3.0 in (1, 4]), 2 (5.0) and 0: four.
        assert_eq!(snapshot.schema, -1);
        assert_eq!(snapshot.positive, vec![(0, 1), (1, 3), (2, 1)]);
        assert_eq!(snapshot.negative, vec![(0, 1)]);
        let buckets = [(-3, 2), (-2, 5), (1, 1), (4, 4)];
        let spans: Vec<_> = NativeSnapshot::spans(&buckets).collect();
        assert_eq!(spans, vec![(-3, 2), (2, 1), (2, 1)]);
        let deltas: Vec<_> = NativeSnapshot::deltas(&buckets).collect();
        assert_eq!(deltas, vec![2, 3, -4, 3]);
        assert_eq!(NativeSnapshot::spans(&[]).count(), 0);
    }
}

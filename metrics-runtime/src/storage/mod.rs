//! Storage behind the handles of this crate's own metric families: counters, gauges and
//! bucketed histograms made of relaxed atomics, sharded per thread.
//!
//! Why not the exporter's own storage: its histogram handle reads the clock and pushes every
//! sample into a buffer that upkeep drains, and its gauge increment is a compare-and-swap loop
//! on one shared word. Here every update is one `fetch_add` on a cache line that, most of the
//! time, only the calling thread writes; the shards are summed when the exposition is rendered.
//!
//! Memory does not grow with the number of cores. A series is a few word indices, the same in
//! every shard; each shard is a sparse array of words ([`Slab`]), allocated a page at a time
//! when a thread of that shard first writes a word of the page. Words of consecutive series sit
//! next to each other, so a series costs 8 bytes per word in each shard that its writers use:
//! a function called from one thread costs one shard's words, whatever the core count. Threads
//! of different shards never write the same cache line (pages are 128-byte aligned and every
//! page belongs to one shard).

pub(crate) mod native;

use std::cell::Cell;
use std::sync::atomic::{AtomicPtr, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use metrics::{CounterFn, GaugeFn, HistogramFn};

/// Most shards a process uses; the slabs are statics, so this bounds their (untouched, zero)
/// pointer tables, not the heap.
const MAX_SHARDS: usize = 32;
/// Words per page: 2 KiB, the unit a shard allocates.
const PAGE_WORDS: usize = 256;
/// Pages per directory.
const DIRECTORY_PAGES: usize = 256;
/// Directories per slab: room for 2^28 words (2 GiB of counters) per shard.
const SLAB_DIRECTORIES: usize = 4096;
const CAPACITY: usize = PAGE_WORDS * DIRECTORY_PAGES * SLAB_DIRECTORIES;

#[repr(align(128))]
struct Page([AtomicU64; PAGE_WORDS]);

struct Directory([AtomicPtr<Page>; DIRECTORY_PAGES]);

/// The words of one shard, allocated on first write, never freed (series live as long as the
/// process).
struct Slab([AtomicPtr<Directory>; SLAB_DIRECTORIES]);

impl Slab {
    const fn new() -> Self {
        Self([const { AtomicPtr::new(std::ptr::null_mut()) }; SLAB_DIRECTORIES])
    }

    /// The word, allocating its page if this shard has not written it yet.
    #[inline]
    fn word(&self, index: usize) -> &AtomicU64 {
        let directory = self.0[index / (PAGE_WORDS * DIRECTORY_PAGES)].load(Ordering::Acquire);
        // SAFETY: non-null pointers come from `Box::into_raw` in `install` and are never freed.
        let page = match unsafe { directory.as_ref() } {
            Some(directory) => {
                directory.0[(index / PAGE_WORDS) % DIRECTORY_PAGES].load(Ordering::Acquire)
            }
            None => std::ptr::null_mut(),
        };
        // SAFETY: as above.
        match unsafe { page.as_ref() } {
            Some(page) => &page.0[index % PAGE_WORDS],
            None => self.allocate(index),
        }
    }

    /// The word if its page exists; a missing page reads as zeros.
    #[inline]
    fn read(&self, index: usize) -> u64 {
        let directory = self.0[index / (PAGE_WORDS * DIRECTORY_PAGES)].load(Ordering::Acquire);
        // SAFETY: as in `word`.
        let Some(directory) = (unsafe { directory.as_ref() }) else {
            return 0;
        };
        let page = directory.0[(index / PAGE_WORDS) % DIRECTORY_PAGES].load(Ordering::Acquire);
        // SAFETY: as in `word`.
        match unsafe { page.as_ref() } {
            Some(page) => page.0[index % PAGE_WORDS].load(Ordering::Relaxed),
            None => 0,
        }
    }

    /// Adds the words `first..first + totals.len()` to `totals`, looking each page up once.
    fn add_words(&self, first: usize, totals: &mut [u64]) {
        let mut index = first;
        let end = first + totals.len();
        while index < end {
            let page_end = (index / PAGE_WORDS + 1) * PAGE_WORDS;
            let stop = page_end.min(end);
            let directory = self.0[index / (PAGE_WORDS * DIRECTORY_PAGES)].load(Ordering::Acquire);
            // SAFETY: as in `word`.
            if let Some(directory) = unsafe { directory.as_ref() } {
                let page =
                    directory.0[(index / PAGE_WORDS) % DIRECTORY_PAGES].load(Ordering::Acquire);
                // SAFETY: as in `word`.
                if let Some(page) = unsafe { page.as_ref() } {
                    for word in index..stop {
                        let total = &mut totals[word - first];
                        *total =
                            total.wrapping_add(page.0[word % PAGE_WORDS].load(Ordering::Relaxed));
                    }
                }
            }
            index = stop;
        }
    }

    #[cold]
    #[inline(never)]
    fn allocate(&self, index: usize) -> &AtomicU64 {
        let directory = install(&self.0[index / (PAGE_WORDS * DIRECTORY_PAGES)], || {
            Directory([const { AtomicPtr::new(std::ptr::null_mut()) }; DIRECTORY_PAGES])
        });
        let page = install(&directory.0[(index / PAGE_WORDS) % DIRECTORY_PAGES], || {
            Page([const { AtomicU64::new(0) }; PAGE_WORDS])
        });
        &page.0[index % PAGE_WORDS]
    }
}

/// The value behind `slot`, made by `make` if the slot is empty; a thread that loses the race
/// frees its own and uses the winner's.
fn install<T>(slot: &AtomicPtr<T>, make: impl FnOnce() -> T) -> &T {
    let current = slot.load(Ordering::Acquire);
    // SAFETY: non-null pointers in slots come from `Box::into_raw` below and are never freed.
    if let Some(value) = unsafe { current.as_ref() } {
        return value;
    }
    let fresh = Box::into_raw(Box::new(make()));
    match slot.compare_exchange(
        std::ptr::null_mut(),
        fresh,
        Ordering::AcqRel,
        Ordering::Acquire,
    ) {
        // SAFETY: just installed, never freed.
        Ok(_) => unsafe { &*fresh },
        Err(winner) => {
            // SAFETY: `fresh` was never shared; `winner` is installed and never freed.
            unsafe {
                drop(Box::from_raw(fresh));
                &*winner
            }
        }
    }
}

static SLABS: [Slab; MAX_SHARDS] = [const { Slab::new() }; MAX_SHARDS];

/// One bit per word, set for words that hold an `f64` (a histogram's sum), the same in every
/// shard: [`Totals`] adds those as floats. Word `i`'s bit is bit `i % 64` of word `i / 64`.
static FLOAT_WORDS: Slab = Slab::new();

/// Held while a histogram's words are allocated and marked, and while [`Totals`] reads the
/// word count and the marks: every word below that count then has its mark visible.
static MARKING: Mutex<()> = Mutex::new(());

fn mark_float(index: usize) {
    FLOAT_WORDS
        .word(index / 64)
        .fetch_or(1 << (index % 64), Ordering::Release);
}

/// The float bits of the page that starts at word `base`.
fn float_mask(base: usize) -> [u64; PAGE_WORDS / 64] {
    std::array::from_fn(|k| FLOAT_WORDS.read(base / 64 + k))
}

/// Native histograms' words live in the upper half of the index space, so that the text
/// formats' [`Totals`] never walk them: only the protobuf format reads them.
const NATIVE_BASE: usize = CAPACITY / 2;

/// Next free native word index.
static NEXT_NATIVE: AtomicUsize = AtomicUsize::new(NATIVE_BASE);

/// `count` consecutive native histogram words.
fn allocate_native_words(count: usize) -> usize {
    take_words(&NEXT_NATIVE, count, CAPACITY)
}

/// Next free word index, the same in every shard.
static NEXT_WORD: AtomicUsize = AtomicUsize::new(0);

/// `count` consecutive words for a new series.
fn allocate_words(count: usize) -> usize {
    take_words(&NEXT_WORD, count, NATIVE_BASE)
}

/// `count` consecutive words from the index space that `next` allocates, which ends at
/// `end`. Past its end (2^27 words, far beyond what the registry's own memory allows) series
/// share the last page rather than fail.
fn take_words(next: &AtomicUsize, count: usize, end: usize) -> usize {
    let start = next.fetch_add(count, Ordering::Relaxed);
    if start + count <= end {
        start
    } else {
        end - PAGE_WORDS
    }
}

/// Shards in use; 0 until first read.
static SHARDS: AtomicUsize = AtomicUsize::new(0);

/// Number of shards: a power of two, twice the cores so that threads assigned round-robin
/// rarely share one, capped.
#[inline]
fn shard_count() -> usize {
    match SHARDS.load(Ordering::Relaxed) {
        0 => {
            let cores = std::thread::available_parallelism().map_or(4, |n| n.get());
            let count = shards_for_cores(cores);
            SHARDS.store(count, Ordering::Relaxed);
            count
        }
        count => count,
    }
}

fn shards_for_cores(cores: usize) -> usize {
    (cores * 2).next_power_of_two().clamp(2, MAX_SHARDS)
}

/// Sizes the shards as on a host with `cores` cores; for benchmarks that measure memory at
/// emulated core counts. Takes effect for threads that have not written yet (a thread keeps
/// the shard it was assigned).
#[doc(hidden)]
pub fn emulate_cores(cores: usize) {
    SHARDS.store(shards_for_cores(cores.max(1)), Ordering::Relaxed);
}

/// Shards that threads were assigned to so far: readers sum these.
static USED_SHARDS: AtomicUsize = AtomicUsize::new(0);

/// The slab of the calling thread's shard, assigned round-robin on the thread's first update.
#[inline]
fn own_slab() -> &'static Slab {
    thread_local! {
        static SHARD: Cell<usize> = const { Cell::new(usize::MAX) };
    }
    let shard = SHARD.with(|shard| {
        let mut id = shard.get();
        if id == usize::MAX {
            id = assign_shard();
            shard.set(id);
        }
        id
    });
    &SLABS[shard]
}

#[cold]
fn assign_shard() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let shard = NEXT.fetch_add(1, Ordering::Relaxed) & (shard_count() - 1);
    USED_SHARDS.fetch_max(shard + 1, Ordering::AcqRel);
    shard
}

/// The slabs a reader sums: every shard a thread was assigned to.
#[inline]
fn slabs() -> &'static [Slab] {
    &SLABS[..USED_SHARDS.load(Ordering::Acquire)]
}

/// Every word summed over the shards at one moment, for a render: one sequential pass over
/// each shard's pages instead of a page lookup per word and shard. Words marked as floats
/// ([`FLOAT_WORDS`]) are summed as `f64`, and their totals hold the sum's bits.
pub(crate) struct Totals {
    words: Vec<u64>,
    /// Pages that some shard has: the others are all zero.
    present: Vec<bool>,
    /// The native histograms' words from [`NATIVE_BASE`], when asked for, by page: only the
    /// pages some shard has. Most of a native histogram's keys are never written, and a
    /// dense copy would cost a scrape 9 KB per series.
    native: SparseTotals,
}

impl Totals {
    /// Every word summed; the native histograms' words only `with_native` (the protobuf
    /// format reads them, the text formats do not).
    pub(crate) fn now(with_native: bool) -> Self {
        // Read once per page, not once per page and shard.
        let (len, masks, native_len) = {
            let _marking = MARKING.lock().unwrap_or_else(PoisonError::into_inner);
            let len = NEXT_WORD.load(Ordering::Acquire).min(NATIVE_BASE);
            let masks: Vec<[u64; PAGE_WORDS / 64]> = (0..len.div_ceil(PAGE_WORDS))
                .map(|page| float_mask(page * PAGE_WORDS))
                .collect();
            let native_len = match with_native {
                true => NEXT_NATIVE.load(Ordering::Acquire).min(CAPACITY) - NATIVE_BASE,
                false => 0,
            };
            (len, masks, native_len)
        };
        let mut totals = Self {
            words: vec![0u64; len],
            present: vec![false; len.div_ceil(PAGE_WORDS)],
            native: SparseTotals {
                len: native_len,
                pages: vec![None; native_len.div_ceil(PAGE_WORDS)],
                present: Vec::new(),
            },
        };
        let mut dense = DenseTotals {
            words: &mut totals.words,
            present: &mut totals.present,
        };
        sum_region(0, Some(&masks), &mut dense);
        sum_region(NATIVE_BASE, None, &mut totals.native);
        let pages = totals.native.pages.iter().enumerate();
        totals.native.present = pages
            .filter(|(_, page)| page.is_some())
            .map(|(page, _)| page)
            .collect();
        totals
    }

    /// The native pages some shard has between words `from` and `to`, as (the index of the
    /// page's first word, its totals), in order; `None` if some of those words were made after
    /// this snapshot (or it was taken without native words).
    pub(crate) fn native_pages(
        &self,
        from: usize,
        to: usize,
    ) -> Option<impl Iterator<Item = (usize, &[u64])>> {
        let native = &self.native;
        let (from, to) = (from.checked_sub(NATIVE_BASE)?, to.checked_sub(NATIVE_BASE)?);
        if to > native.len {
            return None;
        }
        let first = native
            .present
            .partition_point(|&page| (page + 1) * PAGE_WORDS <= from);
        let last = native
            .present
            .partition_point(|&page| page * PAGE_WORDS < to);
        Some(native.present[first..last].iter().filter_map(move |&page| {
            let words = native.pages[page].as_deref()?;
            Some((NATIVE_BASE + page * PAGE_WORDS, &words[..]))
        }))
    }

    /// The word's total, or `None` for a word made after this snapshot (or a native word of
    /// a snapshot without them).
    fn get(&self, index: usize) -> Option<u64> {
        match index.checked_sub(NATIVE_BASE) {
            Some(native) if native < self.native.len => Some(
                self.native.pages[native / PAGE_WORDS]
                    .as_ref()
                    .map_or(0, |page| page[native % PAGE_WORDS]),
            ),
            Some(_) => None,
            None => self.words.get(index).copied(),
        }
    }
}

/// Where [`sum_region`] adds the words of a page.
trait PageTotals {
    /// Words in the region.
    fn len(&self) -> usize;
    /// The totals of page `page` of the region, which some shard has.
    fn page(&mut self, page: usize) -> &mut [u64];
}

/// Totals of every word of a region, and which pages some shard has.
struct DenseTotals<'a> {
    words: &'a mut [u64],
    present: &'a mut [bool],
}

impl PageTotals for DenseTotals<'_> {
    fn len(&self) -> usize {
        self.words.len()
    }

    fn page(&mut self, page: usize) -> &mut [u64] {
        self.present[page] = true;
        let end = ((page + 1) * PAGE_WORDS).min(self.words.len());
        &mut self.words[page * PAGE_WORDS..end]
    }
}

/// Totals of the pages some shard has, the others absent.
struct SparseTotals {
    len: usize,
    pages: Vec<Option<Box<[u64; PAGE_WORDS]>>>,
    /// The pages some shard has, in order.
    present: Vec<usize>,
}

impl PageTotals for SparseTotals {
    fn len(&self) -> usize {
        self.len
    }

    fn page(&mut self, page: usize) -> &mut [u64] {
        let end = ((page + 1) * PAGE_WORDS).min(self.len) - page * PAGE_WORDS;
        &mut self.pages[page].get_or_insert_with(|| Box::new([0; PAGE_WORDS]))[..end]
    }
}

/// Sums every shard's words from `start` (a directory boundary) into `totals`; with `masks`,
/// marked words are summed as floats.
fn sum_region(
    start: usize,
    masks: Option<&[[u64; PAGE_WORDS / 64]]>,
    totals: &mut impl PageTotals,
) {
    let len = totals.len();
    let directory_words = PAGE_WORDS * DIRECTORY_PAGES;
    let first_directory = start / directory_words;
    for slab in slabs() {
        let directories = &slab.0[first_directory..first_directory + len.div_ceil(directory_words)];
        for (d, directory) in directories.iter().enumerate() {
            // SAFETY: as in `Slab::word`.
            let Some(directory) = (unsafe { directory.load(Ordering::Acquire).as_ref() }) else {
                continue;
            };
            for (p, page) in directory.0.iter().enumerate() {
                let base = d * directory_words + p * PAGE_WORDS;
                if base >= len {
                    break;
                }
                // SAFETY: as in `Slab::word`.
                let Some(page) = (unsafe { page.load(Ordering::Acquire).as_ref() }) else {
                    continue;
                };
                let words = totals.page(base / PAGE_WORDS).iter_mut().zip(page.0.iter());
                let mask = masks.map(|masks| &masks[base / PAGE_WORDS]);
                match mask.filter(|mask| mask.iter().any(|&bits| bits != 0)) {
                    None => {
                        for (total, word) in words {
                            *total = total.wrapping_add(word.load(Ordering::Relaxed));
                        }
                    }
                    Some(mask) => {
                        for (i, (total, word)) in words.enumerate() {
                            let value = word.load(Ordering::Relaxed);
                            *total = if mask[i / 64] & (1 << (i % 64)) == 0 {
                                total.wrapping_add(value)
                            } else {
                                (f64::from_bits(*total) + f64::from_bits(value)).to_bits()
                            };
                        }
                    }
                }
            }
        }
    }
}

/// Word blocks for the typed families: one block of consecutive words per family, indexed by
/// label combination, so that an update is an index computation and one add.
pub(crate) mod block {
    use super::*;

    /// `count` consecutive integer words.
    pub(crate) fn allocate(count: usize) -> usize {
        allocate_words(count)
    }

    /// `series` histograms of `bounds` bounds each, back to back: per series one count per
    /// bound, one for `+Inf`, and the sum, marked as a float.
    pub(crate) fn allocate_histograms(bounds: usize, series: usize) -> usize {
        let _marking = MARKING.lock().unwrap_or_else(PoisonError::into_inner);
        let stride = bounds + 2;
        let first = allocate_words(stride * series);
        for series in 0..series {
            mark_float(first + series * stride + bounds + 1);
        }
        first
    }

    /// Adds to the calling thread's shard of word `index`.
    #[inline]
    pub(crate) fn add(index: usize, value: u64) {
        own_slab().word(index).fetch_add(value, Ordering::Relaxed);
    }

    /// Records `value` into the histogram whose words start at `first`; the bucket it fell
    /// into (`bounds.len()` for `+Inf`).
    #[inline]
    pub(crate) fn record(first: usize, bounds: &[f64], value: f64) -> usize {
        // `le` is inclusive: a value equal to a bound belongs to that bound's bucket. NaN goes
        // to +Inf, where Prometheus' own clients put it.
        let bucket = bounds
            .iter()
            .position(|&bound| value <= bound)
            .unwrap_or(bounds.len());
        let slab = own_slab();
        slab.word(first + bucket).fetch_add(1, Ordering::Relaxed);
        // Only this thread's shard: the exchange practically never retries.
        add_f64(slab.word(first + bounds.len() + 1), value);
        bucket
    }

    /// The word summed over the shards, from `totals` when it holds it.
    pub(crate) fn total(index: usize, totals: Option<&Totals>) -> u64 {
        totals
            .and_then(|totals| totals.get(index))
            .unwrap_or_else(|| sum_words(index))
    }

    /// The counts (not cumulative, `+Inf` last) and the sum of the histogram at `first` in
    /// `totals`, without copying; `None` for a histogram made after `totals` was taken.
    pub(crate) fn histogram_in(
        first: usize,
        bounds: usize,
        totals: &Totals,
    ) -> Option<(&[u64], f64)> {
        let buckets = bounds + 1;
        let words = totals.words.get(first..first + buckets + 1)?;
        Some((&words[..buckets], f64::from_bits(words[buckets])))
    }

    /// As [`histogram_in`], summed over the shards, each page looked up once.
    pub(crate) fn histogram(first: usize, bounds: usize) -> (Vec<u64>, f64) {
        let buckets = bounds + 1;
        let mut counts = vec![0u64; buckets];
        let mut sum = 0.0;
        for slab in slabs() {
            slab.add_words(first, &mut counts);
            sum += f64::from_bits(slab.read(first + buckets));
        }
        (counts, sum)
    }

    /// Adds `delta` to the gauge of shard word `whole` and shared word `fraction`: exactly
    /// representable whole numbers go to the calling thread's shard, the rest to the shared
    /// word.
    #[inline]
    pub(crate) fn add_gauge(whole: usize, fraction: &AtomicU64, delta: f64) {
        if delta.fract() == 0.0 && delta.abs() < (1u64 << 53) as f64 {
            own_slab()
                .word(whole)
                .fetch_add(delta as i64 as u64, Ordering::Relaxed);
        } else {
            add_f64(fraction, delta);
        }
    }

    /// Sets that gauge: the shards' words belong to their writers, so the shared word takes
    /// the difference.
    pub(crate) fn set_gauge(whole: usize, fraction: &AtomicU64, value: f64) {
        fraction.store(
            (value - sum_words(whole) as i64 as f64).to_bits(),
            Ordering::Relaxed,
        );
    }

    /// That gauge's value, from `totals` when it holds the shard word.
    pub(crate) fn gauge(whole: usize, fraction: &AtomicU64, totals: Option<&Totals>) -> f64 {
        total(whole, totals) as i64 as f64 + f64::from_bits(fraction.load(Ordering::Relaxed))
    }
}

fn sum_words(index: usize) -> u64 {
    slabs()
        .iter()
        .fold(0u64, |sum, slab| sum.wrapping_add(slab.read(index)))
}

/// A monotonic counter: one word.
pub(crate) struct ShardedCounter {
    word: usize,
    #[cfg(feature = "exemplars")]
    pub(crate) exemplar: crate::exemplars::CounterExemplar,
}

impl ShardedCounter {
    pub(crate) fn new() -> Self {
        Self {
            word: allocate_words(1),
            #[cfg(feature = "exemplars")]
            exemplar: Default::default(),
        }
    }

    pub(crate) fn value(&self) -> u64 {
        sum_words(self.word)
    }

    pub(crate) fn value_in(&self, totals: &Totals) -> u64 {
        totals.get(self.word).unwrap_or_else(|| self.value())
    }
}

impl CounterFn for ShardedCounter {
    #[inline]
    fn increment(&self, value: u64) {
        block::add(self.word, value);
    }

    fn absolute(&self, value: u64) {
        // Absolute values come from one writer that mirrors an external count: add what is
        // missing, so the sum over shards is the value (a counter never goes down).
        let current = self.value();
        if value > current {
            self.increment(value - current);
        }
    }
}

/// A gauge. Whole-number increments (in-flight calls) are integer `fetch_add`s on the thread's
/// shard; fractional increments and `set` go to one shared `f64` word.
pub(crate) struct ShardedGauge {
    whole: usize,
    fraction: AtomicU64,
}

impl ShardedGauge {
    pub(crate) fn new() -> Self {
        Self {
            whole: allocate_words(1),
            fraction: AtomicU64::new(0f64.to_bits()),
        }
    }

    pub(crate) fn value(&self) -> f64 {
        block::gauge(self.whole, &self.fraction, None)
    }

    pub(crate) fn value_in(&self, totals: &Totals) -> f64 {
        block::gauge(self.whole, &self.fraction, Some(totals))
    }
}

impl GaugeFn for ShardedGauge {
    #[inline]
    fn increment(&self, value: f64) {
        block::add_gauge(self.whole, &self.fraction, value);
    }

    #[inline]
    fn decrement(&self, value: f64) {
        block::add_gauge(self.whole, &self.fraction, -value);
    }

    fn set(&self, value: f64) {
        block::set_gauge(self.whole, &self.fraction, value);
    }
}

fn add_f64(word: &AtomicU64, delta: f64) {
    let mut current = word.load(Ordering::Relaxed);
    loop {
        let next = (f64::from_bits(current) + delta).to_bits();
        match word.compare_exchange_weak(current, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return,
            Err(actual) => current = actual,
        }
    }
}

/// A histogram with fixed upper bounds, as Prometheus renders it: one count per bucket (not
/// cumulative; the last one is `+Inf`) and the sum of observations, in consecutive words.
pub(crate) struct BucketHistogram {
    bounds: Arc<[f64]>,
    first: usize,
    /// The same observations in exponential buckets, unless native histograms are off.
    native: Option<native::NativeHistogram>,
    #[cfg(feature = "exemplars")]
    pub(crate) exemplars: crate::exemplars::BucketExemplars,
}

/// Counts and sum of a histogram, summed over its shards.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HistogramSnapshot {
    /// Upper bounds, without `+Inf`.
    pub bounds: Arc<[f64]>,
    /// Cumulative counts, one per bound plus `+Inf` last.
    pub cumulative: Vec<u64>,
    pub sum: f64,
}

impl HistogramSnapshot {
    /// From bucket counts (not cumulative, `+Inf` last) and the sum.
    pub(crate) fn from_counts(bounds: Arc<[f64]>, counts: &[u64], sum: f64) -> Self {
        let mut running = 0u64;
        let cumulative = counts
            .iter()
            .map(|count| {
                running = running.wrapping_add(*count);
                running
            })
            .collect();
        Self {
            bounds,
            cumulative,
            sum,
        }
    }

    pub(crate) fn count(&self) -> u64 {
        self.cumulative.last().copied().unwrap_or(0)
    }
}

impl BucketHistogram {
    /// With `bounds` (none: only the `+Inf` bucket), and native buckets of `native`.
    pub(crate) fn new(bounds: Arc<[f64]>, native: Option<&'static native::NativeLayout>) -> Self {
        let first = block::allocate_histograms(bounds.len(), 1);
        Self {
            bounds,
            first,
            native: native.map(native::NativeHistogram::new),
            #[cfg(feature = "exemplars")]
            exemplars: Default::default(),
        }
    }

    /// Records `value`, and offers its bucket an exemplar.
    #[cfg(feature = "exemplars")]
    #[inline]
    pub(crate) fn record_with_exemplar(&self, value: f64) {
        let bucket = block::record(self.first, &self.bounds, value);
        if let Some(native) = &self.native {
            native.record(value);
        }
        self.exemplars.offer(self.bounds.len() + 1, bucket, value);
    }

    /// The native histogram of the same observations, unless native histograms are off.
    pub(crate) fn native(&self) -> Option<&native::NativeHistogram> {
        self.native.as_ref()
    }

    /// The upper bounds, without `+Inf`.
    pub(crate) fn bounds(&self) -> &Arc<[f64]> {
        &self.bounds
    }

    /// The bucket counts (not cumulative, `+Inf` last) and the sum in `totals`, without
    /// copying; `None` for a histogram made after `totals` was taken.
    pub(crate) fn counts_in<'t>(&self, totals: &'t Totals) -> Option<(&'t [u64], f64)> {
        block::histogram_in(self.first, self.bounds.len(), totals)
    }

    pub(crate) fn snapshot(&self) -> HistogramSnapshot {
        self.snapshot_in(None)
    }

    /// As [`snapshot`](Self::snapshot), with the counts taken from `totals` when given.
    pub(crate) fn snapshot_in(&self, totals: Option<&Totals>) -> HistogramSnapshot {
        match totals.and_then(|totals| self.counts_in(totals)) {
            Some((counts, sum)) => HistogramSnapshot::from_counts(self.bounds.clone(), counts, sum),
            None => {
                let (counts, sum) = self.counts();
                HistogramSnapshot::from_counts(self.bounds.clone(), &counts, sum)
            }
        }
    }

    /// The bucket counts (not cumulative, `+Inf` last) and the sum, summed over the shards.
    pub(crate) fn counts(&self) -> (Vec<u64>, f64) {
        block::histogram(self.first, self.bounds.len())
    }
}

impl HistogramFn for BucketHistogram {
    #[inline]
    fn record(&self, value: f64) {
        block::record(self.first, &self.bounds, value);
        if let Some(native) = &self.native {
            native.record(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_sums_shards_across_threads() {
        let counter = Arc::new(ShardedCounter::new());
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let counter = counter.clone();
                std::thread::spawn(move || (0..1000).for_each(|_| counter.increment(1)))
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        assert_eq!(counter.value(), 8000);
        counter.absolute(9000);
        assert_eq!(counter.value(), 9000);
        counter.absolute(10);
        assert_eq!(counter.value(), 9000, "a counter never goes down");
    }

    #[test]
    fn gauge_mixes_whole_and_fractional_updates() {
        let gauge = ShardedGauge::new();
        gauge.increment(3.0);
        gauge.decrement(1.0);
        gauge.increment(0.5);
        assert_eq!(gauge.value(), 2.5);
        gauge.set(7.0);
        assert_eq!(gauge.value(), 7.0);
        gauge.decrement(10.0);
        assert_eq!(gauge.value(), -3.0);
    }

    #[test]
    fn histogram_buckets_are_inclusive_and_cumulative() {
        let histogram = BucketHistogram::new(Arc::from(vec![0.1, 1.0]), native::configured());
        for value in [0.05, 0.1, 0.5, 1.0, 2.0, 3.0] {
            histogram.record(value);
        }
        let snapshot = histogram.snapshot();
        assert_eq!(snapshot.cumulative, vec![2, 4, 6]);
        assert_eq!(snapshot.count(), 6);
        assert!((snapshot.sum - 6.65).abs() < 1e-12);
    }

    #[test]
    fn histogram_with_many_bounds_spans_pages() {
        // Push the next series across a page boundary.
        let offset = PAGE_WORDS - NEXT_WORD.load(Ordering::Relaxed) % PAGE_WORDS;
        allocate_words(offset.saturating_sub(5));
        let bounds: Vec<f64> = (1..=40).map(f64::from).collect();
        let histogram = BucketHistogram::new(Arc::from(bounds), native::configured());
        (1..=41).for_each(|v| histogram.record(f64::from(v)));
        let snapshot = histogram.snapshot();
        assert_eq!(snapshot.cumulative.len(), 41);
        assert_eq!(snapshot.cumulative[0], 1);
        assert_eq!(snapshot.cumulative[39], 40);
        assert_eq!(snapshot.count(), 41);
        assert_eq!(snapshot.sum, (1..=41).sum::<i32>() as f64);
    }

    #[test]
    fn series_written_by_many_threads_stay_exact_and_separate() {
        let counters: Arc<Vec<ShardedCounter>> =
            Arc::new((0..600).map(|_| ShardedCounter::new()).collect());
        let threads: Vec<_> = (0..40)
            .map(|thread| {
                let counters = counters.clone();
                std::thread::spawn(move || {
                    for (index, counter) in counters.iter().enumerate() {
                        counter.increment((index * 40 + thread) as u64);
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        for (index, counter) in counters.iter().enumerate() {
            let expected: u64 = (0..40).map(|thread| (index * 40 + thread) as u64).sum();
            assert_eq!(counter.value(), expected, "counter {index}");
        }
    }

    #[test]
    fn totals_agree_with_per_series_reads() {
        let counter = Arc::new(ShardedCounter::new());
        let gauge = Arc::new(ShardedGauge::new());
        let histogram = Arc::new(BucketHistogram::new(
            Arc::from(vec![0.5, 1.0]),
            native::configured(),
        ));
        let threads: Vec<_> = (0..6)
            .map(|_| {
                let (counter, gauge, histogram) =
                    (counter.clone(), gauge.clone(), histogram.clone());
                std::thread::spawn(move || {
                    counter.increment(3);
                    gauge.decrement(2.0);
                    histogram.record(0.75);
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        let totals = Totals::now(true);
        assert_eq!(counter.value_in(&totals), 18);
        assert_eq!(gauge.value_in(&totals), -12.0);
        let snapshot = histogram.snapshot_in(Some(&totals));
        assert_eq!(snapshot.cumulative, vec![0, 6, 6]);
        assert_eq!(snapshot.sum, 4.5);
        assert_eq!(snapshot, histogram.snapshot());
        // A series made after the snapshot is read from the shards.
        let later = ShardedCounter::new();
        later.increment(5);
        assert_eq!(later.value_in(&totals), 5);
    }

    #[test]
    fn unwritten_words_read_zero_without_allocating_pages() {
        let counter = ShardedCounter::new();
        let histogram = BucketHistogram::new(Arc::from(vec![1.0]), native::configured());
        assert_eq!(counter.value(), 0);
        assert_eq!(histogram.snapshot().cumulative, vec![0, 0]);
    }
}

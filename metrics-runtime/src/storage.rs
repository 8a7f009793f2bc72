//! Storage behind the handles of this crate's own metric families: counters, gauges and
//! bucketed histograms made of relaxed atomics, sharded per thread.
//!
//! Why not the exporter's own storage: its histogram handle reads the clock and pushes every
//! sample into a buffer that upkeep drains, and its gauge increment is a compare-and-swap loop
//! on one shared word. Here every update is one `fetch_add` on a cache line that, most of the
//! time, only the calling thread writes; the shards are summed when the exposition is rendered.

use std::cell::Cell;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::OnceLock;

use metrics::{CounterFn, GaugeFn, HistogramFn};

/// One shard on a cache line of its own (128 bytes: adjacent-line prefetch pairs lines on x86).
#[repr(align(128))]
#[derive(Default)]
struct Padded<T>(T);

/// Words per padded chunk of a histogram shard.
const CHUNK: usize = 16;

/// Number of shards: a power of two, twice the cores so that threads assigned round-robin
/// rarely share one, capped to bound memory per series.
fn shard_count() -> usize {
    static COUNT: OnceLock<usize> = OnceLock::new();
    *COUNT.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(4, |n| n.get());
        (cores * 2).next_power_of_two().clamp(2, 32)
    })
}

/// The shard of the calling thread, assigned round-robin on the thread's first update.
#[inline]
fn shard_of_thread(mask: usize) -> usize {
    thread_local! {
        static SHARD: Cell<usize> = const { Cell::new(usize::MAX) };
    }
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    SHARD.with(|shard| {
        let mut id = shard.get();
        if id == usize::MAX {
            id = NEXT.fetch_add(1, Ordering::Relaxed);
            shard.set(id);
        }
        id & mask
    })
}

/// A monotonic counter.
pub(crate) struct ShardedCounter {
    shards: Box<[Padded<AtomicU64>]>,
}

impl ShardedCounter {
    pub(crate) fn new() -> Self {
        Self {
            shards: (0..shard_count()).map(|_| Padded::default()).collect(),
        }
    }

    pub(crate) fn value(&self) -> u64 {
        self.shards
            .iter()
            .fold(0u64, |sum, s| sum.wrapping_add(s.0.load(Ordering::Relaxed)))
    }
}

impl CounterFn for ShardedCounter {
    #[inline]
    fn increment(&self, value: u64) {
        let shard = shard_of_thread(self.shards.len() - 1);
        self.shards[shard].0.fetch_add(value, Ordering::Relaxed);
    }

    fn absolute(&self, value: u64) {
        // Absolute values come from one writer that mirrors an external count; keep them in
        // shard 0 and clear the others so the sum is the value.
        for shard in self.shards.iter().skip(1) {
            shard.0.store(0, Ordering::Relaxed);
        }
        self.shards[0].0.fetch_max(value, Ordering::Relaxed);
    }
}

/// A gauge. Whole-number increments (in-flight calls) are integer `fetch_add`s on the thread's
/// shard; fractional increments and `set` go to one shared `f64` word.
pub(crate) struct ShardedGauge {
    whole: Box<[Padded<AtomicI64>]>,
    fraction: AtomicU64,
}

impl ShardedGauge {
    pub(crate) fn new() -> Self {
        Self {
            whole: (0..shard_count()).map(|_| Padded::default()).collect(),
            fraction: AtomicU64::new(0f64.to_bits()),
        }
    }

    pub(crate) fn value(&self) -> f64 {
        let whole = self
            .whole
            .iter()
            .fold(0i64, |sum, s| sum.wrapping_add(s.0.load(Ordering::Relaxed)));
        whole as f64 + f64::from_bits(self.fraction.load(Ordering::Relaxed))
    }

    #[inline]
    fn add(&self, delta: f64) {
        // Exactly representable whole numbers take the fast path.
        if delta.fract() == 0.0 && delta.abs() < (1u64 << 53) as f64 {
            let shard = shard_of_thread(self.whole.len() - 1);
            self.whole[shard]
                .0
                .fetch_add(delta as i64, Ordering::Relaxed);
        } else {
            add_f64(&self.fraction, delta);
        }
    }
}

impl GaugeFn for ShardedGauge {
    #[inline]
    fn increment(&self, value: f64) {
        self.add(value);
    }

    #[inline]
    fn decrement(&self, value: f64) {
        self.add(-value);
    }

    fn set(&self, value: f64) {
        for shard in self.whole.iter() {
            shard.0.store(0, Ordering::Relaxed);
        }
        self.fraction.store(value.to_bits(), Ordering::Relaxed);
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

/// A histogram with fixed upper bounds, as Prometheus renders it: per shard one count per bucket
/// (not cumulative; the last one is `+Inf`) and the sum of observations.
pub(crate) struct BucketHistogram {
    bounds: std::sync::Arc<[f64]>,
    /// Chunks per shard; shard `s` owns `cells[s * stride .. (s + 1) * stride]`.
    stride: usize,
    cells: Box<[Padded<[AtomicU64; CHUNK]>]>,
}

/// Counts and sum of a histogram, summed over its shards.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HistogramSnapshot {
    /// Upper bounds, without `+Inf`.
    pub bounds: std::sync::Arc<[f64]>,
    /// Cumulative counts, one per bound plus `+Inf` last.
    pub cumulative: Vec<u64>,
    pub sum: f64,
}

impl HistogramSnapshot {
    pub(crate) fn count(&self) -> u64 {
        self.cumulative.last().copied().unwrap_or(0)
    }
}

impl BucketHistogram {
    pub(crate) fn new(bounds: std::sync::Arc<[f64]>) -> Self {
        // Words per shard: one count per bound, one for +Inf, one for the sum.
        let words = bounds.len() + 2;
        let stride = words.div_ceil(CHUNK);
        let cells = (0..shard_count() * stride)
            .map(|_| Padded::default())
            .collect();
        Self {
            bounds,
            stride,
            cells,
        }
    }

    #[inline]
    fn word(&self, shard: usize, index: usize) -> &AtomicU64 {
        &self.cells[shard * self.stride + index / CHUNK].0[index % CHUNK]
    }

    pub(crate) fn snapshot(&self) -> HistogramSnapshot {
        let buckets = self.bounds.len() + 1;
        let mut cumulative = vec![0u64; buckets];
        let mut sum = 0.0;
        for shard in 0..self.cells.len() / self.stride {
            for (bucket, total) in cumulative.iter_mut().enumerate() {
                *total += self.word(shard, bucket).load(Ordering::Relaxed);
            }
            sum += f64::from_bits(self.word(shard, buckets).load(Ordering::Relaxed));
        }
        let mut running = 0;
        for count in cumulative.iter_mut() {
            running += *count;
            *count = running;
        }
        HistogramSnapshot {
            bounds: self.bounds.clone(),
            cumulative,
            sum,
        }
    }
}

impl HistogramFn for BucketHistogram {
    #[inline]
    fn record(&self, value: f64) {
        // `le` is inclusive: a value equal to a bound belongs to that bound's bucket. NaN goes
        // to +Inf, where Prometheus' own clients put it.
        let bucket = self
            .bounds
            .iter()
            .position(|&bound| value <= bound)
            .unwrap_or(self.bounds.len());
        let shard = shard_of_thread(self.cells.len() / self.stride - 1);
        self.word(shard, bucket).fetch_add(1, Ordering::Relaxed);
        let sum = self.word(shard, self.bounds.len() + 1);
        // Only this thread's shard: the exchange practically never retries.
        add_f64(sum, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

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
    }

    #[test]
    fn histogram_buckets_are_inclusive_and_cumulative() {
        let histogram = BucketHistogram::new(Arc::from(vec![0.1, 1.0]));
        for value in [0.05, 0.1, 0.5, 1.0, 2.0, 3.0] {
            histogram.record(value);
        }
        let snapshot = histogram.snapshot();
        assert_eq!(snapshot.cumulative, vec![2, 4, 6]);
        assert_eq!(snapshot.count(), 6);
        assert!((snapshot.sum - 6.65).abs() < 1e-12);
    }

    #[test]
    fn histogram_with_many_bounds_spans_chunks() {
        let bounds: Vec<f64> = (1..=40).map(f64::from).collect();
        let histogram = BucketHistogram::new(Arc::from(bounds));
        (1..=41).for_each(|v| histogram.record(f64::from(v)));
        let snapshot = histogram.snapshot();
        assert_eq!(snapshot.cumulative.len(), 41);
        assert_eq!(snapshot.cumulative[0], 1);
        assert_eq!(snapshot.cumulative[39], 40);
        assert_eq!(snapshot.count(), 41);
        assert_eq!(snapshot.sum, (1..=41).sum::<i32>() as f64);
    }
}

// Prometheus adds `_count` to a histogram itself.
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

#[derive(Metrics)]
struct Group {
    /// Sizes.
    #[metric(buckets = [1.0, 10.0])]
    payload_bytes_count: Histogram,
}

fn main() {}

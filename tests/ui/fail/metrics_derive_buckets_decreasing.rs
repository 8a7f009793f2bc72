// Bucket bounds increase.
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

#[derive(Metrics)]
struct Group {
    /// Latency.
    #[metric(buckets = [1.0, 0.5])]
    call_duration_seconds: Histogram,
}

fn main() {}
